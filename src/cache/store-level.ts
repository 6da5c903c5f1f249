/**
 * The second cache level: a shared {@link CredentialStore} read on a per-isolate miss, before STS,
 * and written in the background after an exchange. Every store call is bounded in time and every
 * failure is reported and then treated as a miss: a slow or broken store costs at most its
 * time-out, never a failed request.
 *
 * @module
 */
import { StsConfigurationError } from "../errors.ts";
import { functionOption, millisecondsOption, timerOption } from "../options.ts";
import type { CredentialStore, StoreErrorInfo } from "./store.ts";
import { callHook } from "../hooks.ts";
import { PAUSE_MS, admitRead, bounded, describe, paused, recordRead } from "./store-call.ts";
import type { Answer } from "./store-call.ts";
import { DEFAULT_STORE_WAIT_MS, claimExchange, releaseClaim, waitForEntry } from "./store-claim.ts";
import { MIN_STORE_SECRET_LENGTH, deriveStoreKeys, open, storeSecretBytes } from "./store-crypto.ts";
import { isEnvelope, isRefusal, recordRefusal, REFUSAL_MS, write } from "./store-entry.ts";
import type { Envelope, Refusal } from "./store-entry.ts";
import type { StoreKeys } from "./store-crypto.ts";

/** The default bound of a store read, in ms: well under an STS round trip from the edge. */
export const DEFAULT_STORE_TIMEOUT_MS = 50;
/** A waiter claims again every this many polls (~100 ms): see {@link loadThroughStore}. */
const RECLAIM_EVERY = 5;

export type { Refusal } from "./store-entry.ts";

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
  /**
   * Bound of a wait for another isolate's exchange when the store can coordinate (`claim`), in ms;
   * also the claim's life. 0: no coordination.
   */
  waitMs: number;
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
  /** How a refused exchange is recorded for the isolates waiting on it; without it, they wait out the bound. */
  refusal?: StoreRefusal;
}


/** Which exchange failures are refusals that other isolates may answer, and how they answer one. */
export interface StoreRefusal {
  /** The refusal `err` is, or `undefined` for a failure that another attempt could overcome. */
  of(err: unknown): Refusal | undefined;
  /** What to throw for a refusal another isolate recorded. */
  error(refusal: Refusal): unknown;
}

/** How {@link loadThroughStore} answered. */
export interface StoreResult<V> {
  value: V;
  /** Whether the value came from the store rather than this isolate's exchange. */
  fromStore: boolean;
  /** Milliseconds this isolate waited for another isolate's exchange (a coordinated miss only). */
  waitedMs?: number;
}

/** What a store read found: a value, or a refusal another isolate recorded. */
type Found<V> = { value: V } | { refused: Refusal };

/** Where {@link loadThroughStore} keeps an entry's derived keys between loads. */
export interface KeyMemo {
  cacheKey?: string;
  promise?: Promise<StoreKeys>;
}


/**
 * Answers from the store when it holds a usable value, otherwise from `exchange`, whose result is
 * then written to the store in the background. A failed exchange writes nothing. On a store that can
 * coordinate (`claim`), a miss first claims the exchange: only the holder exchanges; the others wait
 * (at most `access.waitMs`) for its entry, or its recorded refusal, before exchanging themselves.
 * @returns The value, whether it came from the store, and how long this isolate waited for another.
 * @throws whatever `exchange` throws, or the error of a refusal another isolate recorded; never a store failure.
 */
export async function loadThroughStore<V>(access: StoreAccess, load: StoreLoad<V>): Promise<StoreResult<V>> {
  // A store taken for down (see store-call.ts) is neither read nor written: not even keys are derived.
  // A paused store is not read (its time-out would be on the request's path) but is still written in
  // the background: a store that is only slow to answer keeps serving the other isolates.
  const skipRead = paused(access.health, (access.elapsed ?? monotonic)());
  const keys = await derive(access, load);
  let role: "holder" | "waiter" | "none" = "none";
  let waitedMs: number | undefined;
  if (keys !== undefined && !skipRead) {
    const stored = await read(access, keys, load);
    if (stored !== undefined) return answer(stored, load, undefined);
    role = await claimExchange(access, keys.claimKey);
    if (role === "waiter") {
      const started = performance.now();
      const found = await waitForEntry(
        async (timeoutMs, round) => {
          const polled = await poll(access, keys, load, timeoutMs);
          if (polled !== undefined || round % RECLAIM_EVERY !== RECLAIM_EVERY - 1) return polled;
          // Now and then, claim again: a holder that gave up (its exchange or its write failed)
          // released the claim, and the first waiter to notice exchanges now instead of at the bound.
          const again = await claimExchange(access, keys.claimKey);
          if (again === "waiter") return undefined;
          if (again === "holder") role = "holder";
          return null;
        },
        started + access.waitMs,
        access.timeoutMs,
      );
      waitedMs = performance.now() - started;
      if (found !== undefined) return answer(found, load, waitedMs);
    }
  }
  let value: V;
  try {
    value = await load.exchange();
  } catch (err) {
    // Only a miss records a refusal: on a refresh the store still holds this entry, and a refusal
    // written over it (STS also says InvalidIdentityToken for passing IdP trouble) would answer 401
    // to every other isolate while this one serves its copy.
    const refused = role === "holder" && load.current === undefined ? load.refusal?.of(err) : undefined;
    // A refusal is recorded for the waiters (the claim stays until it expires: they answer the record);
    // any other failure releases the claim, so the next miss exchanges without waiting.
    if (refused !== undefined) background(load, recordRefusal(access, keys!, load, refused));
    else if (role === "holder") background(load, releaseClaim(access, keys!.claimKey));
    throw err;
  }
  if (keys !== undefined) {
    const writing = write(access, keys, load, value);
    // Released once the entry is there: a later miss (a refresh) claims anew instead of waiting out this claim.
    background(load, role === "holder" ? writing.then(() => releaseClaim(access, keys.claimKey)) : writing);
  }
  const result: StoreResult<V> = { value, fromStore: false };
  if (waitedMs !== undefined) result.waitedMs = waitedMs;
  return result;
}

