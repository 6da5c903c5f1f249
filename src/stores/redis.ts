/**
 * `redisStore`: a {@link CredentialStore} on Redis, through the client the app already has:
 * `redis` (node-redis v4/v5), `ioredis`, or Bun's built-in `RedisClient`.
 *
 * @module
 */
import type { CredentialStore } from "../cache/store.ts";
import { StsConfigurationError } from "../errors.ts";

/**
 * The part of a Redis client this adapter uses: `get`, `del`, and SETEX as node-redis spells it
 * (`setEx`) or as ioredis, Bun and @upstash/redis do (`setex`), each `(key, seconds, value)`.
 */
export interface RedisClientLike {
  /** `GET key`: text, or bytes (`Buffer`, `Uint8Array`) from a client set to answer them. */
  get(key: string): Promise<string | Uint8Array | null | undefined> | PromiseLike<unknown>;
  /** `DEL key`. */
  del(key: string): Promise<unknown> | PromiseLike<unknown>;
  /** node-redis: `SETEX key seconds value`. */
  setEx?(key: string, seconds: number, value: string): Promise<unknown> | PromiseLike<unknown>;
  /** ioredis, Bun, @upstash/redis: `SETEX key seconds value`. */
  setex?(key: string, seconds: number, value: string): Promise<unknown> | PromiseLike<unknown>;
  /**
   * `SET key value NX PX ms`, for `claim`: node-redis as `set(key, value, { NX: true, PX })`, ioredis
   * and Bun as `set(key, value, "PX", ms, "NX")`; `"OK"` when set, `null` when the key exists.
   */
  set?(key: string, value: string, ...options: any[]): Promise<unknown> | PromiseLike<unknown>;
}

/**
 * A credential store on Redis. The client is used as given (connect it first); values are written
 * with SETEX, so Redis deletes them when they can no longer be served. It coordinates a fleet's
 * misses (`claim`: `SET key 1 NX PX ms`, atomic on one Redis): one exchange per user, however many
 * isolates a first page load reaches. node-redis, ioredis and Bun's `RedisClient` are supported;
 * a client of another shape (e.g. @upstash/redis, whose `set` takes an options object of its own)
 * gets a store without `claim`, which works as before.
 *
 * @param client A connected `redis` / `ioredis` client or a Bun `RedisClient`.
 * @returns A {@link CredentialStore}.
 * @throws {StsConfigurationError} when `client` has no `get` and no `setEx`/`setex`.
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * app.use("/api/*", stsCredentials({ roleArn, region, store: redisStore(redis) }));
 * ```
 */
export function redisStore(client: RedisClientLike): CredentialStore {
  const c = client as Partial<RedisClientLike> | null;
  if (typeof c !== "object" || c === null || typeof c.get !== "function") {
    throw new StsConfigurationError("redisStore: client must be a Redis client (get, setEx or setex)");
  }
  // node-redis names it setEx; ioredis, Bun and Upstash setex. Detected once, from the client itself.
  const setex = typeof c.setEx === "function" ? c.setEx : typeof c.setex === "function" ? c.setex : undefined;
  if (setex === undefined) throw new StsConfigurationError("redisStore: client must be a Redis client (get, setEx or setex)");
  // Bytes that are not UTF-8 throw: reported as a failed read, never served.
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const store: CredentialStore = {
    get: async (key) => {
      const value: unknown = await client.get(key);
      if (typeof value === "string") return value;
      if (value === null || value === undefined) return undefined;
      // node-redis with a RESP_TYPES mapping, ioredis's getBuffer, Bun: bytes. Sealed values are ASCII.
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return utf8.decode(value);
      // Neither: every read would be a silent miss (one more STS call each); say so instead.
      throw new TypeError(`redisStore: GET answered ${typeof value}, not text or bytes`);
    },
    set: (key, value, ttlSeconds) => setex.call(client, key, Math.max(1, Math.ceil(ttlSeconds)), value),
    delete: (key) => client.del(key),
  };
  const set = c.set;
  // node-redis (setEx) takes SET's options as an object; ioredis and Bun (setex, and a `send` or
  // `call` for raw commands) as arguments. Upstash also spells it setex but takes an object: no claim.
  const nodeRedis = typeof c.setEx === "function";
  const positional = !nodeRedis && (typeof (c as { send?: unknown }).send === "function" || typeof (c as { call?: unknown }).call === "function");
  if (typeof set === "function" && (nodeRedis || positional)) {
    store.claim = async (key, ttlMs) => {
      const px = Math.max(1, Math.ceil(ttlMs));
      const reply = await (nodeRedis ? set.call(client, key, "1", { NX: true, PX: px }) : set.call(client, key, "1", "PX", px, "NX"));
      // "OK" when set, null when held; as bytes from a client mapping replies to buffers.
      const text = ArrayBuffer.isView(reply) || reply instanceof ArrayBuffer ? utf8.decode(reply) : reply;
      return text === "OK";
    };
  }
  return store;
}
