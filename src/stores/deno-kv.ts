/**
 * `denoKvStore`: a {@link CredentialStore} on Deno KV (`await Deno.openKv()`).
 *
 * @module
 */
import type { CredentialStore } from "../cache/store.ts";
import { StsConfigurationError } from "../errors.ts";

/** A Deno KV key part. */
export type DenoKvKeyPart = string | number | bigint | boolean | Uint8Array;

/** The part of a `Deno.Kv` this adapter uses. */
export interface DenoKvLike {
  /** `kv.get(key)`. */
  get(key: readonly DenoKvKeyPart[]): Promise<{ value: unknown; versionstamp?: string | null }>;
  /** `kv.set(key, value, { expireIn })`. */
  set(key: readonly DenoKvKeyPart[], value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  /** `kv.delete(key)`. */
  delete(key: readonly DenoKvKeyPart[]): Promise<void>;
  /** `kv.atomic()`, for `claim`; without it the store does not coordinate. */
  atomic?(): DenoKvAtomicLike;
}

/** The part of a `Deno.AtomicOperation` `claim` uses. */
export interface DenoKvAtomicLike {
  check(...checks: { key: readonly DenoKvKeyPart[]; versionstamp: string | null }[]): DenoKvAtomicLike;
  set(key: readonly DenoKvKeyPart[], value: unknown, options?: { expireIn?: number }): DenoKvAtomicLike;
  commit(): Promise<{ ok: boolean }>;
}

/** Options of {@link denoKvStore}. */
export interface DenoKvStoreOptions {
  /** The key prefix entries live under. @default ["edge-sts"] */
  prefix?: readonly DenoKvKeyPart[];
}

/** Attempts of a write that SQLite refused because another process held the lock (local KV files only). */
const LOCKED_ATTEMPTS = 8;

/** What is kept under a key: the sealed value and when it expires (`expireIn` is only the earliest deletion). */
interface Stored {
  value: string;
  expiresAt: number;
}

/**
 * A credential store on Deno KV: shared by every isolate of a Deno Deploy app (or every process
 * opening the same file). `expireIn` only sets the earliest time KV may delete an entry, so each
 * entry also records its expiry, and an expired one is answered as absent. It coordinates a fleet's
 * misses (`claim`: an atomic check-and-set on the claim's versionstamp; an expired claim KV has not
 * deleted yet is replaced under the same check).
 *
 * @param kv The database (`await Deno.openKv()`).
 * @param options Where the entries live.
 * @param {Deno.KvKey} [options.prefix=["edge-sts"]] Key prefix.
 * @returns A {@link CredentialStore}.
 * @throws {StsConfigurationError} when `kv` is not a Deno.Kv or `prefix` is not an array.
 * @example
 * ```ts
 * const kv = await Deno.openKv();
 * app.use("/api/*", stsCredentials({ roleArn, region, store: denoKvStore(kv) }));
 * ```
 */
export function denoKvStore(kv: DenoKvLike, options: DenoKvStoreOptions = {}): CredentialStore {
  const k = kv as Partial<DenoKvLike> | null;
  if (typeof k !== "object" || k === null || typeof k.get !== "function" || typeof k.set !== "function") {
    throw new StsConfigurationError("denoKvStore: kv must be a Deno.Kv (get, set)");
  }
  const prefix = options.prefix ?? ["edge-sts"];
  if (!Array.isArray(prefix)) throw new StsConfigurationError("denoKvStore: prefix must be an array of key parts");
  const keyOf = (key: string) => [...prefix, key];
  const store: CredentialStore = {
    async get(key) {
      const entry = await kv.get(keyOf(key));
      // Anything but a KvEntry (a Map passed by mistake) would read as a miss forever: say so (onStoreError).
      if (typeof entry !== "object" || entry === null || !("value" in entry)) throw new TypeError("denoKvStore: kv.get did not return a Deno.KvEntry");
      const stored = entry.value as Partial<Stored> | null;
      if (typeof stored !== "object" || stored === null || typeof stored.value !== "string") return undefined;
      return typeof stored.expiresAt === "number" && Date.now() < stored.expiresAt ? stored.value : undefined;
    },
    set(key, value, ttlSeconds) {
      const ms = Math.max(1, Math.ceil(ttlSeconds)) * 1000;
      return unlocked(() => kv.set(keyOf(key), { value, expiresAt: Date.now() + ms } satisfies Stored, { expireIn: ms }));
    },
    delete: (key) => kv.delete(keyOf(key)),
  };
  if (typeof k.atomic === "function") {
    store.claim = async (key, ttlMs) => {
      const ms = Math.max(1, Math.ceil(ttlMs));
      const entry = await kv.get(keyOf(key));
      const held = entry.value as Partial<Stored> | null;
      if (typeof held === "object" && held !== null && typeof held.expiresAt === "number" && Date.now() < held.expiresAt) return false;
      // Set only if nobody set or renewed it since the read: absent (null) or the expired claim read.
      const claimed: Stored = { value: "1", expiresAt: Date.now() + ms };
      const result = await unlocked(() => kv.atomic!().check({ key: keyOf(key), versionstamp: entry.versionstamp ?? null }).set(keyOf(key), claimed, { expireIn: ms }).commit());
      return result.ok === true;
    };
  }
  return store;
}

/**
 * Runs a write again when SQLite says "database is locked": several processes on one local KV file
 * (`deno serve --parallel`, a fleet of processes) write in turns, and a write that lost the race fails
 * at once. Bounded (the store level bounds the whole call in time too); any other error is thrown.
 */
async function unlocked<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= LOCKED_ATTEMPTS || !(err instanceof Error) || !/database is locked/i.test(err.message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8 * attempt));
    }
  }
}
