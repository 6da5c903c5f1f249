/** The middleware with a shared store: where answers come from, what the hit path does, options and hooks. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CredentialStore, StoreErrorInfo } from "../../src/cache/store.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import type { StsCacheHitInfo, StsExchangeInfo } from "../../src/hono/index.ts";
import { makeApp } from "./app.ts";
import { T0, executionContext, idToken } from "./fixtures.ts";

/** A custom store over a Map that counts its calls (the README's few-line store). */
function counted() {
  const map = new Map<string, string>();
  const calls = { get: 0, set: 0, ttls: [] as number[] };
  const store: CredentialStore = {
    get(key) {
      calls.get++;
      return map.get(key);
    },
    set(key, value, ttl) {
      calls.set++;
      calls.ttls.push(ttl);
      map.set(key, value);
    },
  };
  return { map, calls, store };
}

const timing = (res: Response) => /desc="([a-z]+)"/.exec(res.headers.get("server-timing") ?? "")?.[1];

test("an isolate hit never touches the store; a miss reads it once and writes it once, in waitUntil", async () => {
  const { store, calls } = counted();
  const { request } = makeApp({ store, serverTiming: true });
  const token = idToken("alice", T0);
  const { ctx, waited } = executionContext();
  assert.equal(timing(await request(token, {}, ctx)), "miss");
  assert.equal(waited.length, 1, "the write went to waitUntil");
  await Promise.all(waited);
  assert.deepEqual({ get: calls.get, set: calls.set }, { get: 1, set: 1 });
  assert.deepEqual(calls.ttls, [3600 - 300], "TTL: until expiration − refresh window");
  for (let i = 0; i < 20; i++) assert.equal(timing(await request(token, {}, ctx)), "hit");
  assert.deepEqual({ get: calls.get, set: calls.set }, { get: 1, set: 1 }, "the hit path called the store");
});

test("50 concurrent misses in one isolate: one store read, one STS call, all answered 'store' by a warm store", async () => {
  const { store, calls } = counted();
  const token = idToken("bob", T0);
  const writer = makeApp({ store });
  await writer.request(token);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const reader = makeApp({ store, serverTiming: true });
  const answers = await Promise.all(Array.from({ length: 50 }, () => reader.request(token)));
  assert.deepEqual([...new Set(answers.map(timing))], ["store"]);
  assert.equal(calls.get, 2, "one read per isolate");
  assert.equal(reader.sts.calls.length, 0);
});

test("hooks say where an answer came from: onCacheHit 'store', no onExchange; a miss is an exchange", async () => {
  const { store } = counted();
  const token = idToken("carol", T0);
  const seen: Array<StsCacheHitInfo | StsExchangeInfo> = [];
  const a = makeApp({ store, onExchange: (i) => seen.push(i), onCacheHit: (i) => seen.push(i) });
  await a.request(token);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const b = makeApp({ store, onExchange: (i) => seen.push(i), onCacheHit: (i) => seen.push(i) });
  await b.request(token);
  await b.request(token);
  assert.deepEqual(seen.map((i) => ("ok" in i ? `exchange:${i.outcome}` : `cache:${i.outcome}`)), ["exchange:miss", "cache:store", "cache:hit"]);
  assert.ok(seen.every((i) => !JSON.stringify(i).includes(token)));
});

test("store: (c) => store is asked per miss; undefined means none; a function that throws is reported and STS answers", async () => {
  const { store, calls } = counted();
  const errors: StoreErrorInfo[] = [];
  let pick: "store" | "none" | "throw" = "none";
  const { request, sts } = makeApp({
    store: () => {
      if (pick === "throw") throw new Error("env.STS_CACHE is not bound");
      return pick === "store" ? store : undefined;
    },
    onStoreError: (e) => errors.push(e),
    serverTiming: true,
  });
  assert.equal(timing(await request(idToken("d1", T0))), "miss");
  assert.equal(calls.get + calls.set, 0);
  pick = "throw";
  assert.equal((await request(idToken("d2", T0))).status, 200);
  assert.deepEqual(errors.map((e) => [e.operation, e.reason, e.errorName]), [["get", "error", "Error"]]);
  pick = "store";
  await request(idToken("d3", T0));
  assert.equal(calls.get, 1);
  assert.equal(sts.calls.length, 3);
});

test("a slow store write is off the critical path", async () => {
  const map = new Map<string, string>();
  const store: CredentialStore = {
    get: (k) => map.get(k),
    set: (k, v) => new Promise<void>((resolve) => setTimeout(() => (map.set(k, v), resolve()), 1500)),
  };
  const { request } = makeApp({ store });
  const started = performance.now();
  assert.equal((await request(idToken("erin", T0))).status, 200);
  assert.ok(performance.now() - started < 1200, `the request waited for the write: ${performance.now() - started} ms`);
  assert.equal(map.size, 0, "written before the response");
  await new Promise((resolve) => setTimeout(resolve, 1700));
  assert.equal(map.size, 1);
});

test("the store options are checked at start-up", () => {
  const { store } = counted();
  assert.throws(() => makeApp({ store: {} as never }), StsConfigurationError);
  assert.throws(() => makeApp({ store: { get: () => null } as never }), /get\(key\) and set/);
  for (const bad of [0, -1, Number.NaN, Infinity, "50" as never]) {
    assert.throws(() => makeApp({ store, storeTimeoutMs: bad }), /storeTimeoutMs must be a positive number/);
  }
  assert.throws(() => makeApp({ storeTimeoutMs: 50 }), /needs? a store/);
  assert.throws(() => makeApp({ onStoreError: () => {} }), /needs? a store/);
  assert.throws(() => makeApp({ store, onStoreError: "log" as never }), /onStoreError must be a function/);
});

test("one token, two roles: two entries in the store, and each request gets its own role's credentials", async () => {
  const { store, map } = counted();
  const roleFor = (c: { req: { header(name: string): string | undefined } }) => `arn:aws:iam::123456789012:role/${c.req.header("x-role")}`;
  const token = idToken("frank", T0);
  const writer = makeApp({ store, roleArn: roleFor });
  await writer.request(token, { headers: { "x-role": "reader" } });
  await writer.request(token, { headers: { "x-role": "writer" } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(map.size, 2);
  const roleOf = new Map(writer.sts.calls.map((call) => [call.accessKeyId!, call.params.RoleArn!.split("/").pop()]));
  const reader = makeApp({ store, roleArn: roleFor, serverTiming: true });
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "reader" : "writer")).map(async (role) => {
      const res = await reader.request(token, { headers: { "x-role": role } });
      return { role, desc: timing(res), body: (await res.json()) as { accessKeyId: string } };
    }),
  );
  for (const { role, desc, body } of answers) {
    assert.equal(desc, "store");
    assert.equal(roleOf.get(body.accessKeyId), role, "credentials of the other role");
  }
  assert.equal(reader.sts.calls.length, 0);
});
