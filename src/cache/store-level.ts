/**
 * The second cache level: a shared {@link CredentialStore} read on a per-isolate miss, before STS,
 * and written in the background after an exchange. Every store call is bounded in time and every
 * failure is reported and then treated as a miss: a slow or broken store costs at most its
 * time-out, never a failed request.
 *
 * @module
 */
import { StsConfigurationError } from "../errors.ts";
import { functionOption, millisecondsOption } from "../options.ts";
import type { CredentialStore, StoreErrorInfo } from "./store.ts";
import { callHook } from "../hooks.ts";
import { PAUSE_MS, admitRead, bounded, describe, paused, recordRead } from "./store-call.ts";
import { MIN_STORE_SECRET_LENGTH, deriveStoreKeys, open, seal, storeSecretBytes } from "./store-crypto.ts";
import type { StoreKeys } from "./store-crypto.ts";

/** The default bound of a store read, in ms: well under an STS round trip from the edge. */
export const DEFAULT_STORE_TIMEOUT_MS = 50;
/** A background write may take longer than a read, but not forever (a Worker's waitUntil is bounded too). */
const MIN_WRITE_TIMEOUT_MS = 1000;
const WRITE_TIMEOUT_FACTOR = 20;

/** How values of one kind become JSON and back. */
export interface StoreCodec<V> {
  /** The JSON form of a value (its secrets included: it is sealed before it leaves). */
  encode(value: V): unknown;
  /** The value back, or `undefined` when `data` is not a valid JSON form. */
  decode(data: unknown): V | undefined;
  /** When the value's credentials expire, ms since the epoch. */
  expiration(value: V): number;
}

/** One store and how to use it. */
export interface StoreAccess {
  store: CredentialStore;
  /**
   * What the store's health (failures in a row, pause, probe) is kept under: the store object, or —
   * for a middleware whose `store` is a function, which may build a new adapter per request — one
   * object of that middleware instance.
   */
  health: object;
  /** The deployment's `storeSecret` as bytes (the HKDF salt), or `undefined` for none. Never reported. */
  secret: Uint8Array<ArrayBuffer> | undefined;
  /** Bound of a read, in ms. */
  timeoutMs: number;
  onError: ((info: StoreErrorInfo) => void) | undefined;
  /** The wall clock (ms epoch) stored values' lifetimes are checked against. */
  now: () => number;
  /**
   * The clock of the store's health (failures in a row, pause, probe), in ms. Default: `performance.now`,
   * monotonic, so a wall clock stepping back does not keep the store paused; a test injects its own.
   */
  elapsed?: () => number;
}

const monotonic = (): number => performance.now();

