/**
 * redisStore on a real redis-server (scripts/test.mjs starts one, or REDIS_URL points at one),
 * through the two Node clients people use: `redis` (node-redis) and `ioredis`. Each client works in
 * a database of its own and only touches `edge-sts:*` keys. Without a server these tests are
 * skipped, and the summary line says so.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createClient } from "redis";
import { Redis } from "ioredis";
import { redisStore } from "../../src/stores/index.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { fromWebIdentity } from "../../src/providers/from-web-identity.ts";
import { HOUR, T0, errorXml, fakeSts, until, webIdentityXml } from "../providers/fake-sts.ts";
import { forms, storeContract } from "./contract.ts";
import { coordinationContract } from "./coordination.ts";
import type { StoreUnderTest } from "./contract.ts";

const url = process.env.REDIS_URL;
const missing = process.env.EDGE_STS_REDIS_MISSING ?? "redis-server not found";
/** Databases 1 and 2 of the server: apart from the other test files and the Bun run. */
const DB = { "node-redis": 1, ioredis: 2 } as const;

/** Every edge-sts key of the client's database and its value. */
async function dumpWith(scan: (cursor: string) => Promise<[string, string[]]>, get: (key: string) => Promise<string | null>) {
  const keys = new Set<string>();
  let cursor = "0";
  for (let round = 0; round < 10_000; round++) {
    const [next, batch] = await scan(cursor);
    for (const key of batch) keys.add(key);
    cursor = next;
    if (cursor === "0") break;
  }
  const out: Array<[string, string]> = [];
  for (const key of keys) {
    const value = await get(key);
    if (value !== null) out.push([key, value]);
  }
  return out;
}

/** Each test skipped on its own (a skipped suite counts no skipped test), with the reason. */
const skip = url ? false : missing;
const register = (name: string, fn: () => Promise<void>) => test(name, { skip }, fn);
const check = (value: unknown, message?: string) => assert.ok(value, message);

describe("redisStore with node-redis", () => {
  const client = createClient({ url, database: DB["node-redis"] });
  const ready = url ? client.connect() : Promise.resolve(client);
  after(async () => {
    await ready;
    if (url) await client.close();
  });
  const sut = async (): Promise<StoreUnderTest> => {
    await ready;
    return {
      name: "node-redis",
      store: redisStore(client),
      dump: () =>
        dumpWith(
          async (cursor) => {
            const r = await client.scan(cursor, { MATCH: "edge-sts:*", COUNT: 1000 });
            return [String(r.cursor), r.keys];
          },
          (key) => client.get(key),
        ),
    };
  };
  storeContract(register, check, sut, { expires: true });
  coordinationContract(register, check, sut);

  register("the value is written with SETEX: Redis holds it for the TTL asked", async () => {
    const { store } = await sut();
    await store.set("edge-sts:2:ttl-probe", "2.eA", 120);
    const ttl = await client.ttl("edge-sts:2:ttl-probe");
    assert.ok(ttl > 110 && ttl <= 120, `TTL ${ttl}`);
    await store.delete!("edge-sts:2:ttl-probe");
  });

  register("a claim is SET NX PX: Redis holds it for the milliseconds asked", async () => {
    const { store } = await sut();
    assert.equal(await store.claim!("edge-sts:2:c:px-probe", 1500), true);
    const pttl = await client.pTTL("edge-sts:2:c:px-probe");
    assert.ok(pttl > 1000 && pttl <= 1500, `PTTL ${pttl}`);
    await store.delete!("edge-sts:2:c:px-probe");
  });

  register("fromWebIdentity on two replicas shares one exchange through Redis, and Redis holds no secret", async () => {
    const s = await sut();
    const sts = fakeSts((action, n) => (action === "AssumeRoleWithWebIdentity" ? webIdentityXml(n, T0 + HOUR) : errorXml("InvalidAction", action)));
    const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const token = `${b64({ alg: "RS256" })}.${b64({ sub: `ci-${Math.random()}`, exp: T0 / 1000 + 7200 })}.c2lnbmF0dXJl`;
    const before = new Set((await s.dump()).map(([k]) => k));
    const replica = () => fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn: "arn:aws:iam::123456789012:role/ci", webIdentityToken: token, store: s.store, now: () => T0 });
    const first = await replica()();
    let added: Array<[string, string]> = [];
    await until(async () => (added = (await s.dump()).filter(([k]) => !before.has(k))).length === 1);
    assert.equal(added.length, 1);
    assert.deepEqual(await replica()(), first);
    assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1);
    const text = added.flat().join("\n");
    for (const secret of [token, ...token.split("."), first.secretAccessKey, first.sessionToken]) {
      for (const form of forms(secret)) assert.ok(!text.includes(form), "a secret is in Redis");
    }
  });
});

describe("redisStore with ioredis", () => {
  const client = new Redis(url ?? "redis://127.0.0.1:1", { db: DB.ioredis, lazyConnect: true, maxRetriesPerRequest: 1 });
  const ready = url ? client.connect() : Promise.resolve();
  after(async () => {
    await ready;
    client.disconnect();
  });
  const sut = async (): Promise<StoreUnderTest> => {
    await ready;
    return {
      name: "ioredis",
      store: redisStore(client),
      dump: () => dumpWith((cursor) => client.scan(cursor, "MATCH", "edge-sts:*", "COUNT", 1000), (key) => client.get(key)),
    };
  };
  storeContract(register, check, sut, { expires: true });
  coordinationContract(register, check, sut);

  register("the value is written with SETEX: Redis holds it for the TTL asked", async () => {
    const { store } = await sut();
    await store.set("edge-sts:2:ttl-probe", "2.eA", 120);
    const ttl = await client.ttl("edge-sts:2:ttl-probe");
    assert.ok(ttl > 110 && ttl <= 120, `TTL ${ttl}`);
    await store.delete!("edge-sts:2:ttl-probe");
  });

  register("a claim is SET NX PX: Redis holds it for the milliseconds asked", async () => {
    const { store } = await sut();
    assert.equal(await store.claim!("edge-sts:2:c:px-probe", 1500), true);
    const pttl = await client.pttl("edge-sts:2:c:px-probe");
    assert.ok(pttl > 1000 && pttl <= 1500, `PTTL ${pttl}`);
    await store.delete!("edge-sts:2:c:px-probe");
  });
});

test("redisStore claims only on clients whose SET it knows: a client of another shape gets a store without claim", () => {
  const upstashLike = { get: async () => null, del: async () => 0, setex: async () => "OK", set: async () => "OK" };
  assert.equal(redisStore(upstashLike as never).claim, undefined);
});

test("redisStore refuses what is not a Redis client", () => {
  assert.throws(() => redisStore({} as never), StsConfigurationError);
  assert.throws(() => redisStore({ get: async () => null, del: async () => 0 } as never), /setEx or setex/);
});
