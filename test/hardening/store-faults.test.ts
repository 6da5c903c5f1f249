/**
 * A store that fails in every way a real one does (throws, rejects, hangs, answers late, returns
 * garbage or another user's entry, refuses writes like KV's 429) must never fail or stall a request:
 * each is answered correctly within storeTimeoutMs plus the exchange, reported through onStoreError
 * without the key or the value, and leaves no unhandled rejection. The faults wrap real stores: a
 * Map custom store, and Redis through node-redis when a server is there.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "redis";
import type { CredentialStore } from "../../src/cache/store.ts";
import { redisStore } from "../../src/stores/index.ts";
import { idToken } from "../hono/fixtures.ts";
import { fleet } from "../stores/contract.ts";

const TIMEOUT_MS = 50;
/**
 * What an exchange with the in-process scripted STS may take on a loaded 2-core machine, on top of the
 * store's bound. A hang would exceed any bound; this one only has to be far from flaky.
 */
const EXCHANGE_ALLOWANCE_MS = 1500;

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);
before(() => process.on("unhandledRejection", onRejection));
after(async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off("unhandledRejection", onRejection);
  assert.deepEqual(rejections, [], "unhandled rejections");
});

interface Base {
  store: CredentialStore;
  /** Every key and value in the store. */
  dump(): Promise<Array<[string, string]>>;
}

