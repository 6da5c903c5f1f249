/**
 * Start-up refusals of `verify` and of the store policy (a store needs `storeSecret` or `verify`),
 * `storeSecret: (c) => …`, and instances that trust different things never sharing isolate-cache entries.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore } from "../../src/cache/store.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { executionContext } from "./fixtures.ts";

const ROLE = "arn:aws:iam::123456789012:role/edge-app";
const base = { roleArn: ROLE, endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1" };
const SECRET_A = "store-secret-a-" + "a".repeat(40);
const SECRET_B = "store-secret-b-" + "b".repeat(40);
const mapStore = (m = new Map<string, string>()): CredentialStore => ({ get: (k) => m.get(k), set: (k, v) => void m.set(k, v) });
const verify = { issuer: "https://issuer.edge-sts.test", audience: "sts.amazonaws.com" };

function refused(options: Record<string, unknown>, message: RegExp) {
  assert.throws(() => stsCredentials({ ...base, ...options } as StsCredentialsOptions), (err: unknown) => {
    assert.ok(err instanceof StsConfigurationError, String(err));
    assert.equal(err.name, "StsConfigurationError");
    assert.match(err.message, message);
    return true;
  });
}

test("start-up: verify without audience, with HMAC or none, over plain http, or twice for one issuer is refused, naming the member", () => {
  refused({ verify: { issuer: verify.issuer } }, /stsCredentials: verify\.audience is required/);
  refused({ verify: { ...verify, audience: [] } }, /verify\.audience is required/);
  refused({ verify: [verify, { issuer: "https://b.example.com" }] }, /verify\[1\]\.audience is required/);
  refused({ verify: { audience: "x" } }, /verify\.issuer is required/);
  refused({ verify: { ...verify, algorithms: ["HS256"] } }, /verify\.algorithms must list asymmetric JWS algorithms/);
  refused({ verify: { ...verify, algorithms: ["none"] } }, /never none or HMAC/);
  refused({ verify: { ...verify, issuer: "http://issuer.example.com" } }, /verify\.issuer must be an https URL/);
  refused({ verify: { ...verify, jwksUri: "http://keys.example.com/jwks" } }, /verify\.jwksUri must be an https URL/);
  refused({ verify: [verify, verify] }, /verify\[1\]\.issuer is configured twice/);
  refused({ verify: { ...verify, timeoutMs: -1 } }, /verify\.timeoutMs must be a positive number/);
  assert.doesNotThrow(() => stsCredentials({ ...base, verify: { ...verify, issuer: "http://127.0.0.1:9" } }));
});

test("start-up: store with neither verify nor storeSecret is refused naming storeSecret; store + verify without a secret is accepted", () => {
  refused({ store: mapStore() }, /stsCredentials: store needs storeSecret \(or verify\)/);
  refused({ store: () => mapStore() }, /store needs storeSecret/);
  refused({ store: mapStore(), storeSecret: undefined }, /store needs storeSecret/);
  refused({ storeSecret: () => SECRET_A }, /storeSecret needs a store/);
  assert.doesNotThrow(() => stsCredentials({ ...base, store: mapStore(), verify }));
  assert.doesNotThrow(() => stsCredentials({ ...base, store: mapStore(), storeSecret: SECRET_A }));
  assert.doesNotThrow(() => stsCredentials({ ...base, store: mapStore(), storeSecret: () => SECRET_A }));
});

async function rig() {
  const issuer = createOidcIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const token = await issuer.mint({ sub: "alice" });
  const instance = (options: Partial<StsCredentialsOptions<{ Bindings: { STS_STORE_SECRET?: string } }>>) => {
    const app = new Hono<{ Bindings: { STS_STORE_SECRET?: string }; Variables: StsVariables }>();
    const causes: unknown[] = [];
    app.use("/*", stsCredentials({ ...base, fetch: emulator.fetch, onError: (err) => void causes.push(err.cause), ...options }));
    app.get("/*", (c) => c.text(c.var.awsCredentials.accessKeyId));
    const request = async (env: { STS_STORE_SECRET?: string } = {}) => {
      const ctx = executionContext();
      const res = await app.request("/", { headers: { Authorization: `Bearer ${token}` } }, env, ctx.ctx);
      await Promise.all(ctx.waited);
      return res;
    };
    return { request, causes };
  };
  return { emulator, instance, calls: () => emulator.calls.count("AssumeRoleWithWebIdentity") };
}

test("trust: two instances on one shared cache with different store secrets never serve each other's entries; the same secret shares", async () => {
  const { instance, calls } = await rig();
  const cache = new CredentialCache<StsSession>();
  const a = instance({ cache, store: mapStore(), storeSecret: SECRET_A });
  const b = instance({ cache, store: mapStore(), storeSecret: SECRET_B });
  const a2 = instance({ cache, store: mapStore(), storeSecret: new TextEncoder().encode(SECRET_A) });
  const plain = instance({ cache });
  const verifying = instance({ cache, verify: { ...verify, jwksUri: "http://127.0.0.1:9/jwks" } });
  assert.equal((await a.request()).status, 200);
  assert.equal(calls(), 1);
  assert.equal((await b.request()).status, 200);
  assert.equal(calls(), 2, "the instance with another secret was served the first one's entry");
  assert.equal((await a2.request()).status, 200);
  assert.equal(calls(), 2, "the same secret (as bytes) shares the entry");
  assert.equal((await plain.request()).status, 200);
  assert.equal(calls(), 3, "an instance without a store does not take a store instance's entry");
  // Different verify settings: their own scope too (the issuer there is unreachable: 503, no STS call).
  assert.equal((await verifying.request()).status, 503);
  assert.equal(calls(), 3);
});

test("storeSecret (c) => c.env.STS_STORE_SECRET: keys the store per request; an unusable value is a 500 naming storeSecret, never an unkeyed store", async () => {
  const { instance, calls } = await rig();
  const shared = new Map<string, string>();
  const fromEnv = instance({ cache: new CredentialCache(), store: mapStore(shared), storeSecret: (c) => c.env.STS_STORE_SECRET });
  const missing = await fromEnv.request({});
  assert.equal(missing.status, 500);
  const [cause] = fromEnv.causes as Error[];
  assert.ok(cause instanceof StsConfigurationError);
  assert.match(cause.message, /storeSecret\(c\) must return a string of at least 32 characters/);
  assert.equal(shared.size, 0, "nothing was written unkeyed");
  assert.equal(calls(), 0);
  const short = await fromEnv.request({ STS_STORE_SECRET: "too-short" });
  assert.equal(short.status, 500);
  assert.ok(!(fromEnv.causes[1] as Error).message.includes("too-short"));
  assert.equal((await fromEnv.request({ STS_STORE_SECRET: SECRET_A })).status, 200);
  assert.equal(shared.size, 1);
  // Another isolate with the secret as a fixed option opens the entry: the function's secret keyed it.
  const fixed = instance({ cache: new CredentialCache(), store: mapStore(shared), storeSecret: SECRET_A });
  assert.equal((await fixed.request()).status, 200);
  assert.equal(calls(), 1);
  // With another secret from the binding, the entry does not open: a miss, then STS.
  const other = instance({ cache: new CredentialCache(), store: mapStore(shared), storeSecret: (c) => c.env.STS_STORE_SECRET });
  assert.equal((await other.request({ STS_STORE_SECRET: SECRET_B })).status, 200);
  assert.equal(calls(), 2);
});
