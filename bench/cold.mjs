/**
 * #4 cold start. This process serves `createStsEmulator` (trusting a `createOidcIssuer`) on a loopback
 * port with @hono/node-server, mints one RS256 token, then spawns fresh `node bench/cold-child.mjs`
 * processes, alternating edge-sts and the SDK (one discarded warm-up spawn each, to warm the OS file
 * cache equally). Median of the timed spawns.
 *   node bench/cold.mjs --spawns=15 --out=bench/.out/cold.json
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { childEnv, median, quantile } from "./lib/util.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const { createOidcIssuer, createStsEmulator } = await import(new URL("./.out/dist/testing/index.js", import.meta.url).href);
const SPAWNS = Math.max(10, Number(args.spawns ?? 15));
const ROLE_ARN = "arn:aws:iam::123456789012:role/cold-start";
const child = fileURLToPath(new URL("./cold-child.mjs", import.meta.url));

const issuer = createOidcIssuer();
const emulator = createStsEmulator({ issuers: [issuer] });
const token = await issuer.mint({ sub: "repo:acme/web:ref:refs/heads/main" });
const server = await new Promise((resolve) => {
  const s = serve({ fetch: emulator.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
});
const endpoint = `http://127.0.0.1:${server.address().port}/`;
const env = { ...childEnv(), BENCH_STS_ENDPOINT: endpoint, BENCH_TOKEN: token, BENCH_ROLE_ARN: ROLE_ARN };

function once(side, execArgv = []) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const p = spawn(process.execPath, [...execArgv, child, side], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      try {
        const r = JSON.parse(out.trim().split("\n").pop());
        if (code !== 0 || !r.ok) throw new Error(`exit ${code}`);
        resolve({ ...r, processWallMs: wallMs });
      } catch (e) {
        reject(new Error(`cold start ${side} failed (${e.message}): ${err.slice(0, 500)}`));
      }
    });
  });
}

const sides = ["edge-sts", "sdk"];
for (const side of sides) await once(side); // warm-up: OS file cache, not measured
const runs = { "edge-sts": [], sdk: [] };
for (let i = 0; i < SPAWNS; i++) {
  for (const side of i % 2 === 0 ? sides : [...sides].reverse()) runs[side].push(await once(side));
}
// One more spawn per side under the CPU profiler (not timed): where a cold start's time goes.
if (args.profileDir) {
  for (const side of sides) await once(side, ["--cpu-prof", "--cpu-prof-interval", "100", `--cpu-prof-dir=${args.profileDir}/cold-${side}`]);
}
server.close();

const summary = {};
for (const side of sides) {
  const pick = (k) => runs[side].map((r) => r[k]);
  summary[side] = {
    spawns: runs[side].length,
    importAndCallMs: { median: median(pick("importAndCallMs")), p10: quantile(pick("importAndCallMs"), 0.1), p90: quantile(pick("importAndCallMs"), 0.9) },
    importMs: { median: median(pick("importMs")) },
    firstCallMs: { median: median(pick("firstCallMs")) },
    processWallMs: { median: median(pick("processWallMs")), p10: quantile(pick("processWallMs"), 0.1), p90: quantile(pick("processWallMs"), 0.9) },
    cpuMs: { median: median(pick("cpuMs")) },
    bootMs: { median: median(pick("bootMs")) },
  };
}
const result = { endpoint: "loopback, served by the parent (@hono/node-server + createStsEmulator)", stsCalls: emulator.calls.total, summary, runs };
if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 2));
for (const side of sides) {
  const s = summary[side];
  console.error(`[cold] ${side}: import+first call median ${s.importAndCallMs.median.toFixed(1)} ms (import ${s.importMs.median.toFixed(1)}, call ${s.firstCallMs.median.toFixed(1)}) · process wall ${s.processWallMs.median.toFixed(1)} ms`);
}
