/**
 * #9 workerd: CPU per op inside workerd, each side alone in its own workerd process, alternating,
 * ≥ 4 process pairs per figure. One request runs N sequential ops against a stubbed fetch (edge-sts)
 * or a stubbed request handler (the SDK, Uint8Array body); the CPU is the workerd process's, read
 * from /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU, every thread) before and after.
 *
 * Workers are bundled the way wrangler does (esbuild, ESM, platform browser, conditions
 * workerd/worker/browser). Rows:
 *   edge-sts                      bench/workerd/edge-worker.mjs, no nodejs_compat
 *   SDK as shipped                bench/workerd/sdk-worker.mjs, without and with nodejs_compat — fails
 *                                 (aws/aws-sdk-js-v3#7375: its browser XML parser needs DOMParser)
 *   SDK + xmldom as DOMParser     bench/workerd/sdk-xmldom-worker.mjs, the usual workaround
 * Compatibility date 2026-08-01: workerd turns Node compat on by default for dates after
 * 2026-08-04, so "without nodejs_compat" needs an earlier date.
 *   node bench/workerd.mjs [--pairs=4] --out=bench/.out/workerd.json
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as F from "./lib/fixtures.mjs";
import { bundleWorker, cpuNs, startWorkerd as startProcess } from "./lib/workerd-process.mjs";
import { spread } from "./lib/util.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const dir = join(root, "bench", ".out", "workerd");
const PAIRS = Math.max(4, Number(args.pairs ?? 4));
const BLOCK_MS = Number(args.blockMs ?? 250);
const BLOCKS = Number(args.blocks ?? 3);
const COMPAT_DATE = "2026-08-01";
const bin = join(root, "node_modules", ".bin", "workerd");
mkdirSync(dir, { recursive: true });

const bindings = {
  REGION: F.REGION,
  ROLE_ARN: F.ROLE_ARN,
  TOKEN: F.realisticJwt(),
  KEYS: JSON.stringify(F.STATIC_KEYS),
  AWWI_XML: F.assumeRoleWithWebIdentityXml(6 * 3600),
  GCI_XML: F.getCallerIdentityXml(),
};

const bundle = (name, entry, options) => bundleWorker(root, join(dir, name), entry, options);

async function startWorkerd(workerDir, flags) {
  const w = await startProcess(bin, workerDir, { compatibilityDate: COMPAT_DATE, flags, bindings });
  return { ...w, run: async (op, n) => (await fetch(`http://127.0.0.1:${w.port}/run?op=${op}&n=${n}`)).json() };
}

/** One side in one fresh workerd: first op (cold), warm-up, calibrated blocks; CPU per op from schedstat. */
async function measure(worker, flags, op) {
  const w = await startWorkerd(worker.dir, flags);
  try {
    const c0 = cpuNs(w.pid);
    const t0 = performance.now();
    const first = await w.run(op, 1);
    const firstMs = performance.now() - t0;
    const firstCpuMs = (cpuNs(w.pid) - c0) / 1e6;
    if (!first.ok) return { ok: false, error: first.error, listenMs: w.listenMs };
    // Warm-up, which also sizes the blocks.
    const tw = performance.now();
    const cw = cpuNs(w.pid);
    await w.run(op, 200);
    const warmUsPerOp = (cpuNs(w.pid) - cw) / 1e3 / 200;
    const n = Math.max(100, Math.round((BLOCK_MS * 1000) / Math.max(warmUsPerOp, 1)));
    const blocks = [];
    for (let b = 0; b < BLOCKS; b++) {
      const before = cpuNs(w.pid);
      const tb = performance.now();
      const r = await w.run(op, n);
      const wallMs = performance.now() - tb;
      const after = cpuNs(w.pid);
      if (!r.ok) return { ok: false, error: r.error, listenMs: w.listenMs };
      blocks.push({ n, cpuUsPerOp: (after - before) / 1e3 / n, wallUsPerOp: (wallMs * 1e3) / n });
    }
    const ops = blocks.reduce((s, b) => s + b.n, 0);
    return {
      ok: true,
      listenMs: w.listenMs,
      firstOpMs: firstMs,
      firstOpCpuMs: firstCpuMs,
      warmupWallMs: performance.now() - tw,
      ops,
      cpuUsPerOp: blocks.reduce((s, b) => s + b.cpuUsPerOp * b.n, 0) / ops,
      wallUsPerOp: blocks.reduce((s, b) => s + b.wallUsPerOp * b.n, 0) / ops,
      blocks,
    };
  } finally {
    await w.stop();
  }
}

const workers = {
  edge: await bundle("edge", "bench/workerd/edge-worker.mjs"),
  sdk: await bundle("sdk", "bench/workerd/sdk-worker.mjs"),
  "sdk-nodejs-compat": await bundle("sdk-nodejs-compat", "bench/workerd/sdk-worker.mjs", { nodeCompat: true }),
  "sdk-xmldom": await bundle("sdk-xmldom", "bench/workerd/sdk-xmldom-worker.mjs"),
};
const out = {
  workerd: (await import("node:child_process")).spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim(),
  compatibilityDate: COMPAT_DATE,
  pairs: PAIRS,
  bundles: Object.fromEntries(Object.entries(workers).map(([k, v]) => [k, { bytes: v.bytes, nodeImports: v.nodeImports }])),
  asShipped: {},
  comparisons: {},
};

