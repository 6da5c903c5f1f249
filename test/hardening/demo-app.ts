/**
 * The demo app, as the soak and the leak check run it: a local OIDC issuer, the STS emulator served
 * on a loopback port, and a Hono app with the middleware (real global fetch to the emulator) served
 * on another. Its one route answers who the credentials belong to, so a caller can check they are its own.
 */
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulatorOptions } from "../../src/testing/index.ts";
import { serveFetch } from "./servers.ts";

export const DEMO_ROLE_ARN = "arn:aws:iam::123456789012:role/edge-demo";

export interface WhoAmI {
  arn: string;
  subject: string;
  accessKeyId: string;
}

export async function startDemo(options: {
  emulator?: StsEmulatorOptions;
  cache?: CredentialCache<StsSession>;
  middleware?: Partial<StsCredentialsOptions>;
  client?: { maxAttempts?: number; timeoutMs?: number };
} = {}) {
  const issuer = createOidcIssuer({ issuer: "https://issuer.demo.test" });
  const sts = createStsEmulator({ issuers: [issuer], ...options.emulator });
  const stsServer = await serveFetch(sts.fetch);
  const client = new StsClient({
    region: "eu-west-1",
    endpoint: stsServer.url,
    maxAttempts: options.client?.maxAttempts ?? 3,
    timeoutMs: options.client?.timeoutMs ?? 2000,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 200,
  });
  const cache = options.cache ?? new CredentialCache<StsSession>();
  const app = new Hono<{ Variables: StsVariables }>();
  app.get("/health", (c) => c.text("ok"));
  app.use("/api/*", stsCredentials({ roleArn: DEMO_ROLE_ARN, client, cache, serverTiming: true, realm: "edge-demo", ...options.middleware }));
  app.get("/api/whoami", (c) =>
    c.json<WhoAmI>({
      arn: c.var.stsIdentity.assumedRoleUser.arn,
      subject: c.var.stsIdentity.subjectFromWebIdentityToken,
      accessKeyId: c.var.awsCredentials.accessKeyId,
    }));
  const appServer = await serveFetch(app.fetch);
  return {
    issuer,
    sts,
    client,
    cache,
    app,
    url: appServer.url,
    stsUrl: stsServer.url,
    async close() {
      await Promise.all([appServer.close(), stsServer.close()]);
    },
  };
}
