/**
 * Every ```ts block of docs/failover.md type-checks against the package as users import it
 * ("edge-sts", "edge-sts/hono", mapped to src/): a snippet cannot rot when an option changes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "..");

test("docs/failover.md: its ts blocks type-check against edge-sts", { timeout: 120_000 }, () => {
  const text = readFileSync(join(root, "docs/failover.md"), "utf8");
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 3, `found ${blocks.length} ts blocks`);
  const dir = mkdtempSync(join(tmpdir(), "edge-sts-docs-"));
  try {
    blocks.forEach((block, i) => writeFileSync(join(dir, `block-${i}.ts`), `${block}\nexport {};\n`));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "ESNext", moduleResolution: "bundler", lib: ["ES2022", "DOM", "DOM.Iterable"], types: [],
        strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, baseUrl: root,
        paths: { "edge-sts": ["src/index.ts"], "edge-sts/hono": ["src/hono/index.ts"], "hono": ["node_modules/hono"], "hono/*": ["node_modules/hono/*"] },
      },
      include: ["*.ts"],
    }));
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8", timeout: 110_000 });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
