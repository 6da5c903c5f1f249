/** The bounded map of the token memos and the remembered rejections: by count and by total key length (forged 20 000-character tokens). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundedMap } from "../../src/cache/bounded-map.ts";

test("oldest out first at maxEntries", () => {
  const memo = new BoundedMap<number>(3, 1_000);
  for (const [i, key] of ["a", "b", "c", "d"].entries()) memo.set(key, i);
  assert.equal(memo.size, 3);
  assert.equal(memo.get("a"), undefined);
  assert.equal(memo.get("d"), 3);
});

test("oldest out first past maxKeyChars, whatever the count", () => {
  const memo = new BoundedMap<string>(1024, 50_000);
  for (let i = 0; i < 10; i++) memo.set(String(i).padEnd(19_000, "x"), "v");
  assert.equal(memo.size, 2, "two 19 000-character keys fit in 50 000, a third does not");
  assert.equal(memo.get("9".padEnd(19_000, "x")), "v");
  memo.set("a key longer than the budget".padEnd(60_000, "y"), "v");
  assert.equal(memo.size, 2, "a key over the whole budget is not kept and evicts nothing");
});

test("setting a key again does not count it twice", () => {
  const memo = new BoundedMap<number>(1024, 100);
  for (let i = 0; i < 50; i++) memo.set("k".repeat(60), i);
  assert.equal(memo.size, 1);
  memo.set("j".repeat(30), 0);
  assert.equal(memo.size, 2);
});

test("a deleted key gives its length back; clear empties both bounds", () => {
  const map = new BoundedMap<number>(1024, 100);
  map.set("a".repeat(60), 1);
  assert.equal(map.delete("a".repeat(60)), true);
  assert.equal(map.delete("a".repeat(60)), false);
  map.set("b".repeat(60), 2);
  assert.equal(map.get("b".repeat(60)), 2, "the deleted key's 60 characters no longer count");
  map.clear();
  assert.equal(map.size, 0);
  map.set("c".repeat(100), 3);
  assert.equal(map.get("c".repeat(100)), 3, "clear resets the key length too");
});

test("setting a key again makes it the newest", () => {
  const map = new BoundedMap<number>(2);
  map.set("a", 1);
  map.set("b", 2);
  map.set("a", 3);
  map.set("c", 4);
  assert.equal(map.get("b"), undefined);
  assert.equal(map.get("a"), 3);
});
