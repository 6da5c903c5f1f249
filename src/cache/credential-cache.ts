/**
 * The in-memory credential cache shared by the providers and the Hono middleware: single flight,
 * refresh ahead of expiry, stale-on-error, negative caching, LRU bound. One instance lives per
 * isolate; nothing in it ever leaves the isolate, so keys may contain tokens verbatim.
 *
 * @module
 */
import { integerOption, secondsOption } from "../options.ts";
import { BoundedMap } from "./bounded-map.ts";

/** How a {@link CredentialCache.get} was answered. */
export type CacheOutcome = "hit" | "miss" | "refresh" | "stale" | "negative";

/** Options of {@link CredentialCache}. */
export interface CredentialCacheOptions {
  /** Entries held (values and remembered rejections); least recently used out first. @default 1000 */
  maxEntries?: number;
  /** A value is fresh until `expiration − window` (minus up to 10 % of the window as jitter). @default 300 */
  refreshWindowSeconds?: number;
  /**
   * A value whose refresh failed is served until `expiration − this`, never after. A value that
   * arrives closer than this to its expiration is kept for min(10 s, half its remaining life). @default 60
   */
  minRemainingSeconds?: number;
  /** How long a remembered rejection is replayed. @default 30 */
  negativeTtlSeconds?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
  /** Source of the refresh jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** Per-call options of {@link CredentialCache.get}. */
export interface CacheLoadOptions {
  /**
   * ms epoch at or after which a value must never be served (e.g. the token's `exp`): a value's life is
   * min(expiration, notAfter). A remembered rejection lasts its `negativeTtlSeconds` regardless.
   */
  notAfter?: number;
  /** Runs a background refresh past the end of the request (`c.executionCtx.waitUntil`). Its promise never rejects. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Whether a load error is a rejection to remember (negative caching). Default: never. */
  isRejection?: (error: unknown) => boolean;
  /** Told the outcome synchronously, before the returned promise settles; the only way to see `"negative"` or a failed `"miss"`. */
  onOutcome?: (outcome: CacheOutcome) => void;
}

/** What {@link CredentialCache.get} resolves to. Shared between callers: do not mutate. */
export interface CacheResult<V> {
  /** The cached or freshly loaded value. */
  value: V;
  /** How the call was answered. */
  outcome: CacheOutcome;
}

interface Entry<V> {
  value: V | undefined;
  /** The remembered rejection of a negative entry. */
  error: unknown;
  negative: boolean;
  /** Before this: `"hit"`. Negative entries: -Infinity. */
  freshUntil: number;
  /** Before this: served while refreshing (values) or replayed (rejections). */
  serveUntil: number;
  /** The pre-resolved answer to a hit, so the hit path allocates nothing. */
  hit: Promise<CacheResult<V>> | undefined;
  refreshFailures: number;
  /** No background refresh starts before this (back-off after a failed refresh). */
  retryAt: number;
}

/** Total key length of remembered rejections (~4 MB of UTF-16): beyond it, the oldest go. */
const MAX_REJECTION_KEY_CHARS = 2 * 1024 * 1024;
const JITTER_FRACTION = 0.1;
/** How long a value that arrives inside `minRemainingSeconds` is kept at most (half its remaining life at most). */
const SHORT_KEEP_MS = 10_000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
const noop = (): void => {};

/**
 * A bounded, per-isolate cache of expiring values (credentials), keyed by caller-built strings.
 *
 * @example
 * ```ts
 * const cache = new CredentialCache<TemporaryCredentials>();
 * const { value, outcome } = await cache.get(cacheKey([roleArn, token]), async () => {
 *   const out = await sts.assumeRoleWithWebIdentity({ roleArn, roleSessionName, webIdentityToken: token });
 *   return out.credentials!;
 * });
 * ```
 */
export class CredentialCache<V extends { expiration: Date }> {
  /** Values, least recently used first. */
  readonly #entries: BoundedMap<Entry<V>>;
  /**
   * Remembered rejections, bounded apart from the values so forged tokens cannot evict real users,
   * and by the total length of their keys too: a key may hold a 20 000-character token.
   */
  readonly #rejections: BoundedMap<Entry<V>>;
  readonly #flights = new Map<string, Promise<V>>();
  readonly #windowMs: number;
  readonly #minRemainingMs: number;
  readonly #negativeTtlMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  /** The most recently used key: touching it again is a no-op. */
  #lastKey: string | undefined;

