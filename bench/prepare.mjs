/**
 * Builds what the bench measures, into bench/.out/ (dist/ is left alone):
 *  - bench/.out/dist/            the package as shipped: `node scripts/build.mjs --outDir=… --no-types`
 *  - bench/.out/stages-lib.js    the pipeline's internal pieces for bench/stages.mjs
 *  - bench/.out/baseline/dist/   src/ at --baseline=<git ref> (default: main before issue 13), bundled
 *                                the same way: "no signed call slower than today" is measured against it.
 *                                Skipped (and reported) when git or the ref is unavailable.
 *   node bench/prepare.mjs [--baseline=<ref>]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const BASELINE_REF = "3aaa8abb129537c2f4751b1b34f1ef3fd78c8943"; // main before issue 13's second performance pass
export const STARTUP_BASELINE_REF = "5525808636f2dd7a8e528a231542d9ab94bb95ac"; // main before issue 20 (the lazy XML reader)
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const out = join(root, "bench", ".out");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).flatMap((n) => [n, `${n}/*`]);
mkdirSync(out, { recursive: true });

const built = spawnSync(process.execPath, ["scripts/build.mjs", `--outDir=${join(out, "dist")}`, "--no-types"], { cwd: root, stdio: "inherit" });
if (built.status !== 0) throw new Error("scripts/build.mjs failed");

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["bench/lib/stages-entry.ts"],
  outfile: join(out, "stages-lib.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  external,
  logLevel: "warning",
});

/** src/ at `ref`, bundled into `<dir>/dist` (index + hono entries, dependencies external). */
async function buildAt(ref, dir) {
  rmSync(dir, { recursive: true, force: true });
  const info = { ref, built: false };
  const archive = spawnSync("git", ["-C", root, "archive", "--format=tar", ref, "src"], { maxBuffer: 64 * 2 ** 20 });
  if (archive.status !== 0) return { ...info, error: `git archive ${ref} failed: ${String(archive.stderr).trim().split("\n")[0]}` };
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (tar.status !== 0 || !existsSync(join(dir, "src", "index.ts"))) return { ...info, error: "could not unpack the baseline sources" };
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [
      { in: join(dir, "src", "index.ts"), out: "index" },
      { in: join(dir, "src", "hono", "index.ts"), out: "hono/index" },
    ],
    outdir: join(dir, "dist"),
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    external,
    logLevel: "warning",
  });
  const subject = spawnSync("git", ["-C", root, "log", "-1", "--format=%h %s", ref], { encoding: "utf8" }).stdout.trim();
  return { ...info, built: true, subject };
}

const info = await buildAt(args.baseline ?? BASELINE_REF, join(out, "baseline"));
// Issue 20's start-up rows compare with main before it (bench/startup.mjs, "before" Workers).
const beforeStartup = await buildAt(STARTUP_BASELINE_REF, join(out, "before-startup"));
writeFileSync(join(out, "before-startup.json"), JSON.stringify(beforeStartup, null, 2));
writeFileSync(join(out, "baseline.json"), JSON.stringify(info, null, 2));
console.error(info.built ? `prepare: baseline ${info.subject}` : `prepare: no baseline (${info.error})`);
