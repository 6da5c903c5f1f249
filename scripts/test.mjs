#!/usr/bin/env node
/**
 * `npm test`: every check, in order, with one summary line per runtime and a final
 * `total: N passed, M failed` line. Exits 1 if anything failed; a runtime that cannot start counts
 * as a failure, never a skip.
 *
 *   1. typecheck   src (no Node typings), test, and examples/* when present
 *   2. node        every test/**\/*.test.ts outside test/portable with `node --import tsx --test`
 *   3. portable    test/portable on node, deno, bun and inside workerd
 *   4. miniflare   test/miniflare: Workers KV and the Cache API as shared stores, several Worker
 *                  isolates in Miniflare (its own summary line)
 *
 * Options: `--only=typecheck,node,portable,miniflare` runs a subset.
 *
 * Redis: the Redis tests (node and bun) run against a `redis-server` started here on a free loopback
 * port and stopped at the end, or against `REDIS_URL` when set. Without a binary they are skipped and
 * the summary line says `skipped: redis-server not found`; under CI (`CI=true`) that is a failure.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { startRedis } from "./redis-server.mjs";

const root = resolve(import.meta.dirname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wanted = (step) => !only || only.includes(step);
const unknown = only?.filter((step) => !["typecheck", "node", "portable", "miniflare"].includes(step)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown step(s) in --only: ${unknown.join(", ")} (known: typecheck, node, portable, miniflare)`);
  console.log("total: 0 passed, 1 failed");
  process.exit(1);
}

/** @type {Array<{ label: string, passed: number, failed: number, skipped?: number, why?: string }>} */
const summary = [];
const leakDir = mkdtempSync(join(tmpdir(), "edge-sts-leaks-"));
const notes = [];

// ---------------------------------------------------------------------------------------------

/** Runs a command, streaming its output with a prefix-free passthrough, and captures stdout. */
function run(label, cmd, args, { timeoutMs = 5 * 60_000, env = {}, quiet = false } = {}) {
  return new Promise((done) => {
    const started = Date.now();
    let out = "";
    let err = "";
    const child = spawn(cmd, args, {
      cwd: root,
      // NO_COLOR alone: some tools (Deno) turn colours on for any FORCE_COLOR, even "0".
      env: { ...withoutForceColor(process.env), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => {
      err += `\n${label}: timed out after ${timeoutMs / 1000} s, killed\n`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (c) => {
      out += c;
      if (!quiet) process.stdout.write(c);
    });
    child.stderr.setEncoding("utf8").on("data", (c) => {
      err += c;
      if (!quiet) process.stderr.write(c);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      done({ code: -1, out, err: `${err}\n${label}: could not start ${cmd}: ${e.message}`, ms: Date.now() - started });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : -1), out, err, ms: Date.now() - started });
    });
  });
}

function withoutForceColor(env) {
  const { FORCE_COLOR: _, ...rest } = env;
  return rest;
}

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function header(title) {
  console.log(`\n── ${title} ${"─".repeat(Math.max(0, 70 - title.length))}`);
}

/** A runtime binary from node_modules; falls back to the platform package if the install script did not run. */
function runtimeBinary(name) {
  const candidates = [bin(name)];
  const scan = (dir, rel) => {
    const base = join(root, "node_modules", dir);
    if (!existsSync(base)) return;
    for (const entry of readdirSync(base)) if (entry.includes("linux") || entry.includes("darwin")) candidates.push(join(base, entry, rel));
  };
  if (name === "bun") scan("@oven", "bin/bun");
  if (name === "deno") scan("@deno", "deno");
  if (name === "workerd") scan("@cloudflare", "bin/workerd");
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ["--version"], { encoding: "utf8", timeout: 30_000 });
    if (probe.status === 0) {
      if (candidate !== candidates[0]) notes.push(`${name}: node_modules/.bin/${name} did not run; used ${relative(root, candidate)}`);
      return { path: candidate, version: probe.stdout.trim().split("\n")[0] };
    }
  }
  return { path: candidates[0], version: undefined };
}

/** Every *.test.ts under dir (recursively), skipping the portable suite and the workerd entries. */
function findTests(dir, skip) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!skip.includes(relative(root, path))) found.push(...findTests(path, skip));
    } else if (entry.endsWith(".test.ts")) {
      found.push(relative(root, path));
    }
  }
  return found.sort();
}

// ---------------------------------------------------------------------------------------------

