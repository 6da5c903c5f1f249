/**
 * Issue 12, items 1 and 2: bounded time per request, and a retry budget.
 *
 * 1. Inside a request the middleware's exchange has a deadline (`exchangeTimeoutMs`, default 8 s) and
 *    never sleeps on a long `Retry-After`: STS's 503 + `Retry-After: 7` is answered at once with
 *    `Retry-After: 7`; a hanging STS is answered 503 when the deadline passes. Direct client callers
 *    keep the old behaviour (they wait on `Retry-After` up to `maxRetryAfterMs`).
 * 2. A client-wide retry budget (a token bucket like the AWS SDKs' standard retry mode): during an
 *    outage, attempts made ≤ requests + capacity / retry cost.
 *
 * Real components: the STS emulator (with its fault queue), a real Hono app, a real OIDC issuer.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const ENDPOINT = "https://sts.time-bounds.test";
const issuer = createOidcIssuer({ issuer: "https://issuer.time-bounds.test" });

function app(sts: StsEmulator, extra: Partial<StsCredentialsOptions> = {}) {
  const hono = new Hono<{ Variables: StsVariables }>();
  const options = { roleArn: ROLE_ARN, cache: new CredentialCache<StsSession>(), ...extra } as StsCredentialsOptions;
  if (options.client === undefined) Object.assign(options, { region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch });
  hono.use("/api/*", stsCredentials(options));
  hono.get("/api/whoami", (c) => c.json({ arn: c.var.stsIdentity.assumedRoleUser.arn }));
  return hono;
}

async function timedRequest(hono: Hono<any>, token: string): Promise<{ res: Response; seconds: number }> {
  const started = performance.now();
  const res = await hono.request("/api/whoami", { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { res, seconds: (performance.now() - started) / 1000 };
}

describe("item 1: the middleware's exchange is bounded in time", () => {
  test("STS answers 503 with Retry-After: 7 → 503 with Retry-After: 7 at once (no sleeping inside the request)", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(10, { kind: "server-error", status: 503, retryAfterSeconds: 7 });
    const { res, seconds } = await timedRequest(app(sts), await issuer.mint({ sub: "retry-after" }));
    console.log(`item 1, Retry-After: 7 → ${res.status} after ${seconds.toFixed(2)} s (${sts.calls.total} STS call(s))`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "7", "STS's own Retry-After is passed on");
    assert.ok(seconds < 2, `answered after ${seconds.toFixed(2)} s`);
    assert.equal(sts.calls.total, 1, "no second attempt after a Retry-After longer than ~1 s");
  });

  test("a short Retry-After (1 s) is still honoured inside the request", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(1, { kind: "throttling", retryAfterSeconds: 1 });
    const { res, seconds } = await timedRequest(app(sts), await issuer.mint({ sub: "short-retry-after" }));
    assert.equal(res.status, 200);
    assert.equal(sts.calls.total, 2);
    assert.ok(seconds >= 0.9, `waited ${seconds.toFixed(2)} s`);
  });

  test("STS hangs → 503 when exchangeTimeoutMs passes, though each attempt may take 5 s", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(10, { kind: "hang" });
    const { res, seconds } = await timedRequest(app(sts, { exchangeTimeoutMs: 1000 }), await issuer.mint({ sub: "hang" }));
    console.log(`item 1, STS hanging, exchangeTimeoutMs 1000 → ${res.status} after ${seconds.toFixed(2)} s`);
    assert.equal(res.status, 503);
    assert.match(res.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assert.ok(seconds < 2.5, `answered after ${seconds.toFixed(2)} s`);
  });

  test("the deadline also bounds a user-supplied client, and the cause says it was the deadline", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(10, { kind: "hang" });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch, timeoutMs: 30_000 });
    let cause: unknown;
    const hono = app(sts, { client, exchangeTimeoutMs: 500, onError: (err) => void (cause = err.cause) });
    const { res, seconds } = await timedRequest(hono, await issuer.mint({ sub: "hang-client" }));
    assert.equal(res.status, 503);
    assert.ok(seconds < 2, `answered after ${seconds.toFixed(2)} s`);
    assert.ok(cause instanceof StsError);
    assert.equal(cause.code, "TimeoutError");
    assert.match(cause.message, /500 ms/);
  });

  test("exchangeTimeoutMs must be a positive number of milliseconds", () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    for (const bad of [0, -1, Number.NaN, Infinity, "8000"]) {
      assert.throws(() => app(sts, { exchangeTimeoutMs: bad as number }), /exchangeTimeoutMs/);
    }
  });

  test("direct client callers keep waiting on Retry-After up to maxRetryAfterMs", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(1, { kind: "server-error", status: 503, retryAfterSeconds: 2 });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch });
    const started = performance.now();
    const out = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "direct", webIdentityToken: await issuer.mint({ sub: "direct" }) });
    assert.ok(out.credentials);
    assert.ok(performance.now() - started >= 1900);
    assert.equal(sts.calls.total, 2);
  });

  test("a per-call maxRetryAfterMs ends the call instead of waiting", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(1, { kind: "server-error", status: 503, retryAfterSeconds: 2 });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch });
    const token = await issuer.mint({ sub: "per-call" });
    const err = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "per-call", webIdentityToken: token }, { maxRetryAfterMs: 1000 })
      .then(() => assert.fail("resolved"), (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.deepEqual({ code: err.code, attempts: err.attempts, retryAfterSeconds: err.retryAfterSeconds }, { code: "ServiceUnavailable", attempts: 1, retryAfterSeconds: 2 });
  });
});

describe("item 2: a client-wide retry budget", () => {
  const fastRetries = { retryBaseDelayMs: 0, retryMaxDelayMs: 0 };

  async function outage(client: StsClient, sts: StsEmulator, requests: number): Promise<number> {
    const token = await issuer.mint({ sub: "outage" });
    sts.faults.next(1_000_000, { kind: "server-error", status: 500 });
    for (let i = 0; i < requests; i++) {
      await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "outage", webIdentityToken: token })
        .then(() => assert.fail("resolved during the outage"), (err: unknown) => assert.ok(err instanceof StsError && err.code === "InternalFailure"));
    }
    sts.faults.clear();
    return sts.calls.total;
  }

  test("default budget (500, retry cost 5): 1 000 requests during an outage make ≤ 1 000 + 100 attempts", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch, ...fastRetries });
    const requests = 1000;
    const attempts = await outage(client, sts, requests);
    console.log(`item 2, default budget: ${requests} requests → ${attempts} attempts (bound ${requests + 500 / 5})`);
    assert.ok(attempts <= requests + 500 / 5, `${attempts} attempts`);
    assert.ok(attempts >= requests + 500 / 5 - 1, "the budget is spent before retries stop");
  });

  test("a custom budget: capacity 50 → ≤ requests + 10 attempts; successes refund it", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch, ...fastRetries, retryBudget: { capacity: 50 } });
    const attempts = await outage(client, sts, 100);
    assert.ok(attempts <= 110, `${attempts} attempts`);
    // Empty bucket: a throttled call gets no retry.
    const token = await issuer.mint({ sub: "refund" });
    const input = { roleArn: ROLE_ARN, roleSessionName: "refund", webIdentityToken: token };
    sts.faults.next(1, { kind: "throttling" });
    const err = await client.assumeRoleWithWebIdentity(input).then(() => assert.fail("resolved"), (e: unknown) => e);
    assert.ok(err instanceof StsError && err.attempts === 1, "no retry from an empty bucket");
    // Five successes refund one retry's worth.
    for (let i = 0; i < 5; i++) await client.assumeRoleWithWebIdentity(input);
    sts.faults.next(1, { kind: "throttling" });
    const before = sts.calls.total;
    await client.assumeRoleWithWebIdentity(input);
    assert.equal(sts.calls.total - before, 2, "retried once the refunds paid for it");
  });

  test("a retry after a time-out costs 10", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch, ...fastRetries, timeoutMs: 20, retryBudget: { capacity: 30 } });
    const token = await issuer.mint({ sub: "timeouts" });
    sts.faults.next(1_000, { kind: "hang" });
    for (let i = 0; i < 10; i++) {
      await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "timeouts", webIdentityToken: token }).catch(() => {});
    }
    assert.equal(sts.calls.total, 10 + 3, "30 / 10 = 3 retries in all");
  });

  test("the budget's options are checked", () => {
    for (const bad of [{ capacity: -1 }, { retryCost: 0.5 }, { timeoutRetryCost: -2 }, { successRefund: Number.NaN }]) {
      assert.throws(() => new StsClient({ region: "eu-west-1", retryBudget: bad }), /retryBudget/);
    }
    assert.doesNotThrow(() => new StsClient({ region: "eu-west-1", retryBudget: false }));
  });
});
