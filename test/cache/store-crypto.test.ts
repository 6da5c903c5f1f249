/** The sealing of store entries: keys only the token derives, values that open only under their own key. */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { test } from "node:test";
import { deriveStoreKeys, open, seal, storeSecretBytes } from "../../src/cache/store-crypto.ts";
import { cacheKey } from "../../src/cache/cache-key.ts";
import { T0, idToken } from "../hono/fixtures.ts";

const token = idToken("alice", T0);
const other = idToken("bob", T0);
const entry = (t: string, role = "arn:aws:iam::123456789012:role/app") => cacheKey(["edge-sts/hono", "https://sts.eu-west-1.amazonaws.com", t, role]);

test("the store key is edge-sts:2: + a 256-bit base64url HMAC, the same for the same entry on every isolate", async () => {
  const a = await deriveStoreKeys(token, entry(token));
  const b = await deriveStoreKeys(token, entry(token));
  assert.match(a.storeKey, /^edge-sts:2:[A-Za-z0-9_-]{43}$/);
  assert.equal(a.storeKey, b.storeKey);
  assert.equal(a.valueKey.extractable, false);
  assert.deepEqual(a.valueKey.algorithm, { name: "AES-GCM", length: 256 });
});

test("another token, or another role for the same token, is another store key", async () => {
  const keys = await Promise.all([
    deriveStoreKeys(token, entry(token)),
    deriveStoreKeys(other, entry(other)),
    deriveStoreKeys(token, entry(token, "arn:aws:iam::123456789012:role/admin")),
  ]);
  assert.equal(new Set(keys.map((k) => k.storeKey)).size, 3);
});

test("the store key is neither the token nor a plain hash or HMAC of it, nor of the cache key", async () => {
  const { storeKey } = await deriveStoreKeys(token, entry(token));
  const digest = storeKey.slice("edge-sts:2:".length);
  const plain = [
    createHash("sha256").update(token).digest("base64url"),
    createHash("sha256").update(entry(token)).digest("base64url"),
    createHmac("sha256", token).update(entry(token)).digest("base64url"),
    createHmac("sha256", "").update(entry(token)).digest("base64url"),
  ];
  for (const p of plain) assert.notEqual(digest, p);
  for (const part of [token, ...token.split(".")]) assert.ok(!storeKey.includes(part.slice(0, 16)));
});

test("a sealed value opens under its keys; each seal uses a fresh 96-bit nonce", async () => {
  const keys = await deriveStoreKeys(token, entry(token));
  const payload = { v: 1, secret: "wJalrXUtnFEMI/K7MDENG" };
  const [one, two] = [await seal(keys, payload), await seal(keys, payload)];
  assert.match(one, /^2\.[A-Za-z0-9_-]+$/);
  assert.notEqual(one, two, "two seals of one value are different");
  assert.notEqual(one.slice(2, 18), two.slice(2, 18), "the nonces differ");
  assert.deepEqual(await open(keys, one), payload);
  assert.deepEqual(await open(keys, two), payload);
  assert.ok(!one.includes("wJalrXUtnFEMI") && !atob(one.slice(2).replace(/-/g, "+").replace(/_/g, "/")).includes("wJalrXUtnFEMI"));
});

test("a value copied to another key does not open there, even one of the same token", async () => {
  const mine = await deriveStoreKeys(token, entry(token));
  const sameTokenOtherRole = await deriveStoreKeys(token, entry(token, "arn:aws:iam::123456789012:role/admin"));
  const theirs = await deriveStoreKeys(other, entry(other));
  const sealed = await seal(mine, { v: 1 });
  assert.equal(await open(sameTokenOtherRole, sealed), undefined, "the store key is the additional data");
  assert.equal(await open(theirs, sealed), undefined);
});

test("an altered, truncated, re-versioned or foreign value does not open", async () => {
  const keys = await deriveStoreKeys(token, entry(token));
  const sealed = await seal(keys, { v: 1, n: 42 });
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  for (let i = 2; i < sealed.length; i += 7) assert.equal(await open(keys, flip(sealed, i)), undefined, `byte ${i} altered`);
  for (const bad of [sealed.slice(0, -1), sealed.slice(0, 30), "1" + sealed.slice(1), "3" + sealed.slice(1), sealed.slice(2), "2.", "2.!!!!", "", "garbage", 42, null, { v: 1 }, "2." + "A".repeat(70_000)]) {
    assert.equal(await open(keys, bad), undefined, `opened ${JSON.stringify(bad).slice(0, 40)}`);
  }
});

const SECRET = storeSecretBytes("a-deployment-store-secret-of-32+chars")!;

