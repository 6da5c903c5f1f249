/**
 * The store contract (test/stores/contract.ts) on each runtime's own real stores: Deno KV on a temp
 * file and the Cache API (`caches.open`) in the Deno run, Bun's built-in `RedisClient` on the suite's
 * redis-server in the Bun run, and everywhere (workerd included) a Map-backed custom store, so the
 * Web Crypto sealing runs on every runtime.
 */
import type { CredentialStore } from "../../src/cache/store.ts";
import { cacheApiStore, denoKvStore, redisStore } from "../../src/stores/index.ts";
import type { DenoKvLike, RedisClientLike } from "../../src/stores/index.ts";
import { forms, handledSecrets, storeContract } from "../stores/contract.ts";
import { coordinationContract, withoutClaim } from "../stores/coordination.ts";
import type { StoreUnderTest } from "../stores/contract.ts";
import { assert, skip, test } from "./harness.ts";

const g = globalThis as Record<string, any>;
const isDeno = typeof g.Deno === "object" && g.Deno !== null;
const isBun = typeof g.Bun === "object" && g.Bun !== null;
const check = (value: unknown, message?: string) => assert(value, message);
const under = (label: string) => (name: string, fn: () => Promise<void>) => test(`store ${label}: ${name}`, fn);

// A custom store in a few lines, as the README shows: on every runtime.
const memory = new Map<string, string>();
const custom: CredentialStore = { get: (key) => memory.get(key), set: (key, value) => void memory.set(key, value) };
storeContract(under("custom (Map)"), check, async () => ({ name: "custom", store: custom, dump: async () => [...memory] }), { expires: false });
withoutClaim(under("custom (Map)"), check, custom);

if (isDeno) {
  const Deno = g.Deno;
  let kv: (DenoKvLike & { list(selector: { prefix: unknown[] }): AsyncIterable<{ key: unknown[]; value: unknown }>; close(): void }) | undefined;
  let path: string | undefined;
  const prefix = ["edge-sts-test", crypto.randomUUID()];
  const open = async () => {
    path ??= await Deno.makeTempFile({ suffix: ".sqlite" });
    kv ??= await Deno.openKv(path);
    return kv!;
  };
  const denoKv = async (): Promise<StoreUnderTest> => {
    const db = await open();
    return {
      name: "deno-kv",
      store: denoKvStore(db, { prefix }),
      async dump() {
        const out: Array<[string, string]> = [];
        for await (const entry of db.list({ prefix })) {
          const stored = entry.value as { value: string };
          assert(typeof stored.value === "string", `an entry of another shape: ${JSON.stringify(entry.value)}`);
          out.push([String(entry.key.at(-1)), stored.value]);
        }
        return out;
      },
    };
  };
  storeContract(under("Deno KV"), check, denoKv, { expires: true });
  coordinationContract(under("Deno KV"), check, denoKv);
  test("store Deno KV: an entry past its expiry is not answered although KV still holds it", async () => {
    const db = await open();
    const store = denoKvStore(db, { prefix });
    await store.set("edge-sts:2:late", "2.bGF0ZQ", 1);
    // expireIn is only the earliest deletion: simulate KV keeping it by writing it back with an old expiry.
    await db.set([...prefix, "edge-sts:2:late"], { value: "2.bGF0ZQ", expiresAt: Date.now() - 1 });
    assert((await db.get([...prefix, "edge-sts:2:late"])).value !== null, "KV holds the entry");
    assert((await store.get("edge-sts:2:late")) === undefined, "the adapter answered an expired entry");
  });
  test("store Deno KV: the database files on disk hold no token, token part, secret key or session token", async () => {
    kv?.close();
    assert(path !== undefined && handledSecrets.size > 10, "the Deno KV contract did not run");
    let bytes = 0;
    const found: string[] = [];
    for (const file of [path!, `${path}-wal`, `${path}-shm`]) {
      let data: Uint8Array;
      try {
        data = await Deno.readFile(file);
      } catch {
        continue; // no WAL after a clean close
      }
      bytes += data.length;
      let text = "";
      for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
      for (const secret of handledSecrets) for (const form of forms(secret)) if (text.includes(form)) found.push(`${file}: ${secret.slice(0, 6)}…`);
    }
    assert(bytes > 0, "no database file");
    assert(found.length === 0, `secrets on disk: ${found.join(", ")}`);
    for (const file of [path!, `${path}-wal`, `${path}-shm`]) await Deno.remove(file).catch(() => {});
  });

  // The Cache API has no listing: record what the adapter puts, and read each back from the real cache.
  const cacheName = `edge-sts-test-${crypto.randomUUID()}`;
  const written = new Set<string>();
  storeContract(under("Cache API"), check, async (): Promise<StoreUnderTest> => {
    const cache = await g.caches.open(cacheName);
    const recording = {
      match: (request: Request) => cache.match(request),
      put: (request: Request, response: Response) => {
        written.add(request.url);
        return cache.put(request, response);
      },
      delete: (request: Request) => cache.delete(request),
    };
    return {
      name: "cache-api",
      store: cacheApiStore(recording),
      async dump() {
        const out: Array<[string, string]> = [];
        for (const url of written) {
          const res = await cache.match(new Request(url));
          if (res !== undefined) out.push([decodeURIComponent(url.slice(url.indexOf("/edge-sts/") + 10)), await res.text()]);
        }
        return out;
      },
    };
  }, { expires: false });
  test("store Cache API: closes", async () => {
    await g.caches.delete(cacheName);
  });
}

if (isBun) {
  const url: string | undefined = g.Bun.env.REDIS_URL;
  const why: string = g.Bun.env.EDGE_STS_REDIS_MISSING ?? "redis-server not found";
  if (url === undefined) {
    storeContract((name) => skip(`store Bun RedisClient: ${name}`, why), check, async () => undefined as never, { expires: true });
  } else {
    // Database 4: apart from the Node clients' (1, 2) and the fault tests'.
    const client = new g.Bun.RedisClient(`${url.replace(/\/\d*$/, "")}/4`) as RedisClientLike & {
      send(command: string, args: string[]): Promise<unknown>;
      close(): void;
    };
    const bunRedis = async (): Promise<StoreUnderTest> => ({
      name: "bun-redis",
      store: redisStore(client),
      async dump() {
        const out: Array<[string, string]> = [];
        let cursor = "0";
        for (let round = 0; round < 10_000; round++) {
          const [next, keys] = (await client.send("SCAN", [cursor, "MATCH", "edge-sts:*", "COUNT", "1000"])) as [string, string[]];
          for (const key of keys) {
            const value = await client.get(key);
            if (typeof value === "string") out.push([key, value]);
          }
          cursor = next;
          if (cursor === "0") break;
        }
        return out;
      },
    });
    storeContract(under("Bun RedisClient"), check, bunRedis, { expires: true });
    coordinationContract(under("Bun RedisClient"), check, bunRedis);
    test("store Bun RedisClient: closes", async () => {
      client.close();
    });
  }
}
