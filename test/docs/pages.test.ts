/**
 * The front page stays a front page, and every relative link of README.md and docs/*.md points at a
 * file (and, for `#anchors` into our own pages, at a heading) that exists.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { markdownFiles, root } from "./extract.ts";

/** GitHub's heading anchors: lower case, punctuation out, spaces to hyphens. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/^(`{3,})[\s\S]*?^\1/gm, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\s-]/g, "").replace(/\s/g, "-")));
}

test("README.md is at most 250 lines", () => {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n").length;
  assert.ok(lines <= 250, `README.md has ${lines} lines`);
});

test("every relative link of README.md and docs/*.md resolves", () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, "utf8").replace(/^(`{3,})[\s\S]*?^\1/gm, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const resolved = path === "" ? file : join(dirname(file), path);
      if (!existsSync(resolved)) broken.push(`${relative(root, file)}: ${target} (no such file)`);
      else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) broken.push(`${relative(root, file)}: ${target} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});
