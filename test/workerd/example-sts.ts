/**
 * A test OIDC issuer and the STS emulator served on 127.0.0.1 (a port the OS picks), for the examples'
 * end-to-end tests: the example apps run in other processes (Deno, Bun, workerd) and reach STS over
 * loopback, as a deployed app reaches AWS.
 */
import { serve } from "@hono/node-server";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { OidcIssuer, StsEmulator } from "../../src/testing/index.ts";

/** The role the examples are configured with; the emulator lets the issuer's tokens assume it. */
export const EXAMPLE_ROLE_ARN = "arn:aws:iam::123456789012:role/edge-example";

/** `arn:aws:sts::123456789012:assumed-role/edge-example/<sub>` (the default session name is the `sub`). */
export const assumedRoleArn = (sub: string) => `arn:aws:sts::123456789012:assumed-role/edge-example/${sub}`;

export interface LocalSts {
  issuer: OidcIssuer;
  sts: StsEmulator;
  /** `http://127.0.0.1:<port>`: the STS_ENDPOINT to give an example. */
  url: string;
  /** The settings an example reads from its environment. */
  settings: { ROLE_ARN: string; AWS_REGION: string; STS_ENDPOINT: string };
  close(): Promise<void>;
}

/** Starts the issuer and the emulator; `close` stops the server (open connections included). */
export async function startLocalSts(): Promise<LocalSts> {
  const issuer = createOidcIssuer();
  const sts = createStsEmulator({ issuers: [issuer], roles: [{ arn: EXAMPLE_ROLE_ARN }] });
  let server: ReturnType<typeof serve> | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start listening within 10 s")), 10_000);
    server = serve({ fetch: sts.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      clearTimeout(timer);
      resolve(info.port);
    });
    server.once("error", reject);
  });
  const url = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      server!.close(() => resolve());
    });
  return { issuer, sts, url, settings: { ROLE_ARN: EXAMPLE_ROLE_ARN, AWS_REGION: "eu-west-1", STS_ENDPOINT: url }, close };
}
