/**
 * The middleware when STS misbehaves or the callers do: STS down with credentials cached (served on),
 * STS down with nothing cached (503 + Retry-After, and back by itself), and a flood of 10 000
 * distinct junk tokens (no STS call, bounded memory, the legitimate user's entry kept).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCacheHitInfo, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsFault } from "../../src/testing/index.ts";
import { canCollect, mib, settledHeap } from "./heap.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";

// One issuer for the file (its RSA key takes a while to make), on whichever test's clock is current.
let currentClock = () => Date.now();
const issuer = createOidcIssuer({ issuer: "https://issuer.middleware-faults.test", now: () => currentClock() });

function setup(options: { maxEntries?: number } = {}) {
  const clock = { t: Date.now(), now: () => clock.t, advance: (s: number) => void (clock.t += s * 1000) };
  currentClock = clock.now;
  const sts = createStsEmulator({ issuers: [issuer], now: clock.now });
  const cache = new CredentialCache<StsSession>({ now: clock.now, random: () => 0, maxEntries: options.maxEntries ?? 1000 });
  const client = new StsClient({
    region: "eu-west-1",
    endpoint: "https://sts.middleware-faults.test",
    fetch: sts.fetch,
    maxAttempts: 2,
    timeoutMs: 200,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    maxRetryAfterMs: 1000,
  });
  const hits: StsCacheHitInfo[] = [];
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, client, cache, now: clock.now, serverTiming: true, onCacheHit: (i) => void hits.push(i) }));
  app.get("/api/whoami", (c) => c.json({ accessKeyId: c.var.awsCredentials.accessKeyId, arn: c.var.stsIdentity.assumedRoleUser.arn }));
  const request = (token: string) => app.request("/api/whoami", { headers: { authorization: `Bearer ${token}` } });
  return { clock, issuer, sts, cache, client, app, hits, request };
}

async function json(res: Response): Promise<{ accessKeyId: string; arn: string }> {
  assert.equal(res.status, 200, `status ${res.status}: ${await res.clone().text()}`);
  return (await res.json()) as { accessKeyId: string; arn: string };
}

describe("STS down while credentials are cached", () => {
  for (const fault of [{ kind: "server-error", status: 503 }, { kind: "network-error" }, { kind: "hang" }] as StsFault[]) {
    test(`${fault.kind}: fresh and then ageing credentials keep being served`, async () => {
      const { clock, issuer, sts, request, hits } = setup();
      const token = await issuer.mint({ sub: "alice", exp: Math.floor(clock.now() / 1000) + 7200 });
      const first = await json(await request(token));
      assert.equal(sts.calls.total, 1);

      sts.faults.next(10_000, fault);
      for (let i = 0; i < 20; i++) assert.deepEqual(await json(await request(token)), first);
      assert.equal(sts.calls.total, 1, "fresh hits do not call STS");

      // Into the refresh window (credentials live 3600 s, window 300 s): served while a refresh is tried in the background.
      clock.advance(3600 - 200);
      const res = await request(token);
      assert.deepEqual(await json(res), first);
      assert.match(res.headers.get("server-timing") ?? "", /desc="refresh"/);
      await new Promise((resolve) => setTimeout(resolve, fault.kind === "hang" ? 600 : 50));
      assert.ok(sts.calls.total >= 2, "a background refresh was attempted");
      const served = await request(token);
      assert.deepEqual(await json(served), first);
      assert.match(served.headers.get("server-timing") ?? "", /desc="stale"/, "served stale after the refresh failed");
      assert.ok(hits.some((h) => h.outcome === "stale"));

      // STS comes back: the next refresh (after its back-off) gets new credentials.
      sts.faults.clear();
      clock.advance(2);
      await json(await request(token));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const renewed = await json(await request(token));
      assert.notEqual(renewed.accessKeyId, first.accessKeyId, "renewed once STS is back");
    });
  }
});

describe("STS down with nothing cached", () => {
  test("503 with Retry-After while down; served again by itself once STS is back", async () => {
    const { issuer, sts, request } = setup();
    const token = await issuer.mint({ sub: "bob" });
    // 4 faulted calls = two requests of two attempts each; the third request finds STS back.
    sts.faults.next(4, { kind: "server-error", status: 503 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(token);
      statuses.push(res.status);
      if (res.status === 503) {
        assert.match(res.headers.get("retry-after") ?? "", /^[1-9]\d*$/, "Retry-After in whole seconds");
        assert.equal(res.headers.get("www-authenticate"), null, "not the caller's fault: no challenge");
      } else {
        assert.equal(((await res.json()) as { arn: string }).arn, "arn:aws:sts::123456789012:assumed-role/edge-app/bob");
      }
    }
    assert.deepEqual(statuses, [503, 503, 200]);
    assert.equal(sts.calls.total, 5);
  });

  for (const [name, fault, retryAfter] of [
    ["a network failure", { kind: "network-error" }, "5"],
    ["a hang (time-out)", { kind: "hang" }, "5"],
    ["throttling with Retry-After: 7", { kind: "throttling", retryAfterSeconds: 7 }, "7"],
    ["an HTML page from a proxy", { kind: "html", status: 502 }, "5"],
  ] as Array<[string, StsFault, string]>) {
    test(`${name} → 503, Retry-After: ${retryAfter}; then recovered`, async () => {
      const { issuer, sts, request } = setup();
      const token = await issuer.mint({ sub: "carol" });
      sts.faults.next(2, fault);
      const down = await request(token);
      assert.equal(down.status, 503);
      assert.equal(down.headers.get("retry-after"), retryAfter);
      sts.faults.clear();
      await json(await request(token));
    });
  }
});

describe("a flood of 10 000 distinct junk tokens", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  /** Junk tokens of each kind: 5 000 structurally invalid + 5 000 valid-but-expired = 10 000 distinct tokens. */
  const FLOOD = Number(process.env.FLOOD_SIZE ?? 5_000);

  test("no STS call, bounded memory, and the legitimate user's cached entry survives", async () => {
    // A small cache: had a single junk token reached it, the legitimate entry would be evicted.
    const { clock, issuer, sts, request, hits } = setup({ maxEntries: 4 });
    const legit = await issuer.mint({ sub: "legit-user" });
    const first = await json(await request(legit));
    assert.equal(sts.calls.total, 1);

    const heapBefore = await settledHeap();
    const now = Math.floor(clock.now() / 1000);
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    for (let i = 0; i < FLOOD; i++) {
      // Structurally invalid: random junk, two parts, non-JSON, JSON but not an object, no alg.
      const invalid = [
        `junk-${i}-${Math.random().toString(36).slice(2)}`,
        `${b64({ alg: "RS256" })}.${b64({ sub: `u${i}`, exp: now + 3600 })}`,
        `${b64({ alg: "RS256" })}.bm90LWpzb24t${i}.c2ln`,
        `${b64({ alg: "RS256" })}.${b64([i])}.c2ln`,
        `${b64({ typ: "JWT", n: i })}.${b64({ sub: `u${i}`, exp: now + 3600 })}.c2ln`,
      ][i % 5]!;
      count((await request(invalid)).status);
      // Structurally valid but expired (beyond the 30 s tolerance), each one distinct.
      const expired = `${b64({ alg: "RS256", kid: "k" })}.${b64({ iss: issuer.issuer, sub: `u${i}`, exp: now - 60 - (i % 1000), jti: i })}.c2lnbmF0dXJl`;
      count((await request(expired)).status);
    }
    const heapAfter = await settledHeap();
    assert.deepEqual(Object.fromEntries(statuses), { 400: FLOOD, 401: FLOOD });
    assert.equal(sts.calls.total, 1, "not one junk token reached STS");

    const growth = heapAfter - heapBefore;
    const bound = canCollect ? 12 * 1024 * 1024 : 96 * 1024 * 1024;
    console.log(`flood: ${2 * FLOOD} junk requests, heap ${mib(heapBefore)} → ${mib(heapAfter)} (${growth >= 0 ? "+" : ""}${mib(growth)}), gc: ${canCollect}`);
    assert.ok(growth < bound, `heap grew by ${mib(growth)} (bound ${mib(bound)})`);

    hits.length = 0;
    assert.deepEqual(await json(await request(legit)), first, "the same credentials, from the cache");
    assert.equal(sts.calls.total, 1);
    assert.deepEqual(hits.map((h) => h.outcome), ["hit"]);
  });

  test("memory stays flat across a second flood (the token memo is bounded, not growing)", async () => {
    const { clock, request, sts } = setup();
    const now = Math.floor(clock.now() / 1000);
    const flood = async (round: number) => {
      for (let i = 0; i < 3_000; i++) {
        const expired = `${b64({ alg: "RS256" })}.${b64({ sub: `r${round}-${i}`, exp: now - 120, pad: "x".repeat(200) })}.c2ln`;
        const res = await request(expired);
        assert.equal(res.status, 401);
      }
    };
    await flood(0);
    const afterFirst = await settledHeap();
    await flood(1);
    const afterSecond = await settledHeap();
    const growth = afterSecond - afterFirst;
    console.log(`second flood: heap ${mib(afterFirst)} → ${mib(afterSecond)}, gc: ${canCollect}`);
    assert.ok(growth < (canCollect ? 4 : 64) * 1024 * 1024, `heap grew by ${mib(growth)} between two equal floods`);
    assert.equal(sts.calls.total, 0);
  });
});
