/**
 * Workers KV as the shared store, for real: three Worker isolates in Miniflare bound to one KV
 * namespace (`store: (c) => workersKvStore(c.env.STS_CACHE)`), STS = the emulator on 127.0.0.1, and a
 * fourth Worker on the same namespace that reads and rewrites what the others stored.
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
  fleet = await startFleet({ entry: "test/miniflare/sts-worker.ts", isolates: 3, bindings: { ...local.settings, ...STORE_TIMEOUT, STORE: "kv" } });
});
after(async () => {
  await fleet?.close();
  await local?.close();
});

const keys = async () => (await fleet.kvDump()).map((e) => e.name);
const valueOf = async (key: string) => (await fleet.kvDump()).find((e) => e.name === key)?.value;

/** A fresh user's token, answered once by `isolate` (an STS exchange); returns the KV key its entry got. */
async function storedBy(isolate: number, sub: string, claims: Record<string, unknown> = {}): Promise<{ token: string; key: string; accessKeyId: string }> {
  const token = await local.issuer.mint({ sub, ...claims });
  tokens.push(token);
  const known = new Set(await keys());
  const first = await whoami(fleet, isolate, token);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.source, "miss");
  let key: string | undefined;
  assert.ok(await eventually(async () => (key = (await keys()).find((k) => !known.has(k))) !== undefined), "no KV entry was written for the exchange");
  return { token, key: key!, accessKeyId: first.body.accessKeyId! };
}

test("30 requests with one token over three isolates sharing one KV namespace: exactly 1 STS exchange", async () => {
  const known = (await keys()).length;
  const token = "kv-one-exchange";
  await oneTokenOverThree(local, fleet, token, 30, () => eventually(async () => (await keys()).length === known + 1));
});

test("a value altered by another Worker is a miss: STS again, the right answer, and the entry is repaired", async () => {
  const { token, key, accessKeyId } = await storedBy(0, "kv-altered");
  const original = await valueOf(key);
  assert.equal((await fleet.tamper(`/flip?key=${encodeURIComponent(key)}`, { method: "POST" })).status, 200);
  const altered = await valueOf(key);
  assert.notEqual(altered, original);
  const calls = local.sts.calls.count("AssumeRoleWithWebIdentity");

  const answer = await whoami(fleet, 1, token);
  assert.equal(answer.status, 200);
  assert.equal(answer.source, "miss", "an altered value was served");
  assert.equal(answer.body.arn, assumedRoleArn("kv-altered"));
  assert.notEqual(answer.body.accessKeyId, accessKeyId);
  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity"), calls + 1);

  // Isolate 1 wrote its fresh credentials back (more than a second after isolate 0's write, KV's limit).
  assert.ok(await eventually(async () => (await valueOf(key)) !== altered), "the entry was not written again");
  const third = await whoami(fleet, 2, token);
  assert.equal(third.source, "store");
  assert.equal(third.body.accessKeyId, answer.body.accessKeyId);
});

test("another user's value copied under this user's key is a miss, never the other user's credentials", async () => {
  const alice = await storedBy(0, "kv-alice");
  const bob = await storedBy(0, "kv-bob");
  const q = new URLSearchParams({ from: alice.key, to: bob.key });
  assert.equal((await fleet.tamper(`/copy?${q}`, { method: "POST" })).status, 200);
  assert.equal(await valueOf(bob.key), await valueOf(alice.key));

  const answer = await whoami(fleet, 1, bob.token);
  assert.equal(answer.status, 200);
  assert.equal(answer.source, "miss");
  assert.equal(answer.body.arn, assumedRoleArn("kv-bob"));
  assert.notEqual(answer.body.accessKeyId, alice.accessKeyId, "Bob was given Alice's credentials");
  // Alice, in an isolate that never saw her, still gets hers from the store.
  const aliceAgain = await whoami(fleet, 2, alice.token);
  assert.equal(aliceAgain.source, "store");
  assert.equal(aliceAgain.body.accessKeyId, alice.accessKeyId);
});

