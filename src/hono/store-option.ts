/**
 * The middleware's `store`, `storeSecret`, `storeTimeoutMs` and `onStoreError` options: checked at
 * start-up, and the store of each request (a value, or `(c) => store` where bindings arrive with the request).
 *
 * @module
 */
import type { Context } from "hono";
import type { CredentialCache } from "../cache/credential-cache.ts";
import type { CredentialStore } from "../cache/store.ts";
import { describe } from "../cache/store-call.ts";
import { checkStore, storeOptions } from "../cache/store-level.ts";
import type { StoreAccess, StoreCodec } from "../cache/store-level.ts";
import { MIN_STORE_SECRET_LENGTH, storeSecretBytes } from "../cache/store-crypto.ts";
import { StsConfigurationError } from "../errors.ts";
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
  /**
   * What the store is trusted with, for the isolate cache's scope: the secret's bytes (a fixed secret),
   * the secret function, or `"unkeyed"` (a store under `verify` without a secret).
   */
  trust: Uint8Array | ((c: Context) => unknown) | "unkeyed";
  /**
   * The store of this request, or `undefined` for none.
   * @throws {StsConfigurationError} when a `storeSecret` function returns no usable secret (the request answers 500).
   */
  access(c: Context): StoreAccess | undefined;
}

const SECRET_RULE = `a string of at least ${MIN_STORE_SECRET_LENGTH} characters or at least ${MIN_STORE_SECRET_LENGTH} bytes`;

/**
 * The `store` option, checked at start-up: how to reach the store of a request, and what it stores.
 * @returns `undefined` without a store.
 * @throws {StsConfigurationError} (from `storeOptions`, `checkStore`) for a store without get/set, a bad `storeSecret`, `storeTimeoutMs` or `onStoreError`, or any of them without a store;
 *   and for a store with neither `storeSecret` nor `verify` (an unset variable must not silently weaken the store).
 */
export function sharedStore(options: StsCredentialsOptions, cache: CredentialCache<StsSession>, region: string | undefined): SharedStore | undefined {
  const secretOption = options.storeSecret;
  const secretFunction = typeof secretOption === "function" ? secretOption as (c: Context) => unknown : undefined;
  const checked = storeOptions(secretFunction === undefined ? options : { ...options, storeSecret: undefined }, "stsCredentials");
  if (checked === undefined) {
    if (secretFunction !== undefined) throw new StsConfigurationError("stsCredentials: storeSecret needs a store");
    return undefined;
  }
  if (secretOption === undefined && options.verify === undefined) {
    throw new StsConfigurationError(
      "stsCredentials: store needs storeSecret (or verify): without either, a writer of the store could mint sessions for forged tokens",
    );
  }
  const { store } = options as { store: NonNullable<StsCredentialsOptions["store"]> };
  const { timeoutMs, waitMs, onError: onStoreError } = checked;
  const now = options.now ?? Date.now;
  // An injected clock (tests) drives the store's pause too; by default it runs on performance.now.
  const elapsed = options.now;
  const secretOf = secretFunction === undefined ? () => checked.secret : secretReader(secretFunction);
  const fixedStore = typeof store === "function" ? undefined : checkStore(store, "stsCredentials");
  const fixed: StoreAccess | undefined = fixedStore === undefined || secretFunction !== undefined
    ? undefined
    : { store: fixedStore, health: fixedStore, secret: checked.secret, timeoutMs, waitMs, onError: onStoreError, now, elapsed };
  // A store function may build a new adapter per request (`(c) => workersKvStore(c.env.STS_CACHE)`):
  // health kept per adapter object would never see three failures in a row, so it is kept per
  // middleware instance instead (a function choosing between stores pauses them together).
  const health = {};
  return {
    codec: sessionCodec(region),
    windowMs: (cache.refreshWindowSeconds ?? 300) * 1000,
    trust: secretFunction ?? checked.secret ?? "unkeyed",
    /** The store of this request; a store function that throws or returns junk is reported, and STS answers. */
    access(c: Context): StoreAccess | undefined {
      if (fixed !== undefined) return fixed;
      let found: CredentialStore | undefined = fixedStore;
      if (found === undefined) {
        try {
          found = (store as (c: Context) => CredentialStore | undefined)(c);
          if (found === undefined || found === null) return undefined;
          found = checkStore(found, "stsCredentials");
        } catch (err) {
          // Only the name: the message of a store factory's error may quote the binding's contents.
          callHook(onStoreError, { operation: "get", reason: "error", errorName: describe(err, []).errorName, durationMs: 0 });
          return undefined;
        }
      }
      // Outside the try above: a secret that cannot be had is the deployment's error, never a silent miss.
      const secret = secretOf(c);
      return { store: found, health: found === fixedStore ? found : health, secret, timeoutMs, waitMs, onError: onStoreError, now, elapsed };
    },
  };
}

/**
 * `storeSecret: (c) => …` read per store access. The last value's bytes are kept (and the same bytes
 * object returned while the value stays the same), so a steady secret is encoded once.
 */
function secretReader(read: (c: Context) => unknown): (c: Context) => Uint8Array<ArrayBuffer> {
  let lastValue: unknown;
  let lastBytes: Uint8Array<ArrayBuffer> | undefined;
  return (c) => {
    let value: unknown;
    try {
      value = read(c);
    } catch {
      // Not the error's message: it may quote the binding.
      throw new StsConfigurationError("stsCredentials: the storeSecret function threw");
    }
    if (lastBytes !== undefined && typeof value === "string" && value === lastValue) return lastBytes;
    const bytes = storeSecretBytes(value);
    if (bytes === undefined) {
      // Never the value nor its length.
      throw new StsConfigurationError(`stsCredentials: storeSecret(c) must return ${SECRET_RULE}; got no usable secret (is the binding set?)`);
    }
    lastValue = value;
    lastBytes = bytes;
    return bytes;
  };
}
