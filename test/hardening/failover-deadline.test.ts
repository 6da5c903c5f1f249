/**
 * Issue 19, items 1, 2 and 8: failover inside one deadline.
 *
 * 1. us-east-1 is a blackhole (a loopback server that reads the request and never answers),
 *    eu-west-1 a real STS emulator: with the defaults (8000/5000), a tight exchangeTimeoutMs (3000)
 *    and a tight client (2000/2000), the first request is answered by eu-west-1 within the deadline
 *    and the next goes there at once. The deadline's own abort cools the region it interrupted.
 * 2. A region chooser that never answers: 503 within exchangeTimeoutMs; once it answers again, the
 *    same token is exchanged normally (the flight settled). A store read that hangs is inside it too.
 * 8. The deadline firing during the back-off: `onExchange.stsRegion` names the region asked, not
 *    the one the next attempt would have gone to.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import type { StsClientOptions } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { answeredBy } from "../../src/failover.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsExchangeInfo, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";
import { serveFetch, serveRaw } from "./servers.ts";
import type { Served } from "./servers.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const issuer = createOidcIssuer();
let west: { sts: StsEmulator; served: Served };
let east: { sts: StsEmulator; served: Served };
let blackhole: Served;

before(async () => {
  const make = async (region: string) => {
    const sts = createStsEmulator({ issuers: [issuer], region });
    return { sts, served: await serveFetch(sts.fetch) };
  };
  west = await make("eu-west-1");
  east = await make("us-east-1");
  blackhole = await serveRaw(() => {}); // reads the request, never answers
});
after(() => Promise.all([west.served.close(), east.served.close(), blackhole.close()]));

const westCalls = () => west.sts.calls.count("AssumeRoleWithWebIdentity");

function blackholed(options: Partial<StsClientOptions> = {}): StsClient {
  return new StsClient({
    regions: ["us-east-1", "eu-west-1"],
    endpoints: { "us-east-1": blackhole.url, "eu-west-1": west.served.url },
    ...options,
  });
}

function app(options: Partial<StsCredentialsOptions>) {
  const hono = new Hono<{ Variables: StsVariables }>();
  hono.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, cache: new CredentialCache<StsSession>(), ...options }));
  hono.get("/api/whoami", (c) => c.json({ arn: c.var.stsIdentity.assumedRoleUser.arn }));
  return hono;
}

/** The request, answered or not within `limitMs` (a hang must fail the test, not stall it). */
async function timed(hono: Hono<any>, token: string, limitMs = 15_000): Promise<{ status: number | "hang"; ms: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), limitMs)));
  const res = await Promise.race([hono.request("/api/whoami", { headers: { authorization: `Bearer ${token}` } }), hang]);
  clearTimeout(timer);
  if (res !== "hang") await res.arrayBuffer();
  return { status: res === "hang" ? "hang" : res.status, ms: performance.now() - started };
}

