/**
 * `workersKvStore`: a {@link CredentialStore} on a Cloudflare Workers KV namespace.
 *
 * @module
 */
import type { CredentialStore } from "../cache/store.ts";
import { StsConfigurationError } from "../errors.ts";

/** The part of a Workers `KVNamespace` binding this adapter uses. */
export interface KvNamespaceLike {
  /** KV's `get(key, { type: "text", cacheTtl })`. */
  get(key: string, options: { type: "text"; cacheTtl?: number }): Promise<string | null>;
  /** KV's `put(key, value, { expirationTtl })`. */
  put(key: string, value: string, options: { expirationTtl?: number }): Promise<unknown>;
  /** KV's `delete(key)`. */
  delete(key: string): Promise<unknown>;
}

/** Options of {@link workersKvStore}. */
export interface WorkersKvStoreOptions {
  /** Seconds a read (a miss too) is cached in the data centre that made it (KV's `cacheTtl`, ≥ 30). @default KV's own (60) */
  cacheTtl?: number;
}

/** KV refuses an `expirationTtl` under 60 s; a longer life is harmless (every value carries its own expiry). */
const MIN_EXPIRATION_TTL_SECONDS = 60;
/** KV allows one write per second per key; a second write within that second is skipped, not sent. */
const WRITE_INTERVAL_MS = 1000;
/** Keys whose last write is remembered (for the one-write-per-second rule); the oldest go first. */
const MAX_REMEMBERED_WRITES = 256;
/** Last write per key, per namespace binding. */
const writes = new WeakMap<object, Map<string, number>>();
/** The adapter of each binding, per cacheTtl. */
const adapters = new WeakMap<object, Map<number | undefined, CredentialStore>>();

/**
 * A credential store on Workers KV: shared by every isolate in every location. Reads are eventually
 * consistent (a write reaches other locations within about 60 s); a read may then still find
 * nothing, which only costs an STS exchange.
 *
 * @param namespace The KV binding (`env.STS_CACHE`).
 * @param options `cacheTtl` of reads.
 * @param {number} [options.cacheTtl] Seconds KV caches a read in the reading location (≥ 30).
 * @returns A {@link CredentialStore}.
 * @throws {StsConfigurationError} when `namespace` is not a KV binding or `cacheTtl` is not an integer ≥ 30.
 * @example
 * ```ts
 * app.use("/api/*", stsCredentials({ roleArn, region, store: (c) => workersKvStore(c.env.STS_CACHE) }));
 * ```
 */
export function workersKvStore(namespace: KvNamespaceLike, options: WorkersKvStoreOptions = {}): CredentialStore {
  const ns = namespace as Partial<KvNamespaceLike> | null;
  if (typeof ns !== "object" || ns === null || typeof ns.get !== "function" || typeof ns.put !== "function") {
    throw new StsConfigurationError("workersKvStore: namespace must be a Workers KV binding (get, put)");
  }
  const { cacheTtl } = options;
  if (cacheTtl !== undefined && (!Number.isInteger(cacheTtl) || cacheTtl < 30)) {
    throw new StsConfigurationError("workersKvStore: cacheTtl must be a whole number of seconds >= 30");
  }
  // One adapter per binding and cacheTtl: `store: (c) => workersKvStore(c.env.X)` runs per request, and the
  // store level keeps a store's health (down → skipped a while) by adapter.
  let byTtl = adapters.get(namespace);
  if (byTtl === undefined) adapters.set(namespace, (byTtl = new Map()));
  const known = byTtl.get(cacheTtl);
  if (known !== undefined) return known;
  const getOptions = cacheTtl === undefined ? { type: "text" as const } : { type: "text" as const, cacheTtl };
  // Per binding, shared by its adapters (one per cacheTtl).
  let lastWrite = writes.get(namespace);
  if (lastWrite === undefined) writes.set(namespace, (lastWrite = new Map()));
  const recent = lastWrite;
  const store: CredentialStore = {
    get: (key) => namespace.get(key, getOptions),
    set(key, value, ttlSeconds) {
      const now = Date.now();
      const last = recent.get(key);
      if (last !== undefined && now - last < WRITE_INTERVAL_MS) return undefined;
      recent.delete(key);
      recent.set(key, now);
      if (recent.size > MAX_REMEMBERED_WRITES) recent.delete(recent.keys().next().value!);
      return namespace.put(key, value, { expirationTtl: Math.max(MIN_EXPIRATION_TTL_SECONDS, Math.ceil(ttlSeconds)) });
    },
    delete: (key) => namespace.delete(key),
  };
  byTtl.set(cacheTtl, store);
  return store;
}
