/**
 * An issuer's published keys, kept per isolate: fetched once (single flight, discovery first when no
 * `jwksUri` is given), kept for the answer's `Cache-Control` max-age within bounds, served stale when
 * a refresh fails, refetched for an unknown `kid` at most once per cool-down. When no key set can be
 * had, {@link KeySetUnavailableError}: verification fails closed.
 *
 * @module
 */
import { BoundedMap } from "../cache/bounded-map.ts";
import { KeySetUnavailableError } from "../errors.ts";
import type { FetchFunction } from "../types.ts";
import { VERIFY_ALGORITHMS, keyFits } from "./algorithms.ts";
import type { PublicJwk, VerifyAlgorithm } from "./algorithms.ts";
import { fetchJson } from "./fetch-json.ts";

/** Bounds of how long a key set is kept, in seconds, and the default when the answer names none. */
export const KEY_SET_MIN_TTL_SECONDS = 300;
export const KEY_SET_MAX_TTL_SECONDS = 86_400;
export const KEY_SET_DEFAULT_TTL_SECONDS = 600;
/** An unknown `kid` refetches the key set at most once per this many seconds (per issuer). */
export const KEY_SET_COOLDOWN_SECONDS = 30;
/**
 * Stale keys (the refresh keeps failing) are served at most this long past their expiry, then
 * verification fails closed: a key the issuer withdrew is not trusted for as long as its JWKS is down.
 */
export const KEY_SET_MAX_STALE_SECONDS = 86_400;
/** After a failed fetch with nothing to serve, requests are answered 503 at once for this long. */
export const KEY_SET_FAILURE_BACKOFF_SECONDS = 5;
/** Size limits of the answers, in bytes, and of the key count. */
export const MAX_DISCOVERY_BYTES = 64 * 1024;
export const MAX_JWKS_BYTES = 256 * 1024;
export const MAX_KEYS = 100;

/** Where an issuer's keys come from. */
export interface KeySetSource {
  /** The issuer URL, exactly as in `iss`. */
  issuer: string;
  /** The JWKS URL; `undefined` → OIDC discovery. */
  jwksUri: string | undefined;
  /** `undefined` → `globalThis.fetch`, looked up per call. */
  fetch: FetchFunction | undefined;
  /** A monotonic clock in ms (durations only). */
  clock: () => number;
}

/** One issuer's keys. */
export class RemoteKeySet {
  #keys: readonly PublicJwk[] | undefined;
  #jwksUri: string | undefined;
  #expiresAt = -Infinity;
  #lastFetchAt = -Infinity;
  #failedUntil = -Infinity;
  #pending: Promise<void> | undefined;

  constructor(readonly source: KeySetSource) {
    this.#jwksUri = source.jwksUri;
  }

