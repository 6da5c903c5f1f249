/**
 * The per-isolate default cache: module scope, created on first use, shared by every middleware
 * instance that is not given its own cache.
 *
 * @module
 */
import { CredentialCache } from "./credential-cache.ts";

let shared: CredentialCache<{ expiration: Date }> | undefined;

/**
 * The isolate's shared {@link CredentialCache} (default options), created on first call: the cache of
 * every `stsCredentials` instance given neither `cache` nor private cache settings. Internal (not
 * exported by the package); whoever uses it shares one key space, so each key starts with its user's
 * namespace (the middleware's is `edge-sts/hono:AssumeRoleWithWebIdentity`).
 *
 * @returns The same instance on every call within an isolate.
 */
export function sharedCredentialCache<V extends { expiration: Date }>(): CredentialCache<V> {
  shared ??= new CredentialCache();
  return shared as unknown as CredentialCache<V>;
}
