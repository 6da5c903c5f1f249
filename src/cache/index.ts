/**
 * The credential cache shared by the providers and the Hono middleware.
 *
 * @module
 */
export { CredentialCache } from "./credential-cache.ts";
export type { CacheLoadOptions, CacheOutcome, CacheResult, CredentialCacheOptions } from "./credential-cache.ts";
export { cacheKey } from "./cache-key.ts";
export { sharedCredentialCache } from "./shared.ts";
