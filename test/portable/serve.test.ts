/**
 * The issuer and the emulator are plain fetch handlers: served here by the runtime's own server
 * (Deno.serve, Bun.serve) on a loopback port and used through real fetch. On Node the same is
 * covered with @hono/node-server (test/hardening/faults-over-http.test.ts); workerd cannot listen.
 */
import { StsClient } from "../../src/client.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { assertEquals, test } from "./harness.ts";

type Handler = (request: Request) => Promise<Response>;
interface Served {
  url: string;
  stop(): Promise<void>;
}

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;
const serve: ((handler: Handler) => Promise<Served>) | undefined = runtime.Deno?.serve
  ? (handler) =>
      new Promise((resolve) => {
        const server = runtime.Deno.serve(
          { hostname: "127.0.0.1", port: 0, onListen: ({ port }: { port: number }) => resolve({ url: `http://127.0.0.1:${port}`, stop: () => server.shutdown() }) },
          (request: Request) => handler(request),
        );
      })
  : runtime.Bun?.serve
    ? async (handler) => {
        const server = runtime.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request: Request) => handler(request) });
        return { url: `http://127.0.0.1:${server.port}`, stop: async () => server.stop(true) };
      }
    : undefined;

if (serve) {
  test("serve: issuer and emulator on loopback ports behind the runtime's own server, used through real fetch", async () => {
    const issuerServer = await serve((request) => issuer.fetch(request));
    const issuer = createOidcIssuer({ issuer: issuerServer.url });
    // No JWKS given: the emulator discovers the issuer's keys over HTTP, as STS does.
    const emulator = createStsEmulator({ issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }] });
    const stsServer = await serve((request) => emulator.fetch(request));
    try {
      const discovery = await fetch(`${issuerServer.url}/.well-known/openid-configuration`);
      assertEquals(discovery.status, 200);
      assertEquals(((await discovery.json()) as { issuer: string }).issuer, issuerServer.url);

      const sts = new StsClient({ region: "eu-west-1", endpoint: stsServer.url });
      const out = await sts.assumeRoleWithWebIdentity({
        roleArn: "arn:aws:iam::123456789012:role/edge-app",
        roleSessionName: "alice",
        webIdentityToken: await issuer.mint({ sub: "alice" }),
      });
      const signed = new StsClient({ region: "eu-west-1", endpoint: stsServer.url, credentials: out.credentials });
      const caller = await signed.getCallerIdentity();
      assertEquals(caller.arn, "arn:aws:sts::123456789012:assumed-role/edge-app/alice");
      assertEquals(emulator.calls.count("AssumeRoleWithWebIdentity"), 1);
    } finally {
      await stsServer.stop();
      await issuerServer.stop();
    }
  });
}
