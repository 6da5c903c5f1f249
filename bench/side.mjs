/**
 * One side of one comparison, alone in this process (Node, Deno or Bun): load it, warm it up, then
 * run blocks of sequential ops and measure each block's CPU with process.cpuUsage() (getrusage:
 * user + system of every thread, GC and Web Crypto's worker threads included) and its wall time.
 * The process's figure is its median block's CPU per op.
 * Prints one JSON line. bench/pairs.mjs runs this once per side per pair, alternating.
 *   node bench/side.mjs <scenario> [--ms=900] [--warmupMs=400] [--blocks=6] [--lib=<dir>/]
 */
import process from "node:process";
import { makeOp } from "./lib/sides.mjs";

const [scenario, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(rest.map((a) => a.replace(/^--/, "").split("=")));
const lib = new URL(args.lib ?? "./.out/dist/", import.meta.url);
const measureMs = Number(args.ms ?? 900);
const warmupMs = Number(args.warmupMs ?? 400);
const blocks = Number(args.blocks ?? 6);
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const op = await makeOp(scenario, lib);
// Warm-up: JIT tiers, caches, lazily loaded runtime internals. Also gives the op's speed.
let n = 0;
const w0 = performance.now();
while (performance.now() - w0 < warmupMs || n < 50) {
  await op();
  n++;
}
const perBlock = Math.max(20, Math.round(((measureMs / blocks) * n) / (performance.now() - w0)));
const samples = [];
for (let b = 0; b < blocks; b++) {
  const t0 = performance.now();
  const c0 = cpuNow();
  for (let i = 0; i < perBlock; i++) await op();
  const cpuUs = cpuNow() - c0;
  samples.push({ ops: perBlock, cpuUs, wallUs: (performance.now() - t0) * 1000 });
}
const ops = samples.reduce((s, x) => s + x.ops, 0);
const cpuUs = samples.reduce((s, x) => s + x.cpuUs, 0);
const wallUs = samples.reduce((s, x) => s + x.wallUs, 0);
const perOp = samples.map((x) => x.cpuUs / x.ops).sort((a, b) => a - b);
process.stdout.write(
  JSON.stringify({
    scenario,
    runtime: typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node",
    ops,
    // The median block: robust to a burst of other work on the machine during one block.
    cpuUsPerOp: perOp[Math.floor(perOp.length / 2)],
    totalCpuUsPerOp: cpuUs / ops,
    wallUsPerOp: wallUs / ops,
    blockCpuUsPerOp: { min: perOp[0], median: perOp[Math.floor(perOp.length / 2)], max: perOp[perOp.length - 1] },
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  }) + "\n",
);
process.exit(0);