  /**
   * The published keys that may have signed a token with this `kid` and `alg`: none when the issuer
   * does not publish it (after at most one refetch per cool-down).
   * @param timeoutMs The bound of a fetch this call starts or joins.
   * @throws {KeySetUnavailableError} when there is no key set at all (never fetched successfully).
   */
  async keysFor(kid: string | undefined, alg: VerifyAlgorithm, timeoutMs: number): Promise<PublicJwk[]> {
    const now = this.source.clock();
    if (this.#keys === undefined || now >= this.#expiresAt) await this.#refresh(now, timeoutMs);
    let found = this.#match(kid, alg);
    if (found.length === 0 && this.source.clock() - this.#lastFetchAt >= KEY_SET_COOLDOWN_SECONDS * 1000) {
      // A key rotated in since the last fetch: one refetch, then the answer stands until the cool-down ends.
      await this.#refresh(this.source.clock(), timeoutMs, true);
      found = this.#match(kid, alg);
    }
    return found;
  }

  #match(kid: string | undefined, alg: VerifyAlgorithm): PublicJwk[] {
    return (this.#keys ?? []).filter((key) => (kid === undefined || key.kid === kid) && keyFits(key, alg));
  }

  /** Fetches (or joins the fetch in flight). Serves stale keys when it fails; throws only with none. */
  async #refresh(now: number, timeoutMs: number, forced = false): Promise<void> {
    if (now < this.#failedUntil && !forced) return this.#orFail(now);
    try {
      await (this.#pending ??= this.#fetch(timeoutMs).finally(() => (this.#pending = undefined)));
    } catch {
      this.#orFail(this.source.clock());
    }
  }

  #orFail(now: number): void {
    // Stale keys go on serving, for a bounded time.
    if (this.#keys !== undefined && now < this.#expiresAt + KEY_SET_MAX_STALE_SECONDS * 1000) return;
    const wait = Math.max(1, Math.ceil((this.#failedUntil - now) / 1000));
    throw new KeySetUnavailableError(`the key set of ${this.source.issuer} could not be fetched`, wait);
  }

  async #fetch(timeoutMs: number): Promise<void> {
    const { clock } = this.source;
    this.#lastFetchAt = clock();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("timed out")), timeoutMs);
    const fetch = this.source.fetch ?? globalThis.fetch;
    try {
      if (this.#jwksUri === undefined) this.#jwksUri = await discover(fetch, this.source.issuer, controller.signal);
      const { json, maxAgeSeconds } = await fetchJson(fetch, this.#jwksUri, MAX_JWKS_BYTES, controller.signal);
      this.#keys = keysOf(json);
      const ttl = Math.min(KEY_SET_MAX_TTL_SECONDS, Math.max(KEY_SET_MIN_TTL_SECONDS, maxAgeSeconds ?? KEY_SET_DEFAULT_TTL_SECONDS));
      this.#expiresAt = clock() + ttl * 1000;
      this.#failedUntil = -Infinity;
    } catch (err) {
      // With stale keys, the next refresh waits for the cool-down; with none, for the back-off.
      const retry = this.#keys === undefined ? KEY_SET_FAILURE_BACKOFF_SECONDS : KEY_SET_COOLDOWN_SECONDS;
      this.#failedUntil = clock() + retry * 1000;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function discover(fetch: FetchFunction, issuer: string, signal: AbortSignal): Promise<string> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const { json } = await fetchJson(fetch, url, MAX_DISCOVERY_BYTES, signal);
  const config = json as { issuer?: unknown; jwks_uri?: unknown } | null;
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
  if (typeof config !== "object" || config === null || config.issuer !== issuer) throw new Error("discovery names another issuer");
  if (typeof config.jwks_uri !== "string" || !isKeyUrl(config.jwks_uri)) throw new Error("discovery has no https jwks_uri");
  return config.jwks_uri;
}

function keysOf(json: unknown): readonly PublicJwk[] {
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length > MAX_KEYS) throw new Error("not a JWKS");
  const usable = keys.filter((key): key is PublicJwk =>
    typeof key === "object" && key !== null && VERIFY_ALGORITHMS.some((alg) => keyFits(key as PublicJwk, alg)));
  if (usable.length === 0) throw new Error("the JWKS has no usable signing key");
  return Object.freeze(usable.map((key) => Object.freeze({ ...key })));
}

/** Whether a URL may serve keys: https, or http on the loopback interface (tests, local development). */
export function isKeyUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname));
}

/** The isolate's key sets: one per issuer, URL, fetch and clock. Bounded: an evicted one is fetched again. Made on first use. */
let keySets: BoundedMap<RemoteKeySet> | undefined;
let ids: WeakMap<object, number> | undefined;
let nextId = 0;
const idOf = (value: object | undefined): number => {
  if (value === undefined) return 0;
  ids ??= new WeakMap();
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ++nextId));
  return id;
};

/** The isolate's key set for `source`: one per issuer per isolate, shared by every verifier of it. */
export function keySetFor(source: KeySetSource): RemoteKeySet {
  const key = `${idOf(source.fetch)} ${idOf(source.clock)} ${source.issuer} ${source.jwksUri ?? ""}`;
  keySets ??= new BoundedMap<RemoteKeySet>(64);
  let keySet = keySets.get(key);
  if (keySet === undefined) keySets.set(key, (keySet = new RemoteKeySet(source)));
  return keySet;
}
