/**
 * `edge-sts/stores`: adapters that turn the store an app already runs into a {@link CredentialStore}
 * for the `store` option of `stsCredentials`, `fromWebIdentity` and `fromAssumeRole`. Each imports
 * only types: you pass your own binding or client.
 *
 * @example
 * ```ts
 * import { workersKvStore } from "edge-sts/stores";
 * app.use("/api/*", stsCredentials({ roleArn, region, store: (c) => workersKvStore(c.env.STS_CACHE) }));
 * ```
 *
 * @module
 */
export type { CredentialStore, StoreErrorInfo } from "../cache/store.ts";
export { workersKvStore } from "./workers-kv.ts";
export type { KvNamespaceLike, WorkersKvStoreOptions } from "./workers-kv.ts";
export { cacheApiStore } from "./cache-api.ts";
export type { CacheApiStoreOptions, CacheLike } from "./cache-api.ts";
export { denoKvStore } from "./deno-kv.ts";
export type { DenoKvAtomicLike, DenoKvKeyPart, DenoKvLike, DenoKvStoreOptions } from "./deno-kv.ts";
export { redisStore } from "./redis.ts";
export type { RedisClientLike } from "./redis.ts";
export { StsCoordinator, durableObjectStore } from "./durable-object.ts";
export type { DurableObjectNamespaceLike, DurableObjectStorageLike, DurableObjectStoreOptions } from "./durable-object.ts";
