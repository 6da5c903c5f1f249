/**
 * Issue 20's section of bench/RESULTS.md (between `<!-- startup:start -->` and `<!-- startup:end -->`)
 * and `startup` in bench/results.json, from bench/.out/startup.json (bench/startup.mjs),
 * bench/.out/hit-<runtime>.json (bench/hit.mjs) and bench/.out/cold.json (bench/cold.mjs).
 *   node bench/startup-report.mjs
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResultsSection } from "./lib/results-file.mjs";

const bench = fileURLToPath(new URL("./", import.meta.url));
const read = (name) => (existsSync(join(bench, ".out", name)) ? JSON.parse(readFileSync(join(bench, ".out", name), "utf8")) : undefined);
const S = read("startup.json");
const hits = Object.fromEntries(["node", "deno", "bun"].map((rt) => [rt, read(`hit-${rt}.json`)]).filter(([, v]) => v));
const cold = read("cold.json");
const W = read("workerd.json");
const pairs = read("pairs.json");

const ms = (x) => (x === undefined || x === null || Number.isNaN(x) ? "–" : `${x.toFixed(1)} ms`);
const range = (s) => (s ? `${ms(s.median)} (${ms(s.min)} … ${ms(s.max)})` : "–");
const xr = (s) => (s ? `${s.median.toFixed(2)}× (${s.min.toFixed(2)} … ${s.max.toFixed(2)})` : "–");
const pct = (x) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;
const table = (head, rows) => [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
/** The difference of the cheapest runs: the least disturbed process of each Worker. */
const minDiff = (a, b) => Math.min(...S.runs[a].map((x) => x.firstCpuMs)) - Math.min(...S.runs[b].map((x) => x.firstCpuMs));