type Fault = (base: Base) => Partial<CredentialStore> | Promise<Partial<CredentialStore>>;
const never = () => new Promise<never>(() => {});
const GARBAGE: unknown[] = ["", "1.", "garbage", "1.AAAA", "2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "1." + "A".repeat(5000), 42, {}, ["1.x"], true];

const faults: Record<string, { fault: Fault; reason: "error" | "timeout" | "invalid" | undefined; on: "get" | "set"; warm?: boolean }> = {
  "get throws": { on: "get", reason: "error", fault: () => ({ get: (key) => { throw new Error(`GET ${key}: connection reset`); } }) },
  "get rejects": { on: "get", reason: "error", fault: () => ({ get: (key) => Promise.reject(new TypeError(`no such key ${key}`)) }) },
  "get hangs": { on: "get", reason: "timeout", fault: () => ({ get: never }) },
  "get answers after the timeout": {
    on: "get",
    reason: "timeout",
    warm: true,
    fault: (base) => ({ get: (key) => new Promise((resolve) => setTimeout(() => resolve(base.store.get(key)), TIMEOUT_MS * 4)) }),
  },
  "get returns garbage": { on: "get", reason: "invalid", fault: () => { let i = 0; return { get: () => GARBAGE[i++ % GARBAGE.length] as string }; } },
  "get returns another entry's value": {
    on: "get",
    reason: "invalid",
    warm: true,
    // The entries are read before the requests: a Redis scan per read would itself exceed the
    // 50 ms bound on a loaded machine, and be reported as a time-out instead.
    fault: async (base) => {
      const entries = await base.dump();
      return { get: (key) => entries.find(([k]) => k !== key)?.[1] };
    },
  },
  "set throws like KV's 429": {
    on: "set",
    reason: "error",
    fault: () => ({ set: (key, value) => Promise.reject(new Error(`KV PUT failed: 429 Too Many Requests (${key} = ${value})`)) }),
  },
  "set rejects quoting part of the value": {
    on: "set",
    reason: "error",
    fault: () => ({ set: (_key, value) => Promise.reject(new Error(`ERR value rejected near '${value.slice(0, 60)}…'`)) }),
  },
  "set throws synchronously": { on: "set", reason: "error", fault: () => ({ set: () => { throw new RangeError("value too large"); } }) },
  "set hangs": { on: "set", reason: "timeout", fault: () => ({ set: never }) },
};

function faultSuite(label: string, base: () => Promise<Base>, skip: string | false) {
  describe(`store faults (${label})`, () => {
    for (const [name, { fault, reason, on, warm }] of Object.entries(faults)) {
      test(`${name}: every request answered, in time, with its own credentials`, { skip }, async () => {
        const b = await base();
        const users = Array.from({ length: 5 }, (_, i) => idToken(`u${i}-${name}-${Math.random()}`, Date.UTC(2030, 0, 1)));
        if (warm) {
          const healthy = fleet(b.store);
          for (const token of users) await healthy.isolate().request(token);
          await healthy.settle();
        }
        const faulty: CredentialStore = { ...b.store, ...(await fault(b)) } as CredentialStore;
        const f = fleet(faulty, { storeTimeoutMs: TIMEOUT_MS });
        const isolates = [f.isolate(), f.isolate()];
        const timed = users.flatMap((token) =>
          isolates.flatMap((iso) =>
            [0, 1].map(async () => {
              const started = performance.now();
              const r = await iso.request(token);
              return { token, r, ms: performance.now() - started };
            }),
          ),
        );
        for (const { token, r, ms } of await Promise.all(timed)) {
          assert.equal(r.status, 200);
          assert.equal(f.sts.issued.get(r.body!.accessKeyId), token, "credentials issued for another token");
          assert.ok(ms < TIMEOUT_MS + EXCHANGE_ALLOWANCE_MS, `${ms.toFixed(0)} ms`);
        }
        await f.settle();
        // Writes are bounded too (1 s at this timeout): wait for a hanging one to be reported.
        if (on === "set" && reason === "timeout") await new Promise((resolve) => setTimeout(resolve, 1100));
        const reported = f.errors.filter((e) => e.operation === on);
        assert.ok(reported.length > 0, "the failure was not reported");
        assert.ok(reported.every((e) => e.reason === reason), JSON.stringify(reported));
        for (const e of f.errors) {
          const text = JSON.stringify(e);
          assert.doesNotMatch(text, /edge-sts:\d:[A-Za-z0-9_-]{10}/, "a store key in the report");
          assert.doesNotMatch(text, /\d\.[A-Za-z0-9_-]{40}/, "a sealed value in the report");
        }
      });
    }

    test("a hook that throws changes nothing", { skip }, async () => {
      const b = await base();
      const f = fleet({ ...b.store, get: () => Promise.reject(new Error("down")) }, {
        onStoreError: () => {
          throw new Error("hook bug");
        },
      });
      assert.equal((await f.isolate().request(idToken(`h-${Math.random()}`, f.clock.t))).status, 200);
    });
  });
}

test("a store that keeps failing is left alone for 5 s after 3 failed reads in a row, then probed", async () => {
  const map = new Map<string, string>();
  let down = true;
  let reads = 0;
  const store: CredentialStore = {
    get(key) {
      reads++;
      return down ? Promise.reject(new Error("ECONNREFUSED")) : map.get(key);
    },
    set: (key, value) => void map.set(key, value),
  };
  const f = fleet(store, { storeTimeoutMs: TIMEOUT_MS });
  const iso = f.isolate();
  const miss = async () => (await iso.request(idToken(`p-${Math.random()}`, f.clock.t))).status;
  for (let i = 0; i < 3; i++) assert.equal(await miss(), 200);
  await f.settle();
  const written = map.size; // the writes of the misses before the pause (this store's writes work)
  assert.equal(reads, 3);
  assert.deepEqual(f.errors.map((e) => e.pausedForMs), [undefined, undefined, 5000], "the third failure pauses the store");
  for (let i = 0; i < 5; i++) assert.equal(await miss(), 200);
  assert.equal(reads, 3, "a paused store was read");
  await f.settle();
  // Writes go on in the background while reads are paused (off the request's path): a store that is
  // only slow to answer reads keeps serving the rest of the fleet.
  assert.equal(map.size, written + 5, "a paused store was not written in the background");
  f.clock.advance(5);
  assert.equal(await miss(), 200);
  assert.equal(reads, 4, "no probe after the pause");
  assert.equal(f.errors.at(-1)!.pausedForMs, 5000, "a failed probe pauses it again at once");
  down = false;
  f.clock.advance(5);
  const healed = idToken(`healed-${Math.random()}`, f.clock.t);
  assert.equal((await iso.request(healed)).desc, "miss");
  await f.settle();
  assert.equal(reads, 5);
  assert.equal(map.size, written + 7, "written again once the store answers");
  assert.equal((await f.isolate().request(healed)).desc, "store");
});

const memory = new Map<string, string>();
faultSuite("custom Map store", async () => ({
  store: { get: (k) => memory.get(k), set: (k, v) => void memory.set(k, v) },
  dump: async () => [...memory],
}), false);

const url = process.env.REDIS_URL;
const client = createClient({ url, database: 3 });
const ready = url ? client.connect() : undefined;
after(async () => {
  if (ready) {
    await ready;
    await client.close();
  }
});
faultSuite("Redis via node-redis", async () => {
  await ready;
  const store = redisStore(client);
  return {
    store,
    async dump() {
      const out: Array<[string, string]> = [];
      for (const key of await client.keys("edge-sts:*")) {
        const value = await client.get(key);
        if (value !== null) out.push([key, value]);
      }
      return out;
    },
  };
}, url ? false : (process.env.EDGE_STS_REDIS_MISSING ?? "redis-server not found"));
