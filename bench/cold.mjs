/**
 * #4 cold start on Node, Deno and Bun. This process serves `createStsEmulator` (trusting a
 * `createOidcIssuer`) on a loopback port with @hono/node-server, mints one RS256 token, then per
 * runtime spawns fresh `bench/cold-child.mjs` processes, alternating edge-sts and the SDK (one
 * discarded warm-up spawn each, to warm the OS file cache and the runtime's code cache equally).
 * Median of the timed spawns, and the median of per-pair ratios with their spread.
 *   node bench/cold.mjs --spawns=10 --runtimes=node,deno,bun --out=bench/.out/cold.json
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { childEnv, median, quantile, runtimeCommand, spread } from "./lib/util.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const { createOidcIssuer, createStsEmulator } = await import(new URL("./.out/dist/testing/index.js", import.meta.url).href);
const SPAWNS = Math.max(10, Number(args.spawns ?? 10));
const runtimes = (args.runtimes ?? "node,deno,bun").split(",");
const root = fileURLToPath(new URL("../", import.meta.url));
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

function once(runtime, side, execArgv = []) {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = runtimeCommand(root, runtime, child, [side]);
    const started = performance.now();
    const p = spawn(cmd, [...execArgv, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] });
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
        reject(new Error(`cold start ${runtime} ${side} failed (${e.message}): ${err.slice(0, 500)}`));
      }
    });
  });
}

const sides = ["edge-sts", "sdk"];
const result = { endpoint: "loopback, served by the parent (@hono/node-server + createStsEmulator)", spawnsPerSide: SPAWNS, runtimes: {} };
for (const runtime of runtimes) {
  try {
    for (const side of sides) await once(runtime, side); // warm-up: OS file cache, code caches; not measured
    const runs = { "edge-sts": [], sdk: [] };
    const ratios = [];
    for (let i = 0; i < SPAWNS; i++) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) runs[side].push(await once(runtime, side));
      ratios.push(runs.sdk[i].importAndCallMs / runs["edge-sts"][i].importAndCallMs);
    }
    // One more spawn per side under the CPU profiler (Node only, not timed): where a cold start's time goes.
    if (args.profileDir && runtime === "node") {
      for (const side of sides) await once(runtime, side, ["--cpu-prof", "--cpu-prof-interval", "100", `--cpu-prof-dir=${args.profileDir}/cold-${side}`]);
    }
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
      };
    }
    result.runtimes[runtime] = {
      summary,
      ratio: summary.sdk.importAndCallMs.median / summary["edge-sts"].importAndCallMs.median,
      pairRatios: spread(ratios),
      processWallRatio: summary.sdk.processWallMs.median / summary["edge-sts"].processWallMs.median,
      runs,
    };
    for (const side of sides) {
      const s = summary[side];
      console.error(`[cold ${runtime}] ${side}: import+first call median ${s.importAndCallMs.median.toFixed(1)} ms (import ${s.importMs.median.toFixed(1)}, call ${s.firstCallMs.median.toFixed(1)}) · process wall ${s.processWallMs.median.toFixed(1)} ms`);
    }
  } catch (e) {
    result.runtimes[runtime] = { error: String(e.message).split("\n").slice(0, 3).join(" ") };
    console.error(`[cold ${runtime}] did not run: ${e.message}`);
  }
}
server.close();
result.stsCalls = emulator.calls.total;
if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 2));