describe("item 1: a blackholed first region, failover within the deadline", () => {
  const cases: [string, Partial<StsClientOptions>, number | undefined][] = [
    ["the defaults (exchangeTimeoutMs 8000, timeoutMs 5000)", {}, undefined],
    ["exchangeTimeoutMs 3000 (timeoutMs 5000)", {}, 3000],
    ["exchangeTimeoutMs 2000, timeoutMs 2000", { timeoutMs: 2000 }, 2000],
  ];
  for (const [name, clientOptions, exchangeTimeoutMs] of cases) {
    test(name, async () => {
      const deadline = exchangeTimeoutMs ?? 8000;
      const hono = app({ client: blackholed(clientOptions), ...(exchangeTimeoutMs ? { exchangeTimeoutMs } : {}) });
      const before = blackhole.requests;
      const first = await timed(hono, await issuer.mint({ sub: `first-${deadline}` }));
      console.log(`item 1, ${name}: first request ${first.status} after ${(first.ms / 1000).toFixed(2)} s`);
      assert.equal(first.status, 200, "answered by eu-west-1");
      assert.ok(first.ms < deadline, `answered after ${first.ms.toFixed(0)} ms, deadline ${deadline} ms`);
      assert.equal(blackhole.requests - before, 1, "us-east-1 was asked once");
      const second = await timed(hono, await issuer.mint({ sub: `second-${deadline}` }));
      console.log(`item 1, ${name}: next request ${second.status} after ${(second.ms / 1000).toFixed(2)} s`);
      assert.equal(second.status, 200);
      assert.ok(second.ms < 1000, `the next request went to eu-west-1 at once (${second.ms.toFixed(0)} ms)`);
      assert.equal(blackhole.requests - before, 1, "us-east-1 is cooling down: not asked again");
    });
  }

  test("a deadline below two shares (600 ms): answered in time, us-east-1 cools, the next request goes to eu-west-1", async () => {
    const hono = app({ client: blackholed(), exchangeTimeoutMs: 600 });
    const before = blackhole.requests;
    const first = await timed(hono, await issuer.mint({ sub: "short-1" }));
    console.log(`item 1, exchangeTimeoutMs 600: first request ${first.status} after ${(first.ms / 1000).toFixed(2)} s`);
    // us-east-1 gets 500 ms (the floor), eu-west-1 what is left: on loopback usually enough (200), else 503.
    assert.ok(first.status === 200 || first.status === 503, `status ${first.status}`);
    assert.ok(first.ms < 1500, `answered after ${first.ms.toFixed(0)} ms`);
    const second = await timed(hono, await issuer.mint({ sub: "short-2" }));
    assert.equal(blackhole.requests - before, 1, "us-east-1 is cooling down: not asked again");
    assert.equal(second.status, 200);
    assert.ok(second.ms < 1000, `the next request went to eu-west-1 at once (${second.ms.toFixed(0)} ms)`);
  });

  test("a plain client given a deadline (RequestOptions.deadline) fails over within it", async () => {
    const sts = blackholed(); // timeoutMs 5000
    const started = performance.now();
    const deadline = { signal: AbortSignal.timeout(2000), remainingMs: () => Math.max(0, 2000 - (performance.now() - started)) };
    const input = { roleArn: ROLE_ARN, roleSessionName: "deadline", webIdentityToken: await issuer.mint({ sub: "plain-deadline" }) };
    const out = await sts.assumeRoleWithWebIdentity(input, { deadline });
    assert.equal(answeredBy(out), "eu-west-1");
    assert.ok(performance.now() - started < 2000);
  });

  test("the caller's deadline interrupting an attempt cools that region (plain client)", async () => {
    const sts = blackholed({ timeoutMs: 30_000 });
    const input = { roleArn: ROLE_ARN, roleSessionName: "deadline", webIdentityToken: await issuer.mint({ sub: "plain" }) };
    const err = await sts.assumeRoleWithWebIdentity(input, { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.equal(err.code, "TimeoutError");
    assert.equal(answeredBy(err), "us-east-1");
    const before = westCalls();
    const out = await sts.assumeRoleWithWebIdentity(input, { signal: AbortSignal.timeout(2000) });
    assert.equal(answeredBy(out), "eu-west-1", "the interrupted region cooled down: the next call starts at eu-west-1");
    assert.equal(westCalls() - before, 1);
  });
});

describe("item 2: one deadline over everything a miss does", () => {
  test("a region chooser that hangs → 503 within exchangeTimeoutMs; once it answers, the same token is exchanged", async () => {
    let hanging = true;
    const hono = app({
      client: new StsClient({ regions: ["us-east-1", "eu-west-1"], endpoints: { "us-east-1": east.served.url, "eu-west-1": west.served.url } }),
      exchangeTimeoutMs: 1000,
      stsRegions: () => (hanging ? new Promise<string>(() => {}) : "eu-west-1"),
    });
    const token = await issuer.mint({ sub: "chooser" });
    const first = await timed(hono, token, 4000);
    console.log(`item 2, hanging chooser: ${first.status} after ${(first.ms / 1000).toFixed(2)} s`);
    assert.equal(first.status, 503);
    assert.ok(first.ms < 2000, `answered after ${first.ms.toFixed(0)} ms`);
    hanging = false;
    const second = await timed(hono, token, 4000);
    assert.equal(second.status, 200, "the flight settled: the same token is exchanged once the chooser answers");
  });

  test("a store read slower than the deadline → answered within exchangeTimeoutMs", async () => {
    const hono = app({
      client: blackholed(),
      stsRegions: ["eu-west-1"],
      exchangeTimeoutMs: 1000,
      store: { get: () => new Promise(() => {}), set: async () => {} },
      storeTimeoutMs: 10_000,
      storeSecret: "a-store-secret-of-at-least-32-characters!",
    });
    const res = await timed(hono, await issuer.mint({ sub: "slow-store" }), 4000);
    assert.equal(res.status, 503);
    assert.ok(res.ms < 2000, `answered after ${res.ms.toFixed(0)} ms`);
  });
});

describe("item 8: onExchange.stsRegion names a region actually asked", () => {
  test("the deadline fires during the back-off after us-east-1's 503", async () => {
    east.sts.faults.next(1, { kind: "server-error", status: 503 });
    const seen: StsExchangeInfo[] = [];
    const before = westCalls();
    const hono = app({
      client: new StsClient({
        regions: ["us-east-1", "eu-west-1"],
        endpoints: { "us-east-1": east.served.url, "eu-west-1": west.served.url },
        retryBaseDelayMs: 1_000_000_000, // the back-off is the whole deadline
        retryMaxDelayMs: 1_000_000_000,
      }),
      exchangeTimeoutMs: 1000,
      onExchange: (info) => seen.push(info),
    });
    const res = await timed(hono, await issuer.mint({ sub: "backoff" }), 4000);
    assert.equal(res.status, 503);
    assert.equal(westCalls() - before, 0, "eu-west-1 was never asked");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.stsRegion, "us-east-1");
    east.sts.faults.clear();
  });
});
