/** The credential cache, with a controllable clock: every semantic of the contract in src/cache. */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { StsConfigurationError } from "../../src/errors.ts";
import { cacheKey } from "../../src/cache/cache-key.ts";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CacheOutcome, CredentialCacheOptions } from "../../src/cache/credential-cache.ts";
import { sharedCredentialCache } from "../../src/cache/shared.ts";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
after(() => {
  process.off("unhandledRejection", onUnhandled);
});

const T0 = Date.UTC(2025, 0, 1);
const S = 1000;
const HOUR = 3600 * S;

interface Creds {
  id: string;
  expiration: Date;
}

function setup(options: CredentialCacheOptions = {}) {
  const clock = { t: T0 };
  const cache = new CredentialCache<Creds>({ now: () => clock.t, random: () => 0, ...options });
  return { clock, cache };
}

const creds = (id: string, expiresAt = T0 + HOUR): Creds => ({ id, expiration: new Date(expiresAt) });

/** A load whose calls are counted and whose results the test decides. */
function scripted() {
  const pending: Array<{ resolve: (v: Creds) => void; reject: (e: unknown) => void }> = [];
  let calls = 0;
  const load = () => {
    calls++;
    return new Promise<Creds>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return {
    load,
    get calls() {
      return calls;
    },
    resolve: (v: Creds) => pending.shift()!.resolve(v),
    reject: (e: unknown) => pending.shift()!.reject(e),
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("CredentialCache", () => {
  test("miss loads, then hits serve the cached value without loading", async () => {
    const { clock, cache } = setup();
    let calls = 0;
    const load = async () => creds(`v${++calls}`);
    assert.deepEqual(await cache.get("k", load), { value: creds("v1"), outcome: "miss" });
    clock.t += 30 * 60 * S;
    const hit = await cache.get("k", load);
    assert.equal(hit.outcome, "hit");
    assert.equal(hit.value.id, "v1");
    assert.equal(calls, 1);
    assert.equal(cache.size, 1);
  });

  test("1 000 concurrent gets on a miss make exactly one load and all get its value", async () => {
    const { cache } = setup();
    const s = scripted();
    const all = Array.from({ length: 1000 }, () => cache.get("k", s.load));
    assert.equal(cache.size, 0, "an in-flight load is not an entry");
    s.resolve(creds("one"));
    const results = await Promise.all(all);
    assert.equal(s.calls, 1);
    assert.ok(results.every((r) => r.value.id === "one" && r.outcome === "miss"));
    assert.equal(cache.size, 1);
  });

  test("a failed load reaches every waiter as the same error and is never cached", async () => {
    const { cache } = setup();
    const s = scripted();
    const waiters = Array.from({ length: 50 }, () => cache.get("k", s.load).then(() => "resolved", (e: unknown) => e));
    const boom = new Error("sts down");
    s.reject(boom);
    const outcomes = await Promise.all(waiters);
    assert.ok(outcomes.every((e) => e === boom));
    assert.equal(cache.size, 0);
    const next = cache.get("k", s.load);
    assert.equal(s.calls, 2, "the next get loads again");
    s.resolve(creds("ok"));
    assert.equal((await next).value.id, "ok");
  });

  test("a load that throws synchronously becomes a rejection, not a throw from get", async () => {
    const { cache } = setup();
    const boom = new Error("sync");
    const p = cache.get("k", () => {
      throw boom;
    });
    await assert.rejects(p, (e) => e === boom);
    assert.equal(cache.size, 0);
  });

  test("a remembered rejection is replayed (outcome negative, same error, no load) until negativeTtl", async () => {
    const { clock, cache } = setup({ negativeTtlSeconds: 30 });
    const rejected = new Error("InvalidIdentityToken");
    let calls = 0;
    const load = async (): Promise<Creds> => {
      calls++;
      throw rejected;
    };
    const outcomes: CacheOutcome[] = [];
    const options = { isRejection: (e: unknown) => e === rejected, onOutcome: (o: CacheOutcome) => outcomes.push(o) };
    await assert.rejects(cache.get("k", load, options), (e) => e === rejected);
    clock.t += 29 * S;
    await assert.rejects(cache.get("k", load, options), (e) => e === rejected);
    assert.equal(calls, 1);
    assert.deepEqual(outcomes, ["miss", "negative"]);
    assert.equal(cache.size, 1, "a remembered rejection is an entry");
    assert.equal(cache.peek("k"), undefined);
    clock.t += 1 * S;
    await assert.rejects(cache.get("k", load, options), (e) => e === rejected);
    assert.equal(calls, 2, "after negativeTtl the load runs again");
  });

  test("a rejection is not remembered without isRejection; with it, it outlives notAfter (it serves nothing)", async () => {
    const { clock, cache } = setup();
    const err = new Error("AccessDenied");
    let calls = 0;
    const load = async (): Promise<Creds> => {
      calls++;
      throw err;
    };
    await assert.rejects(cache.get("a", load));
    await assert.rejects(cache.get("a", load));
    assert.equal(calls, 2);
    const capped = { isRejection: () => true, notAfter: T0 + 5 * S };
    await assert.rejects(cache.get("b", load, capped));
    clock.t += 4 * S;
    await assert.rejects(cache.get("b", load, capped));
    assert.equal(calls, 3, "replayed before notAfter");
    clock.t += 1 * S;
    await assert.rejects(cache.get("b", load, capped));
    assert.equal(calls, 3, "still replayed at notAfter: a caller with clock tolerance must not hammer STS");
    clock.t += 25 * S;
    await assert.rejects(cache.get("b", load, capped));
    assert.equal(calls, 4, "gone after negativeTtl");
  });

  test("inside the refresh window: the cached value at once, one background refresh, then the new value", async () => {
    const { clock, cache } = setup();
    const s = scripted();
    const first = cache.get("k", s.load);
    s.resolve(creds("old"));
    await first;
    clock.t = T0 + HOUR - 300 * S - 1;
    assert.equal((await cache.get("k", s.load)).outcome, "hit", "fresh until expiration − window");
    clock.t = T0 + HOUR - 300 * S;
    const during = await Promise.all(Array.from({ length: 20 }, () => cache.get("k", s.load)));
    assert.ok(during.every((r) => r.outcome === "refresh" && r.value.id === "old"), "served at once, not blocked");
    assert.equal(s.calls, 2, "exactly one background refresh");
    s.resolve(creds("new", T0 + 2 * HOUR));
    await tick();
    const after = await cache.get("k", s.load);
    assert.deepEqual([after.outcome, after.value.id], ["hit", "new"]);
    assert.equal(s.calls, 2);
  });

  test("the background refresh goes through waitUntil when given, with a promise that never rejects", async () => {
    const { clock, cache } = setup();
    const s = scripted();
    const handed: Promise<unknown>[] = [];
    const waitUntil = (p: Promise<unknown>) => handed.push(p);
    const first = cache.get("k", s.load, { waitUntil });
    s.resolve(creds("old"));
    await first;
    assert.equal(handed.length, 0, "no waitUntil for a blocking load");
    clock.t = T0 + HOUR - 200 * S;
    await cache.get("k", s.load, { waitUntil });
    await cache.get("k", s.load, { waitUntil });
    assert.equal(handed.length, 1, "one refresh, one waitUntil");
    s.reject(new Error("refresh failed"));
    assert.equal(await handed[0], undefined, "the waitUntil promise resolves even though the refresh failed");
  });

  test("a waitUntil that throws (no ExecutionContext) does not stop the refresh", async () => {
    const { clock, cache } = setup();
    let calls = 0;
    const load = async () => creds(`v${++calls}`, T0 + calls * HOUR);
    await cache.get("k", load);
    clock.t = T0 + HOUR - 100 * S;
    const waitUntil = () => {
      throw new Error("This context has no ExecutionContext");
    };
    assert.equal((await cache.get("k", load, { waitUntil })).outcome, "refresh");
    await tick();
    assert.equal(calls, 2);
    assert.equal((await cache.get("k", load)).value.id, "v2");
  });

  test("a failed refresh keeps serving the old value (stale) with back-off, until 60 s before expiry, then blocks", async () => {
    const { clock, cache } = setup();
    const s = scripted();
    const first = cache.get("k", s.load);
    s.resolve(creds("old"));
    await first;
    clock.t = T0 + HOUR - 250 * S;
    assert.equal((await cache.get("k", s.load)).outcome, "refresh");
    s.reject(new Error("sts down"));
    await tick();
    const stale = await cache.get("k", s.load);
    assert.deepEqual([stale.outcome, stale.value.id], ["stale", "old"]);
    assert.equal(s.calls, 2, "no second refresh right after a failure (back-off)");
    clock.t += 1 * S;
    assert.equal((await cache.get("k", s.load)).outcome, "stale");
    assert.equal(s.calls, 3, "a later request tries the refresh again");
    assert.equal((await cache.get("k", s.load)).outcome, "stale");
    assert.equal(s.calls, 3, "at most one refresh in flight");
    s.reject(new Error("still down"));
    await tick();
    clock.t = T0 + HOUR - 60 * S - 1;
    assert.equal((await cache.get("k", s.load)).value.id, "old", "served up to 60 s before expiry");
    s.reject(new Error("down again"));
    await tick();
    clock.t = T0 + HOUR - 60 * S;
    let settled = false;
    const blocked = cache.get("k", s.load).finally(() => (settled = true));
    await tick();
    assert.equal(settled, false, "from expiration − 60 s on, callers block on a load");
    assert.equal(cache.peek("k"), undefined);
    s.resolve(creds("fresh", T0 + 2 * HOUR));
    assert.deepEqual(await blocked, { value: creds("fresh", T0 + 2 * HOUR), outcome: "miss" });
  });

  test("callers past the serving limit join a refresh already in flight instead of starting another", async () => {
    const { clock, cache } = setup();
    const s = scripted();
    const first = cache.get("k", s.load);
    s.resolve(creds("old"));
    await first;
    clock.t = T0 + HOUR - 100 * S;
    await cache.get("k", s.load);
    clock.t = T0 + HOUR - 30 * S;
    const joined = cache.get("k", s.load);
    assert.equal(s.calls, 2);
    s.resolve(creds("new", T0 + 2 * HOUR));
    assert.deepEqual(await joined, { value: creds("new", T0 + 2 * HOUR), outcome: "miss" });
  });

  test("notAfter: an entry is never served at or after notAfter, even when fresh", async () => {
    const { clock, cache } = setup();
    let calls = 0;
    const load = async () => creds(`v${++calls}`);
    const notAfter = T0 + 10 * S;
    await cache.get("k", load, { notAfter });
    clock.t = notAfter - 1;
    assert.equal((await cache.get("k", load, { notAfter })).outcome, "hit");
    clock.t = notAfter;
    assert.equal(cache.peek("k"), undefined);
    assert.equal((await cache.get("k", load, { notAfter: notAfter + HOUR })).outcome, "miss");
    assert.equal(calls, 2);
    clock.t += 1 * S;
    assert.equal((await cache.get("k", load, { notAfter })).outcome, "miss", "the caller's own notAfter applies too");
    assert.equal(calls, 3);
  });

  test("LRU: at maxEntries the least recently used entry goes, and a hit refreshes recency", async () => {
    const { cache } = setup({ maxEntries: 3 });
    const load = (id: string) => async () => creds(id);
    for (const k of ["a", "b", "c"]) await cache.get(k, load(k));
    assert.equal((await cache.get("a", load("a2"))).outcome, "hit");
    await cache.get("d", load("d"));
    assert.equal(cache.size, 3);
    assert.equal(cache.peek("b"), undefined, "b was the least recently used");
    assert.equal(cache.peek("a")?.id, "a");
    assert.equal(cache.peek("c")?.id, "c");
    assert.equal(cache.peek("d")?.id, "d");
    // peek has no side effect on recency: c is still the oldest.
    await cache.get("e", load("e"));
    assert.equal(cache.peek("c"), undefined);
    assert.equal(cache.size, 3);
  });

  test("remembered rejections are bounded apart: a flood of rejected keys never evicts a value", async () => {
    const { cache } = setup({ maxEntries: 3 });
    const rejected = new Error("InvalidIdentityToken");
    const refuse = async (): Promise<Creds> => {
      throw rejected;
    };
    const isRejection = (e: unknown) => e === rejected;
    await cache.get("user", async () => creds("user"));
    for (let i = 0; i < 50; i++) await assert.rejects(cache.get(`forged-${i}`, refuse, { isRejection }));
    assert.equal(cache.peek("user")?.id, "user", "the value survived 50 rejections with maxEntries 3");
    assert.equal(cache.size, 1 + 3, "one value plus the three most recent rejections");
    // The newest rejections are still replayed; the oldest were let go.
    let calls = 0;
    const counted = async (): Promise<Creds> => {
      calls++;
      throw rejected;
    };
    await assert.rejects(cache.get("forged-49", counted, { isRejection }));
    assert.equal(calls, 0);
    await assert.rejects(cache.get("forged-0", counted, { isRejection }));
    assert.equal(calls, 1);
    // A success for a remembered key replaces its rejection.
    await assert.rejects(cache.get("flip", refuse, { isRejection }));
    cache.delete("flip");
    assert.equal((await cache.get("flip", async () => creds("flip"))).outcome, "miss");
    assert.equal(cache.peek("flip")?.id, "flip");
  });

  test("remembered rejections are also bounded by the total length of their keys", async () => {
    const { cache } = setup({ maxEntries: 1000 });
    const rejected = new Error("InvalidIdentityToken");
    const refuse = async (): Promise<Creds> => {
      throw rejected;
    };
    await cache.get("user", async () => creds("user"));
    const key = (i: number) => `${i}:`.padEnd(20_000, "t"); // a key that holds a 20 000-character token
    for (let i = 0; i < 300; i++) await assert.rejects(cache.get(key(i), refuse, { isRejection: () => true }));
    // 2 Mi characters of keys at most: 104 such keys, not 300.
    assert.ok(cache.size - 1 <= 105 && cache.size - 1 >= 100, `rejections kept: ${cache.size - 1}`);
    assert.equal(cache.peek("user")?.id, "user");
  });

  test("jitter: each entry turns stale up to 10 % of the window early, never later than expiration − window", async () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const { clock, cache } = setup({ random: () => r });
      const load = async () => creds("x");
      await cache.get("k", load);
      const boundary = T0 + HOUR - 300 * S - r * 30 * S;
      clock.t = Math.ceil(boundary) - 1;
      assert.equal((await cache.get("k", load)).outcome, "hit", `random ${r}`);
      clock.t = Math.ceil(boundary);
      assert.equal((await cache.get("k", load)).outcome, "refresh", `random ${r}`);
      assert.ok(boundary > T0 + HOUR - 330 * S && boundary <= T0 + HOUR - 300 * S);
    }
  });

  test("a value loaded already inside its refresh window is fresh for half of its servable life", async () => {
    const { clock, cache } = setup();
    let calls = 0;
    const load = async () => creds(`v${++calls}`, T0 + 200 * S);
    await cache.get("k", load);
    clock.t = T0 + 70 * S - 1; // servable until 200 − 60 = 140 s; half of it is 70 s
    assert.equal((await cache.get("k", load)).outcome, "hit");
    clock.t = T0 + 70 * S;
    assert.equal((await cache.get("k", load)).outcome, "refresh");
  });

  test("a value that arrives inside minRemainingSeconds is kept for min(10 s, half its life), then loaded again", async () => {
    const { clock, cache } = setup();
    let calls = 0;
    const load = async () => creds(`dying${++calls}`, clock.t + 30 * S);
    const result = await cache.get("k", load);
    assert.deepEqual([result.value.id, result.outcome], ["dying1", "miss"]);
    assert.equal(cache.size, 1);
    clock.t = T0 + 5 * S - 1;
    assert.equal((await cache.get("k", load)).outcome, "hit", "fresh for half of the 10 s kept");
    clock.t = T0 + 10 * S;
    assert.deepEqual([(await cache.get("k", load)).value.id, calls], ["dying2", 2], "gone after 10 s");
    // 4 s of life left: kept for 2 s.
    clock.t = T0 + 100 * S;
    await cache.get("short", async () => creds("short", clock.t + 4 * S));
    clock.t = T0 + 102 * S;
    assert.equal(cache.peek("short"), undefined);
  });

  test("a value that arrives already expired is handed to its waiters but not stored", async () => {
    const { cache } = setup();
    const result = await cache.get("k", async () => creds("dead", T0 - S));
    assert.deepEqual([result.value.id, result.outcome], ["dead", "miss"]);
    assert.equal(cache.size, 0);
  });

  test("a background refresh that fails with nobody waiting rejects nothing unhandled", async () => {
    const { clock, cache } = setup();
    await cache.get("k", async () => creds("old"));
    clock.t = T0 + HOUR - 120 * S;
    await cache.get("k", async () => {
      throw new Error("refresh failed, nobody listening");
    });
    await tick();
    await tick();
    assert.deepEqual(unhandled, []);
  });

  test("delete and clear forget entries and in-flight loads, whose results are then not stored", async () => {
    const { cache } = setup();
    const s = scripted();
    const pending = cache.get("k", s.load);
    assert.equal(cache.delete("k"), false, "nothing stored yet");
    const again = cache.get("k", s.load);
    assert.equal(s.calls, 2, "the deleted flight is not joined");
    s.resolve(creds("first"));
    s.resolve(creds("second"));
    assert.equal((await pending).value.id, "first");
    assert.equal((await again).value.id, "second");
    assert.equal(cache.peek("k")?.id, "second");
    assert.equal(cache.delete("k"), true);
    assert.equal(cache.size, 0);
    await cache.get("x", async () => creds("x"));
    const orphan = cache.get("y", s.load);
    cache.clear();
    s.resolve(creds("y"));
    await orphan;
    assert.equal(cache.size, 0);
  });

  test("options are checked at once", () => {
    for (const bad of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { refreshWindowSeconds: -1 }, { negativeTtlSeconds: NaN }]) {
      assert.throws(() => new CredentialCache(bad), StsConfigurationError);
    }
  });

  test("the hit path does not touch the clock more than once or load", async () => {
    let reads = 0;
    const cache = new CredentialCache<Creds>({ now: () => (reads++, T0) });
    await cache.get("k", async () => creds("x"));
    reads = 0;
    const results = await Promise.all([cache.get("k", assert.fail), cache.get("k", assert.fail)]);
    assert.equal(reads, 2);
    assert.equal(results[0], results[1], "hits share one pre-built result");
  });

  test("no unhandled rejection happened anywhere in this file", async () => {
    await tick();
    assert.deepEqual(unhandled, []);
  });
});

describe("cacheKey", () => {
  test("joins parts unambiguously", () => {
    const keys = [
      cacheKey(["a:b", "c"]),
      cacheKey(["a", "b:c"]),
      cacheKey(["a|b"]),
      cacheKey(["a", "b"]),
      cacheKey(["1"]),
      cacheKey([1]),
      cacheKey([undefined]),
      cacheKey([""]),
      cacheKey(["u|"]),
      cacheKey([]),
    ];
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(cacheKey(["tok", "arn", 900, undefined]), cacheKey(["tok", "arn", 900, undefined]));
  });
});

describe("sharedCredentialCache", () => {
  test("is one instance per isolate", () => {
    assert.equal(sharedCredentialCache(), sharedCredentialCache());
    assert.ok(sharedCredentialCache() instanceof CredentialCache);
  });
});
