/**
 * Issue 19, item 9: `redisStore` over a client that answers bytes, not strings — node-redis with a
 * `RESP_TYPES` type mapping (blob strings as `Buffer`), ioredis's `getBuffer`, and a client handing
 * back plain `Uint8Array`s. On a real redis-server: a value written through the store is read back
 * (so a second isolate is served from Redis, not STS), and an answer that is neither text nor bytes
 * is reported through `onStoreError` instead of being a silent miss.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Hono } from "hono";
import { createClient, RESP_TYPES } from "redis";
import { Redis } from "ioredis";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { StoreErrorInfo } from "../../src/cache/store.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables } from "../../src/hono/index.ts";
import { redisStore } from "../../src/stores/index.ts";
import type { RedisClientLike } from "../../src/stores/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";

const url = process.env.REDIS_URL;
const skip = url ? false : (process.env.EDGE_STS_REDIS_MISSING ?? "redis-server not found");
/** A database apart from the other Redis tests. */
const DATABASE = 7;
const SECRET = "a-store-secret-of-at-least-32-characters!";
const issuer = createOidcIssuer();
const sts = createStsEmulator({ issuers: [issuer] });
const exchanges = () => sts.calls.count("AssumeRoleWithWebIdentity");

const nodeRedis = createClient({ url, database: DATABASE });
const ioredis = new Redis(url ?? "redis://127.0.0.1:1", { db: DATABASE, lazyConnect: true });
const ready = url ? Promise.all([nodeRedis.connect(), ioredis.connect()]) : Promise.resolve();
after(async () => {
  if (!url) return;
  await ready;
  await nodeRedis.flushDb();
  await Promise.all([nodeRedis.close(), ioredis.quit()]);
});

/** Two isolates (two apps, two caches) sharing one store; the second should be served from Redis. */
async function twoIsolates(client: RedisClientLike, sub: string) {
  const errors: StoreErrorInfo[] = [];
  const isolate = () => {
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/*", stsCredentials({
      roleArn: "arn:aws:iam::123456789012:role/edge-app",
      client: new StsClient({ region: "eu-west-1", endpoint: "https://sts.redis-buffers.test", fetch: sts.fetch }),
      cache: new CredentialCache<StsSession>(),
      store: redisStore(client),
      storeSecret: SECRET,
      storeTimeoutMs: 1000,
      onStoreError: (e) => errors.push(e),
    }));
    app.get("/*", (c) => c.text(c.var.awsCredentials.accessKeyId));
    return app;
  };
  const token = await issuer.mint({ sub });
  const ask = (app: Hono<any>) => app.request("/", { headers: { authorization: `Bearer ${token}` } });
  const before = exchanges();
  const keys = async () => (await nodeRedis.keys("edge-sts:*")).length;
  const written = await keys();
  const first = await ask(isolate());
  assert.equal(first.status, 200);
  for (let i = 0; i < 200 && (await keys()) === written; i++) await new Promise((r) => setTimeout(r, 10)); // the background write
  const second = await ask(isolate());
  assert.equal(second.status, 200);
  return { calls: exchanges() - before, same: (await first.text()) === (await second.text()), errors };
}

describe("item 9: redisStore over clients answering bytes", () => {
  const clients: [string, () => RedisClientLike][] = [
    ["node-redis with RESP_TYPES.BLOB_STRING → Buffer", () => nodeRedis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) as unknown as RedisClientLike],
    ["ioredis getBuffer", () => ({ get: (key) => ioredis.getBuffer(key), setex: (k, s, v) => ioredis.setex(k, s, v), del: (k) => ioredis.del(k) })],
    ["a client answering Uint8Array", () => ({
      get: async (key) => {
        const bytes = await ioredis.getBuffer(key);
        return bytes === null ? null : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      setex: (k, s, v) => ioredis.setex(k, s, v),
      del: (k) => ioredis.del(k),
    })],
  ];
  for (const [name, make] of clients) {
    test(`${name}: the second isolate is served from Redis (1 STS call, not 2)`, { skip }, async () => {
      await ready;
      const { calls, same, errors } = await twoIsolates(make(), `bytes-${name}`);
      assert.deepEqual(errors, []);
      assert.equal(calls, 1, "every read a miss: one STS call per isolate");
      assert.ok(same, "the second isolate was served other credentials");
    });
  }

  test("an answer that is neither text nor bytes is reported through onStoreError, not a silent miss", { skip }, async () => {
    await ready;
    const odd: RedisClientLike = { get: async () => 42 as unknown as string, setex: async () => "OK", del: async () => 0 };
    const { calls, errors } = await twoIsolates(odd, "odd-answer");
    assert.equal(calls, 2);
    assert.ok(errors.length >= 2, `reported ${errors.length} time(s)`);
    assert.ok(errors.every((e) => e.operation === "get" && (e.reason === "invalid" || e.reason === "error")));
  });
});
