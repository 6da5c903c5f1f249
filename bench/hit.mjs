/**
 * Issue 20, #3: the middleware's cache hit against the same Hono app with a no-op middleware in its
 * place (same router, same chain), in ONE process (separate processes differ by ±30 % among
 * themselves, more than the effect). Both apps warm, then `--rounds` rounds; each round runs one
 * block of each (order alternating), each block from a collected heap, CPU per request from
 * process.cpuUsage(). Short blocks, many rounds: a slow spell of the machine hits both sides alike.
 * The figure is the ratio of the medians (hit ÷ no-op − 1) over all rounds; its spread is the same
 * figure over each eighth of the rounds (consecutive groups), so a 10 % regression shows beyond it.
 * (Single-round ratios are also reported: on a shared machine they spread ±50 %, which is why a
 * per-round figure cannot tell 10 % from noise.)
 *   node --expose-gc bench/hit.mjs · deno run -A --v8-flags=--expose-gc bench/hit.mjs · bun bench/hit.mjs
 */
import process from "node:process";
import { makeOp } from "./lib/sides.mjs";
import { quantile } from "./lib/util.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const ROUNDS = Number(args.rounds ?? 240);
const BLOCK = Number(args.block ?? 200);
const GROUPS = 8;
const lib = new URL(args.lib ?? "./.out/dist/", import.meta.url);
const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";
const gc = globalThis.gc ?? (globalThis.Bun ? () => globalThis.Bun.gc(true) : undefined);
if (!gc) throw new Error("no gc(): run node with --expose-gc, deno with --v8-flags=--expose-gc");
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const ops = { hit: await makeOp("hit", lib), noop: await makeOp("noop", lib) };
async function block(op) {
  gc();
  const c0 = cpuUs();
  for (let i = 0; i < BLOCK; i++) await op();
  return (cpuUs() - c0) / BLOCK;
}
for (let i = 0; i < 3; i++) for (const op of Object.values(ops)) await block(op); // warm-up: JIT both paths
const perRequest = { hit: [], noop: [] };
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 === 0 ? ["hit", "noop"] : ["noop", "hit"]) perRequest[name].push(await block(ops[name]));
  ratios.push(perRequest.hit[r] / perRequest.noop[r] - 1);
}
const q = (xs, p) => quantile(xs, p);
const size = Math.floor(ROUNDS / GROUPS);
const groups = Array.from({ length: GROUPS }, (_, g) => q(perRequest.hit.slice(g * size, (g + 1) * size), 0.5) / q(perRequest.noop.slice(g * size, (g + 1) * size), 0.5) - 1);
process.stdout.write(JSON.stringify({
  runtime,
  rounds: ROUNDS,
  block: BLOCK,
  hitUs: q(perRequest.hit, 0.5),
  noopUs: q(perRequest.noop, 0.5),
  overhead: { median: q(perRequest.hit, 0.5) / q(perRequest.noop, 0.5) - 1, min: Math.min(...groups), max: Math.max(...groups), groups },
  perRoundRatio: { median: q(ratios, 0.5), p10: q(ratios, 0.1), p90: q(ratios, 0.9), n: ratios.length },
}) + "\n");
process.exit(0);
