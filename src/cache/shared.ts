/**
 * The per-isolate default cache: module scope, created on first use, shared by every middleware
 * instance that is not given its own cache.
 *
 * @module
 */
import { CredentialCache } from "./credential-cache.ts";

let shared: CredentialCache<{ expiration: Date }> | undefined;

/**
 * The isolate's shared {@link CredentialCache} (default options), created on first call.
 * Everyone who uses it shares one key space: start every key with a namespace of your own
 * (e.g. `cacheKey(["my-middleware", …])`) so different value types never meet under one key.
 *
 * @returns The same instance on every call within an isolate.
 * @example
 * ```ts
 * const cache = options.cache ?? sharedCredentialCache<ExchangeResult>();
 * ```
 */
export function sharedCredentialCache<V extends { expiration: Date }>(): CredentialCache<V> {
  shared ??= new CredentialCache();
  return shared as unknown as CredentialCache<V>;
}
