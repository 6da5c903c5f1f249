/**
 * Issue 19, the smaller holes: a hostile error from a store (item 6), the shared expiration `Date`
 * (item 7), a token inside `clockToleranceSeconds` (cached until `exp` + tolerance), and durations on
 * a monotonic clock (a wall clock stepping back a day neither keeps a region cooling nor a store paused).
 * Real components: the OIDC issuer and the STS emulator on loopback, real Hono apps.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore, StoreErrorInfo } from "../../src/cache/store.ts";
import { StsClient } from "../../src/client.ts";
import { answeredBy } from "../../src/failover.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";
import { serveFetch } from "./servers.ts";
import type { Served } from "./servers.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const SECRET = "a-store-secret-of-at-least-32-characters!";
const DAY_MS = 86_400_000;
/** The real time, whatever a test does to Date.now. */
const realNow = () => performance.timeOrigin + performance.now();
const issuer = createOidcIssuer();
let east: { sts: StsEmulator; served: Served };
let west: { sts: StsEmulator; served: Served };
before(async () => {
  const make = async (region: string) => {
    const sts = createStsEmulator({ issuers: [issuer], region, now: realNow });
    return { sts, served: await serveFetch(sts.fetch) };
  };
  east = await make("us-east-1");
  west = await make("eu-west-1");
});
after(() => Promise.all([east.served.close(), west.served.close()]));
const exchanges = () => east.sts.calls.count("AssumeRoleWithWebIdentity");

function app(options: Partial<StsCredentialsOptions>, handler?: (c: any) => Response | Promise<Response>) {
  const hono = new Hono<{ Variables: StsVariables }>();
  const client = new StsClient({ region: "us-east-1", endpoints: { "us-east-1": east.served.url } });
  hono.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, client, cache: new CredentialCache<StsSession>(), ...options }));
  hono.get("/api/*", handler ?? ((c) => c.text("ok")));
  return (token: string, path = "/api/x") => hono.request(path, { headers: { authorization: `Bearer ${token}` } });
}

/** An Error whose `name` and `message` getters throw. */
function throwingError(): Error {
  const err = new Error("x");
  for (const key of ["name", "message"]) Object.defineProperty(err, key, { get: () => { throw new Error(`${key} getter`); } });
  return err;
}
/** A revoked Proxy of an Error: `instanceof`, property reads, everything throws. */
function revokedError(): unknown {
  const { proxy, revoke } = Proxy.revocable(new Error("x"), {});
  revoke();
  return proxy;
}

describe("item 6: a store failing with a hostile error never fails a request", () => {
  const failures: [string, () => unknown][] = [["getters that throw", throwingError], ["a revoked Proxy", revokedError]];
  for (const [name, hostile] of failures) {
    test(`get rejects with ${name}`, async () => {
      const errors: StoreErrorInfo[] = [];
      const store: CredentialStore = { get: () => Promise.reject(hostile()), set: async () => {} };
      const ask = app({ store, storeSecret: SECRET, onStoreError: (e) => errors.push(e) });
      assert.equal((await ask(await issuer.mint({ sub: `get-${name}` }))).status, 200);
      assert.equal(errors.length, 1);
      assert.equal(typeof errors[0]!.errorName, "string");
    });
    test(`get throws ${name}`, async () => {
      const store: CredentialStore = { get: () => { throw hostile(); }, set: async () => {} };
      const ask = app({ store, storeSecret: SECRET });
      assert.equal((await ask(await issuer.mint({ sub: `throw-${name}` }))).status, 200);
    });
    test(`the store function throws ${name}`, async () => {
      const errors: StoreErrorInfo[] = [];
      const ask = app({ store: () => { throw hostile(); }, storeSecret: SECRET, onStoreError: (e) => errors.push(e) });
      assert.equal((await ask(await issuer.mint({ sub: `fn-${name}` }))).status, 200);
      assert.equal(errors.length, 1);
      assert.equal(typeof errors[0]!.errorName, "string");
    });
  }
});

