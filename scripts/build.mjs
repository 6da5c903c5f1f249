#!/usr/bin/env node
/**
 * `npm run build`: dist/ as published.
 *  - JavaScript: one ESM file per entry point in package.json `exports` (`./dist/X.js` built from
 *    `./src/X.ts`), bundled with esbuild: the package's own modules inlined, every dependency and
 *    peer dependency (@xmldom/xmldom, aws4fetch, valibot, hono, and anything added to package.json
 *    later) left as an import, so users still dedupe and patch them. Code two entries share goes to
 *    one shared chunk (dist/chunks/), so `StsError`, `CredentialCache`… stay one class whichever
 *    entry they are imported from (`instanceof` across entries keeps working).
 *  - Types: tsc's per-module `.d.ts` tree, as before (JSR publishes src/ itself: unaffected).
 * Fails unless every file named in package.json `exports` exists afterwards.
 *   node scripts/build.mjs [--outDir=<dir>] [--no-types]   (the bench builds a private copy this way)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";

const root = resolve(import.meta.dirname, "..");
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const outDir = resolve(root, args.outDir ?? "dist");
const withTypes = !("no-types" in args);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** `exports` entries that point into dist/: [key, dist .js file, its source file]. */
const entries = [];
for (const [key, target] of Object.entries(pkg.exports)) {
  const js = typeof target === "string" ? target : target.default ?? target.import;
  if (typeof js !== "string" || !/^\.\/dist\/.+\.js$/.test(js)) continue;
  const src = js.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts");
  if (!existsSync(join(root, src))) fail(`exports["${key}"] → ${js}, but its source ${src} does not exist`);
  entries.push({ key, js, src });
}
if (entries.length === 0) fail("package.json exports names no ./dist/*.js entry");

rmSync(outDir, { recursive: true, force: true });

if (withTypes) {
  const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json", "--emitDeclarationOnly", "--outDir", outDir], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) fail("tsc failed");
  // tsc leaves `.ts` specifiers in .d.ts files; consumers without allowImportingTsExtensions would
  // then look for files that are not published. Rewrite them to `.js`.
  const relativeTsSpecifier = /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']*?)(?<!\.d)\.ts\2/g;
  const walk = (dir) => readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
  for (const file of walk(outDir)) {
    if (!file.endsWith(".d.ts")) continue;
    const text = readFileSync(file, "utf8");
    const rewritten = text.replace(relativeTsSpecifier, "$1$2$3.js$2");
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

// Every dependency stays external, subpath imports included (`hono/http-exception`, …).
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).flatMap((name) => [name, `${name}/*`]);
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries.map((e) => ({ in: e.src, out: e.js.replace(/^\.\/dist\//, "").replace(/\.js$/, "") })),
  outdir: outDir,
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  external,
  treeShaking: true,
  minify: false,
  legalComments: "inline",
  logLevel: "warning",
  metafile: true,
});
if (result.errors.length > 0) fail("esbuild failed");

// Nothing from node_modules may have been inlined: dependencies are the user's to dedupe.
const inlined = Object.keys(result.metafile.inputs).filter((f) => f.includes("node_modules/"));
if (inlined.length > 0) fail(`dependencies were bundled instead of imported:\n  ${inlined.join("\n  ")}`);

const missing = [];
for (const [key, target] of Object.entries(pkg.exports)) {
  for (const file of typeof target === "string" ? [target] : Object.values(target)) {
    const path = resolve(root, file);
    // A private --outDir build maps ./dist/… onto that directory.
    const mapped = file.startsWith("./dist/") ? join(outDir, file.slice("./dist/".length)) : path;
    if (!withTypes && file.endsWith(".d.ts")) continue;
    if (!existsSync(mapped)) missing.push(`${key} → ${file}`);
  }
}
if (missing.length > 0) fail(`entry points missing from the output:\n  ${missing.join("\n  ")}`);
const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"));
console.log(`build: ${relative(root, outDir) || "."}/ written (${entries.length} entries, ${js.length} JavaScript files${withTypes ? ", .d.ts per module" : ""})`);

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}
