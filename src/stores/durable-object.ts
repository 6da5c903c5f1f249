/**
 * `durableObjectStore` and `StsCoordinator`: a {@link CredentialStore} on a Cloudflare Durable Object
 * namespace, the one Cloudflare store that can coordinate a fleet's misses (`claim`). Workers KV is
 * eventually consistent and the Cache API is per data centre: neither can set a key only if it is absent
 * for the whole fleet.
 *
 * The class is written in the classic `constructor(state, env)` + `fetch(request)` form, so this module
 * imports nothing from `cloudflare:workers` and loads on Node, Deno and Bun too.
 *
 * @module
 */
import type { CredentialStore } from "../cache/store.ts";
import { StsConfigurationError } from "../errors.ts";

/** The part of a Durable Object's `state.storage` the coordinator uses. */
export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  list<T = unknown>(options?: { start?: string; limit?: number }): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
}

/** The part of a `DurableObjectNamespace` binding the adapter uses. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** Options of {@link durableObjectStore}. */
export interface DurableObjectStoreOptions {
  /** How many objects the keys are spread over (each key always goes to the same one). @default 32 */
  shards?: number;
  /** The prefix of the objects' names (`idFromName(<prefix><shard>)`). @default "edge-sts:" */
  prefix?: string;
}

/** What the coordinator keeps per key: a sealed value (or a claim's "1") and when it stops being answered. */
interface Held {
  value: string;
  expiresAt: number;
}

const ORIGIN = "https://edge-sts.invalid/";
const KEY = /^edge-sts:[A-Za-z0-9_:-]{1,200}$/;
/** A sealed value is a few hundred bytes (store-crypto.ts refuses anything over 64 KiB). */
const MAX_VALUE_CHARS = 64 * 1024;
/** At most a day: the longest an STS session (role chaining aside) is stored for is its own 12 h. */
const MAX_TTL_MS = 24 * 3600 * 1000;
/** Expired entries are swept at most this often (an alarm), and skipped on read meanwhile. */
const SWEEP_INTERVAL_MS = 60_000;
const SWEEP_BATCH = 1000;
const DEFAULT_SHARDS = 32;
const adapters = new WeakMap<object, Map<string, CredentialStore>>();

/**
 * The Durable Object class behind {@link durableObjectStore}: export it from your Worker and bind it
 * (see docs/coordination.md). It holds only what the store level gives it: opaque keys, sealed values
 * and claims (no token, no plaintext credentials); entries expire on read and are swept by an alarm.
 *
 * @example
 * ```ts
 * export { StsCoordinator } from "edge-sts/stores";
 * ```
 */
export class StsCoordinator {
  readonly #storage: DurableObjectStorageLike;

  /**
   * @param state The object's state (`state.storage` is used).
   * @param _env The Worker's bindings (unused).
   */
  constructor(state: { storage: DurableObjectStorageLike }, _env?: unknown) {
    this.#storage = state.storage;
  }

  /**
   * `POST /get|set|claim|delete` with `{ key, value?, ttlMs? }`: 200 with the value, 204 for none (get);
   * 200 `true`/`false` (claim); 204 (set, delete); 400 for anything malformed.
   */
  async fetch(request: Request): Promise<Response> {
    const op = new URL(request.url).pathname.slice(1);
    let body: { key?: unknown; value?: unknown; ttlMs?: unknown };
    try {
      body = (await request.json()) as typeof body;
    } catch {
      return new Response("body must be JSON", { status: 400 });
    }
    const { key, value, ttlMs } = body ?? {};
    if (typeof key !== "string" || !KEY.test(key)) return new Response("key must be an edge-sts key", { status: 400 });
    const now = Date.now();
    // Within one object, storage calls are ordered and no other event runs between a get and its put
    // (input gates): a claim's check-and-set is atomic.
    switch (op) {
      case "get": {
        const held = await this.#storage.get<Held>(key);
        return held !== undefined && now < held.expiresAt ? new Response(held.value) : new Response(null, { status: 204 });
      }
      case "delete":
        await this.#storage.delete(key);
        return new Response(null, { status: 204 });
      case "set":
      case "claim": {
        const ttl = ttlMs;
        if (typeof ttl !== "number" || !(ttl >= 1 && ttl <= MAX_TTL_MS)) return new Response("ttlMs must be 1 ms to a day", { status: 400 });
        const stored = op === "claim" ? "1" : value;
        if (typeof stored !== "string" || stored.length > MAX_VALUE_CHARS) return new Response("value must be a string of at most 64 KiB", { status: 400 });
        if (op === "claim") {
          const held = await this.#storage.get<Held>(key);
          if (held !== undefined && now < held.expiresAt) return Response.json(false);
        }
        const expiresAt = now + ttl;
        await this.#storage.put<Held>(key, { value: stored, expiresAt });
        await this.#sweepBy(expiresAt);
        return op === "claim" ? Response.json(true) : new Response(null, { status: 204 });
      }
      default:
        return new Response("unknown operation", { status: 404 });
    }
  }

