/**
 * What every bench script that runs on its own shares: the private build it measures, and its own
 * section of bench/RESULTS.md (between `<!-- name:start -->` and `<!-- name:end -->`) and key of
 * bench/results.json, so a rerun of one script replaces only what it wrote.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bench = join(root, "bench");

/**
 * The built package to measure: `--lib=<dir>` when given, else bench/.out/dist/, built the way run.mjs
 * builds it when a script runs alone and finds nothing there.
 * @returns the folder's URL (ends with `/`).
 */
export function builtLib(args) {
  // Relative to bench/, as the scripts took it before.
  const lib = new URL(args.lib ?? ".out/dist/", new URL("../", import.meta.url));
  if (!existsSync(fileURLToPath(new URL("testing/index.js", lib)))) {
    spawnSync(process.execPath, ["scripts/build.mjs", `--outDir=${join(bench, ".out", "dist")}`, "--no-types"], { cwd: root, stdio: "inherit" });
  }
  return lib;
}

/** Replaces (or appends) the `name` section of RESULTS.md with `markdown`, and `json[key]` with `value`. */
export function writeResultsSection(name, markdown, key, value) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const mdPath = join(bench, "RESULTS.md");
  const md = existsSync(mdPath) ? readFileSync(mdPath, "utf8") : "# Benchmark results\n";
  const block = `${start}\n${markdown}${end}\n`;
  writeFileSync(mdPath, md.includes(start) ? md.replace(new RegExp(`${start}[\\s\\S]*?${end}\\n?`), block) : `${md.trimEnd()}\n\n${block}`);
  const jsonPath = join(bench, "results.json");
  const json = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, "utf8")) : {};
  json[key] = value;
  writeFileSync(jsonPath, JSON.stringify(json, null, 2) + "\n");
}
