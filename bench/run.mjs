#!/usr/bin/env node
/**
 * `npm run bench`: issue 6's benchmarks, side by side with @aws-sdk/client-sts, in one run.
 * Builds src/ with the project's tsc settings into bench/.out/dist (a private build: no tsx loader
 * in any measurement, and dist/ is left alone), runs every section in its own child process, prints
 * a table, writes bench/results.json and bench/RESULTS.md. Not part of `npm test`. Loopback only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { summarise } from "./lib/profile.mjs";
import { childEnv } from "./lib/util.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const bench = join(root, "bench");
const out = join(bench, ".out");
const profiles = join(out, "profiles");
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = childEnv();
const started = Date.now();
const load = { start: loadavg()[0] };
rmSync(profiles, { recursive: true, force: true });
mkdirSync(profiles, { recursive: true });

function step(label, cmd, args, { allowFail = false, timeoutMs = 180_000 } = {}) {
  const t0 = Date.now();
  process.stderr.write(`\n▶ ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"], timeout: timeoutMs });
  const ok = r.status === 0;
  if (!ok && !allowFail) throw new Error(`${label} failed (${r.error?.message ?? `exit ${r.status}`})`);
  process.stderr.write(`  ${ok ? "done" : "FAILED"} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return ok;
}
const readJson = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : undefined);
const version = (cmd, args) => spawnSync(cmd, args, { encoding: "utf8" }).stdout?.trim().split("\n")[0] ?? "?";

// ── build ────────────────────────────────────────────────────────────────────────────────────
rmSync(join(out, "dist"), { recursive: true, force: true });
step("build src/ → bench/.out/dist (tsc, the project's tsconfig)", bin("tsc"), ["-p", "tsconfig.json", "--outDir", join(out, "dist"), "--declaration", "false"], { allowFail: true });
if (!existsSync(join(out, "dist", "index.js")) || !existsSync(join(out, "dist", "hono", "index.js"))) throw new Error("build produced no bench/.out/dist");

// ── sections ─────────────────────────────────────────────────────────────────────────────────
const f = (name) => join(out, `${name}.json`);
for (const name of ["micro-node", "micro-deno", "micro-bun", "cold", "bundle", "fanin-memory", "fleet"]) rmSync(f(name), { force: true });
step("#1 #2 #3 on Node (micro)", process.execPath, ["bench/micro.mjs", "--groups=1,2,3", `--out=${f("micro-node")}`]);
step("#8 #1 #3 on Deno", bin("deno"), ["run", "-A", "--no-lock", "bench/micro.mjs", "--groups=1,3", `--out=${f("micro-deno")}`], { allowFail: true });
step("#8 #1 #3 on Bun", bin("bun"), ["bench/micro.mjs", "--groups=1,3", `--out=${f("micro-bun")}`], { allowFail: true });
step("#4 cold start (fresh node processes)", process.execPath, ["bench/cold.mjs", "--spawns=15", `--out=${f("cold")}`, `--profileDir=${profiles}`]);
step("#5 bundle size (esbuild + gzip)", process.execPath, ["bench/bundle.mjs", `--out=${f("bundle")}`]);
step("#6 fan-in, #7 memory", process.execPath, ["--expose-gc", "bench/fanin-memory.mjs", `--out=${f("fanin-memory")}`]);
step("#9 fleet: 8 isolates sharing one store (Redis, Deno KV, Workers KV)", process.execPath, ["bench/fleet.mjs", `--out=${f("fleet")}`], { allowFail: true, timeoutMs: 300_000 });

const node = readJson(f("micro-node"));
const deno = readJson(f("micro-deno"));
const bun = readJson(f("micro-bun"));
const cold = readJson(f("cold"));
const bundle = readJson(f("bundle"));
const fm = readJson(f("fanin-memory"));

// ── figures, ratios, targets ─────────────────────────────────────────────────────────────────
const sdkBest = (group) => {
  const sdk = Object.entries(group.sides).filter(([n]) => n.startsWith("sdk"));
  if (sdk.length === 0) return undefined;
  return sdk.sort((a, b) => a[1].cpuUsPerOp - b[1].cpuUsPerOp)[0];
};
function clientFigure(group, target) {
  if (!group) return { ran: false };
  const edge = group.sides["edge-sts"];
  const best = sdkBest(group);
  const fig = { edge: pick(edge), sdk: Object.fromEntries(Object.entries(group.sides).filter(([n]) => n.startsWith("sdk")).map(([n, s]) => [n, pick(s)])), errors: group.errors };
  if (!best) return { ...fig, ratio: null, target: `≥ ${target}× less CPU`, met: null };
  const ratio = best[1].cpuUsPerOp / edge.cpuUsPerOp;
  return { ...fig, comparedWith: best[0], ratio: +ratio.toFixed(2), wallP50Ratio: +(best[1].wallUs.p50 / edge.wallUs.p50).toFixed(2), target: `≥ ${target}× less CPU`, met: ratio >= target };
}
function middlewareFigure(group) {
  if (!group) return { ran: false };
  const mw = group.sides["hono+middleware (hit)"];
  const bare = group.sides["hono bare"];
  const overhead = mw.cpuUsPerOp / bare.cpuUsPerOp - 1;
  return { middleware: pick(mw), bare: pick(bare), ratio: +(mw.cpuUsPerOp / bare.cpuUsPerOp).toFixed(3), overheadPct: +(overhead * 100).toFixed(1), addedUsPerRequest: +(mw.cpuUsPerOp - bare.cpuUsPerOp).toFixed(2), stsCalls: group.stsCalls, target: "adds ≤ 25 %", met: overhead <= 0.25 };
}
function pick(s) {
  return { cpuUsPerOp: +s.cpuUsPerOp.toFixed(2), wallUs: { avg: +s.wallUs.avg.toFixed(2), p50: +s.wallUs.p50.toFixed(2), p99: +s.wallUs.p99.toFixed(2) }, cpuOps: s.cpuOps };
}

const results = {
  date: new Date(started).toISOString(),
  machine: machine(),
  method: {
    cpu: "process.cpuUsage() (user+system, every thread: GC and Web Crypto's thread pool included) over interleaved blocks of sequential ops, both sides in one process after warm-up; the ratio is CPU/op of the SDK's cheaper variant ÷ edge-sts's",
    wall: "mitata measure(), back to back in the same process: avg/p50/p99 per op",
    transport: "edge-sts: injected fetch returning new Response(cannedXml); SDK: requestHandler.handle returning HttpResponse with the same body as a Node Readable (sdk-readable, what NodeHttpHandler hands over) or a Uint8Array (sdk-bytes, the SDK's cheapest path); static credentials, no shared config files, no IMDS",
    bodies: "test/fixtures/*/success.xml (full AssumeRoleWithWebIdentity result), expiration moved to now + 1 h",
    token: `GitHub-Actions-shaped RS256 JWT, ${node?.tokenLength} characters`,
    build: "edge-sts from bench/.out/dist (tsc with the project's tsconfig); the SDK from node_modules (its CJS build on Node)",
  },
  figures: {
    1: { what: "CPU per AssumeRoleWithWebIdentity", ...clientFigure(node?.groups["1"], 4) },
    2: { what: "CPU per signed GetCallerIdentity", ...clientFigure(node?.groups["2"], 3) },
    3: { what: "CPU per Hono request, middleware cache hit vs bare app", ...middlewareFigure(node?.groups["3"]) },
    4: coldFigure(),
    5: bundleFigure(),
    6: fm ? { what: "fan-in: 1 000 concurrent requests, one token", ...fm.fanIn, target: "exactly 1 STS call" } : { ran: false },
    7: fm ? { what: "memory: 10 000 distinct tokens, maxEntries 1 000", ...fm.memory, target: "bounded; report bytes per entry", met: fm.memory.bounded } : { ran: false },
    9: readJson(f("fleet")) ?? { ran: false },
    8: {
      what: "#1 and #3 on Deno and Bun",
      deno: deno ? { version: deno.version, 1: clientFigure(deno.groups["1"], 4), 3: middlewareFigure(deno.groups["3"]) } : { ran: false },
      bun: bun ? { version: bun.version, 1: clientFigure(bun.groups["1"], 4), 3: middlewareFigure(bun.groups["3"]) } : { ran: false },
      target: "report",
    },
  },
  profiles: {},
};

