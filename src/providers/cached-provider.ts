/**
 * What both providers share: one cache entry with refresh-ahead and single flight, option checks,
 * and the step from an STS output to credentials.
 */
import { CredentialCache } from "../cache/credential-cache.ts";
import { StsConfigurationError, StsError } from "../errors.ts";
import type { TemporaryCredentials } from "../types.ts";

/** Caching options common to both providers. */
export interface ProviderCacheOptions {
  /** Refresh this long before the credentials expire (a failed refresh keeps the old ones until 60 s before expiry). @default 300 */
  refreshWindowSeconds?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * Wraps `load` in a single-entry {@link CredentialCache}: cached, refreshed ahead of expiry in the
 * background, one call in flight shared by concurrent callers.
 */
export function cachedProvider(
  load: () => Promise<TemporaryCredentials>,
  options: ProviderCacheOptions,
): () => Promise<TemporaryCredentials> {
  const cache = new CredentialCache<TemporaryCredentials>({
    maxEntries: 1,
    refreshWindowSeconds: options.refreshWindowSeconds,
    now: options.now,
  });
  return async function credentials(): Promise<TemporaryCredentials> {
    return (await cache.get("", load)).value;
  };
}

/** Throws unless `value` is a non-empty string. */
export function requireString(value: unknown, name: string, provider: string): void {
  if (typeof value !== "string" || value === "") {
    throw new StsConfigurationError(`${provider}: ${name} must be a non-empty string`);
  }
}

/** Throws unless `value` is absent, a string, or a function. */
export function optionalSource(value: unknown, name: string, provider: string): void {
  if (value !== undefined && typeof value !== "string" && typeof value !== "function") {
    throw new StsConfigurationError(`${provider}: ${name} must be a string or a function returning one`);
  }
}

/** The credentials of an output, or an {@link StsError} when STS sent none. */
export function credentialsOf(
  out: { credentials?: TemporaryCredentials; requestId?: string },
  operation: string,
): TemporaryCredentials {
  if (out.credentials) return out.credentials;
  throw new StsError(`${operation}: the response carried no credentials`, {
    code: "InvalidResponse",
    status: 200,
    requestId: out.requestId,
    operation,
    retryable: false,
  });
}

/** The default session name: `edge-sts-<ms timestamp>`, inside STS's `[\w+=,.@-]{2,64}`. */
export function defaultSessionName(now: () => number): string {
  return `edge-sts-${Math.floor(now())}`;
}
