/**
 * The Cache API as the shared store, for real: three Worker isolates in Miniflare with
 * `store: cacheApiStore(caches.default)`. `caches.default` is per data centre on Cloudflare; one
 * Miniflare instance is one data centre, so its Workers share it. The Cache API cannot be listed:
 * the entries are found in what Miniflare persisted, and rewritten by another Worker in the same
 * data centre through `caches.default`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startLocalSts } from "../workerd/example-sts.ts";
import type { LocalSts } from "../workerd/example-sts.ts";
import { eventually, startFleet } from "./fleet.ts";
import type { Fleet } from "./fleet.ts";
import { oneTokenOverThree } from "./one-exchange.ts";
import { STORE_TIMEOUT, assumedRoleArn, whoami } from "./requests.ts";
import { findSecrets, secretsOf } from "./secrets.ts";

let local: LocalSts;
let fleet: Fleet;
const tokens: string[] = [];
before(async () => {
  local = await startLocalSts();
  fleet = await startFleet({ entry: "test/miniflare/sts-worker.ts", isolates: 3, bindings: { ...local.settings, ...STORE_TIMEOUT, STORE: "cache" }, withoutKv: true });
});
after(async () => {
  await fleet?.close();
  await local?.close();
});

const disk = async () => (await fleet.persistedFiles()).map((f) => ({ where: f.path, text: Buffer.from(f.bytes).toString("latin1") }));

/** The URLs cacheApiStore cached under (default origin), read from Miniflare's persisted cache index. */
async function cachedUrls(): Promise<Set<string>> {
  const urls = new Set<string>();
  for (const { text } of await disk()) {
    for (const m of text.matchAll(/edge-sts\.invalid\/edge-sts\/(edge-sts%3A2%3A[A-Za-z0-9_-]{43})/g)) urls.add(`https://edge-sts.invalid/edge-sts/${m[1]}`);
  }
  return urls;
}
const cached = async (url: string) => {
  const r = await fleet.tamper(`/cache-get?url=${encodeURIComponent(url)}`);
  return r.status === 200 ? r.text() : undefined;
};

/** A fresh user answered once by `isolate`; returns the cache URL its entry got. */
async function storedBy(isolate: number, sub: string): Promise<{ token: string; url: string; accessKeyId: string }> {
  const token = await local.issuer.mint({ sub });
  tokens.push(token);
  const known = await cachedUrls();
  const first = await whoami(fleet, isolate, token);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.source, "miss");
  let url: string | undefined;
  const found = await eventually(async () => {
    url = [...(await cachedUrls())].find((u) => !known.has(u));
    return url !== undefined && (await cached(url)) !== undefined;
  });
  assert.ok(found, "no Cache API entry was written for the exchange");
  return { token, url: url!, accessKeyId: first.body.accessKeyId! };
}

test("30 requests with one token over three isolates sharing caches.default: exactly 1 STS exchange", async () => {
  const known = (await cachedUrls()).size;
  await oneTokenOverThree(local, fleet, "cache-one-exchange", 30, () => eventually(async () => (await cachedUrls()).size === known + 1));
});

test("a cached value altered by another Worker is a miss: STS again and the right answer", async () => {
  const user = await storedBy(0, "cache-altered");
  const original = await cached(user.url);
  assert.equal((await fleet.tamper(`/cache-flip?url=${encodeURIComponent(user.url)}`, { method: "POST" })).status, 200);
  assert.notEqual(await cached(user.url), original);
  const calls = local.sts.calls.count("AssumeRoleWithWebIdentity");
  const answer = await whoami(fleet, 1, user.token);
  assert.equal(answer.status, 200);
  assert.equal(answer.source, "miss", "an altered value was served");
  assert.equal(answer.body.arn, assumedRoleArn("cache-altered"));
  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity"), calls + 1);
});

test("another user's cached value put under this user's URL is a miss, never the other user's credentials", async () => {
  const alice = await storedBy(0, "cache-alice");
  const bob = await storedBy(0, "cache-bob");
  const value = await cached(alice.url);
  assert.ok(value);
  await fleet.tamper(`/cache-put?url=${encodeURIComponent(bob.url)}`, { method: "POST", body: value });
  const answer = await whoami(fleet, 2, bob.token);
  assert.equal(answer.status, 200);
  assert.equal(answer.source, "miss");
  assert.equal(answer.body.arn, assumedRoleArn("cache-bob"));
  assert.notEqual(answer.body.accessKeyId, alice.accessKeyId, "Bob was given Alice's credentials");
});

test("what the Cache API persisted holds no token, token part, secret key or session token in any encoding", async () => {
  for (const i of [0, 1, 2]) await storedBy(i, `cache-dump-${i}`);
  const urls = await cachedUrls();
  assert.ok(urls.size >= tokens.length, `only ${urls.size} cached entries for ${tokens.length} users`);
  const values = await Promise.all([...urls].map(async (url) => ({ where: url, text: (await cached(url)) ?? "" })));
  const secrets = secretsOf(tokens, local.sts.issuedCredentials());
  assert.deepEqual(findSecrets(secrets, [...values, ...[...urls].map((u) => ({ where: "a cache URL", text: decodeURIComponent(u) }))]), []);
  assert.deepEqual(findSecrets(secrets, await disk()), []);
  assert.ok(fleet.logs.length > 0, "no log line was captured");
  assert.deepEqual(findSecrets(secrets, fleet.logs.map((text) => ({ where: "a log line", text }))), []);

  // The scan can fail: a secret cached in base64 at an odd offset is found on disk.
  const session = local.sts.issuedCredentials().at(-1)!;
  await fleet.tamper(`/cache-put?url=${encodeURIComponent("https://edge-sts.invalid/control")}`, { method: "POST", body: btoa(`x{"k":"${session.secretAccessKey}"}`) });
  assert.ok(findSecrets(secrets, await disk()).some((hit) => hit.startsWith("secret access key")), "the scan missed a planted secret key");
});
