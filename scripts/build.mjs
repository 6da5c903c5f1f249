#!/usr/bin/env node
/**
 * `npm run build`: ESM `.js` + `.d.ts` from src/ into dist/ with tsc. `rewriteRelativeImportExtensions`
 * turns `./x.ts` imports into `./x.js`. Fails unless every entry point in package.json `exports` exists.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
rmSync(join(root, "dist"), { recursive: true, force: true });

const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) {
  console.error("build: tsc failed");
  process.exit(1);
}

// tsc rewrites `.ts` specifiers in the emitted .js but leaves them in .d.ts files; consumers without
// allowImportingTsExtensions would then look for files that are not published. Rewrite them too.
const relativeTsSpecifier = /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']*?)(?<!\.d)\.ts\2/g;
const walk = (dir) => readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
for (const file of walk(join(root, "dist"))) {
  if (!file.endsWith(".d.ts")) continue;
  const text = readFileSync(file, "utf8");
  const rewritten = text.replace(relativeTsSpecifier, "$1$2$3.js$2");
  if (rewritten !== text) writeFileSync(file, rewritten);
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const missing = [];
for (const [key, target] of Object.entries(pkg.exports)) {
  for (const file of typeof target === "string" ? [target] : Object.values(target)) {
    if (!existsSync(join(root, file))) missing.push(`${key} → ${file}`);
  }
}
if (missing.length > 0) {
  console.error(`build: entry points missing from the output:\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
console.log("build: dist/ written");
