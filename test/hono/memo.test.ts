/** The token memos are bounded by count and by total key length (forged 20 000-character tokens). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundedMemo } from "../../src/hono/memo.ts";

test("oldest out first at maxEntries", () => {
  const memo = new BoundedMemo<number>(3, 1_000);
  for (const [i, key] of ["a", "b", "c", "d"].entries()) memo.set(key, i);
  assert.equal(memo.size, 3);
  assert.equal(memo.get("a"), undefined);
  assert.equal(memo.get("d"), 3);
});

test("oldest out first past maxChars, whatever the count", () => {
  const memo = new BoundedMemo<string>(1024, 50_000);
  for (let i = 0; i < 10; i++) memo.set(String(i).padEnd(19_000, "x"), "v");
  assert.equal(memo.size, 2, "two 19 000-character keys fit in 50 000, a third does not");
  assert.equal(memo.get("9".padEnd(19_000, "x")), "v");
  memo.set("a key longer than the budget".padEnd(60_000, "y"), "v");
  assert.equal(memo.size, 2, "a key over the whole budget is not kept and evicts nothing");
});

test("setting a key again does not count it twice", () => {
  const memo = new BoundedMemo<number>(1024, 100);
  for (let i = 0; i < 50; i++) memo.set("k".repeat(60), i);
  assert.equal(memo.size, 1);
  memo.set("j".repeat(30), 0);
  assert.equal(memo.size, 2);
});
