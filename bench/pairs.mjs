/**
 * #1, #2, #3 on Node and #8 on Deno and Bun: every side alone in its own process (bench/side.mjs),
 * in process pairs whose order alternates (A B, B A, A B, …). Each pair gives one ratio; the figure
 * is the median of the per-pair ratios, with their spread. Measuring both sides in one process
 * flatters whichever side runs second to another's garbage; separate processes do not.
 * Also this build against the baseline build (bench/prepare.mjs): signed GetCallerIdentity and
 * AssumeRoleWithWebIdentity, "today" ÷ now.
 *   node bench/pairs.mjs [--pairs=4] [--runtimes=node,deno,bun] [--only=awwi,gci,hit,gci-vs-baseline,awwi-vs-baseline]
 *                        [--ms=600] [--baseline=0] --out=bench/.out/pairs.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childEnv, runJson, runtimeCommand, spread } from "./lib/util.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const PAIRS = Math.max(4, Number(args.pairs ?? 4));
const runtimes = (args.runtimes ?? "node,deno,bun").split(",");
const sideArgs = [`--ms=${args.ms ?? 600}`, `--warmupMs=${args.warmupMs ?? 300}`, `--blocks=${args.blocks ?? 5}`];
const env = childEnv();

/** [figure, A, B, how the pair's number is formed] */
const comparisons = [
  ["awwi", "awwi", "sdk-awwi", "ratio"], // #1 / #8: SDK CPU ÷ edge-sts CPU
  ["gci", "gci", "sdk-gci", "ratio"], // #2
  ["hit", "hit", "bare", "overhead"], // #3: middleware hit ÷ bare − 1
];
// "No signed call slower than today": this build against main before issue 13 (bench/prepare.mjs).
const baseline = JSON.parse(readFileSync(join(root, "bench", ".out", "baseline.json"), "utf8"));
if (baseline.built && args.baseline !== "0") {
  comparisons.push(["gci-vs-baseline", "gci", "gci@baseline", "ratio"]); // baseline CPU ÷ this build's
  comparisons.push(["awwi-vs-baseline", "awwi", "awwi@baseline", "ratio"]);
}
if (args.only) {
  const keep = new Set(args.only.split(","));
  for (let i = comparisons.length - 1; i >= 0; i--) if (!keep.has(comparisons[i][0])) comparisons.splice(i, 1);
}
const baselineLib = join(root, "bench", ".out", "baseline", "dist") + "/";
const sideArgv = (side) => {
  const [scenario, build] = side.split("@");
  return build === "baseline" ? [scenario, `--lib=${baselineLib}`] : [scenario];
};

const out = { pairs: PAIRS, settings: sideArgs, baseline, runtimes: {} };
for (const runtime of runtimes) {
  const r = (out.runtimes[runtime] = { comparisons: {} });
  for (const [figure, a, b, kind] of comparisons) {
    const runs = { [a]: [], [b]: [] };
    const values = [];
    let error;
    for (let i = 0; i < PAIRS && !error; i++) {
      const order = i % 2 === 0 ? [a, b] : [b, a];
      const pair = {};
      for (const side of order) {
        const [cmd, argv] = runtimeCommand(root, runtime, "bench/side.mjs", [...sideArgv(side), ...sideArgs]);
        try {
          pair[side] = await runJson(cmd, argv, { cwd: root, env, timeoutMs: 90_000 });
          runs[side].push(pair[side]);
        } catch (e) {
          error = { side, message: String(e.message).split("\n").slice(0, 3).join(" ") };
          break;
        }
      }
      if (error) break;
      const x = pair[a].cpuUsPerOp;
      const y = pair[b].cpuUsPerOp;
      values.push(kind === "ratio" ? y / x : x / y - 1);
      process.stderr.write(`[${runtime}] ${figure} pair ${i + 1}/${PAIRS}: ${a} ${x.toFixed(1)} µs, ${b} ${y.toFixed(1)} µs CPU/op → ${kind === "ratio" ? `${(y / x).toFixed(2)}×` : `${((x / y - 1) * 100).toFixed(1)} %`}\n`);
    }
    const cpu = (side) => spread(runs[side].map((s) => s.cpuUsPerOp));
    r.comparisons[figure] = {
      kind,
      sides: [a, b],
      [kind]: values.length ? spread(values) : null,
      cpuUsPerOp: { [a]: runs[a].length ? cpu(a) : null, [b]: runs[b].length ? cpu(b) : null },
      wallUsPerOp: Object.fromEntries([a, b].map((s) => [s, runs[s].length ? spread(runs[s].map((x) => x.wallUsPerOp)).median : null])),
      ops: Object.fromEntries([a, b].map((s) => [s, runs[s].reduce((n, x) => n + x.ops, 0)])),
      error,
    };
  }
}
if (args.out) writeFileSync(args.out, JSON.stringify(out, null, 2));
