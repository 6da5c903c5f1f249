/**
 * Time-outs and delays above 2^31 − 1 ms would overflow the timer (it fires after ~1 ms): every such
 * option is refused at start-up with the option's name and the bound, and the bound itself is accepted.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession } from "../../src/hono/index.ts";
import { fromWebIdentity } from "../../src/providers/from-web-identity.ts";
import { ROLE_ARN, idToken, scriptedSts } from "../hono/fixtures.ts";

const MAX = 2 ** 31 - 1;
const store = { get: () => undefined, set: () => undefined };
const storeSecret = "edge-sts-test-store-secret-0123456789abcdef";

function refused(make: () => unknown, name: string): void {
  assert.throws(make, (err: unknown) => {
    assert.ok(err instanceof StsConfigurationError, `${name}: ${String(err)}`);
    assert.match(err.message, new RegExp(`${name}.*at most 2147483647`), err.message);
    return true;
  }, `${name} = 2^31 was accepted`);
}

test("stsCredentials: exchangeTimeoutMs and storeTimeoutMs above 2^31 − 1 ms are refused", () => {
  const base = { roleArn: ROLE_ARN, region: "eu-west-1", cache: new CredentialCache<StsSession>() };
  for (const value of [MAX + 1, 3_000_000_000]) {
    refused(() => stsCredentials({ ...base, exchangeTimeoutMs: value }), "exchangeTimeoutMs");
    refused(() => stsCredentials({ ...base, store, storeSecret, storeTimeoutMs: value }), "storeTimeoutMs");
  }
  assert.doesNotThrow(() => stsCredentials({ ...base, store, storeSecret, exchangeTimeoutMs: MAX, storeTimeoutMs: MAX }));
});

test("providers: storeTimeoutMs above 2^31 − 1 ms is refused", () => {
  refused(() => fromWebIdentity({ region: "eu-west-1", roleArn: ROLE_ARN, webIdentityToken: "t", store, storeTimeoutMs: MAX + 1 }), "storeTimeoutMs");
});

test("StsClient: timeoutMs, retryBaseDelayMs, retryMaxDelayMs and maxRetryAfterMs above 2^31 − 1 ms are refused", async () => {
  for (const name of ["timeoutMs", "retryBaseDelayMs", "retryMaxDelayMs", "maxRetryAfterMs"] as const) {
    refused(() => new StsClient({ region: "eu-west-1", [name]: MAX + 1 }), name);
    assert.doesNotThrow(() => new StsClient({ region: "eu-west-1", [name]: MAX }));
  }
  // Per call too: a Retry-After up to the cap is waited for, so the cap must be a timer's.
  const sts = scriptedSts(Date.now);
  const client = new StsClient({ region: "eu-west-1", fetch: sts.fetch });
  const input = { roleArn: ROLE_ARN, roleSessionName: "bob", webIdentityToken: idToken("bob", Date.now()) };
  await assert.rejects(client.assumeRoleWithWebIdentity(input, { maxRetryAfterMs: MAX + 1 }), /maxRetryAfterMs.*at most 2147483647/);
  assert.equal(sts.calls.length, 0);
});

test("a store read bounded by exactly 2^31 − 1 ms still waits for the store (the timer did not overflow)", async () => {
  const map = new Map<string, string>();
  let reads = 0;
  const slow = {
    get: async (k: string) => {
      reads++;
      await new Promise((r) => setTimeout(r, 20));
      return map.get(k);
    },
    set: (k: string, v: string) => void map.set(k, v),
  };
  const errors: unknown[] = [];
  const sts = scriptedSts(Date.now);
  const { Hono } = await import("hono");
  const app = new Hono();
  app.use("/*", stsCredentials({ roleArn: ROLE_ARN, region: "eu-west-1", fetch: sts.fetch, cache: new CredentialCache<StsSession>(), store: slow, storeSecret, storeTimeoutMs: MAX, onStoreError: (e) => errors.push(e) }));
  app.get("/*", (c) => c.text("ok"));
  const res = await app.request("/", { headers: { Authorization: `Bearer ${idToken("alice", Date.now())}` } });
  assert.equal(res.status, 200);
  assert.equal(reads, 1);
  assert.deepEqual(errors, [], "the read was reported as timed out");
});