/** One load through the store. */
export interface StoreLoad<V> {
  /** What the keys are derived from (the token); never stored. */
  secret: string;
  /** The isolate's cache key of the entry. */
  cacheKey: string;
  /** A memo of the derived keys, so an entry's keys are derived once per isolate (used only for this `cacheKey`). */
  keys?: KeyMemo;
  codec: StoreCodec<V>;
  /** A stored value is served until its expiration minus this (the refresh window). */
  windowMs: number;
  /** ms epoch after which nothing may be served (the token's `exp`). */
  notAfter?: number;
  /** The value the isolate holds (a refresh): only a stored value that expires later counts. */
  current?: V;
  /** The STS exchange, when the store has nothing usable. */
  exchange: () => Promise<V>;
  /** Keeps the background write alive past the response (`ctx.waitUntil`). */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** Where {@link loadThroughStore} keeps an entry's derived keys between loads. */
export interface KeyMemo {
  cacheKey?: string;
  promise?: Promise<StoreKeys>;
}

/** What a sealed value holds besides the value itself. */
interface Envelope {
  v: 1;
  /** ms epoch: not served at or after this. */
  until: number;
  /** ms epoch: the credentials' expiration. */
  exp: number;
  data: unknown;
}

/**
 * Answers from the store when it holds a usable value, otherwise from `exchange`, whose result is
 * then written to the store in the background. A failed exchange writes nothing.
 * @returns The value, and whether it came from the store.
 * @throws whatever `exchange` throws; never a store failure.
 */
export async function loadThroughStore<V>(access: StoreAccess, load: StoreLoad<V>): Promise<{ value: V; fromStore: boolean }> {
  // A store taken for down (see store-call.ts) is neither read nor written: not even keys are derived.
  // A paused store is not read (its time-out would be on the request's path) but is still written in
  // the background: a store that is only slow to answer keeps serving the other isolates.
  const skipRead = paused(access.health, (access.elapsed ?? monotonic)());
  const keys = await derive(access, load);
  if (keys !== undefined && !skipRead) {
    const stored = await read(access, keys, load);
    if (stored !== undefined) return { value: stored, fromStore: true };
  }
  const value = await load.exchange();
  if (keys !== undefined) {
    const writing = write(access, keys, load, value);
    try {
      load.waitUntil?.(writing);
    } catch {
      // no execution context here (Hono throws): the write still runs
    }
  }
  return { value, fromStore: false };
}

/** The deployment secret store entries are sealed with: a string of at least 32 characters, or at least 32 bytes. */
export type StoreSecret = string | ArrayBuffer | ArrayBufferView;

/**
 * Checks the `storeSecret`, `storeTimeoutMs` and `onStoreError` options that go with a `store`.
 * @returns The read bound, the hook and the secret's bytes, or `undefined` when there is no store.
 * @throws {StsConfigurationError} for a time-out that is not positive or above 2^31 − 1 ms, a hook
 *   that is not a function, a secret too short (never quoted), or any of them without a store.
 */
export function storeOptions(
  options: { store?: unknown; storeTimeoutMs?: number; onStoreError?: unknown; storeSecret?: unknown },
  owner: string,
): { timeoutMs: number; onError: ((info: StoreErrorInfo) => void) | undefined; secret: Uint8Array<ArrayBuffer> | undefined } | undefined {
  const { store, storeTimeoutMs, onStoreError, storeSecret } = options;
  if (store === undefined) {
    const given = Object.entries({ storeSecret, storeTimeoutMs, onStoreError }).find(([, value]) => value !== undefined);
    if (given !== undefined) throw new StsConfigurationError(`${owner}: ${given[0]} needs a store`);
    return undefined;
  }
  const secret = storeSecret === undefined ? undefined : storeSecretBytes(storeSecret);
  if (storeSecret !== undefined && secret === undefined) {
    // Never the value, nor its length: the message must not help guess a secret passed by mistake.
    throw new StsConfigurationError(
      `${owner}: storeSecret must be a string of at least ${MIN_STORE_SECRET_LENGTH} characters or at least ${MIN_STORE_SECRET_LENGTH} bytes`,
    );
  }
  return {
    timeoutMs: millisecondsOption(storeTimeoutMs, DEFAULT_STORE_TIMEOUT_MS, `${owner}: storeTimeoutMs`),
    onError: functionOption<(info: StoreErrorInfo) => void>(onStoreError, `${owner}: onStoreError`),
    secret,
  };
}

/**
 * Checks that a `store` option looks like a {@link CredentialStore}.
 * @throws {StsConfigurationError} when it lacks `get` or `set`.
 */
export function checkStore(store: unknown, owner: string): CredentialStore {
  const s = store as Partial<CredentialStore> | null;
  if (typeof s !== "object" || s === null || typeof s.get !== "function" || typeof s.set !== "function") {
    throw new StsConfigurationError(`${owner}: store must have get(key) and set(key, value, ttlSeconds)`);
  }
  return s as CredentialStore;
}

async function derive<V>(access: StoreAccess, load: StoreLoad<V>): Promise<StoreKeys | undefined> {
  const memo = load.keys ?? {};
  // A memo made for another entry (the same token with other parameters) must never be reused.
  if (memo.cacheKey !== load.cacheKey) {
    memo.cacheKey = load.cacheKey;
    memo.promise = undefined;
  }
  const promise = (memo.promise ??= deriveStoreKeys(load.secret, load.cacheKey, access.secret));
  try {
    return await promise;
  } catch (err) {
    if (memo.promise === promise) memo.promise = undefined;
    callHook(access.onError, { operation: "get", reason: "error", ...describe(err, []), durationMs: 0 });
    return undefined;
  }
}

async function read<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>): Promise<V | undefined> {
  // Right after a pause, one read probes the store; the misses meanwhile go to STS without waiting for it.
  const elapsed = access.elapsed ?? monotonic;
  const admitted = admitRead(access.health, elapsed());
  if (admitted === undefined) return undefined;
  const started = performance.now();
  const answer = await bounded(() => access.store.get(keys.storeKey), access.timeoutMs);
  // A store that is down costs each miss its whole time-out: after a few failures in a row, skip it a while.
  const pausing = recordRead(access.health, answer.kind === "ok", elapsed(), admitted);
  if (answer.kind !== "ok") {
    const extra = answer.kind === "error" ? describe(answer.error, [keys.storeKey]) : {};
    const pause = pausing ? { pausedForMs: PAUSE_MS } : {};
    callHook(access.onError, { operation: "get", reason: answer.kind, ...extra, ...pause, durationMs: performance.now() - started });
    return undefined;
  }
  if (answer.value === null || answer.value === undefined) return undefined;
  let envelope: unknown;
  let value: V | undefined;
  try {
    envelope = await open(keys, answer.value);
    value = isEnvelope(envelope) ? load.codec.decode(envelope.data) : undefined;
  } catch {
    value = undefined; // a value that breaks decoding is as invalid as one that does not decrypt
  }
  if (value === undefined || load.codec.expiration(value) !== (envelope as Envelope).exp) {
    callHook(access.onError, { operation: "get", reason: "invalid", durationMs: performance.now() - started });
    return undefined;
  }
  const { until, exp } = envelope as Envelope;
  const now = access.now();
  // Past its life (stores expire late: Deno KV, KV's ≥ 60 s), or not newer than what a refresh replaces.
  if (now >= until || (load.notAfter !== undefined && now >= load.notAfter)) return undefined;
  if (load.current !== undefined && exp <= load.codec.expiration(load.current)) return undefined;
  return value;
}

