/**
 * The middleware's `store`, `storeSecret`, `storeTimeoutMs` and `onStoreError` options: checked at
 * start-up, and the store of each request (a value, or `(c) => store` where bindings arrive with the request).
 *
 * @module
 */
import type { Context } from "hono";
import type { CredentialCache } from "../cache/credential-cache.ts";
import type { CredentialStore } from "../cache/store.ts";
import { checkStore, storeOptions } from "../cache/store-level.ts";
import type { StoreAccess, StoreCodec } from "../cache/store-level.ts";
import { callHook } from "../hooks.ts";
import type { StsCredentialsOptions } from "./options.ts";
import { sessionCodec } from "./session.ts";
import type { StsSession } from "./types.ts";

/** What the middleware needs to use a store. */
export interface SharedStore {
  /** How sessions become sealed JSON and back. */
  codec: StoreCodec<StsSession>;
  /** The refresh window of the isolate's cache, in ms: stored entries are served until expiration minus it. */
  windowMs: number;
  /** The store of this request, or `undefined` for none. */
  access(c: Context): StoreAccess | undefined;
}

/**
 * The `store` option, checked at start-up: how to reach the store of a request, and what it stores.
 * @returns `undefined` without a store.
 * @throws {StsConfigurationError} (from `storeOptions`, `checkStore`) for a store without get/set, a bad `storeSecret`, `storeTimeoutMs` or `onStoreError`, or any of them without a store.
 */
export function sharedStore(options: StsCredentialsOptions, cache: CredentialCache<StsSession>, region: string | undefined): SharedStore | undefined {
  const checked = storeOptions(options, "stsCredentials");
  if (checked === undefined) return undefined;
  const { store } = options as { store: NonNullable<StsCredentialsOptions["store"]> };
  const { timeoutMs, waitMs, onError: onStoreError, secret } = checked;
  const now = options.now ?? Date.now;
  const fixedStore = typeof store === "function" ? undefined : checkStore(store, "stsCredentials");
  const fixed: StoreAccess | undefined =
    fixedStore === undefined ? undefined : { store: fixedStore, health: fixedStore, secret, timeoutMs, waitMs, onError: onStoreError, now };
  // A store function may build a new adapter per request (`(c) => workersKvStore(c.env.STS_CACHE)`):
  // health kept per adapter object would never see three failures in a row, so it is kept per
  // middleware instance instead (a function choosing between stores pauses them together).
  const health = {};
  return {
    codec: sessionCodec(region),
    windowMs: (cache.refreshWindowSeconds ?? 300) * 1000,
    /** The store of this request; a store function that throws or returns junk is reported, and STS answers. */
    access(c: Context): StoreAccess | undefined {
      if (fixed !== undefined) return fixed;
      let found: CredentialStore | undefined;
      try {
        found = (store as (c: Context) => CredentialStore | undefined)(c);
        if (found === undefined || found === null) return undefined;
        return { store: checkStore(found, "stsCredentials"), health, secret, timeoutMs, waitMs, onError: onStoreError, now };
      } catch (err) {
        // Only the name: the message of a store factory's error may quote the binding's contents.
        callHook(onStoreError, { operation: "get", reason: "error", errorName: err instanceof Error ? err.name : typeof err, durationMs: 0 });
        return undefined;
      }
    },
  };
}
