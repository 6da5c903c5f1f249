/**
 * Issue 20: what a new Worker isolate costs. Each Worker below runs in its own fresh workerd
 * process, `--rounds` times, the order rotating each round; the figure is the CPU of the whole
 * process (every thread, /proc/<pid>/task/<tid>/schedstat) from spawn to the first answer, less the
 * empty Worker's in the same round. Compatibility date 2026-08-01, no flags. Bundled as wrangler
 * does (not minified, unless the name says so).
 *   empty            a Worker that answers "ok"                    (subtracted from every other)
 *   hono             the Hono app, no middleware                   (subtracted from store-hit)
 *   store-hit        the same app + stsCredentials, served from a shared store (STS fetch throws)
 *   edge-exchange    edge-sts: load + one AssumeRoleWithWebIdentity over a stubbed global fetch
 *   sdk-exchange     @aws-sdk/client-sts + xmldom as DOMParser: the same, on its FetchHttpHandler
 * The profile of the store hit (each less `noop`, the app with a no-op middleware):
 *   parse-only       edge-sts/hono in the bundle, never evaluated (compiling its bytes)
 *   import-noop      edge-sts/hono imported and evaluated
 *   make             … and the middleware made
 *   store-hit        … and the first request served from the store
 *   *-no-xmldom      the same with every xmldom module replaced by an empty one (its bytes' share)
 *   store-hit-min    store-hit bundled with --minify
 *   import-only      edge-sts + edge-sts/hono imported, nothing called
 *   *-before         the same Worker on main before issue 20 (bench/.out/before-startup, prepare.mjs)
 *   node bench/startup.mjs [--rounds=8] --out=bench/.out/startup.json
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as F from "./lib/fixtures.mjs";
import { spread } from "./lib/util.mjs";
import { bundleWorker, cpuNs, startWorkerd } from "./lib/workerd-process.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const dir = join(root, "bench", ".out", "startup");
const ROUNDS = Math.max(5, Number(args.rounds ?? 8));
const COMPAT_DATE = "2026-08-01";
const bin = join(root, "node_modules", ".bin", "workerd");
const STORE_SECRET = "bench-store-secret-0123456789abcdef";

/** The sealed store entry of TOKEN, written by the package's own middleware in this process. */
async function storeEntry(token, xml) {
  const { Hono } = await import("hono");
  const { stsCredentials } = await import("./.out/dist/hono/index.js");
  const written = [];
  const headers = F.stsHeaders(xml);
  const app = new Hono();
  app.use("/api/*", stsCredentials({
    roleArn: F.ROLE_ARN,
    region: F.REGION,
    storeSecret: STORE_SECRET,
    store: { get: async () => undefined, set: async (key, value) => void written.push([key, value]) },
    fetch: async () => new Response(xml, { status: 200, headers }),
  }));
  app.get("/api/report", (c) => c.text("ok"));
  const res = await app.request("/api/report", { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`store entry: the middleware answered ${res.status}`);
  for (let i = 0; i < 100 && written.length === 0; i++) await new Promise((r) => setTimeout(r, 10)); // the write is in the background
  if (written.length !== 1) throw new Error(`store entry: ${written.length} writes`);
  return written[0];
}

const token = F.realisticJwt();
const xml = F.assumeRoleWithWebIdentityXml(6 * 3600);
const [storeKey, storeValue] = await storeEntry(token, xml);
const bindings = { REGION: F.REGION, ROLE_ARN: F.ROLE_ARN, TOKEN: token, AWWI_XML: xml, STORE_KEY: storeKey, STORE_VALUE: storeValue, STORE_SECRET };
/** xmldom's modules replaced by empty ones: what its bytes cost even unevaluated. */
const noXmldom = {
  name: "no-xmldom",
  setup(build) {
    build.onResolve({ filter: /^@xmldom\/xmldom(\/.*)?$/ }, (a) => ({ path: a.path, namespace: "no-xmldom" }));
    build.onLoad({ filter: /.*/, namespace: "no-xmldom" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};
/** The package as it was before issue 20: every import of bench/.out/dist/ goes to bench/.out/before-startup/dist/. */
const before = {
  name: "before-issue-20",
  setup(build) {
    build.onResolve({ filter: /\.out\/dist\// }, (a) => ({ path: join(a.resolveDir, a.path.replace(".out/dist/", ".out/before-startup/dist/")) }));
  },
};
/** [name, entry file under bench/workerd/startup, bundle options] */
const variants = [
  ["empty", "empty"], ["hono", "hono"], ["noop", "noop"], ["store-hit", "store-hit"],
  ["edge-exchange", "edge-exchange"], ["sdk-exchange", "sdk-exchange"], ["import-only", "import-only"],
  ["parse-only", "parse-only"], ["import-noop", "import-noop"], ["make", "make"],
  ["parse-only-no-xmldom", "parse-only", { plugins: [noXmldom] }], ["store-hit-no-xmldom", "store-hit", { plugins: [noXmldom] }],
  ["store-hit-min", "store-hit", { minify: true }], ["hono-min", "hono", { minify: true }],
  ["store-hit-before", "store-hit", { plugins: [before] }], ["edge-exchange-before", "edge-exchange", { plugins: [before] }],
];
const names = variants.map(([n]) => n);
const workers = {};
for (const [name, entry, options] of variants) workers[name] = await bundleWorker(root, join(dir, name), `bench/workerd/startup/${entry}.mjs`, options);

/** One fresh workerd: CPU at listen (script compiled and evaluated) and after the first answer. */
async function once(name) {
  const w = await startWorkerd(bin, workers[name].dir, { compatibilityDate: COMPAT_DATE, bindings });
  try {
    const listenCpuMs = cpuNs(w.pid) / 1e6;
    const res = await fetch(`http://127.0.0.1:${w.port}/api/report`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    const firstCpuMs = cpuNs(w.pid) / 1e6;
    if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status} ${body.slice(0, 200)} ${w.stderr().slice(-500)}`);
    return { listenCpuMs, firstCpuMs };
  } finally {
    await w.stop();
  }
}

const runs = Object.fromEntries(names.map((n) => [n, []]));
for (const name of names) await once(name); // warm-up: OS file cache; not measured
for (let r = 0; r < ROUNDS; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  for (const name of order) runs[name].push(await once(name));
  process.stderr.write(`[startup] round ${r + 1}/${ROUNDS}: ${names.map((n) => `${n} ${runs[n][r].firstCpuMs.toFixed(1)}`).join(" · ")} ms CPU\n`);
}
/** Per round: a's first-answer CPU less b's. */
const less = (a, b, key = "firstCpuMs") => spread(runs[a].map((x, i) => x[key] - runs[b][i][key]));
const out = {
  workerd: (await import("node:child_process")).spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim(),
  compatibilityDate: COMPAT_DATE,
  rounds: ROUNDS,
  bundles: Object.fromEntries(names.map((n) => [n, { bytes: workers[n].bytes }])),
  absolute: Object.fromEntries(names.map((n) => [n, { firstCpuMs: spread(runs[n].map((x) => x.firstCpuMs)), listenCpuMs: spread(runs[n].map((x) => x.listenCpuMs)) }])),
  figures: {
    storeHitAboveHono: less("store-hit", "hono"),
    storeHitAboveHonoBefore: less("store-hit-before", "hono"),
    edgeExchangeBefore: less("edge-exchange-before", "empty"),
    exchangeRatioBefore: spread(runs["sdk-exchange"].map((x, i) => (x.firstCpuMs - runs.empty[i].firstCpuMs) / (runs["edge-exchange-before"][i].firstCpuMs - runs.empty[i].firstCpuMs))),
    storeHitMinifiedAboveHonoMinified: less("store-hit-min", "hono-min"),
    storeHitAboveHonoAtListen: less("store-hit", "hono", "listenCpuMs"),
    honoAboveEmpty: less("hono", "empty"),
    importOnly: less("import-only", "empty"),
    edgeExchange: less("edge-exchange", "empty"),
    sdkExchange: less("sdk-exchange", "empty"),
    profile: {
      noopAboveHono: less("noop", "hono"),
      parseOnly: less("parse-only", "noop"),
      parseOnlyWithoutXmldom: less("parse-only-no-xmldom", "noop"),
      importEvaluated: less("import-noop", "noop"),
      made: less("make", "noop"),
      storeHit: less("store-hit", "noop"),
      storeHitWithoutXmldom: less("store-hit-no-xmldom", "noop"),
    },
    exchangeRatio: spread(runs["sdk-exchange"].map((x, i) => (x.firstCpuMs - runs.empty[i].firstCpuMs) / (runs["edge-exchange"][i].firstCpuMs - runs.empty[i].firstCpuMs))),
  },
  runs,
};
for (const [k, v] of Object.entries({ ...out.figures, ...out.figures.profile })) if (k !== "profile") process.stderr.write(`[startup] ${k}: median ${v.median.toFixed(2)} (min ${v.min.toFixed(2)}, max ${v.max.toFixed(2)})\n`);
if (args.out) writeFileSync(args.out, JSON.stringify(out, null, 2));