/** The background write: never rejects (it may run in `waitUntil`, or with nobody awaiting it). */
async function write<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>, value: V): Promise<void> {
  try {
    await writeOnce(access, keys, load, value);
  } catch (err) {
    callHook(access.onError, { operation: "set", reason: "error", ...describe(err, [keys.storeKey]), durationMs: 0 });
  }
}

async function writeOnce<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>, value: V): Promise<void> {
  const exp = load.codec.expiration(value);
  const until = Math.min(exp - load.windowMs, load.notAfter ?? Infinity);
  const ttlSeconds = Math.ceil((until - access.now()) / 1000);
  if (!(ttlSeconds >= 1)) return; // nothing another isolate could still use
  const started = performance.now();
  let sealed = "";
  try {
    sealed = await seal(keys, { v: 1, until, exp, data: load.codec.encode(value) } satisfies Envelope);
  } catch (err) {
    callHook(access.onError, { operation: "set", reason: "error", ...describe(err, []), durationMs: performance.now() - started });
    return;
  }
  const timeoutMs = Math.max(MIN_WRITE_TIMEOUT_MS, access.timeoutMs * WRITE_TIMEOUT_FACTOR);
  const answer = await bounded(() => access.store.set(keys.storeKey, sealed, ttlSeconds), timeoutMs);
  if (answer.kind !== "ok") {
    const extra = answer.kind === "error" ? describe(answer.error, [keys.storeKey, sealed]) : {};
    callHook(access.onError, { operation: "set", reason: answer.kind, ...extra, durationMs: performance.now() - started });
  }
}

function isEnvelope(value: unknown): value is Envelope {
  const e = value as Partial<Envelope> | undefined;
  return typeof e === "object" && e !== null && e.v === 1 && Number.isFinite(e.until) && Number.isFinite(e.exp);
}