test("a storeSecret changes both keys: keyed and unkeyed, or two secrets, never share an entry", async () => {
  const unkeyed = await deriveStoreKeys(token, entry(token));
  const keyed = await deriveStoreKeys(token, entry(token), SECRET);
  const again = await deriveStoreKeys(token, entry(token), storeSecretBytes("a-deployment-store-secret-of-32+chars"));
  const otherSecret = await deriveStoreKeys(token, entry(token), storeSecretBytes("b-deployment-store-secret-of-32+chars"));
  assert.match(keyed.storeKey, /^edge-sts:2:[A-Za-z0-9_-]{43}$/);
  assert.equal(keyed.storeKey, again.storeKey, "the same secret on every isolate gives the same key");
  assert.equal(new Set([unkeyed, keyed, otherSecret].map((k) => k.storeKey)).size, 3);
  const sealed = await seal(keyed, { v: 1 });
  assert.deepEqual(await open(again, sealed), { v: 1 });
  // Even under the right store key, a value sealed without (or with another) secret does not open.
  const forged = await seal({ storeKey: keyed.storeKey, valueKey: unkeyed.valueKey }, { v: 1 });
  assert.equal(await open(keyed, forged), undefined);
  assert.equal(await open(keyed, await seal({ storeKey: keyed.storeKey, valueKey: otherSecret.valueKey }, { v: 1 })), undefined);
});

test("storeSecretBytes: at least 32 characters or 32 bytes; bytes are copied", () => {
  assert.equal(storeSecretBytes("x".repeat(31)), undefined);
  assert.equal(storeSecretBytes(new Uint8Array(31)), undefined);
  assert.equal(storeSecretBytes(42), undefined);
  assert.equal(storeSecretBytes(null), undefined);
  const bytes = new Uint8Array(40).fill(7);
  const copy = storeSecretBytes(bytes)!;
  bytes.fill(0);
  assert.deepEqual([...copy], new Array(40).fill(7));
  assert.equal(storeSecretBytes(new DataView(new ArrayBuffer(64), 16, 32))!.byteLength, 32);
  assert.equal(storeSecretBytes(new ArrayBuffer(32))!.byteLength, 32);
});

/** The version-1 format (before storeSecret), rebuilt here: what an older edge-sts left in a store. */
async function sealV1(t: string, key: string, payload: unknown): Promise<{ storeKey: string; value: string }> {
  const enc = new TextEncoder();
  const ikm = await crypto.subtle.importKey("raw", enc.encode(t), "HKDF", false, ["deriveKey"]);
  const hkdf = (info: string) => ({ name: "HKDF", hash: "SHA-256", salt: enc.encode("edge-sts/store/v1 salt"), info: enc.encode(info) });
  const mac = await crypto.subtle.deriveKey(hkdf("edge-sts/store/v1 store key (HMAC-SHA-256)"), ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
  const aes = await crypto.subtle.deriveKey(hkdf("edge-sts/store/v1 value (AES-256-GCM)"), ikm, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  const storeKey = "edge-sts:1:" + Buffer.from(await crypto.subtle.sign("HMAC", mac, enc.encode(key))).toString("base64url");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode("edge-sts/store/v1|" + storeKey) }, aes, enc.encode(JSON.stringify(payload)));
  return { storeKey, value: "1." + Buffer.concat([iv, new Uint8Array(ct)]).toString("base64url") };
}

test("a version-1 entry is a miss: another store key, and its value does not open under version-2 keys", async () => {
  const old = await sealV1(token, entry(token), { v: 1, n: 1 });
  const keys = await deriveStoreKeys(token, entry(token));
  assert.notEqual(keys.storeKey, old.storeKey);
  assert.equal(await open(keys, old.value), undefined);
  assert.equal(await open(keys, "2" + old.value.slice(1)), undefined, "relabelled as version 2");
  assert.equal(await open({ storeKey: old.storeKey, valueKey: keys.valueKey }, old.value), undefined);
});

test("the claim key: opaque, stable on every isolate, apart from the store key, and keyed by the storeSecret", async () => {
  const secret = storeSecretBytes("a-deployment-store-secret-of-32+chars");
  const [a, b, unkeyed, other] = await Promise.all([
    deriveStoreKeys(token, entry(token), secret),
    deriveStoreKeys(token, entry(token), secret),
    deriveStoreKeys(token, entry(token)),
    deriveStoreKeys(token, entry(token) + "x", secret),
  ]);
  assert.match(a.claimKey, /^edge-sts:2:c:[A-Za-z0-9_-]{43}$/);
  assert.equal(a.claimKey, b.claimKey, "every isolate derives the same claim key");
  assert.notEqual(a.claimKey.slice(13), a.storeKey.slice(11), "the claim key is not the store key's digest");
  assert.equal(new Set([a, unkeyed, other].map((k) => k.claimKey)).size, 3);
  for (const part of [token, ...token.split(".")]) assert.ok(!a.claimKey.includes(part.slice(0, 16)));
});