async function typecheck() {
  header("typecheck");
  const tsc = bin("tsc");
  const checks = [
    ["src (types: [])", tsc, ["-p", "tsconfig.json", "--noEmit", "--pretty", "false"]],
    ["test", tsc, ["-p", "test/tsconfig.json", "--noEmit", "--pretty", "false"]],
    // The store adapters against Deno's own Deno.Kv and Cache typings.
    ["test/stores/*.deno.ts (deno check)", runtimeBinary("deno").path, ["check", "--quiet", "test/stores/runtime-types.deno.ts"]],
  ];
  const examples = join(root, "examples");
  if (existsSync(examples)) {
    if (existsSync(join(examples, "tsconfig.json"))) checks.push(["examples", tsc, ["-p", "examples/tsconfig.json", "--noEmit", "--pretty", "false"]]);
    for (const entry of readdirSync(examples).sort()) {
      const dir = join(examples, entry);
      if (!statSync(dir).isDirectory()) continue;
      const rel = `examples/${entry}`;
      if (existsSync(join(dir, "tsconfig.json"))) {
        checks.push([rel, tsc, ["-p", `${rel}/tsconfig.json`, "--noEmit", "--pretty", "false"]]);
      } else if (existsSync(join(dir, "deno.json")) || existsSync(join(dir, "deno.jsonc"))) {
        checks.push([`${rel} (deno check)`, runtimeBinary("deno").path, ["check", "--quiet", rel]]);
      } else if (!existsSync(join(examples, "tsconfig.json"))) {
        checks.push([rel, process.execPath, ["-e", `console.error("${rel}: no tsconfig.json (or deno.json), so it cannot be type-checked"); process.exit(1)`]]);
      }
    }
  }
  // Two cores: run the checks two at a time, print each one's output as a block.
  const results = [];
  for (let i = 0; i < checks.length; i += 2) {
    results.push(...(await Promise.all(checks.slice(i, i + 2).map(([label, cmd, args]) => run(label, cmd, args, { quiet: true }).then((r) => ({ label, ...r }))))));
  }
  let failed = 0;
  for (const r of results) {
    const ok = r.code === 0;
    if (!ok) failed++;
    console.log(`${ok ? "✓" : "✗"} ${r.label} (${seconds(r.ms)})`);
    const text = (r.out + r.err).trim();
    if (!ok && text) console.log(text.split("\n").map((l) => `    ${l}`).join("\n"));
  }
  console.log(`typecheck: ${results.length - failed} passed, ${failed} failed`);
  summary.push({ label: "typecheck", passed: results.length - failed, failed });
}

async function nodeSuite() {
  header("node --test");
  const files = findTests(join(root, "test"), ["test/portable", "test/workerd", "test/fixtures", "test/miniflare"]);
  if (files.length === 0) {
    console.log("no test/**/*.test.ts files found");
    return { passed: 0, failed: 1, why: "no Node test files" };
  }
  console.log(`${files.length} files: ${files.join(" ")}`);
  const r = await run("node --test", process.execPath, [
    "--import", "tsx",
    // Records secrets and outputs across the whole suite for the leak check (test/leak/).
    "--import", "./test/leak/collect.ts",
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=2",
    // A hung test fails after 2 minutes instead of eating the whole run, and a file whose open
    // handles (a server, a timer) keep it alive is ended once its tests are done.
    "--test-timeout=120000",
    "--test-force-exit",
    ...files,
  ], { timeoutMs: 7 * 60_000, env: { EDGE_STS_LEAK_DIR: leakDir, ...redisEnv } });
  console.log(`(node --test finished in ${seconds(r.ms)}, exit code ${r.code})`);
  return nodeTestCounts(r);
}

/** The pass/fail counts of a `node --test` run; a non-zero exit without a failure counts as one. */
function nodeTestCounts(r) {
  const text = stripAnsi(r.out);
  const count = (key) => {
    const m = [...text.matchAll(new RegExp(`^[ℹ#] ${key} (\\d+)$`, "gm"))].at(-1);
    return m ? Number(m[1]) : undefined;
  };
  const pass = count("pass");
  const fail = count("fail");
  const cancelled = count("cancelled") ?? 0;
  if (pass === undefined || fail === undefined) return { passed: 0, failed: 1, why: "node --test printed no pass/fail counts" };
  const failed = fail + cancelled + (r.code !== 0 && fail + cancelled === 0 ? 1 : 0);
  return { passed: pass, failed, skipped: count("skipped") ?? 0 };
}

/** test/miniflare: Worker isolates in Miniflare sharing Workers KV and the Cache API, one file at a time. */
async function miniflareSuite() {
  header("miniflare (Workers KV, Cache API)");
  const files = findTests(join(root, "test", "miniflare"), []);
  if (files.length === 0) return { passed: 0, failed: 1, why: "no test/miniflare/*.test.ts files" };
  const version = JSON.parse(readFileSync(join(root, "node_modules", "miniflare", "package.json"), "utf8")).version;
  console.log(`(miniflare ${version}) ${files.length} files: ${files.join(" ")}`);
  const r = await run("miniflare", process.execPath, [
    "--import", "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=1",
    "--test-timeout=120000",
    "--test-force-exit",
    ...files,
  ], { timeoutMs: 4 * 60_000 });
  console.log(`(miniflare finished in ${seconds(r.ms)}, exit code ${r.code})`);
  return nodeTestCounts(r);
}