// The SDK as shipped: does it answer at all? Without nodejs_compat, then with it.
for (const [label, worker, flags] of [["without nodejs_compat", workers.sdk, []], ["with nodejs_compat", workers["sdk-nodejs-compat"], ["nodejs_compat"]]]) {
  const r = {};
  for (const op of ["awwi", "gci"]) {
    try {
      const w = await startWorkerd(worker.dir, flags);
      try {
        const res = await w.run(op, 1);
        r[op] = res.ok ? { ok: true } : { ok: false, error: res.error };
      } finally {
        await w.stop();
      }
    } catch (e) {
      r[op] = { ok: false, error: `workerd refused the Worker: ${String(e.message).split("\n").slice(0, 4).join(" ")}` };
    }
  }
  out.asShipped[label] = { flags, ...r };
  process.stderr.write(`[workerd] SDK as shipped, ${label}: ${Object.entries(r).map(([op, x]) => `${op} ${x.ok ? "ok" : `FAILS: ${x.error}`}`).join(" · ")}\n`);
}

/** [figure, [worker, op] of side A, [worker, op] of side B, kind] */
const comparisons = [
  ["awwi", ["edge", "awwi"], ["sdk-xmldom", "awwi"], "ratio"],
  ["gci", ["edge", "gci"], ["sdk-xmldom", "gci"], "ratio"],
  ["hit", ["edge", "hit"], ["edge", "bare"], "overhead"],
  ["hit-vs-noop", ["edge", "hit"], ["edge", "noop"], "overhead"],
];
for (const [figure, a, b, kind] of comparisons) {
  const runs = { a: [], b: [] };
  const values = [];
  let error;
  for (let i = 0; i < PAIRS && !error; i++) {
    const pair = {};
    for (const [key, [worker, op]] of i % 2 === 0 ? [["a", a], ["b", b]] : [["b", b], ["a", a]]) {
      const m = await measure(workers[worker], [], op);
      if (!m.ok) {
        error = { side: `${worker}:${op}`, message: m.error };
        break;
      }
      pair[key] = m;
      runs[key].push(m);
    }
    if (error) break;
    const x = pair.a.cpuUsPerOp;
    const y = pair.b.cpuUsPerOp;
    values.push(kind === "ratio" ? y / x : x / y - 1);
    process.stderr.write(`[workerd] ${figure} pair ${i + 1}/${PAIRS}: ${a.join(":")} ${x.toFixed(1)} µs, ${b.join(":")} ${y.toFixed(1)} µs CPU/op\n`);
  }
  const side = (key, [worker, op]) => ({
    worker,
    op,
    cpuUsPerOp: runs[key].length ? spread(runs[key].map((m) => m.cpuUsPerOp)) : null,
    wallUsPerOp: runs[key].length ? spread(runs[key].map((m) => m.wallUsPerOp)).median : null,
    listenMs: runs[key].length ? spread(runs[key].map((m) => m.listenMs)).median : null,
    firstOpMs: runs[key].length ? spread(runs[key].map((m) => m.firstOpMs)).median : null,
    ops: runs[key].reduce((s, m) => s + m.ops, 0),
  });
  out.comparisons[figure] = { kind, [kind]: values.length ? spread(values) : null, a: side("a", a), b: side("b", b), error };
}
// crypto.subtle per call inside workerd (one process: a cost per call, not a comparison).
out.subtle = {};
for (const [name, op] of [["digest SHA-256 (body, 43 B)", "subtle-digest-body"], ["digest SHA-256 (canonical request, ~250 B)", "subtle-digest-canonical"], ["importKey raw HMAC", "subtle-importKey"], ["sign HMAC (string to sign, ~120 B)", "subtle-sign"]]) {
  const m = await measure(workers.edge, [], op);
  out.subtle[name] = m.ok ? { cpuUsPerCall: m.cpuUsPerOp, wallUsPerCall: m.wallUsPerOp } : { error: m.error };
}
// The stages of one exchange inside workerd (bench/lib/stages-def.mjs), and the whole call.
{
  const { makeStages } = await import("./lib/stages-def.mjs");
  const S = await import("./.out/stages-lib.js");
  await S.loadXmlReader();
  const names = Object.keys(makeStages(S, { xml: bindings.AWWI_XML, headers: F.stsHeaders(bindings.AWWI_XML), input: { roleArn: F.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: bindings.TOKEN } }));
  out.stages = { runtime: "workerd", stages: {} };
  for (const [i, name] of names.entries()) {
    const m = await measure(workers.edge, [], `stage-${i}`);
    out.stages.stages[name] = m.ok ? m.cpuUsPerOp : null;
  }
  const whole = await measure(workers.edge, [], "awwi");
  out.stages.wholeCallCpuUs = whole.ok ? whole.cpuUsPerOp : null;
}
if (args.out) writeFileSync(args.out, JSON.stringify(out, null, 2));