test("garbage or a forged value of the right shape under the key is a miss", async () => {
  for (const [i, forged] of ["not a sealed value", `1.${"A".repeat(400)}`, ""].entries()) {
    const user = await storedBy(0, `kv-forged-${i}`);
    assert.equal((await fleet.tamper(`/put?key=${encodeURIComponent(user.key)}`, { method: "POST", body: forged })).status, 200);
    const answer = await whoami(fleet, 1 + (i % 2), user.token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.source, "miss", `value ${JSON.stringify(forged.slice(0, 20))} was served`);
    assert.equal(answer.body.arn, assumedRoleArn(`kv-forged-${i}`));
  }
});

test("an entry deleted by another Worker is a miss, answered by STS", async () => {
  const user = await storedBy(0, "kv-deleted");
  await fleet.tamper(`/delete?key=${encodeURIComponent(user.key)}`, { method: "POST" });
  const answer = await whoami(fleet, 1, user.token);
  assert.equal(answer.status, 200);
  assert.equal(answer.source, "miss");
  assert.equal(answer.body.arn, assumedRoleArn("kv-deleted"));
});

test("a token with 45 s left is stored although KV refuses an expirationTtl under 60 s", async () => {
  const exp = Math.floor(Date.now() / 1000) + 45;
  const user = await storedBy(0, "kv-short-lived", { exp });
  const entry = (await fleet.kvDump()).find((e) => e.name === user.key);
  // The adapter asked for at least KV's minimum (a put with less throws in KV); the value's own expiry is the token's.
  assert.ok(entry?.expiration !== undefined && entry.expiration >= Math.floor(Date.now() / 1000) + 55, `KV expiration ${entry?.expiration}, token exp ${exp}`);
  const answer = await whoami(fleet, 1, user.token);
  assert.equal(answer.source, "store");
  assert.equal(answer.body.accessKeyId, user.accessKeyId);
});

test("the namespace holds opaque keys and sealed values: no token, token part, secret key or session token in any encoding", async () => {
  // Every isolate wrote at least once by now (earlier tests); one more user per isolate to be sure.
  for (const i of [0, 1, 2]) await storedBy(i, `kv-dump-${i}`);
  const dump = await fleet.kvDump();
  assert.ok(dump.length >= tokens.length, `only ${dump.length} entries for ${tokens.length} users`);
  for (const { name, value } of dump) {
    assert.match(name, /^edge-sts:2:[A-Za-z0-9_-]{43}$/, "a key is not an opaque HMAC");
    assert.ok(typeof value === "string" && value.length > 0);
  }
  const secrets = secretsOf(tokens, local.sts.issuedCredentials());
  assert.ok(secrets.length >= tokens.length * 6);

  const viaApi = dump.flatMap((e) => [{ where: `key ${e.name.slice(0, 16)}…`, text: e.name }, { where: `value of ${e.name.slice(0, 16)}…`, text: e.value }]);
  assert.deepEqual(findSecrets(secrets, viaApi), []);
  // What Miniflare persisted on disk for KV (and the Cache API): every byte, not only what KV lists.
  const onDisk = (await fleet.persistedFiles()).map((f) => ({ where: f.path, text: Buffer.from(f.bytes).toString("latin1") }));
  assert.ok(onDisk.length > 0, "Miniflare persisted nothing");
  assert.deepEqual(findSecrets(secrets, onDisk), []);
  // Nor in anything the Workers logged.
  assert.ok(fleet.logs.length > 0, "no log line was captured");
  assert.deepEqual(findSecrets(secrets, fleet.logs.map((text) => ({ where: "a log line", text }))), []);

  // The scan can fail: a secret written to KV in base64 at an odd offset is found, on disk too.
  const session = local.sts.issuedCredentials().at(-1)!;
  const planted = btoa(`xx{"s":"${session.sessionToken}"}`);
  await fleet.tamper("/put?key=control", { method: "POST", body: planted });
  const files = (await fleet.persistedFiles()).map((f) => ({ where: f.path, text: Buffer.from(f.bytes).toString("latin1") }));
  assert.ok(findSecrets(secrets, files).some((hit) => hit.startsWith("session token")), "the scan missed a planted session token");
  await fleet.tamper("/delete?key=control", { method: "POST" });
});
