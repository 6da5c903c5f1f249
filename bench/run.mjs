#!/usr/bin/env node
/**
 * `npm run bench`: every figure of issues 6, 13 and 20, side by side with @aws-sdk/client-sts, in one
 * run. A plain sequence of figure scripts, each in its own child process(es), each writing
 * bench/.out/<name>.json; then lib/report.mjs turns them into bench/results.json and
 * bench/RESULTS.md. Not part of `npm test`. Loopback only. About 5–6 minutes on 2 cores.
 *   npm run bench            (node bench/run.mjs [--pairs=4] [--spawns=10] [--report-only])
 * More pairs/spawns tighten the spreads on a noisy machine (each pair adds ~15 s per comparison).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { summarise } from "./lib/profile.mjs";
import { childEnv } from "./lib/util.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const bench = join(root, "bench");
const out = join(bench, ".out");
const profiles = join(out, "profiles");
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = childEnv();
const started = Date.now();
const load = { start: loadavg()[0] };
const f = (name) => join(out, `${name}.json`);
const reportOnly = "report-only" in args; // re-render RESULTS.md from the last run's bench/.out
if (!reportOnly) rmSync(out, { recursive: true, force: true });
mkdirSync(profiles, { recursive: true });
const node = process.execPath;
const deno = (script, ...a) => [bin("deno"), ["run", "-A", "--no-lock", "--v8-flags=--expose-gc", script, ...a]];
const bun = (script, ...a) => [bin("bun"), [script, ...a]];
const timings = {};

/** Runs one figure script; `capture` writes its last stdout line (JSON) to that file. */
function step(label, cmd, argv, { allowFail = false, timeoutMs = 240_000, capture } = {}) {
  if (reportOnly) return true;
  const t0 = Date.now();
  process.stderr.write(`\n▶ ${label}\n`);
  const r = spawnSync(cmd, argv, { cwd: root, env, stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"], timeout: timeoutMs, encoding: "utf8" });
  const ok = r.status === 0;
  if (ok && capture) writeFileSync(capture, r.stdout.trim().split("\n").pop());
  if (!ok && !allowFail) throw new Error(`${label} failed (${r.error?.message ?? `exit ${r.status}`})`);
  timings[label] = (Date.now() - t0) / 1000;
  process.stderr.write(`  ${ok ? "done" : "FAILED"} in ${timings[label].toFixed(1)} s\n`);
  return ok;
}

// ── build: the package as shipped (scripts/build.mjs), the stage pieces, the baseline ───────────
step("prepare: build bench/.out/dist, stages, baseline", node, ["bench/prepare.mjs"]);

// ── figures ─────────────────────────────────────────────────────────────────────────────────
const pairs = `--pairs=${args.pairs ?? 4}`;
step("#1 #2 #3 on Node, #8 on Deno and Bun (each side in its own process, alternating pairs)", node, ["bench/pairs.mjs", pairs, `--out=${f("pairs")}`], { timeoutMs: 420_000 });
step("#9 workerd", node, ["bench/workerd.mjs", pairs, `--out=${f("workerd")}`], { allowFail: true });
step("#4 cold start on Node, Deno, Bun (fresh processes)", node, ["bench/cold.mjs", `--spawns=${args.spawns ?? 10}`, `--out=${f("cold")}`, `--profileDir=${profiles}`]);
step("#5 bundle size (esbuild + gzip)", node, ["bench/bundle.mjs", `--out=${f("bundle")}`]);
step("#6 fan-in, #7 memory", node, ["--expose-gc", "bench/fanin-memory.mjs", `--out=${f("fanin-memory")}`]);
step("crypto.subtle per signed request: Node", node, ["bench/subtle.mjs"], { capture: f("subtle-node") });
step("crypto.subtle per signed request: Deno", ...deno("bench/subtle.mjs"), { capture: f("subtle-deno"), allowFail: true });
step("crypto.subtle per signed request: Bun", ...bun("bench/subtle.mjs"), { capture: f("subtle-bun"), allowFail: true });
step("xmldom 0.9 end-tag RegExp (#950): Node", node, ["bench/xmldom.mjs"], { capture: f("xmldom-node") });
step("xmldom 0.9 end-tag RegExp (#950): Deno", ...deno("bench/xmldom.mjs"), { capture: f("xmldom-deno"), allowFail: true });
step("xmldom 0.9 end-tag RegExp (#950): Bun", ...bun("bench/xmldom.mjs"), { capture: f("xmldom-bun"), allowFail: true });
step("stages of one exchange: Node", node, ["bench/stages.mjs"], { capture: f("stages-node") });
step("stages of one exchange: Deno", ...deno("bench/stages.mjs"), { capture: f("stages-deno"), allowFail: true });
step("stages of one exchange: Bun", ...bun("bench/stages.mjs"), { capture: f("stages-bun"), allowFail: true });
step("issue 20: workerd start-up of a fresh isolate (fresh workerd processes)", node, ["bench/startup.mjs", `--rounds=${args.rounds ?? 8}`, `--out=${f("startup")}`], { allowFail: true, timeoutMs: 600_000 });
step("issue 20: hit path vs a no-op middleware, one process: Node", node, ["--expose-gc", "bench/hit.mjs"], { capture: f("hit-node") });
step("issue 20: hit path vs a no-op middleware, one process: Deno", ...deno("bench/hit.mjs"), { capture: f("hit-deno"), allowFail: true });
step("issue 20: hit path vs a no-op middleware, one process: Bun", ...bun("bench/hit.mjs"), { capture: f("hit-bun"), allowFail: true });
step("#10 fleet: 8 isolates sharing one store (Redis, Deno KV, Workers KV; coordination on Redis, Deno KV, Durable Objects)", node, ["bench/fleet.mjs", `--out=${f("fleet")}`], { allowFail: true, timeoutMs: 600_000 });

// ── profiles: where the time goes (Node and Bun have CLI CPU profilers; RESULTS.md cites them) ──
const profiled = {};
const scenarios = { awwi: 3000, "sdk-awwi": 3000, gci: 2000, "sdk-gci": 2000, hit: 20000, bare: 20000 };
for (const runtime of ["node", "bun"]) {
  for (const [scenario, count] of Object.entries(scenarios)) {
    if (runtime === "bun" && (scenario === "bare" || scenario === "sdk-gci")) continue;
    const dir = join(profiles, `${runtime}-${scenario}`);
    const flags = ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...(runtime === "node" ? ["--cpu-prof-interval", "200"] : [])];
    step(`profile ${runtime} ${scenario}`, runtime === "node" ? node : bin("bun"), [...flags, "bench/profile-target.mjs", scenario, String(count)], { allowFail: true });
    const file = existsSync(dir) && readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
    if (file) profiled[`${runtime}-${scenario}`] = { ops: count, ...summarise(join(dir, file), 12) };
  }
}
for (const side of ["edge-sts", "sdk"]) {
  const dir = join(profiles, `cold-${side}`);
  const file = existsSync(dir) && readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
  if (file) profiled[`node-cold-${side}`] = summarise(join(dir, file), 12);
}

// ── results ─────────────────────────────────────────────────────────────────────────────────
load.end = loadavg()[0];
const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined);
const raw = Object.fromEntries(readdirSync(out).filter((n) => n.endsWith(".json")).map((n) => [n.replace(/\.json$/, ""), readJson(join(out, n))]));
const { buildResults, renderTable, renderMarkdown } = await import("./lib/report.mjs");
const previous = reportOnly ? readJson(join(bench, "results.json")) : undefined;
const results = buildResults({
  raw,
  profiles: profiled,
  machine: { ...machine(), loadAverage1m: previous?.machine?.loadAverage1m ?? load },
  date: previous?.date ?? new Date(started).toISOString(),
  durationSeconds: previous?.durationSeconds ?? Math.round((Date.now() - started) / 1000),
  timings: previous?.timings ?? timings,
});
results.fleet = raw.fleet ?? { ran: false };
writeFileSync(join(bench, "results.json"), JSON.stringify(results, null, 2) + "\n");
const { fleetRows, renderFleetMarkdown } = await import("./lib/fleet-report.mjs");
console.log("\n" + renderTable(results) + "\n" + fleetRows(results.fleet).map((row) => row.join(" · ")).join("\n"));
const { renderCoordinationMarkdown } = await import("./lib/coordination-report.mjs");
writeFileSync(join(bench, "RESULTS.md"), renderMarkdown(results) + renderFleetMarkdown(results.fleet) + renderCoordinationMarkdown(results.fleet));
// Each adds its own section to RESULTS.md and results.json (regions also writes RESULTS-regions.md).
step("issue 20: start-up section", node, ["bench/startup-report.mjs"], { allowFail: true });
step("STS regions: nearest and failover (simulated network)", node, ["bench/regions.mjs"], { allowFail: true });
// Writes RESULTS-failover.md: the first request's cost with a blackholed region, per deadline.
step("failover under a deadline (a blackholed region on loopback)", node, ["bench/failover.mjs"], { allowFail: true });
// Adds its own section (## Verification) to RESULTS.md and results.json.
step("verify: CPU of a miss with local verification (RS256, ES256) and of a hit", node, ["bench/verify.mjs"], { allowFail: true });
console.log(`\nbench/results.json and bench/RESULTS.md written (${results.durationSeconds} s)`);

function machine() {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const version = (cmd, a) => spawnSync(cmd, a, { encoding: "utf8" }).stdout?.trim().split("\n")[0] ?? "?";
  const pkgVersion = (p) => JSON.parse(readFileSync(join(root, "node_modules", p, "package.json"), "utf8")).version;
  return {
    cpu: /model name\s*:\s*(.*)/.exec(info)?.[1] ?? cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    deno: version(bin("deno"), ["--version"]).replace(/\s*\(.*$/, ""),
    bun: version(bin("bun"), ["--version"]),
    workerd: version(bin("workerd"), ["--version"]),
    sdk: pkgVersion("@aws-sdk/client-sts"),
    hono: pkgVersion("hono"),
    xmldom: pkgVersion("@xmldom/xmldom"),
  };
}
