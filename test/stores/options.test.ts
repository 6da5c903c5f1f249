/** The adapters refuse what cannot be their store at once, with a message naming what is wrong. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StsConfigurationError } from "../../src/errors.ts";
import { cacheApiStore, denoKvStore, redisStore, workersKvStore } from "../../src/stores/index.ts";

const refused = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof StsConfigurationError && pattern.test(err.message));

test("workersKvStore: a KV binding, and a cacheTtl KV accepts", () => {
  refused(() => workersKvStore(undefined as never), /KV binding/);
  refused(() => workersKvStore({ get: () => null } as never), /KV binding/);
  const kv = { get: async () => null, put: async () => {}, delete: async () => {} };
  for (const cacheTtl of [0, 29, 59.5, -60, Number.NaN]) refused(() => workersKvStore(kv, { cacheTtl }), /cacheTtl must be a whole number of seconds >= 30/);
  assert.equal(typeof workersKvStore(kv, { cacheTtl: 60 }).get, "function");
});

test("cacheApiStore: a Cache, and an http(s) origin", () => {
  refused(() => cacheApiStore(null as never), /must be a Cache/);
  const cache = { match: async () => undefined, put: async () => {}, delete: async () => false };
  for (const origin of ["ftp://example.com", "example.com", "", "data:text/plain,x"]) refused(() => cacheApiStore(cache, { origin }), /http\(s\) origin/);
  assert.equal(typeof cacheApiStore(cache, { origin: "https://example.com/ignored/path" }).set, "function");
});

test("denoKvStore: a Deno.Kv, and a prefix array; a Map passed by mistake fails loudly on read, not as a silent miss", async () => {
  refused(() => denoKvStore({ get: async () => ({ value: null }) } as never), /Deno\.Kv/);
  const kv = { get: async () => ({ value: null }), set: async () => ({}), delete: async () => {} };
  refused(() => denoKvStore(kv, { prefix: "edge-sts" as never }), /prefix must be an array/);
  const mistaken = denoKvStore(new Map() as never);
  await assert.rejects(async () => mistaken.get("edge-sts:2:x"), /did not return a Deno\.KvEntry/);
});

test("redisStore: a client with get and setEx or setex", () => {
  refused(() => redisStore("redis://localhost" as never), /Redis client/);
  refused(() => redisStore({ get: async () => null, set: async () => "OK", del: async () => 0 } as never), /setEx or setex/);
});