function answer<V>(found: Found<V>, load: StoreLoad<V>, waitedMs: number | undefined): StoreResult<V> {
  if ("refused" in found) throw load.refusal!.error(found.refused);
  const result: StoreResult<V> = { value: found.value, fromStore: true };
  if (waitedMs !== undefined) result.waitedMs = waitedMs;
  return result;
}

function background<V>(load: StoreLoad<V>, writing: Promise<void>): void {
  try {
    load.waitUntil?.(writing);
  } catch {
    // no execution context here (Hono throws): the write still runs
  }
}

/** The deployment secret store entries are sealed with: a string of at least 32 characters, or at least 32 bytes. */
export type StoreSecret = string | ArrayBuffer | ArrayBufferView;

/**
 * Checks the `storeSecret`, `storeTimeoutMs`, `storeWaitMs` and `onStoreError` options that go with a `store`.
 * @returns The read bound, the wait bound (at most `exchangeTimeoutMs`), the hook and the secret's
 *   bytes, or `undefined` when there is no store.
 * @throws {StsConfigurationError} for a time-out that is not positive or above 2^31 − 1 ms, a wait
 *   that is not a whole number of ms ≥ 0, a hook
 *   that is not a function, a secret too short (never quoted), or any of them without a store.
 */
export function storeOptions(
  options: { store?: unknown; storeTimeoutMs?: number; storeWaitMs?: number; onStoreError?: unknown; storeSecret?: unknown; exchangeTimeoutMs?: number },
  owner: string,
): { timeoutMs: number; waitMs: number; onError: ((info: StoreErrorInfo) => void) | undefined; secret: Uint8Array<ArrayBuffer> | undefined } | undefined {
  const { store, storeTimeoutMs, storeWaitMs, onStoreError, storeSecret, exchangeTimeoutMs } = options;
  if (store === undefined) {
    const given = Object.entries({ storeSecret, storeTimeoutMs, storeWaitMs, onStoreError }).find(([, value]) => value !== undefined);
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
  // A waiter never waits longer than the holder's exchange may take (checked by its owner before this).
  const waitMs = timerOption(storeWaitMs, DEFAULT_STORE_WAIT_MS, 0, `${owner}: storeWaitMs`);
  return {
    timeoutMs: millisecondsOption(storeTimeoutMs, DEFAULT_STORE_TIMEOUT_MS, `${owner}: storeTimeoutMs`),
    waitMs: typeof exchangeTimeoutMs === "number" ? Math.min(waitMs, exchangeTimeoutMs) : waitMs,
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

async function read<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>): Promise<Found<V> | undefined> {
  // Right after a pause, one read probes the store; the misses meanwhile go to STS without waiting for it.
  const elapsed = access.elapsed ?? monotonic;
  const admitted = admitRead(access.health, elapsed());
  if (admitted === undefined) return undefined;
  const started = performance.now();
  const answer = await bounded(() => access.store.get(keys.storeKey), access.timeoutMs);
  // A store that is down costs each miss its whole time-out: after a few failures in a row, skip it a while.
  const pausing = recordRead(access.health, answer.kind === "ok", elapsed(), admitted);
  const found = await opened(access, keys, load, answer, started, pausing);
  return found === "invalid" ? undefined : found;
}

/**
 * One read of a waiting isolate: `null` when the store failed or answered a value that does not open
 * (the wait ends: exchange now; the holder's entry would open).
 */
async function poll<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>, timeoutMs: number): Promise<Found<V> | undefined | null> {
  const started = performance.now();
  const answer = await bounded(() => access.store.get(keys.storeKey), timeoutMs);
  const found = await opened(access, keys, load, answer, started, false);
  return answer.kind !== "ok" || found === "invalid" ? null : found;
}

/** What a read's answer holds for this load: failures and invalid values are reported and read as nothing. */
async function opened<V>(
  access: StoreAccess,
  keys: StoreKeys,
  load: StoreLoad<V>,
  answer: Answer,
  started: number,
  pausing: boolean,
): Promise<Found<V> | "invalid" | undefined> {
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
    if (isRefusal(envelope)) {
      const now = access.now();
      // Only a load that knows refusals answers one; another reads it as nothing.
      // A holder writes a record for REFUSAL_MS: one reaching further (a store writer holding the token
      // stretching it; twice the span leaves room for clocks of different isolates) is not answered.
      const believable = envelope.until <= now + 2 * REFUSAL_MS;
      return load.refusal !== undefined && believable && now < envelope.until && (load.notAfter === undefined || now < load.notAfter) ? { refused: envelope.refused } : undefined;
    }
    value = isEnvelope(envelope) ? load.codec.decode(envelope.data) : undefined;
  } catch {
    value = undefined; // a value that breaks decoding is as invalid as one that does not decrypt
  }
  if (value === undefined || load.codec.expiration(value) !== (envelope as Envelope).exp) {
    callHook(access.onError, { operation: "get", reason: "invalid", durationMs: performance.now() - started });
    return "invalid";
  }
  const { until, exp } = envelope as Envelope;
  const now = access.now();
  // Past its life (stores expire late: Deno KV, KV's ≥ 60 s), or not newer than what a refresh replaces.
  if (now >= until || (load.notAfter !== undefined && now >= load.notAfter)) return undefined;
  if (load.current !== undefined && exp <= load.codec.expiration(load.current)) return undefined;
  return { value };
}