  /**
   * @param options Bounds and timings; every one has a default.
   * @param {number} [options.maxEntries=1000] Values held, least recently used out first (remembered
   *   rejections are bounded separately by the same number, so they never push values out).
   * @param {number} [options.refreshWindowSeconds=300] Refresh this long before expiration.
   * @param {number} [options.minRemainingSeconds=60] Never serve a value closer than this to its expiration
   *   (one that arrives closer is kept for min(10 s, half its remaining life)).
   * @param {number} [options.negativeTtlSeconds=30] How long a rejection is replayed.
   * @throws {StsConfigurationError} when an option is not a non-negative number (`maxEntries`: an integer ≥ 1).
   */
  constructor(options: CredentialCacheOptions = {}) {
    const maxEntries = integerOption(options.maxEntries ?? undefined, 1000, 1, "maxEntries");
    this.#entries = new BoundedMap(maxEntries);
    this.#rejections = new BoundedMap(maxEntries, MAX_REJECTION_KEY_CHARS);
    this.#windowMs = secondsOption(options.refreshWindowSeconds, 300, "refreshWindowSeconds") * 1000;
    this.#minRemainingMs = secondsOption(options.minRemainingSeconds, 60, "minRemainingSeconds") * 1000;
    this.#negativeTtlMs = secondsOption(options.negativeTtlSeconds, 30, "negativeTtlSeconds") * 1000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Seconds before expiration a value stops being fresh (a shared store serves values until then too). */
  get refreshWindowSeconds(): number {
    return this.#windowMs / 1000;
  }

  /** Entries held: values and remembered rejections (in-flight loads are not counted). */
  get size(): number {
    return this.#entries.size + this.#rejections.size;
  }

  /**
   * Returns the cached value or loads one. Concurrent callers with the same key share one load.
   *
   * @param key A string built with {@link cacheKey} from everything that changes the value.
   * @param load Produces the value; called at most once at a time per key.
   * @param options `notAfter`, `waitUntil`, `isRejection`, `onOutcome`.
   * @returns The value and how it was obtained.
   * @throws whatever `load` threw (the same error to every waiter), or a remembered rejection.
   */
  get(key: string, load: () => Promise<V>, options?: CacheLoadOptions): Promise<CacheResult<V>> {
    const entry = this.#entries.get(key) ?? this.#rejections.get(key);
    if (entry !== undefined) {
      const now = this.#now();
      const notAfter = options?.notAfter;
      if (entry.negative || notAfter === undefined || now < notAfter) {
        if (now < entry.freshUntil) {
          if (key !== this.#lastKey) this.#insert(key, entry);
          options?.onOutcome?.("hit");
          return entry.hit!;
        }
        if (now < entry.serveUntil) return this.#serveAging(key, entry, now, load, options);
      }
      // Past its life for this caller: absent. Keep the entry only if another caller may still use it.
      if (now >= entry.serveUntil) this.#remove(entry, key);
    }
    options?.onOutcome?.("miss");
    const flight = this.#flights.get(key) ?? this.#start(key, load, options);
    return flight.then((value) => ({ value, outcome: "miss" }));
  }

  /**
   * The synchronous fast path of {@link get}: the value when `get` would answer `"hit"` (fresh, and
   * before `notAfter`), marking it recently used; otherwise `undefined` and nothing changes.
   * @param key The entry's key.
   * @param notAfter ms epoch at or after which the entry must not be served.
   * @returns The fresh value, or `undefined` (then call `get`).
   */
  fresh(key: string, notAfter?: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (now >= entry.freshUntil || (notAfter !== undefined && now >= notAfter)) return undefined;
    if (key !== this.#lastKey) this.#insert(key, entry);
    return entry.value;
  }

  /**
   * The value a `get` could serve right now, without loading, refreshing or touching recency.
   * @param key The entry's key.
   * @returns The value, or `undefined` (absent, a rejection, or past the point it may be served).
   */
  peek(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.negative) return undefined;
    return this.#now() < entry.serveUntil ? entry.value : undefined;
  }

  /**
   * Forgets a key: its value or rejection, and any load in flight (whose result will not be stored).
   * @param key The entry's key.
   * @returns Whether an entry was removed.
   */
  delete(key: string): boolean {
    this.#flights.delete(key);
    if (key === this.#lastKey) this.#lastKey = undefined;
    const hadRejection = this.#rejections.delete(key);
    return this.#entries.delete(key) || hadRejection;
  }

  /** Forgets everything, in-flight loads included (their results will not be stored). */
  clear(): void {
    this.#entries.clear();
    this.#rejections.clear();
    this.#flights.clear();
    this.#lastKey = undefined;
  }

  /** Inside the refresh window, a stale value, or a remembered rejection. */
  #serveAging(
    key: string,
    entry: Entry<V>,
    now: number,
    load: () => Promise<V>,
    options: CacheLoadOptions | undefined,
  ): Promise<CacheResult<V>> {
    if (key !== this.#lastKey) this.#insert(key, entry);
    if (entry.negative) {
      options?.onOutcome?.("negative");
      return Promise.reject(entry.error);
    }
    if (now >= entry.retryAt && !this.#flights.has(key)) {
      const settled = this.#start(key, load, options).then(noop, noop);
      try {
        options?.waitUntil?.(settled);
      } catch {
        // e.g. Hono's c.executionCtx throws where the runtime has none: the refresh still runs.
      }
    }
    const outcome: CacheOutcome = entry.refreshFailures > 0 ? "stale" : "refresh";
    options?.onOutcome?.(outcome);
    return Promise.resolve({ value: entry.value!, outcome });
  }

  /**
   * Starts the one load of `key`; settles it into the cache unless the key was deleted meanwhile.
   * Callers attach a rejection handler at once (waiters, or the refresh's `.then(noop, noop)`).
   */
  #start(key: string, load: () => Promise<V>, options: CacheLoadOptions | undefined): Promise<V> {
    let loading: Promise<V>;
    try {
      loading = Promise.resolve(load());
    } catch (err) {
      loading = Promise.reject(err);
    }
    const flight: Promise<V> = loading.then(
      (value) => {
        if (this.#flights.get(key) === flight) {
          this.#flights.delete(key);
          this.#storeValue(key, value, options?.notAfter);
        }
        return value;
      },
      (err: unknown) => {
        if (this.#flights.get(key) === flight) {
          this.#flights.delete(key);
          this.#storeFailure(key, err, options);
        }
        throw err;
      },
    );
    this.#flights.set(key, flight);
    return flight;
  }

  #storeValue(key: string, value: V, notAfter: number | undefined): void {
    const now = this.#now();
    const expiration = value?.expiration instanceof Date ? value.expiration.getTime() : NaN;
    const limit = notAfter === undefined ? Infinity : notAfter;
    let serveUntil = Math.min(expiration - this.#minRemainingMs, limit);
    // Born closer than minRemaining to its expiration (a local clock running fast): kept a short
    // while all the same, or every request would call STS for a value it then hands out anyway.
    if (!(now < serveUntil) && now < expiration) serveUntil = Math.min(now + Math.min(SHORT_KEEP_MS, (expiration - now) / 2), limit);
    this.#entries.delete(key);
    this.#rejections.delete(key);
    if (!(now < serveUntil)) return; // already expired (or no valid expiration): hand it out, keep nothing
    let freshUntil = expiration - this.#windowMs - this.#random() * JITTER_FRACTION * this.#windowMs;
    // A value born inside its refresh window would refresh on every request: give it half its life.
    if (freshUntil <= now) freshUntil = now + (serveUntil - now) / 2;
    const entry: Entry<V> = {
      value,
      error: undefined,
      negative: false,
      freshUntil: Math.min(freshUntil, limit),
      serveUntil,
      hit: Promise.resolve(Object.freeze({ value, outcome: "hit" as const })),
      refreshFailures: 0,
      retryAt: -Infinity,
    };
    this.#insert(key, entry);
  }

  #storeFailure(key: string, err: unknown, options: CacheLoadOptions | undefined): void {
    const now = this.#now();
    const current = this.#entries.get(key);
    if (current !== undefined && !current.negative && now < current.serveUntil) {
      // Keep serving the old value; back off before the next attempt.
      current.refreshFailures++;
      current.retryAt = now + Math.min(BACKOFF_BASE_MS * 2 ** (current.refreshFailures - 1), BACKOFF_MAX_MS);
      return;
    }
    if (current !== undefined) this.#entries.delete(key);
    this.#rejections.delete(key);
    if (this.#negativeTtlMs === 0 || !options?.isRejection?.(err)) return;
    // Not clamped to notAfter: replaying a rejection serves nothing, and a caller that still accepts
    // an expired token for a while (clock tolerance) must not reach STS on every retry.
    const serveUntil = now + this.#negativeTtlMs;
    this.#insert(key, {
      value: undefined,
      error: err,
      negative: true,
      freshUntil: -Infinity,
      serveUntil,
      hit: undefined,
      refreshFailures: 0,
      retryAt: Infinity,
    });
  }

  /** Sets `key` as the most recently used entry of its map, the least recently used going past the bounds. */
  #insert(key: string, entry: Entry<V>): void {
    this.#mapOf(entry).set(key, entry);
    this.#lastKey = key;
  }

  #remove(entry: Entry<V>, key: string): void {
    this.#mapOf(entry).delete(key);
  }

  #mapOf(entry: Entry<V>): BoundedMap<Entry<V>> {
    return entry.negative ? this.#rejections : this.#entries;
  }
}