function coldFigure() {
  if (!cold) return { ran: false };
  const e = cold.summary["edge-sts"];
  const s = cold.summary.sdk;
  const ratio = s.importAndCallMs.median / e.importAndCallMs.median;
  return {
    what: "cold start: fresh node process, import + first AssumeRoleWithWebIdentity against the loopback emulator",
    how: cold.endpoint,
    edge: e,
    sdk: s,
    ratio: +ratio.toFixed(2),
    processWallRatio: +(s.processWallMs.median / e.processWallMs.median).toFixed(2),
    target: "≥ 3× faster (import + first exchange, median)",
    met: ratio >= 3,
  };
}
function bundleFigure() {
  if (!bundle) return { ran: false };
  const b = bundle["edge-middleware"];
  const sdkAlone = bundle["sdk-client-alone"];
  return {
    what: "bundle, esbuild minified + gzip -9, platform browser, conditions worker+browser",
    entries: bundle,
    ratio: +(sdkAlone.gzipBytes / b.gzipBytes).toFixed(2),
    target: "(b) core + middleware smaller than the SDK's client alone (gzip)",
    met: b.gzipBytes < sdkAlone.gzipBytes,
  };
}

// ── profiles: where the time goes (always for #1–#4; RESULTS.md cites them where a target is missed) ──
const scenarios = { awwi: 3000, gci: 2000, hit: 20000, bare: 20000, "sdk-awwi": 3000 };
for (const [scenario, count] of Object.entries(scenarios)) {
  const dir = join(profiles, scenario);
  step(`profile ${scenario}`, process.execPath, ["--cpu-prof", "--cpu-prof-interval", "200", `--cpu-prof-dir=${dir}`, "bench/profile-target.mjs", scenario, String(count)], { allowFail: true });
  const file = existsSync(dir) && readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
  if (file) results.profiles[scenario] = { ops: count, ...summarise(join(dir, file), 12) };
}
for (const side of ["edge-sts", "sdk"]) {
  const dir = join(profiles, `cold-${side}`);
  const file = existsSync(dir) && readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
  if (file) results.profiles[`cold-${side}`] = summarise(join(dir, file), 12);
}