describe("item 7: the expiration a request sees is its own", () => {
  test("two requests moving c.var.awsCredentials.expiration and stsIdentity.expiration back do not move the next one's", async () => {
    const ask = app({}, (c) => {
      const seen = { credentials: c.var.awsCredentials.expiration.getTime(), identity: c.var.stsIdentity.expiration.getTime() };
      if (c.req.query("mutate") !== undefined) {
        for (const e of [c.var.awsCredentials.expiration, c.var.stsIdentity.expiration]) e.setMinutes(e.getMinutes() - 30);
      }
      return c.json(seen);
    });
    const token = await issuer.mint({ sub: "mutator" });
    const first = await (await ask(token)).json();
    for (let i = 0; i < 2; i++) assert.equal((await ask(token, "/api/x?mutate")).status, 200);
    const last = await (await ask(token)).json();
    assert.deepEqual(last, first, "a mutation leaked into the next request");
    assert.equal(exchanges() > 0, true);
  });
});

describe("a token past exp but inside clockToleranceSeconds", () => {
  test("is exchanged once, and its entry kept until exp + tolerance (3 requests → 1 STS call)", async () => {
    let now = realNow();
    const ask = app({ now: () => now, cache: new CredentialCache<StsSession>({ now: () => now }), clockToleranceSeconds: 30 });
    const exp = Math.floor(now / 1000) + 60;
    const token = await issuer.mint({ sub: "tolerance", exp });
    now = exp * 1000 + 10_000; // 10 s past exp: still accepted
    const before = exchanges();
    for (let i = 0; i < 3; i++) assert.equal((await ask(token)).status, 200);
    assert.equal(exchanges() - before, 1, "the entry expired at exp: one STS call per request");
    now = exp * 1000 + 31_000; // past the tolerance: refused, nothing served from the cache
    assert.equal((await ask(token)).status, 401);
  });
});

describe("durations on a monotonic clock: Date.now stepping back a day", () => {
  const stepBack = () => {
    const original = Date.now;
    Date.now = () => original() - DAY_MS;
    return () => void (Date.now = original);
  };

  test("a region's cool-down ends after failoverCooldownMs", async () => {
    const sts = new StsClient({
      regions: ["us-east-1", "eu-west-1"],
      endpoints: { "us-east-1": east.served.url, "eu-west-1": west.served.url },
      failoverCooldownMs: 300,
      retryBaseDelayMs: 0,
    });
    const input = async (sub: string) => ({ roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: await issuer.mint({ sub }) });
    east.sts.faults.next(1, { kind: "server-error", status: 503 });
    assert.equal(answeredBy(await sts.assumeRoleWithWebIdentity(await input("cool-1"))), "eu-west-1", "us-east-1 failed over");
    const restore = stepBack();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(answeredBy(await sts.assumeRoleWithWebIdentity(await input("cool-2"))), "us-east-1", "us-east-1 still cooling a day later");
    } finally {
      restore();
    }
  });

  test("a paused store is probed again after its pause", async () => {
    let reads = 0;
    const store: CredentialStore = { get: () => (reads++, Promise.reject(new Error("ECONNREFUSED"))), set: async () => {} };
    // The middleware takes Date.now when it is made: the clock that steps must be in place by then.
    const original = Date.now;
    let offsetMs = 0;
    Date.now = () => original() - offsetMs;
    try {
      const ask = app({ store, storeSecret: SECRET });
      for (let i = 0; i < 3; i++) assert.equal((await ask(await issuer.mint({ sub: `pause-${i}` }))).status, 200);
      assert.equal(reads, 3);
      offsetMs = DAY_MS;
      await new Promise((resolve) => setTimeout(resolve, 5300)); // PAUSE_MS (5 s) and a margin
      assert.equal((await ask(await issuer.mint({ sub: "pause-probe", iat: Math.floor(Date.now() / 1000), exp: Math.floor(realNow() / 1000) + 3600 }))).status, 200);
      assert.equal(reads, 4, "the store is still paused a day later: no probe");
    } finally {
      Date.now = original;
    }
  });
});