const lines = ["## Start-up and hit path (issue 20)", ""];
if (S) {
  const f = S.figures;
  const p = f.profile;
  const ratioOfMins = minDiff("sdk-exchange", "empty") / minDiff("edge-exchange", "empty");
  lines.push(
    `${S.workerd}, compatibility date ${S.compatibilityDate}, no flags; each Worker in its own fresh workerd process, ${S.rounds} rounds (order rotating), CPU of the whole process (every thread, schedstat) from spawn to the first answer, less the empty Worker's in the same round: median (min … max) of the ${S.rounds} per-round differences, and the difference of the cheapest runs ("min − min", the least disturbed process of each). Bundled as wrangler does (esbuild, not minified).`,
    "",
    table(["first request of a fresh isolate", "edge-sts", "min − min", "target"], [
      ["load + a request served from the shared store, above the same Hono app without the middleware", range(f.storeHitAboveHono), ms(minDiff("store-hit", "hono")), `≤ 3 ms: ${f.storeHitAboveHono.median <= 3 ? "met" : "**missed**"}`],
      ["… the same on main before issue 20 (same run)", range(f.storeHitAboveHonoBefore), ms(minDiff("store-hit-before", "hono")), ""],
      ["… of which at listen (script compiled and evaluated)", range(f.storeHitAboveHonoAtListen), "", ""],
      ["… the same, both bundled with `--minify`", range(f.storeHitMinifiedAboveHonoMinified), ms(minDiff("store-hit-min", "hono-min")), ""],
      ["load + one AssumeRoleWithWebIdentity (edge-sts)", range(f.edgeExchange), ms(minDiff("edge-exchange", "empty")), ""],
      ["load + one AssumeRoleWithWebIdentity (SDK + xmldom as DOMParser, FetchHttpHandler)", range(f.sdkExchange), ms(minDiff("sdk-exchange", "empty")), ""],
      ["… edge-sts on main before issue 20 (same run)", range(f.edgeExchangeBefore), ms(minDiff("edge-exchange-before", "empty")), ""],
      ["SDK ÷ edge-sts, load + first exchange", xr(f.exchangeRatio), `${ratioOfMins.toFixed(2)}×`, `≥ 2.5×: ${f.exchangeRatio.median >= 2.5 ? "met" : "**missed**"}`],
      ["… SDK ÷ edge-sts before issue 20 (same run)", xr(f.exchangeRatioBefore), `${(minDiff("sdk-exchange", "empty") / minDiff("edge-exchange-before", "empty")).toFixed(2)}×`, ""],
      ["import of edge-sts + edge-sts/hono alone", range(f.importOnly), ms(minDiff("import-only", "empty")), ""],
      ["the Hono app alone, above the empty Worker", range(f.honoAboveEmpty), ms(minDiff("hono", "empty")), ""],
    ]),
    "",
    "### Where the store hit's start-up goes (each above the same app with a no-op middleware)",
    "",
    table(["Worker", "median (min … max)", "min − min", "bundle"], [
      ["edge-sts/hono in the bundle, never evaluated (compiling its bytes)", range(p.parseOnly), ms(minDiff("parse-only", "noop")), `${(S.bundles["parse-only"].bytes / 1024).toFixed(0)} KiB`],
      ["… xmldom's modules replaced by empty ones", range(p.parseOnlyWithoutXmldom), ms(minDiff("parse-only-no-xmldom", "noop")), `${(S.bundles["parse-only-no-xmldom"].bytes / 1024).toFixed(0)} KiB`],
      ["edge-sts/hono imported and evaluated", range(p.importEvaluated), ms(minDiff("import-noop", "noop")), `${(S.bundles["import-noop"].bytes / 1024).toFixed(0)} KiB`],
      ["… and the middleware made", range(p.made), ms(minDiff("make", "noop")), ""],
      ["… and the first request served from the store", range(p.storeHit), ms(minDiff("store-hit", "noop")), `${(S.bundles["store-hit"].bytes / 1024).toFixed(0)} KiB`],
      ["… the same, xmldom's modules replaced by empty ones", range(p.storeHitWithoutXmldom), ms(minDiff("store-hit-no-xmldom", "noop")), `${(S.bundles["store-hit-no-xmldom"].bytes / 1024).toFixed(0)} KiB`],
      ["… minified (`wrangler --minify`)", "", ms(minDiff("store-hit-min", "hono-min")) + " (above the minified app)", `${(S.bundles["store-hit-min"].bytes / 1024).toFixed(0)} KiB`],
    ]),
    "",
    "Why the 3 ms target is missed: no xmldom code is evaluated any more on a store hit (test/miniflare/store-hit-no-xml.test.ts), but wrangler bundles every module into one script, and a new isolate compiles the whole script at start-up whether or not a module is ever evaluated. Compiling the bytes is most of what is left (the \"never evaluated\" rows): xmldom's reader and DOM (the lazily loaded part) are still in the script, and the package's own code, valibot and aws4fetch are the rest; evaluating the modules, making the middleware and the first store hit (HKDF + AES-GCM + HMAC, each function compiled on first call) add a few ms each. What would close it: a bundle without xmldom's bytes (a parser that is not xmldom, or a Worker set up with xmldom as a separate module that is only fetched when first needed), which the issue rules out for this pass.",
    "",
  );
}
if (Object.keys(hits).length) {
  lines.push(
    "### Hit path: the middleware's cache hit vs the same app with a no-op middleware (bench/hit.mjs)",
    "",
    "One process, both apps warm, then alternating blocks of 200 requests from a collected heap (CPU per request from process.cpuUsage). Overhead = median hit ÷ median no-op − 1 over all rounds; the range is the same figure over each eighth of the rounds. Single-round ratios spread far wider on a shared machine (p10 … p90 column).",
    "",
    table(["runtime", "hit", "no-op", "overhead (eighths: min … max)", "single rounds p10 … p90", "target"], Object.entries(hits).map(([rt, h]) => [
      rt, `${h.hitUs.toFixed(1)} µs`, `${h.noopUs.toFixed(1)} µs`, `${pct(h.overhead.median)} (${pct(h.overhead.min)} … ${pct(h.overhead.max)})`, `${pct(h.perRoundRatio.p10)} … ${pct(h.perRoundRatio.p90)}`,
      rt === "node" ? `≤ 10 %: ${h.overhead.median <= 0.1 ? "met" : "**missed**"}` : "report",
    ])),
    "",
  );
}
if (W?.comparisons?.["hit-vs-noop"]?.overhead) {
  const c = W.comparisons["hit-vs-noop"];
  lines.push(`workerd (bench/workerd.mjs, each side in its own process, ${c.overhead.n} pairs): hit ${c.a.cpuUsPerOp.median.toFixed(1)} µs vs no-op ${c.b.cpuUsPerOp.median.toFixed(1)} µs CPU per request, ${pct(c.overhead.median)} (${pct(c.overhead.min)} … ${pct(c.overhead.max)}).`, "");
}
const exchange = [
  ...["node", "deno", "bun"].map((rt) => [rt, pairs?.runtimes?.[rt]?.comparisons?.awwi?.ratio, { node: 1.8, deno: 1.6, bun: 1.8 }[rt]]),
  ["workerd", W?.comparisons?.awwi?.ratio, 2.5],
].filter(([, r]) => r);
if (exchange.length) {
  lines.push(
    "### Exchange CPU still holds? (AssumeRoleWithWebIdentity, SDK ÷ edge-sts, CPU per op, process pairs: bench/pairs.mjs, bench/workerd.mjs)",
    "",
    table(["runtime", "SDK ÷ edge-sts (min … max)", "hold"], exchange.map(([rt, r, hold]) => [rt, xr(r), `≥ ${hold}×: ${r.median >= hold ? "held" : "**below**"}`])),
    "",
  );
}
if (cold?.runtimes) {
  const target = { node: 1.3, deno: 2.5, bun: 4 };
  lines.push(
    "### Cold start: fresh process, import + first exchange, SDK ÷ edge-sts (bench/cold.mjs)",
    "",
    table(["runtime", "edge-sts", "SDK", "ratio of medians", "per-pair ratios (min … max)", "target"], Object.entries(cold.runtimes).map(([rt, r]) => r.error ? [rt, r.error, "", "", "", ""] : [
      rt, ms(r.summary["edge-sts"].importAndCallMs.median), ms(r.summary.sdk.importAndCallMs.median), `${r.ratio.toFixed(2)}×`, xr(r.pairRatios), `≥ ${target[rt]}×: ${r.ratio >= target[rt] ? "met" : "**missed**"}`,
    ])),
    "",
  );
}
const section = lines.join("\n");
writeResultsSection("startup", section, "startup", { what: "issue 20: a new Worker isolate's start-up, the hit path, cold start", workerd: S, hit: hits, cold: cold && Object.fromEntries(Object.entries(cold.runtimes).map(([rt, r]) => [rt, r.error ? { error: r.error } : { ratio: r.ratio, pairRatios: r.pairRatios, summary: r.summary }])) });
console.error("[startup] bench/RESULTS.md (its start-up section) and bench/results.json (startup) written");
