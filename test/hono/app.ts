/**
 * A real Hono app with the middleware in front of `/api/*`, a scripted STS, a manual clock and a
 * private cache on that clock. Web-standard only: the portable suite uses it too.
 */
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { ROLE_ARN, manualClock, scriptedSts } from "./fixtures.ts";

/** The store secret of apps given a store and no secret of their own (a store needs one, or `verify`). */
export const TEST_STORE_SECRET = "edge-sts-test-store-secret-0123456789abcdef";

export function makeApp(options: Partial<StsCredentialsOptions> = {}, cacheOptions: { maxEntries?: number } = {}) {
  const clock = manualClock();
  const sts = scriptedSts(clock.now);
  const cache = new CredentialCache<StsSession>({ now: clock.now, random: () => 0, ...cacheOptions });
  const client = new StsClient({ region: "eu-west-1", fetch: sts.fetch, maxAttempts: 2, retryBaseDelayMs: 0, timeoutMs: 200, maxRetryAfterMs: 1000 });
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({
    roleArn: ROLE_ARN, client, cache, now: clock.now,
    ...(options.store !== undefined && !("storeSecret" in options) && { storeSecret: TEST_STORE_SECRET }),
    ...options,
  }));
  app.get("/api/creds", (c) =>
    c.json({
      accessKeyId: c.var.awsCredentials?.accessKeyId ?? null,
      sessionName: c.var.stsIdentity?.assumedRoleUser.arn.split("/").pop() ?? null,
      subject: c.var.stsIdentity?.subjectFromWebIdentityToken ?? null,
      region: c.var.aws?.region ?? null,
    }));
  const request = async (token: string | undefined, init: RequestInit = {}, executionCtx?: unknown): Promise<Response> =>
    await app.request(
      "/api/creds",
      { ...init, headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...(init.headers as Record<string, string>) } },
      undefined,
      executionCtx as never,
    );
  return { app, sts, clock, cache, client, request };
}

export interface CredsBody {
  accessKeyId: string | null;
  sessionName: string | null;
  subject: string | null;
  region: string | null;
}
