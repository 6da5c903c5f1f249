/** The sealing of store entries: keys only the token derives, values that open only under their own key. */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { test } from "node:test";
import { deriveStoreKeys, open, seal } from "../../src/cache/store-crypto.ts";
import { cacheKey } from "../../src/cache/cache-key.ts";
import { T0, idToken } from "../hono/fixtures.ts";

const token = idToken("alice", T0);
const other = idToken("bob", T0);
const entry = (t: string, role = "arn:aws:iam::123456789012:role/app") => cacheKey(["edge-sts/hono", "https://sts.eu-west-1.amazonaws.com", t, role]);

test("the store key is edge-sts:1: + a 256-bit base64url HMAC, the same for the same entry on every isolate", async () => {
  const a = await deriveStoreKeys(token, entry(token));
  const b = await deriveStoreKeys(token, entry(token));
  assert.match(a.storeKey, /^edge-sts:1:[A-Za-z0-9_-]{43}$/);
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
  const digest = storeKey.slice("edge-sts:1:".length);
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
  assert.match(one, /^1\.[A-Za-z0-9_-]+$/);
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
  for (const bad of [sealed.slice(0, -1), sealed.slice(0, 30), "2" + sealed.slice(1), sealed.slice(2), "1.", "1.!!!!", "", "garbage", 42, null, { v: 1 }, "1." + "A".repeat(70_000)]) {
    assert.equal(await open(keys, bad), undefined, `opened ${JSON.stringify(bad).slice(0, 40)}`);
  }
});
