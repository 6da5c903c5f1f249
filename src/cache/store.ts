/**
 * The shared credential store: the interface a second cache level behind the per-isolate
 * {@link CredentialCache} is written against, and what its failures report.
 *
 * @module
 */

/**
 * A key-value store shared by isolates (Workers KV, the Cache API, Deno KV, Redis, …). It only ever
 * sees opaque keys (`edge-sts:2:<HMAC>`) and sealed values (AES-256-GCM under a key derived from
 * the caller's token and the deployment's `storeSecret`): a reader of the store learns neither tokens
 * nor credentials. A store hit skips STS, so give a `storeSecret`: without it, a writer of the store can
 * seal an entry for a forged token.
 *
 * Any object with these members works, so an unlisted store is a few lines.
 *
 * @example
 * ```ts
 * const memory = new Map<string, string>();
 * const store: CredentialStore = {
 *   get: (key) => memory.get(key),
 *   set: (key, value, ttlSeconds) => void memory.set(key, value), // a real store expires it after ttlSeconds
 * };
 * ```
 */
export interface CredentialStore {
  /**
   * The value stored under `key`, or `null`/`undefined` when there is none. An expired value may be
   * returned (expiry is checked again after decryption).
   */
  get(key: string): Promise<string | null | undefined> | string | null | undefined;
  /**
   * Stores `value` under `key` for about `ttlSeconds` (a whole number ≥ 1). Keeping it longer is
   * harmless: every value carries its own expiry.
   */
  set(key: string, value: string, ttlSeconds: number): Promise<unknown> | unknown;
  /** Removes `key`. Optional: nothing in edge-sts needs it to work. */
  delete?(key: string): Promise<unknown> | unknown;
  /**
   * Coordination, optional: sets `key` only if it is absent, for about `ttlMs`, atomically for every
   * isolate sharing the store (Redis `SET NX PX`, a Deno KV atomic check, a Durable Object).
   * On a store miss, the isolate whose claim succeeds exchanges and writes the entry; the others wait
   * for that entry (a bounded wait, then their own exchange). The key is opaque (`edge-sts:2:c:<HMAC>`)
   * and the value written under it may be anything: nothing secret is passed. A store that cannot set
   * if absent across the fleet (Workers KV, the Cache API) must leave this out.
   * @returns `true` when this call set the key (the caller holds the claim), `false` when it was set.
   */
  claim?(key: string, ttlMs: number): Promise<boolean> | boolean;
}

/** Told when the store failed; never carries the key, the value, a token or credentials. */
export interface StoreErrorInfo {
  /** The store call that failed. */
  operation: "get" | "set" | "claim";
  /**
   * `"error"`: the call threw or rejected; `"timeout"`: it did not answer in time; `"invalid"`: it
   * returned a value that does not decrypt or is malformed (tampered, copied from another key, or
   * written by an incompatible version), or a `claim` answered something other than a boolean.
   */
  reason: "error" | "timeout" | "invalid";
  /** The name of the error the store threw (`"error"` only), e.g. `"Error"` or `"ReplyError"`. */
  errorName?: string;
  /** Its message, with the key and the value cut out, at most 200 characters (`"error"` only). */
  message?: string;
  /** Milliseconds the call took (or was given, for a time-out). */
  durationMs: number;
  /**
   * Set on the read failure that made the store count as down (3 failed or timed-out reads in a row):
   * for this long, misses skip it and go to STS at once; then one read probes it again.
   */
  pausedForMs?: number;
}
