/**
 * What the verification tests share: a real OIDC issuer served over HTTP on 127.0.0.1 (its requests
 * counted by the issuer itself), a counting fetch around the real one, a count of Web Crypto
 * signature checks, the STS emulator trusting the issuer, and a real redis-server behind a counting
 * store wrapper.
 */
import { Hono } from "hono";
import { createClient } from "redis";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore } from "../../src/cache/store.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables, VerifiedVariables } from "../../src/hono/index.ts";
import { redisStore } from "../../src/stores/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { OidcIssuer, OidcIssuerOptions } from "../../src/testing/index.ts";
import { serveFetch } from "../hardening/servers.ts";
import type { Served } from "../hardening/servers.ts";
// @ts-expect-error: a plain .mjs helper without types
import { startRedis } from "../../scripts/redis-server.mjs";
import { executionContext } from "./fixtures.ts";

export const ROLE = "arn:aws:iam::123456789012:role/edge-app";
export const AUDIENCE = "sts.amazonaws.com";

/** An issuer on a loopback port; `close()` ends it. */
export async function servedIssuer(options: Omit<OidcIssuerOptions, "issuer"> = {}): Promise<OidcIssuer & { close(): Promise<void> }> {
  let issuer: OidcIssuer | undefined;
  const served: Served = await serveFetch((request) => issuer!.fetch(request));
  issuer = createOidcIssuer({ ...options, issuer: served.url });
  const close = async () => {
    issuer!.failJwks(undefined); // releases hanging answers
    await served.close();
  };
  return Object.assign(issuer, { close });
}

/** The real fetch, counted. */
export function countingFetch() {
  const counted = {
    calls: 0,
    fetch: (input: string | URL | Request, init?: RequestInit) => {
      counted.calls++;
      return fetch(input, init);
    },
  };
  return counted;
}

/** Counts `crypto.subtle.verify` calls (the real one runs) while `fn` runs. */
export async function countingSignatureChecks<T>(fn: (count: () => number) => Promise<T>): Promise<T> {
  const subtle = crypto.subtle;
  const original = subtle.verify;
  let calls = 0;
  subtle.verify = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto["verify"]>) {
    calls++;
    return original.apply(this, args);
  } as SubtleCrypto["verify"];
  try {
    return await fn(() => calls);
  } finally {
    subtle.verify = original;
  }
}

/** A real store (redis-server, database 9) whose reads and writes are counted. */
export async function countedRedis() {
  const redis = await startRedis();
  if (redis.url === undefined) return { skip: redis.why as string };
  const client = createClient({ url: redis.url, database: 9 });
  client.on("error", () => {});
  await client.connect();
  await client.flushDb();
  const real = redisStore(client);
  const counts = { reads: 0, writes: 0 };
  const store: CredentialStore = {
    get: (key) => (counts.reads++, real.get(key)),
    set: (key, value, ttl) => (counts.writes++, real.set(key, value, ttl)),
  };
  const close = async () => {
    await client.quit();
    await redis.stop();
  };
  return { skip: false as const, store, counts, close };
}

/** An app with `verify` on the issuer, the emulator as STS, and a private cache. */
export function verifyingApp(issuer: OidcIssuer, options: Partial<StsCredentialsOptions> = {}) {
  // STS on the app's clock too, so a test that moves the clock does not meet "issued in the future".
  const emulator = createStsEmulator({ issuers: [issuer], now: options.now });
  const app = new Hono<{ Variables: StsVariables & Partial<VerifiedVariables> }>();
  const stsOptions = {
    roleArn: ROLE,
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    fetch: emulator.fetch,
    cache: new CredentialCache<StsSession>(),
    verify: { issuer: issuer.issuer, audience: AUDIENCE },
    ...options,
  } as StsCredentialsOptions & { verify: NonNullable<StsCredentialsOptions["verify"]> };
  app.use("/*", stsCredentials(stsOptions));
  app.get("/*", (c) => c.json({ payload: c.var.jwtPayload, key: c.var.awsCredentials.accessKeyId, frozen: Object.isFrozen(c.var.jwtPayload) }));
  const request = async (token: string) => {
    const ctx = executionContext();
    const res = await app.request("/", { headers: { Authorization: `Bearer ${token}` } }, undefined, ctx.ctx);
    await Promise.all(ctx.waited);
    return res;
  };
  const stsCalls = () => emulator.calls.count("AssumeRoleWithWebIdentity");
  return { app, emulator, request, stsCalls };
}
