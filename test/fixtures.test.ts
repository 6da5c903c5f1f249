/**
 * test/portable/fixtures.ts carries the recorded XML bodies as constants (workerd has no
 * filesystem). This keeps the two copies from drifting: each constant is its file's exact text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as constants from "./portable/fixtures.ts";

const root = new URL("./fixtures/", import.meta.url);
const source = readFileSync(new URL("./portable/fixtures.ts", import.meta.url), "utf8");

test("every recorded XML fixture has a portable constant with exactly its text", () => {
  const files = readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith(".xml")).sort();
  assert.ok(files.length >= 17, `found ${files.length} fixtures`);
  for (const file of files) {
    const at = source.indexOf(`/** test/fixtures/${file} */\nexport const `);
    assert.notEqual(at, -1, `test/portable/fixtures.ts has no constant for ${file}`);
    const name = /export const (\w+)/.exec(source.slice(at))![1]!;
    const value = (constants as Record<string, string>)[name];
    assert.equal(value, readFileSync(new URL(file, root), "utf8"), `${name} differs from test/fixtures/${file}`);
  }
  assert.equal(Object.keys(constants).length, files.length, "no constant without a file");
});
