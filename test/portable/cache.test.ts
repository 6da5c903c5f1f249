/** The credential cache on every runtime: the core semantics, with a controllable clock. */
import { cacheKey } from "../../src/cache/cache-key.ts";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CacheOutcome } from "../../src/cache/credential-cache.ts";
import { assert, assertEquals, assertRejects, test } from "./harness.ts";

const T0 = Date.UTC(2025, 0, 1);
const S = 1000;
const HOUR = 3600 * S;

interface Creds {
  id: string;
  expiration: Date;
}

const creds = (id: string, expiresAt = T0 + HOUR): Creds => ({ id, expiration: new Date(expiresAt) });
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setup(options: { maxEntries?: number } = {}) {
  const clock = { t: T0 };
  const cache = new CredentialCache<Creds>({ now: () => clock.t, random: () => 0, ...options });
  return { clock, cache };
}

/** A load whose results the test decides, counting its calls. */
function scripted() {
  const pending: Array<{ resolve: (v: Creds) => void; reject: (e: unknown) => void }> = [];
  const s = {
    calls: 0,
    load: () => {
      s.calls++;
      return new Promise<Creds>((resolve, reject) => pending.push({ resolve, reject }));
    },
    resolve: (v: Creds) => pending.shift()!.resolve(v),
    reject: (e: unknown) => pending.shift()!.reject(e),
  };
  return s;
}

test("cache: a miss loads once, then hits serve without loading", async () => {
  const { clock, cache } = setup();
  let calls = 0;
  const load = async () => creds(`v${++calls}`);
  assertEquals(await cache.get("k", load), { value: creds("v1"), outcome: "miss" });
  clock.t += HOUR / 2;
  assertEquals((await cache.get("k", load)).outcome, "hit");
  assertEquals(calls, 1);
});

test("cache: 1 000 concurrent misses make one load", async () => {
  const { cache } = setup();
  const s = scripted();
  const all = Array.from({ length: 1000 }, () => cache.get("k", s.load));
  s.resolve(creds("one"));
  const results = await Promise.all(all);
  assertEquals(s.calls, 1);
  assert(results.every((r) => r.value.id === "one"));
});

test("cache: a failed load reaches every waiter as the same error and is not cached", async () => {
  const { cache } = setup();
  const s = scripted();
  const waiters = [1, 2, 3].map(() => cache.get("k", s.load).then(() => undefined, (e: unknown) => e));
  const boom = new Error("down");
  s.reject(boom);
  assert((await Promise.all(waiters)).every((e) => e === boom));
  assertEquals(cache.size, 0);
  const next = cache.get("k", s.load);
  s.resolve(creds("ok"));
  assertEquals((await next).value.id, "ok");
  assertEquals(s.calls, 2);
});

test("cache: refresh window serves at once with one background refresh through waitUntil", async () => {
  const { clock, cache } = setup();
  const s = scripted();
  const handed: Promise<unknown>[] = [];
  const options = { waitUntil: (p: Promise<unknown>) => void handed.push(p) };
  const first = cache.get("k", s.load, options);
  s.resolve(creds("old"));
  await first;
  clock.t = T0 + HOUR - 300 * S;
  const during = await Promise.all([1, 2, 3].map(() => cache.get("k", s.load, options)));
  assert(during.every((r) => r.outcome === "refresh" && r.value.id === "old"));
  assertEquals([s.calls, handed.length], [2, 1]);
  s.resolve(creds("new", T0 + 2 * HOUR));
  await handed[0];
  assertEquals((await cache.get("k", s.load)).value.id, "new");
});

test("cache: a failed refresh serves stale until 60 s before expiry, then blocks", async () => {
  const { clock, cache } = setup();
  const s = scripted();
  const handed: Promise<unknown>[] = [];
  const options = { waitUntil: (p: Promise<unknown>) => void handed.push(p) };
  const first = cache.get("k", s.load, options);
  s.resolve(creds("old"));
  await first;
  clock.t = T0 + HOUR - 200 * S;
  await cache.get("k", s.load, options);
  s.reject(new Error("refresh failed"));
  assertEquals(await handed[0], undefined, "the waitUntil promise never rejects");
  const stale = await cache.get("k", s.load, options);
  assertEquals([stale.outcome, stale.value.id], ["stale", "old"]);
  clock.t = T0 + HOUR - 60 * S - 1;
  assertEquals((await cache.get("k", s.load, options)).value.id, "old");
  s.reject(new Error("still failing"));
  await settle();
  clock.t = T0 + HOUR - 60 * S;
  const blocked = cache.get("k", s.load, options);
  s.resolve(creds("fresh", T0 + 2 * HOUR));
  assertEquals(await blocked, { value: creds("fresh", T0 + 2 * HOUR), outcome: "miss" });
});

test("cache: notAfter ends an entry's life even while fresh", async () => {
  const { clock, cache } = setup();
  let calls = 0;
  const load = async () => creds(`v${++calls}`);
  await cache.get("k", load, { notAfter: T0 + 10 * S });
  clock.t = T0 + 10 * S - 1;
  assertEquals((await cache.get("k", load)).outcome, "hit");
  clock.t = T0 + 10 * S;
  assertEquals((await cache.get("k", load)).outcome, "miss");
  assertEquals(calls, 2);
});

test("cache: a remembered rejection is replayed, then expires", async () => {
  const { clock, cache } = setup();
  const rejected = new Error("InvalidIdentityToken");
  let calls = 0;
  const load = async (): Promise<Creds> => {
    calls++;
    throw rejected;
  };
  const seen: CacheOutcome[] = [];
  const options = { isRejection: () => true, onOutcome: (o: CacheOutcome) => void seen.push(o) };
  await assertRejects(() => cache.get("k", load, options));
  const replayed = await assertRejects(() => cache.get("k", load, options));
  assert(replayed === rejected, "the same error is thrown again");
  assertEquals([calls, seen], [1, ["miss", "negative"]]);
  clock.t += 30 * S;
  await assertRejects(() => cache.get("k", load, options));
  assertEquals(calls, 2);
});

test("cache: LRU eviction at maxEntries, a hit refreshes recency", async () => {
  const { cache } = setup({ maxEntries: 2 });
  await cache.get("a", async () => creds("a"));
  await cache.get("b", async () => creds("b"));
  await cache.get("a", async () => creds("a2"));
  await cache.get("c", async () => creds("c"));
  assertEquals([cache.size, cache.peek("a")?.id, cache.peek("b"), cache.peek("c")?.id], [2, "a", undefined, "c"]);
});

test("cache: cacheKey never confuses different part lists", () => {
  const keys = [cacheKey(["a:b", "c"]), cacheKey(["a", "b:c"]), cacheKey(["1"]), cacheKey([1]), cacheKey([undefined]), cacheKey([""])];
  assertEquals(new Set(keys).size, keys.length);
});
