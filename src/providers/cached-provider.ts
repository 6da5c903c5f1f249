/**
 * What both providers share: one cache entry with refresh-ahead and single flight, option checks,
 * and the step from an STS output to credentials.
 */
import { CredentialCache } from "../cache/credential-cache.ts";
import type { CredentialStore, StoreErrorInfo } from "../cache/store.ts";
import { checkStore, loadThroughStore, storeOptions } from "../cache/store-level.ts";
import type { KeyMemo, StoreAccess, StoreCodec, StoreSecret } from "../cache/store-level.ts";
import { base64Decode } from "../encoding/base64.ts";
import type { StsError } from "../errors.ts";
import type { TemporaryCredentials } from "../types.ts";
import { invalidResponse } from "../wire/response.ts";

/** Caching options common to both providers. */
export interface ProviderCacheOptions {
  /** Refresh this long before the credentials expire (a failed refresh keeps the old ones until 60 s before expiry). @default 300 */
  refreshWindowSeconds?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
  /**
   * A store shared with other isolates or replicas (`edge-sts/stores`), read before STS and written
   * after it, sealed with keys derived from the secret of the exchange (the token, or the source
   * credentials) and `storeSecret`. @default none
   */
  store?: CredentialStore;
  /**
   * The deployment's secret, at least 32 characters or 32 bytes, mixed into the store keys: without
   * it, a writer of the store who holds a token (even a forged one) can seal an entry this provider
   * serves. Never logged or stored. @default none
   */
  storeSecret?: StoreSecret;
  /** Milliseconds a store read may take before STS is asked instead. @default 50 */
  storeTimeoutMs?: number;
  /**
   * On a store that can coordinate (`claim`: Redis, Deno KV, the Durable Object), the most a miss waits
   * for the isolate that claimed the same exchange before exchanging itself, in ms (at most
   * `exchangeTimeoutMs`); also the claim's life. 0 turns coordination off. @default 2000
   */
  storeWaitMs?: number;
  /** Told when the store fails (never the key or the value). A hook that throws is ignored. */
  onStoreError?: (info: StoreErrorInfo) => void;
}

/** One exchange a provider is about to make: what its store keys derive from, and the call itself. */
export interface PreparedLoad {
  /** The secret the keys derive from (never stored). */
  secret: string;
  /** Everything else that distinguishes the credentials (role, session name, policies, endpoint, …). */
  cacheKey: string;
  /** ms epoch after which stored credentials must not be served (the token's `exp`). */
  notAfter?: number;
  /** The STS call. */
  exchange: () => Promise<TemporaryCredentials>;
}

const codec: StoreCodec<TemporaryCredentials> = {
  encode: (c) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration.getTime() }),
  decode(data) {
    const d = data as Record<string, unknown> | null;
    if (typeof d !== "object" || d === null || !Number.isFinite(d.expiration)) return undefined;
    const { accessKeyId, secretAccessKey, sessionToken } = d;
    if (typeof accessKeyId !== "string" || typeof secretAccessKey !== "string" || typeof sessionToken !== "string") return undefined;
    return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(d.expiration as number) };
  },
  expiration: (c) => c.expiration.getTime(),
};

/**
 * Wraps a load in a single-entry {@link CredentialCache}: cached, refreshed ahead of expiry in the
 * background, one call in flight shared by concurrent callers; with a `store`, the store is asked
 * first and written after each exchange.
 */
export function cachedProvider(
  prepare: () => Promise<PreparedLoad>,
  options: ProviderCacheOptions,
  owner: string,
): () => Promise<TemporaryCredentials> {
  const cache = new CredentialCache<TemporaryCredentials>({
    maxEntries: 1,
    refreshWindowSeconds: options.refreshWindowSeconds,
    now: options.now,
  });
  const access = storeAccess(options, owner);
  const windowMs = cache.refreshWindowSeconds * 1000;
  let memo: { secret: string; keys: KeyMemo } | undefined;
  const load = async (): Promise<TemporaryCredentials> => {
    const prepared = await prepare();
    // No secret (a client without credentials): nothing to derive keys from, so no store.
    if (access === undefined || prepared.secret === "") return prepared.exchange();
    const { secret, cacheKey } = prepared;
    if (memo === undefined || memo.secret !== secret) memo = { secret, keys: {} };
    const { value } = await loadThroughStore(access, {
      secret,
      cacheKey,
      keys: memo.keys,
      codec,
      windowMs,
      notAfter: prepared.notAfter,
      current: cache.peek(""),
      exchange: prepared.exchange,
    });
    return value;
  };
  return async function credentials(): Promise<TemporaryCredentials> {
    return (await cache.get("", load)).value;
  };
}

function storeAccess(options: ProviderCacheOptions, owner: string): StoreAccess | undefined {
  const checked = storeOptions(options, owner);
  if (checked === undefined) return undefined;
  const store = checkStore(options.store, owner);
  return { store, health: store, ...checked, now: options.now ?? Date.now, elapsed: options.now };
}

/** The token's `exp` in ms when it is a JWT with a numeric one; otherwise `undefined` (an opaque OAuth token). */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const exp = JSON.parse(new TextDecoder().decode(base64Decode(payload))).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON text of `value` with object keys sorted, so equal options give equal keys on every replica. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  ) ?? "";
}

/** The credentials of an output, or an {@link StsError} when STS sent none. */
export function credentialsOf(
  out: { credentials?: TemporaryCredentials; requestId?: string },
  operation: string,
): TemporaryCredentials {
  if (out.credentials) return out.credentials;
  throw invalidResponse(`${operation}: the response carried no credentials`, { status: 200, requestId: out.requestId, operation });
}

/** The default session name: `edge-sts-<ms timestamp>`, inside STS's `[\w+=,.@-]{2,64}`. */
export function defaultSessionName(now: () => number): string {
  return `edge-sts-${Math.floor(now())}`;
}