load.end = loadavg()[0];
results.machine.loadAverage1m = load;
results.durationSeconds = Math.round((Date.now() - started) / 1000);
writeFileSync(join(bench, "results.json"), JSON.stringify(results, null, 2) + "\n");
const { renderTable, renderMarkdown } = await import("./lib/report.mjs");
const { fleetRows, renderFleetMarkdown } = await import("./lib/fleet-report.mjs");
console.log("\n" + renderTable(results) + "\n" + fleetRows(results.figures[9]).map((row) => row.join(" · ")).join("\n"));
writeFileSync(join(bench, "RESULTS.md"), renderMarkdown(results) + renderFleetMarkdown(results.figures[9]));
step("STS regions: nearest and failover (simulated network; adds its section to RESULTS.md and results.json)", process.execPath, ["bench/regions.mjs"], { allowFail: true });
console.log(`\nbench/results.json and bench/RESULTS.md written (${results.durationSeconds} s)`);

function machine() {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? cpus()[0]?.model ?? "?";
  return {
    cpu: model,
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    deno: version(bin("deno"), ["--version"]),
    bun: version(bin("bun"), ["--version"]),
    sdk: JSON.parse(readFileSync(join(root, "node_modules/@aws-sdk/client-sts/package.json"), "utf8")).version,
    hono: JSON.parse(readFileSync(join(root, "node_modules/hono/package.json"), "utf8")).version,
  };
}