  /** The alarm: deletes what has expired, and comes back for what has not. */
  async alarm(): Promise<void> {
    const now = Date.now();
    let next = Infinity;
    let start: string | undefined;
    for (let round = 0; round < 10_000; round++) {
      const batch = await this.#storage.list<Held>(start === undefined ? { limit: SWEEP_BATCH } : { start, limit: SWEEP_BATCH });
      for (const [key, held] of batch) {
        if (key === start) continue;
        if (typeof held?.expiresAt !== "number" || now >= held.expiresAt) await this.#storage.delete(key);
        else next = Math.min(next, held.expiresAt);
      }
      if (batch.size < SWEEP_BATCH) break;
      start = [...batch.keys()].at(-1);
    }
    if (next !== Infinity) await this.#storage.setAlarm(Math.max(next, now + SWEEP_INTERVAL_MS));
  }

  /** Makes sure an alarm will sweep an entry expiring at `expiresAt` (at most one a minute). */
  async #sweepBy(expiresAt: number): Promise<void> {
    const alarm = await this.#storage.getAlarm();
    if (alarm === null) await this.#storage.setAlarm(Math.max(expiresAt, Date.now() + SWEEP_INTERVAL_MS));
  }
}

/**
 * A credential store on a Durable Object namespace bound to {@link StsCoordinator}: strongly
 * consistent, so it coordinates a fleet's misses (`claim`) — one exchange per user however many
 * isolates and locations a first page load reaches. Keys are spread over `shards` objects by a hash
 * of the (already opaque) key. Use it alone, as the whole store.
 *
 * @param namespace The Durable Object binding (`env.STS_COORDINATOR`).
 * @param options How keys are spread.
 * @param {number} [options.shards=32] Objects the keys are spread over (1–1024).
 * @param {string} [options.prefix='edge-sts:'] Prefix of the objects' names.
 * @returns A {@link CredentialStore} with `claim`.
 * @throws {StsConfigurationError} when `namespace` is not a Durable Object binding or `shards` is not an integer 1–1024.
 * @example
 * ```ts
 * app.use("/api/*", stsCredentials({ roleArn, region, storeSecret, store: (c) => durableObjectStore(c.env.STS_COORDINATOR) }));
 * ```
 */
export function durableObjectStore<Id>(namespace: DurableObjectNamespaceLike<Id>, options: DurableObjectStoreOptions = {}): CredentialStore {
  const ns = namespace as Partial<DurableObjectNamespaceLike<Id>> | null;
  if (typeof ns !== "object" || ns === null || typeof ns.idFromName !== "function" || typeof ns.get !== "function") {
    throw new StsConfigurationError("durableObjectStore: namespace must be a Durable Object binding (idFromName, get)");
  }
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new StsConfigurationError("durableObjectStore: shards must be an integer from 1 to 1024");
  const prefix = options.prefix ?? "edge-sts:";
  if (typeof prefix !== "string") throw new StsConfigurationError("durableObjectStore: prefix must be a string");
  // One adapter per binding and options: `store: (c) => durableObjectStore(c.env.X)` runs per request,
  // and the store level keeps a store's health by adapter.
  let known = adapters.get(namespace);
  if (known === undefined) adapters.set(namespace, (known = new Map()));
  const memo = `${shards}\n${prefix}`;
  const existing = known.get(memo);
  if (existing !== undefined) return existing;
  const ids: Id[] = [];
  const call = async (op: string, body: { key: string; value?: string; ttlMs?: number }): Promise<Response> => {
    const shard = hash(body.key) % shards;
    const id = (ids[shard] ??= namespace.idFromName(prefix + shard));
    const response = await namespace.get(id).fetch(ORIGIN + op, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    if (response.status >= 300) {
      await response.body?.cancel();
      throw new Error(`durableObjectStore: the coordinator answered ${response.status} to ${op}`);
    }
    return response;
  };
  const store: CredentialStore = {
    async get(key) {
      const response = await call("get", { key });
      return response.status === 204 ? undefined : response.text();
    },
    async set(key, value, ttlSeconds) {
      await call("set", { key, value, ttlMs: Math.max(1, Math.ceil(ttlSeconds)) * 1000 });
    },
    async delete(key) {
      await call("delete", { key });
    },
    async claim(key, ttlMs) {
      return (await (await call("claim", { key, ttlMs: Math.max(1, Math.ceil(ttlMs)) })).json()) === true;
    },
  };
  known.set(memo, store);
  return store;
}

/** FNV-1a (32 bits): spreads keys evenly over the shards; the keys are HMACs already, so nothing to hide. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
