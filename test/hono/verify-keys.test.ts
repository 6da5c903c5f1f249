/**
 * `verify`'s key set, against a real issuer over HTTP on 127.0.0.1: rotation, unknown kids and the
 * cool-down, `Cache-Control` bounds, stale keys when a refresh fails, and failing closed (503 within
 * the deadline, no STS call) when no key set can be had. The middleware's clock drives durations.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualClock } from "./fixtures.ts";
import { AUDIENCE, countingFetch, servedIssuer, verifyingApp } from "./verify-fixtures.ts";
import type { JwksFault } from "../../src/testing/index.ts";

async function setup(issuerOptions: { maxAgeSeconds?: number } = {}, appOptions: { exchangeTimeoutMs?: number } = {}) {
  const issuer = await servedIssuer(issuerOptions);
  const clock = manualClock(Date.now());
  const counted = countingFetch();
  const app = verifyingApp(issuer, { now: clock.now, verify: { issuer: issuer.issuer, audience: AUDIENCE, fetch: counted.fetch }, ...appOptions });
  return { issuer, clock, counted, ...app };
}

test("keys: a rotated-in key → exactly one refetch, then accepted; a retired key is refused once the key set is refreshed", async () => {
  const { issuer, clock, request, counted } = await setup();
  try {
    assert.equal((await request(await issuer.mint({ sub: "before" }))).status, 200);
    assert.equal(issuer.requests.jwks, 1);
    clock.advance(31); // past the unknown-kid cool-down
    const rotated = await issuer.addKey("ES256");
    assert.equal((await request(await issuer.mint({ sub: "after" }, { key: rotated }))).status, 200);
    assert.equal(issuer.requests.jwks, 2, "exactly one refetch for the new kid");
    assert.equal((await request(await issuer.mint({ sub: "again" }, { key: rotated }))).status, 200);
    assert.equal(issuer.requests.jwks, 2);
    assert.equal(counted.calls, 3, "verify.fetch carried discovery and both key-set fetches");
    await issuer.retireKey(issuer.keyId);
    clock.advance(301); // past the key set's max-age (300 s)
    assert.equal((await request(await issuer.mint({ sub: "retired" }))).status, 401);
    assert.equal(issuer.requests.jwks, 3);
  } finally {
    await issuer.close();
  }
});

test("keys: 20 tokens with random unknown kids → all refused, at most one refetch per 30 s cool-down, no STS call", async () => {
  const { issuer, clock, request, stsCalls } = await setup();
  try {
    const round = async () => {
      for (let i = 0; i < 20; i++) {
        const token = await issuer.mint({ sub: `u${i}` }, { keyId: crypto.randomUUID() });
        assert.equal((await request(token)).status, 401);
      }
    };
    await round();
    assert.equal(issuer.requests.jwks, 1, "the first fetch is the only one within the cool-down");
    clock.advance(31);
    await round();
    assert.equal(issuer.requests.jwks, 2, "one refetch in the next cool-down");
    assert.equal(stsCalls(), 0);
  } finally {
    await issuer.close();
  }
});

test("keys: stale keys serve for at most a day past their expiry, then verification fails closed (503)", async () => {
  const { issuer, clock, request, stsCalls } = await setup({ maxAgeSeconds: 300 });
  // Tokens minted on the app's clock: the test moves it a day ahead.
  const mintNow = (sub: string) => issuer.mint({ sub, iat: Math.floor(clock.now() / 1000) });
  try {
    assert.equal((await request(await mintNow("first"))).status, 200);
    issuer.failJwks("error");
    clock.advance(300 + 86_400 - 60); // expired 23 h 59 min ago: stale, still served
    assert.equal((await request(await mintNow("stale"))).status, 200);
    clock.advance(120); // a day and a minute past expiry
    const calls = stsCalls();
    const res = await request(await mintNow("too-stale"));
    assert.equal(res.status, 503, "a key withdrawn while the JWKS is down is not trusted forever");
    assert.match(res.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assert.equal(stsCalls(), calls);
    issuer.failJwks(undefined);
    clock.advance(60);
    assert.equal((await request(await mintNow("recovered"))).status, 200);
  } finally {
    await issuer.close();
  }
});

test("keys: Cache-Control max-age is clamped (1 s → kept 5 min), and a failed refresh serves the stale keys", async () => {
  const { issuer, clock, request } = await setup({ maxAgeSeconds: 1 });
  try {
    assert.equal((await request(await issuer.mint({ sub: "a" }))).status, 200);
    clock.advance(120);
    assert.equal((await request(await issuer.mint({ sub: "b" }))).status, 200);
    assert.equal(issuer.requests.jwks, 1, "a 1 s max-age is kept 5 minutes");
    issuer.failJwks("error");
    clock.advance(200);
    assert.equal((await request(await issuer.mint({ sub: "c" }))).status, 200, "stale keys serve while the issuer fails");
    assert.equal(issuer.requests.jwks, 2, "the refresh was tried");
  } finally {
    await issuer.close();
  }
});

for (const fault of ["error", "hang", "garbage"] as JwksFault[]) {
  test(`keys: a key set that ${fault === "error" ? "answers 500" : fault === "hang" ? "hangs" : "is garbage"} at first use → 503 with Retry-After within the deadline, no STS call; recovers`, async () => {
    const { issuer, clock, request, stsCalls } = await setup({}, { exchangeTimeoutMs: 1000 });
    try {
      issuer.failJwks(fault);
      const token = await issuer.mint({ sub: "waiting" });
      const started = performance.now();
      const res = await request(token);
      const elapsed = performance.now() - started;
      assert.equal(res.status, 503);
      assert.match(res.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
      assert.ok(elapsed < 2500, `took ${elapsed.toFixed(0)} ms with exchangeTimeoutMs 1000`);
      assert.equal(stsCalls(), 0);
      // Within the back-off: 503 at once, without asking the issuer again.
      const fetches = issuer.requests.jwks;
      assert.equal((await request(token)).status, 503);
      assert.equal(issuer.requests.jwks, fetches);
      issuer.failJwks(undefined);
      clock.advance(6);
      assert.equal((await request(token)).status, 200, "a 503 is not remembered as a refusal");
      assert.equal(stsCalls(), 1);
    } finally {
      await issuer.close();
    }
  });
}