/** Scans what test/leak/collect.ts recorded during the Node suite. */
async function leakCheck() {
  header("leak check (whole Node suite)");
  const r = await run("leak-check", process.execPath, ["--import", "tsx", "test/leak/scan.ts", leakDir]);
  rmSync(leakDir, { recursive: true, force: true });
  const m = [...stripAnsi(r.out).matchAll(/^leak-check: (\d+) passed, (\d+) failed$/gm)].at(-1);
  if (!m || r.code !== 0) return { passed: 0, failed: 1 };
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

/** Runs one portable runner and reads its `<runtime>: N passed, M failed` line. */
async function portable(runtime, cmd, args, env = {}, version = undefined) {
  header(`portable suite: ${runtime}`);
  if (version) console.log(`(${version})`);
  const r = await run(runtime, cmd, args, { timeoutMs: 3 * 60_000, env: { ...redisEnv, ...env } });
  const m = [...stripAnsi(r.out).matchAll(new RegExp(`^${runtime}: (\\d+) passed, (\\d+) failed(?:, (\\d+) skipped(?:: (.*))?)?$`, "gm"))].at(-1);
  if (!m) {
    console.log(`${runtime}: did not report a result (exit code ${r.code}) — counted as a failure`);
    return { passed: 0, failed: 1 };
  }
  const passed = Number(m[1]);
  let failed = Number(m[2]);
  if (r.code !== 0 && failed === 0) {
    console.log(`${runtime}: exited with code ${r.code} although it reported no failure — counted as a failure`);
    failed = 1;
  }
  if (passed + failed === 0) {
    console.log(`${runtime}: ran no test — counted as a failure`);
    failed = 1;
  }
  return { passed, failed, skipped: Number(m[3] ?? 0), why: m[4] };
}

async function portableSuites() {
  const results = {};
  results.portableNode = await portable("node", process.execPath, ["--import", "tsx", "test/portable/run.ts"], {}, `node ${process.version}`);

  const deno = runtimeBinary("deno");
  results.deno = await portable("deno", deno.path, ["run", "-A", "--quiet", "--unstable-kv", "test/portable/run.ts"], {}, deno.version);

  const bun = runtimeBinary("bun");
  results.bun = await portable("bun", bun.path, ["test/portable/run.ts"], {}, bun.version && `bun ${bun.version}`);

  const workerd = runtimeBinary("workerd");
  results.workerd = await portable("workerd", process.execPath, ["--import", "tsx", "test/workerd/run.ts"], { WORKERD_BIN: workerd.path }, workerd.version);
  return results;
}

// ---------------------------------------------------------------------------------------------

const startedAt = Date.now();
if (wanted("typecheck")) await typecheck();

// One Redis for the Node and Bun Redis tests (each test file uses a database of its own).
let redisEnv = {};
let redis;
if (wanted("node") || wanted("portable")) {
  redis = await startRedis();
  if (redis.url) {
    redisEnv = { REDIS_URL: redis.url };
    console.log(`\n(redis: ${redis.owned ? `started redis-server at ${redis.url}` : `REDIS_URL=${redis.url}`})`);
  } else {
    redisEnv = { EDGE_STS_REDIS_MISSING: redis.why };
    console.log(`\n(redis: ${redis.why}; the Redis tests are skipped)`);
    if (process.env.CI === "true" || redis.failedToStart) {
      summary.push({ label: "redis", passed: 0, failed: 1 });
      console.log(`redis: ${redis.why}${process.env.CI === "true" ? " under CI=true — counted as a failure (.ci/run installs it)" : ""}`);
    }
  }
}

let node = { passed: 0, failed: 0 };
let leaks;
if (wanted("node")) {
  const r = await nodeSuite();
  if (r.why) console.log(`node: ${r.why}`);
  node = { ...r, why: undefined };
  leaks = await leakCheck();
}
if (wanted("portable")) {
  const p = await portableSuites();
  node = {
    passed: node.passed + p.portableNode.passed,
    failed: node.failed + p.portableNode.failed,
    skipped: (node.skipped ?? 0) + (p.portableNode.skipped ?? 0),
  };
  summary.push({ label: "node", ...node });
  summary.push({ label: "deno", ...p.deno }, { label: "bun", ...p.bun }, { label: "workerd", ...p.workerd });
} else if (wanted("node")) {
  summary.push({ label: "node", ...node });
}

if (leaks) summary.push({ label: "leak-check", ...leaks });
await redis?.stop();
if (wanted("miniflare")) {
  const r = await miniflareSuite();
  if (r.why) console.log(`miniflare: ${r.why}`);
  summary.push({ label: "miniflare", passed: r.passed, failed: r.failed });
}

header(`summary (${seconds(Date.now() - startedAt)})`);
for (const note of notes) console.log(`note: ${note}`);
let passed = 0;
let failed = 0;
const missingRedis = redisEnv.EDGE_STS_REDIS_MISSING;
for (const s of summary) {
  // A skip is never silent: its count, and why when Redis is missing.
  const why = s.why ?? (missingRedis && (s.label === "node" || s.label === "bun") ? missingRedis : undefined);
  const skipped = s.skipped ? `, ${s.skipped} skipped${why ? `: ${why}` : ""}` : "";
  console.log(`${s.label}: ${s.passed} passed, ${s.failed} failed${skipped}`);
  passed += s.passed;
  failed += s.failed;
}
console.log(`total: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || summary.length === 0 ? 1 : 0;
