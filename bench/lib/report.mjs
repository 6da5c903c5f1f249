/**
 * Turns the figure scripts' outputs (bench/.out/*.json) into bench/results.json (buildResults),
 * the printed table (renderTable) and bench/RESULTS.md (renderMarkdown).
 */

const us = (x) => (x === undefined || x === null || Number.isNaN(x) ? "–" : `${x.toFixed(1)} µs`);
const ms = (x) => (x === undefined || x === null || Number.isNaN(x) ? "–" : `${x.toFixed(1)} ms`);
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const x2 = (r) => (r === undefined || r === null || Number.isNaN(r) ? "–" : `${r.toFixed(2)}×`);
const pct = (r) => (r === undefined || r === null || Number.isNaN(r) ? "–" : `${r >= 0 ? "+" : ""}${(r * 100).toFixed(1)} %`);
const mark = (met) => (met === true ? "met" : met === false ? "**MISSED**" : "report");
const spreadX = (s) => (s ? `${x2(s.median)} (${x2(s.min)} – ${x2(s.max)}, ${s.n} pairs)` : "–");
const spreadPct = (s) => (s ? `${pct(s.median)} (${pct(s.min)} – ${pct(s.max)}, ${s.n} pairs)` : "–");
const RUNTIMES = ["node", "deno", "bun"];
/** A signed call counts as "no slower than today" when the median per-pair ratio is ≥ this (3 % noise). */
const NO_SLOWER = 0.97;

const TARGETS = {
  awwi: { node: 1.35, deno: 1.6, bun: 1.8, workerd: 2.5 },
  cold: { node: 1.3, deno: 2.5, bun: 4 },
  hit: { node: 0.1, deno: 0.25, bun: 0.25 },
  gciWorkerd: 2.5,
};

/** Assembles results.json from the raw outputs. */
export function buildResults({ raw, profiles, machine, date, durationSeconds, timings }) {
  const pairs = raw.pairs;
  const wd = raw.workerd;
  const cold = raw.cold;
  const cmp = (rt, name) => pairs?.runtimes?.[rt]?.comparisons?.[name];
  const versions = { node: machine.node, deno: machine.deno.replace(/^deno\s*/, ""), bun: machine.bun, workerd: machine.workerd.replace(/^workerd\s*/, "") };
  const targets = [];
  // CPU per AssumeRoleWithWebIdentity
  for (const rt of RUNTIMES) {
    const c = cmp(rt, "awwi");
    targets.push(row("CPU per AssumeRoleWithWebIdentity", rt, c?.ratio, `≥ ${TARGETS.awwi[rt]}×`, c?.ratio ? c.ratio.median >= TARGETS.awwi[rt] : null, c && { edge: c.cpuUsPerOp.awwi?.median, sdk: c.cpuUsPerOp["sdk-awwi"]?.median, unit: "µs CPU" }, c?.error));
  }
  {
    const c = wd?.comparisons?.awwi;
    targets.push(row("CPU per AssumeRoleWithWebIdentity", "workerd", c?.ratio, `≥ ${TARGETS.awwi.workerd}× (vs the SDK with the DOMParser workaround)`, c?.ratio ? c.ratio.median >= TARGETS.awwi.workerd : null, c && { edge: c.a.cpuUsPerOp?.median, sdk: c.b.cpuUsPerOp?.median, unit: "µs CPU" }, c?.error ?? (wd ? undefined : { message: "workerd figure did not run" })));
  }
  // cold start
  for (const rt of RUNTIMES) {
    const c = cold?.runtimes?.[rt];
    const ok = c && !c.error;
    targets.push(row("cold start, import + first exchange", rt, ok ? { ...c.pairRatios, median: c.ratio } : null, `≥ ${TARGETS.cold[rt]}×`, ok ? c.ratio >= TARGETS.cold[rt] : null, ok && { edge: c.summary["edge-sts"].importAndCallMs.median, sdk: c.summary.sdk.importAndCallMs.median, unit: "ms" }, c?.error && { message: c.error }));
  }
  {
    const a = wd?.comparisons?.awwi;
    const e = a?.a?.listenMs !== undefined && a.a.firstOpMs !== undefined ? a.a.listenMs + a.a.firstOpMs : null;
    const s = a?.b?.listenMs !== undefined && a.b.firstOpMs !== undefined ? a.b.listenMs + a.b.firstOpMs : null;
    targets.push(row("cold start, import + first exchange", "workerd", e && s ? { median: s / e } : null, "report", null, e && s ? { edge: e, sdk: s, unit: "ms", labels: ["edge-sts", "SDK + workaround"] } : null));
  }
  // middleware hit overhead
  for (const rt of RUNTIMES) {
    const c = cmp(rt, "hit");
    targets.push(row("middleware cache-hit overhead vs bare Hono", rt, c?.overhead, `≤ ${TARGETS.hit[rt] * 100} %`, c?.overhead ? c.overhead.median <= TARGETS.hit[rt] : null, c && { edge: c.cpuUsPerOp.hit?.median, sdk: c.cpuUsPerOp.bare?.median, unit: "µs CPU", labels: ["hit", "bare"] }, c?.error, "overhead"));
  }
  {
    const c = wd?.comparisons?.hit;
    targets.push(row("middleware cache-hit overhead vs bare Hono", "workerd", c?.overhead, "report", null, c && { edge: c.a.cpuUsPerOp?.median, sdk: c.b.cpuUsPerOp?.median, unit: "µs CPU", labels: ["hit", "bare"] }, c?.error, "overhead"));
  }
  // signed GetCallerIdentity
  for (const rt of RUNTIMES) {
    const b = cmp(rt, "gci-vs-baseline");
    targets.push(row("signed GetCallerIdentity, vs today (main before issue 13)", rt, b?.ratio, "no slower than today", b?.ratio ? b.ratio.median >= NO_SLOWER : null, b && { edge: b.cpuUsPerOp.gci?.median, sdk: b.cpuUsPerOp["gci@baseline"]?.median, unit: "µs CPU", labels: ["now", "today"] }, b ? b.error : { message: "baseline not built (see bench/.out/baseline.json)" }));
  }
  {
    const c = wd?.comparisons?.gci;
    targets.push(row("signed GetCallerIdentity, vs the SDK", "workerd", c?.ratio, `≥ ${TARGETS.gciWorkerd}×`, c?.ratio ? c.ratio.median >= TARGETS.gciWorkerd : null, c && { edge: c.a.cpuUsPerOp?.median, sdk: c.b.cpuUsPerOp?.median, unit: "µs CPU" }, c?.error));
  }
  for (const rt of RUNTIMES) {
    const b = cmp(rt, "awwi-vs-baseline");
    if (b) targets.push(row("AssumeRoleWithWebIdentity, vs today (main before issue 13)", rt, b.ratio, "report", null, { edge: b.cpuUsPerOp.awwi?.median, sdk: b.cpuUsPerOp["awwi@baseline"]?.median, unit: "µs CPU", labels: ["now", "today"] }, b.error));
  }
  for (const rt of RUNTIMES) {
    const c = cmp(rt, "gci");
    targets.push(row("signed GetCallerIdentity, vs the SDK", rt, c?.ratio, "report", null, c && { edge: c.cpuUsPerOp.gci?.median, sdk: c.cpuUsPerOp["sdk-gci"]?.median, unit: "µs CPU" }, c?.error));
  }

  function row(figure, runtime, spread, target, met, values, error, kind = "ratio") {
    const t = { figure, runtime, version: versions[runtime], kind, spread: spread ?? null, target, met, values: values || null, error: error?.message ?? error ?? undefined };
    // How sure: does the pairs' spread reach across the target? A negative overhead is noise by definition.
    const m = /([\d.]+)\s*(×|%)/.exec(target);
    const threshold = target === "no slower than today" ? NO_SLOWER : m ? Number(m[1]) / (m[2] === "%" ? 100 : 1) : undefined;
    if (met !== null && threshold !== undefined && spread?.min !== undefined) {
      t.threshold = threshold;
      t.spreadCrossesTarget = spread.min < threshold && spread.max > threshold;
      if (kind === "overhead" && spread.median < 0) {
        t.inconclusive = "median overhead below zero: noise larger than the effect";
        t.met = null;
      }
    }
    return t;
  }

  const subtle = Object.fromEntries(RUNTIMES.map((rt) => [rt, raw[`subtle-${rt}`]]).filter(([, v]) => v));
  const later = Object.values(subtle)[0]?.calls?.later;
  if (wd?.subtle && later && Object.values(wd.subtle).every((c) => c.cpuUsPerCall !== undefined)) {
    // Same aws4fetch code, so the same calls; their cost measured inside workerd (bench/workerd.mjs).
    const c = (k) => wd.subtle[Object.keys(wd.subtle).find((n) => n.startsWith(k))].cpuUsPerCall;
    const digests = (later.digest ?? 0) / 2;
    subtle.workerd = {
      runtime: "workerd",
      calls: Object.values(subtle)[0].calls,
      cost: wd.subtle,
      perSignedRequestCpuUs: digests * (c("digest SHA-256 (body") + c("digest SHA-256 (canonical")) + (later.importKey ?? 0) * c("importKey") + (later.sign ?? 0) * c("sign"),
    };
  }
  const xmldom = Object.fromEntries(RUNTIMES.map((rt) => [rt, raw[`xmldom-${rt}`]]).filter(([, v]) => v));
  const stages = Object.fromEntries(RUNTIMES.map((rt) => [rt, raw[`stages-${rt}`]]).filter(([, v]) => v));
  if (wd?.stages) stages.workerd = wd.stages;
  return {
    date,
    durationSeconds,
    machine,
    timings,
    method: {
      cpu: "each side alone in its own process (bench/side.mjs), process pairs in alternating order (A B, B A, …); per process: warm-up, then blocks of sequential ops, CPU per op of the median block from process.cpuUsage() (getrusage: user + system of every thread — GC, Web Crypto's thread pool); per pair one ratio; the figure is the median of the per-pair ratios, with min–max",
      workerd: "each side alone in its own workerd process, alternating pairs; one request runs N sequential ops; CPU of the workerd process from /proc/<pid>/task/*/schedstat (ns on CPU, every thread) before and after; compatibility date 2026-08-01 without flags (workerd enables Node compat by default for dates after 2026-08-04)",
      transport: "edge-sts: injected fetch returning new Response(cannedXml) with STS's headers; the SDK: requestHandler.handle returning an HttpResponse whose body is a Uint8Array (its cheapest path); static credentials, no shared config files, no IMDS",
      bodies: "test/fixtures/*/success.xml (full AssumeRoleWithWebIdentity result), expiration moved to now + 1 h",
      build: "edge-sts from bench/.out/dist, built by scripts/build.mjs (what ships: one file per entry, dependencies external); the SDK from node_modules (CJS on Node, its ESM elsewhere, its browser build in workerd)",
      baseline: pairs?.baseline,
    },
    targets,
    pairs,
    workerd: wd,
    cold,
    bundle: raw.bundle,
    faninMemory: raw["fanin-memory"],
    subtle,
    xmldom,
    stages,
    profiles,
  };
}

function targetRows(r) {
  return r.targets.map((t) => {
    const v = t.values;
    const [la, lb] = v?.labels ?? ["edge-sts", "SDK"];
    const sides = v ? `${la} ${fmtVal(v.edge, v.unit)} · ${lb} ${fmtVal(v.sdk, v.unit)}` : "–";
    const value = t.error && !t.spread ? `did not run: ${t.error.split("\n")[0].slice(0, 120)}` : t.kind === "overhead" ? spreadPct(t.spread) : t.spread?.n ? spreadX(t.spread) : x2(t.spread?.median);
    const how = t.inconclusive ? `inconclusive (${t.inconclusive})` : t.spreadCrossesTarget ? `${mark(t.met)} (spread crosses the target)` : mark(t.met);
    return [t.figure, `${t.runtime}${t.version ? ` ${t.version.replace(/^v/, "")}` : ""}`, value, sides, t.target, how];
  });
}
function fmtVal(x, unit) {
  if (x === undefined || x === null) return "–";
  return unit.startsWith("ms") ? ms(x) : us(x);
}

const HEAD = ["figure", "runtime", "SDK ÷ edge-sts (median of per-pair ratios, min – max)", "per side (median)", "target", "met"];

export function renderTable(r) {
  const rows = targetRows(r).map((row) => row.map((c) => String(c).replace(/\*\*/g, "")));
  const all = [HEAD, ...rows];
  const widths = HEAD.map((_, i) => Math.min(48, Math.max(...all.map((row) => String(row[i]).length))));
  const line = (row) => row.map((c, i) => String(c).slice(0, widths[i]).padEnd(widths[i])).join(" │ ");
  return [line(HEAD), widths.map((w) => "─".repeat(w)).join("─┼─"), ...rows.map(line)].join("\n");
}

function mdTable(head, body) {
  const esc = (c) => String(c).replace(/\|/g, "\\|");
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...body.map((row) => `| ${row.map(esc).join(" | ")} |`)].join("\n");
}

function profileBlock(r, name, title) {
  const p = r.profiles?.[name];
  if (!p) return `_(profile ${name} not recorded)_\n`;
  const tool = name.startsWith("bun") ? "bun --cpu-prof" : "node --cpu-prof";
  const perOp = p.ops ? ` (${p.ops} ops, ${((p.busyMs * 1000) / p.ops).toFixed(1)} µs/op under the profiler)` : "";
  return `**${title}** — \`${tool}\`, ${p.busyMs.toFixed(0)} ms busy${perOp}\n\n` +
    mdTable(["origin", "self ms", "%"], p.byOrigin.slice(0, 7).map((o) => [o.origin, o.selfMs, o.pct])) + "\n\n" +
    mdTable(["top self-time function", "where", "self ms", "%"], p.topFunctions.slice(0, 8).map((f) => [`\`${f.function}\``, f.where, f.selfMs, f.pct])) + "\n";
}
const originPct = (r, profile, origin) => r.profiles?.[profile]?.byOrigin.find((o) => o.origin === origin)?.pct ?? 0;

export function renderMarkdown(r) {
  const m = r.machine;
  const L = m.loadAverage1m;
  const parts = [];
  const busy = L.start > m.cores * 0.5 || L.end > m.cores * 0.5;
  parts.push(`# Benchmark results (issues 6 and 13)

Latest \`npm run bench\`: ${r.date} · ${r.durationSeconds} s.
Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${m.deno} · Bun ${m.bun} · workerd ${m.workerd.replace(/^workerd\s*/, "")} · @aws-sdk/client-sts ${m.sdk} · hono ${m.hono} · @xmldom/xmldom ${m.xmldom}.
1-minute load average: ${L.start.toFixed(2)} at the start, ${L.end.toFixed(2)} at the end${busy ? ` — **the machine was shared with other work during this run: absolute figures are noisy. Ratios come from alternating process pairs and are medians of per-pair ratios (the spread is shown), which is what makes them comparable; re-run on a quiet machine for final figures.**` : "."}

## Targets (issue 13: SDK ÷ edge-sts, same run)

${mdTable(HEAD, targetRows(r))}

How it is measured: ${r.method.cpu}. workerd: ${r.method.workerd}. Transport: ${r.method.transport}. Bodies: ${r.method.bodies}. Build: ${r.method.build}. Rows "vs today" compare this build with src/ at ${r.method.baseline?.ref ? `\`${r.method.baseline.subject ?? r.method.baseline.ref}\`` : "the baseline"} (bench/prepare.mjs bundles it the same way); their ratio is today ÷ now (> 1: faster now), and "no slower than today" is met when its median is ≥ ${NO_SLOWER}.
`);

  // ── #1 #2 #3 #8 per runtime ──
  const P = r.pairs;
  if (P) {
    const rows = [];
    for (const rt of RUNTIMES) {
      const R = P.runtimes?.[rt];
      if (!R) continue;
      for (const [name, c] of Object.entries(R.comparisons)) {
        const [a, b] = c.sides;
        const s = c[c.kind];
        rows.push([rt, name, `${us(c.cpuUsPerOp[a]?.median)} (${us(c.cpuUsPerOp[a]?.min)} – ${us(c.cpuUsPerOp[a]?.max)})`, `${b}: ${us(c.cpuUsPerOp[b]?.median)} (${us(c.cpuUsPerOp[b]?.min)} – ${us(c.cpuUsPerOp[b]?.max)})`, c.kind === "ratio" ? spreadX(s) : spreadPct(s), s ? s.values.map((v) => (c.kind === "ratio" ? v.toFixed(2) : `${(v * 100).toFixed(0)} %`)).join(", ") : c.error ? `did not run: ${c.error.side}: ${c.error.message.slice(0, 100)}` : "–"]);
      }
    }
    parts.push(`## #1, #2, #3 (Node) and #8 (Deno, Bun): each side in its own process

${P.pairs} process pairs per comparison and runtime, order alternating; each process ${P.settings.join(" ")}. \`awwi\`: AssumeRoleWithWebIdentity; \`gci\`: signed GetCallerIdentity; \`hit\`: Hono \`app.request\` through \`stsCredentials\` on a cache hit vs the same app bare (\`c.text("ok")\`); \`*-vs-baseline\`: this build vs today's (ratio = today ÷ now, > 1 is faster now).

${mdTable(["runtime", "comparison", "A: CPU/op, median (min – max)", "B: CPU/op", "B ÷ A (hit: A ÷ B − 1)", "per pair"], rows)}
`);
  }

  // ── #9 workerd ──
  const W = r.workerd;
  if (W) {
    const shipped = Object.entries(W.asShipped ?? {}).map(([label, v]) => [`SDK as shipped, ${label}`, ...["awwi", "gci"].map((op) => (v[op]?.ok ? "answers" : `fails: \`${(v[op]?.error ?? "?").split("\n")[0]}\``))]);
    const rows = Object.entries(W.comparisons).map(([name, c]) => [name, `${c.a.worker}:${c.a.op} ${us(c.a.cpuUsPerOp?.median)}`, `${c.b.worker}:${c.b.op} ${us(c.b.cpuUsPerOp?.median)}`, c.kind === "ratio" ? spreadX(c.ratio) : spreadPct(c.overhead), `${ms(c.a.listenMs)} / ${ms(c.a.firstOpMs)}`, `${ms(c.b.listenMs)} / ${ms(c.b.firstOpMs)}`, c.error ? `${c.error.side}: ${c.error.message.split("\n")[0]}` : ""]);
    parts.push(`## #9 workerd

${W.workerd}, compatibility date ${W.compatibilityDate}, no compatibility flags unless stated. Workers bundled as wrangler does (esbuild, platform browser, conditions workerd/worker/browser): edge-sts ${kib(W.bundles.edge.bytes)}, the SDK ${kib(W.bundles.sdk.bytes)}, the SDK + xmldom ${kib(W.bundles["sdk-xmldom"].bytes)} (unminified).

**The SDK as shipped does not run in workerd** ([aws/aws-sdk-js-v3#7375](https://github.com/aws/aws-sdk-js-v3/issues/7375)): its browser build parses XML with the global \`DOMParser\`, which Workers do not have, with or without Node compat:

${mdTable(["Worker", "AssumeRoleWithWebIdentity", "GetCallerIdentity"], shipped)}

The usual workaround (bench/workerd/sdk-xmldom-worker.mjs) installs @xmldom/xmldom's \`DOMParser\` — and its \`Node\`, for the node-type constants the SDK's reader compares against (\`DOMParser\` alone fails with \`Node is not defined\`) — as globals. That is the SDK row below.

${mdTable(["comparison", "A: CPU/op (median)", "B: CPU/op (median)", "B ÷ A (hit: A ÷ B − 1), pairs", "A: listen / first op", "B: listen / first op", "error"], rows)}

"listen": workerd spawned → socket listening (the Worker's script is compiled and evaluated at start-up); "first op": the first request running one op, answered.
`);
  } else parts.push(`## #9 workerd\n\nDid not run (see the bench log).\n`);

  // ── #4 cold start ──
  const C = r.cold;
  if (C) {
    const rows = [];
    for (const rt of RUNTIMES) {
      const c = C.runtimes?.[rt];
      if (!c) continue;
      if (c.error) {
        rows.push([rt, `did not run: ${c.error}`, "", "", "", "", ""]);
        continue;
      }
      for (const [side, s] of Object.entries(c.summary)) rows.push([rt, side, `${ms(s.importAndCallMs.median)} (${ms(s.importAndCallMs.p10)} – ${ms(s.importAndCallMs.p90)})`, ms(s.importMs.median), ms(s.firstCallMs.median), ms(s.processWallMs.median), ms(s.cpuMs.median)]);
      rows.push([rt, "**SDK ÷ edge-sts**", `**${x2(c.ratio)}** (per pair ${x2(c.pairRatios.min)} – ${x2(c.pairRatios.max)})`, "", "", x2(c.processWallRatio), ""]);
    }
    parts.push(`## #4 cold start: fresh process, import + first exchange

${C.endpoint}; per runtime one unmeasured warm-up spawn per side, then ${C.spawnsPerSide} timed spawns per side, alternating. "import + first exchange" is timed inside the child from its first line to the parsed response; "process wall" is the parent's spawn → exit; CPU is the child's own (process.cpuUsage at the end).

${mdTable(["runtime", "side", "import + first exchange, median (p10 – p90)", "import", "first exchange", "process wall", "CPU"], rows)}
`);
  }

  // ── crypto.subtle ──
  const S = r.subtle;
  if (S && Object.keys(S).length) {
    const any = Object.values(S)[0];
    const kinds = Object.keys(any.cost);
    const fmtCalls = (c) => Object.entries(c).map(([k, v]) => `${v} × ${k}`).join(", ");
    parts.push(`## crypto.subtle per signed request

Every signed call goes through aws4fetch (Web Crypto). Counted by wrapping \`crypto.subtle\`'s methods around real calls: the first signed call of a client makes **${fmtCalls(any.calls.firstCall)}** (the signing key is derived: four HMACs of importKey + sign, then the signature); every later call, the key cached per client and day, makes **${fmtCalls(any.calls.later)}** (hash of the body, hash of the canonical request, one HMAC). Cost of each kind alone (CPU per call, all threads; wall per call, sequential awaits):

${mdTable(["call", ...Object.keys(S).map((rt) => `${rt}: CPU / wall`)], kinds.map((k) => [k, ...Object.values(S).map((v) => `${us(v.cost[k].cpuUsPerCall)} / ${us(v.cost[k].wallUsPerCall)}`)]))}
| **per signed request (steady state)** | ${Object.values(S).map((v) => `**${us(v.perSignedRequestCpuUs)} CPU**`).join(" | ")} |

On Node, each Web Crypto call is a hop to libuv's thread pool and back (the CPU is counted: it is every thread's); Deno and Bun run them natively. workerd's column is measured inside workerd (one request running N calls, the process's schedstat CPU), so it includes that request's share of the loop. The SDK on Node hashes with node:crypto synchronously and does not pay the hops; in workerd the SDK's browser build hashes with @aws-crypto/sha256-browser (Web Crypto where it finds it).
`);
  }

  // ── xmldom #950 ──
  const X = r.xmldom;
  if (X && Object.keys(X).length) {
    const any = Object.values(X)[0];
    parts.push(`## What xmldom 0.9's per-end-tag RegExp costs ([xmldom/xmldom#950](https://github.com/xmldom/xmldom/issues/950))

@xmldom/xmldom ${any.xmldom} builds \`g.reg('^', QName_group, S_OPT, '$')\` — a new \`u\`-flag RegExp from a long Unicode source — for every end tag (lib/sax.js). The fixture (${any.fixtureBytes} bytes) has ${any.endTags} end tags. "memoised" is the same parse with \`grammar.reg\` memoised (same sources → same RegExp; none of them has a g/y flag), i.e. what the parse would cost without the regression; measured alternately in one process per runtime.

${mdTable(["runtime", "parse (locator off)", "parse, reg memoised", "saved by memoising", "reg + exec alone × end tags"], Object.entries(X).map(([rt, v]) => [rt, us(v.parseCpuUs), us(v.parseMemoisedCpuUs), `${v.savedByMemoPct.toFixed(1)} %`, `${us(v.regTotalCpuUs)} (${v.regPerEndTagCpuUs.toFixed(2)} µs each)`]))}

edge-sts keeps xmldom 0.9 (0.8.x parses ~1.6× faster, but in fuzzing accepted ~26 % of mutated bodies that 0.9 refuses). The cost is upstream's to remove; until then it is part of every exchange's parse, on every runtime.
`);
  }

  // ── stages ──
  const G = r.stages;
  if (G && Object.keys(G).length) {
    const names = Object.keys(Object.values(G)[0].stages);
    parts.push(`## Where one exchange's CPU goes, per runtime (bench/stages.mjs; workerd: the same stages in the bench Worker)

Each stage alone in a loop (CPU per call; Node/Deno/Bun: the cheapest of three short rounds; workerd: one request of N calls per stage, schedstat CPU, so its figures include the request's share); the whole call last. Stages overlap (the result reading includes the XML parse), so they do not add up; the whole call minus its parts is promise plumbing, the attempt's bookkeeping and GC.

${mdTable(["stage", ...Object.keys(G)], [...names.map((n) => [n, ...Object.values(G).map((v) => us(v.stages[n]))]), ["**whole AssumeRoleWithWebIdentity (this build)**", ...Object.values(G).map((v) => `**${us(v.wholeCallCpuUs)}**`)]])}
`);
  }

  // ── #5 #6 #7 (issue 6) ──
  const b = r.bundle;
  if (b) {
    const e = b;
    parts.push(`## #5 bundle size

esbuild \`bundle, minify, format esm, platform browser, conditions [worker, browser]\`, gzip level 9 (zlib).

${mdTable(["entry", "minified", "gzip", "modules"], Object.entries(e).map(([n, v]) => [`${n}: ${v.label}`, kib(v.minifiedBytes), kib(v.gzipBytes), v.modules]))}

(b) core + middleware ${kib(e["edge-middleware"].gzipBytes)} gzip vs the SDK's client alone ${kib(e["sdk-client-alone"].gzipBytes)}: ${e["edge-middleware"].gzipBytes < e["sdk-client-alone"].gzipBytes ? "smaller (issue 6 target met)" : "**not smaller (issue 6 target missed)**"}. The SDK's browser bundle carries no XML parser (it expects a global \`DOMParser\`, which is why it fails in workerd, #9); edge-sts carries @xmldom/xmldom (${((e["edge-middleware"].perPackage?.["@xmldom/xmldom"]?.share ?? 0) * 100).toFixed(0)} % of its bundle).
`);
  }
  const fm = r.faninMemory;
  if (fm) {
    const fi = fm.fanIn;
    const mem = fm.memory;
    parts.push(`## #6 fan-in and #7 memory

#6: ${fi.concurrent} concurrent requests with one token → **${fi.stsCalls} STS call** (${fi.ok} × 200, ${fi.distinctCredentials} credential set, ${ms(fi.wallMs)}); target exactly 1: ${fi.stsCalls === 1 ? "met" : "**MISSED**"}.
#7: ${mem.tokens} distinct tokens, maxEntries ${mem.maxEntries} → ${mem.entriesKept} entries kept, retained ${(mem.retainedBytes / 2 ** 20).toFixed(2)} MiB = ${mem.bytesPerEntry} B/entry, peak heap ${(mem.peakHeapBytes / 2 ** 20).toFixed(1)} MiB; retained after 1 000 … 10 000 tokens: ${mem.retainedAt.map((x) => (x.retainedBytes / 2 ** 20).toFixed(2)).join(", ")} MiB — ${mem.bounded ? "bounded" : "**not bounded**"}.
`);
  }

  parts.push(renderMissed(r));
  parts.push(`\n---\nRaw figures: bench/results.json. Re-run: \`npm run bench\` (${Object.entries(r.timings ?? {}).map(([k, v]) => `${k.split(" ")[0]} ${v.toFixed(0)} s`).slice(0, 0).join("")}about ${Math.round(r.durationSeconds / 60)} min). Profiles: bench/.out/profiles/ (not committed).\n`);
  return parts.join("\n");
}

/** Missed targets: the profile that shows where the time goes, and what would close the gap. */
function renderMissed(r) {
  const missed = r.targets.filter((t) => t.met === false);
  if (missed.length === 0) return "## Missed targets\n\nNone in this run.\n";
  const out = [`## Missed targets: where the time goes, what would close the gap\n\nMissed in this run: ${missed.map((t) => `${t.figure} on ${t.runtime}`).join("; ")}.\n`];
  const has = (figure, rt) => missed.some((t) => t.figure.startsWith(figure) && (!rt || t.runtime === rt));
  const st = (rt, name) => r.stages?.[rt]?.stages?.[Object.keys(r.stages?.[rt]?.stages ?? {}).find((k) => k.startsWith(name))];
  const xm = (rt) => r.xmldom?.[rt];

  if (has("CPU per AssumeRoleWithWebIdentity")) {
    const rows = [...RUNTIMES, "workerd"].filter((rt) => r.stages?.[rt]).map((rt) => [rt, us(r.stages[rt].wholeCallCpuUs), us(st(rt, "XML parse")), us(st(rt, "new Request")), us(st(rt, "Response + res.text()")), us(st(rt, "validate")), xm(rt) ? `${xm(rt).savedByMemoPct.toFixed(0)} % of the parse` : "–"]);
    out.push(`### CPU per AssumeRoleWithWebIdentity

${mdTable(["runtime", "whole call", "XML parse (xmldom)", "new Request + signal", "body read (text())", "validate + encode", "#950 share"], rows)}

${profileBlock(r, "node-awwi", "edge-sts AssumeRoleWithWebIdentity on Node")}
${profileBlock(r, "node-sdk-awwi", "the SDK's AssumeRoleWithWebIdentityCommand on Node (Uint8Array body)")}
${profileBlock(r, "bun-awwi", "edge-sts AssumeRoleWithWebIdentity on Bun")}
Where the time goes: the XML parse is the largest block on every runtime (@xmldom/xmldom ${originPct(r, "node-awwi", "@xmldom/xmldom")} % of Node's profile, ${originPct(r, "bun-awwi", "@xmldom/xmldom")} % of Bun's), and within it the per-end-tag RegExp of #950 (the table above). On Node the next block is undici's web objects: \`new Request(...)\` with a signal (an AbortSignal per Request, \`makeTransferable\`/\`createAbortSignal\`), the Response's web stream, and the GC they cause (node internals ${originPct(r, "node-awwi", "node internals")} %, gc ${originPct(r, "node-awwi", "(gc)")} %). The SDK on Node builds no Request/Response objects and no streams at all, and its XML reader (@aws-sdk/xml-builder, a hand-written scanner) is cheaper than xmldom's DOM.

What is done, and what would close the rest:
1. **Done: no Request per attempt and one settle-once promise** (src/wire/pipeline.ts, from the hardening branch): edge-sts calls \`fetch(url, init)\`, so the "new Request + signal" column above is no longer paid (it is the largest non-XML block on Node, a few µs on Deno, under 1 µs on Bun), and an attempt is one promise instead of the abandonment promise and two \`Promise.race\`. **Done here:** one shared \`DOMParser\` with \`locator: false\`, text values read without xmldom's tree walk, unescaped form values sent as they are, \`res.text()\` for a declared length (on Deno without touching \`response.body\`, which alone turns a buffered body into a stream), and dist/ as one file per entry.
2. **Open: the XML parse.** xmldom builds a full DOM (every node an object with a dozen fields, namespace maps, live NodeLists) for a 1.5 KB document of which edge-sts reads ten strings, and 0.9 adds #950's RegExp per end tag (the "#950 share" column: what the parse would save with it fixed upstream). A purpose-built reader for STS's fixed answers (a tag/text scanner with the same DOCTYPE/entity refusals and 0.9's strictness on mismatched end tags) would remove most of the parse column on every runtime; issue 13 keeps xmldom 0.9, so this stays open — it is the one change that would lift Deno and workerd past their targets.
3. On Node, what remains besides the parse is undici's Response and its web stream, and the GC of both; \`res.text()\` is the cheapest read there is through fetch.
`);
  }
  if (has("signed GetCallerIdentity")) {
    const w = r.workerd?.comparisons?.gci;
    const ws = r.subtle?.workerd;
    const wawwi = r.workerd?.comparisons?.awwi;
    out.push(`### Signed GetCallerIdentity

${w ? `In workerd: edge-sts ${us(w.a.cpuUsPerOp?.median)} per signed call vs ${us(w.b.cpuUsPerOp?.median)} for the SDK with the workaround; edge-sts's unsigned AssumeRoleWithWebIdentity costs ${us(wawwi?.a?.cpuUsPerOp?.median)} there, so signing costs at least ${us((w.a.cpuUsPerOp?.median ?? 0) - (wawwi?.a?.cpuUsPerOp?.median ?? 0))} (GetCallerIdentity's answer is the smaller one to parse)${ws ? `, of which the four crypto.subtle calls are ${us(ws.perSignedRequestCpuUs)} (table "crypto.subtle per signed request")` : ""}; the rest is aws4fetch's \`AwsV4Signer\` (URL, Headers, canonical strings) and, as for every call, the XML parse.` : ""}

${profileBlock(r, "node-gci", "edge-sts GetCallerIdentity (signed) on Node")}
${profileBlock(r, "node-sdk-gci", "the SDK's GetCallerIdentityCommand (signed) on Node")}
On Node the largest self-time block of a signed call is Node's Web Crypto job dispatch (\`jobPromise\` in node:internal/crypto/util: each \`crypto.subtle\` call is a job posted to libuv's thread pool and a promise resolved on its return), four times per call; the SDK hashes with node:crypto synchronously.

What would close the gap (signing stays on aws4fetch and Web Crypto, as issue 13 requires):
1. The XML reader (see "CPU per AssumeRoleWithWebIdentity" / the stages table): the parse is still the largest block of every call.
2. One \`crypto.subtle\` call fewer per signed call: a signed operation's body is often the same string (GetCallerIdentity's is constant), so its SHA-256 could be memoised per client and handed to aws4fetch as \`X-Amz-Content-Sha256\` (aws4fetch then skips its body digest). That is a src/wire/pipeline.ts change and sends one more signed header.
3. aws4fetch imports the cached signing key for every request (importKey + sign); keeping the \`CryptoKey\` instead would save one more call, but needs a change in aws4fetch.
`);
  }
  for (const t of missed.filter((x) => x.figure.startsWith("signed GetCallerIdentity, vs today"))) {
    out.push(`### Signed GetCallerIdentity on ${t.runtime}, vs today

Measured ${x2(t.spread?.median)} of today's speed (per pair: ${t.spread?.values?.map((v) => v.toFixed(2)).join(", ") ?? "–"}). Nothing in this pass adds work to a signed call: the signer's inputs and aws4fetch are unchanged, and the pipeline no longer builds a \`Request\` per attempt. A spread that crosses 1× on a shared machine is noise until a quiet re-run says otherwise: \`node bench/pairs.mjs --runtimes=${t.runtime} --only=gci-vs-baseline --pairs=8\` repeats just this comparison.
`);
  }
  if (has("middleware")) {
    out.push(`### Middleware cache-hit overhead

${profileBlock(r, "node-hit", "hono + stsCredentials, cache hit, on Node")}
${profileBlock(r, "node-bare", "hono bare on Node")}
${profileBlock(r, "bun-hit", "hono + stsCredentials, cache hit, on Bun")}
On Deno and Bun the bare Hono request is only a few µs, so a fixed cost of a couple of µs in the middleware is a large percentage. The hit path per request: read and check the \`Authorization\` header, look the token up in the memo of parsed tokens, build or reuse the cache key, \`CredentialCache.fresh\`, set the context variables, \`await next()\`. What would close the gap (src/hono/, not in this branch's files): memoise the composed cache key per parsed token (a \`WeakMap\` from the memo's entry to its key) and the validated header → token (skipping the \`Bearer\` regex on a hit), so a hit is two Map lookups on strings whose hashes are already cached, and avoid creating a closure/promise per request beyond \`next()\`.
`);
  }
  if (has("cold start")) {
    const c = r.cold?.runtimes ?? {};
    const rows = RUNTIMES.filter((rt) => c[rt] && !c[rt].error).map((rt) => [rt, ms(c[rt].summary["edge-sts"].importMs.median), ms(c[rt].summary.sdk.importMs.median), ms(c[rt].summary["edge-sts"].firstCallMs.median), ms(c[rt].summary.sdk.firstCallMs.median)]);
    out.push(`### Cold start

${mdTable(["runtime", "edge-sts import", "SDK import", "edge-sts first exchange", "SDK first exchange"], rows)}

${profileBlock(r, "node-cold-edge-sts", "edge-sts cold start on Node (one spawn, whole process)")}
${profileBlock(r, "node-cold-sdk", "the SDK's cold start on Node (one spawn, whole process)")}
Where the time goes: dist/ is now one file per entry plus shared chunks (scripts/build.mjs), so module resolution is a handful of files, and the rest of edge-sts's import is its dependencies — @xmldom/xmldom's import (its CommonJS files and the deep freeze of its HTML entity table, \`freeze\` in conventions.js) is the largest part on every runtime, then valibot and aws4fetch. On Node the first exchange pays for undici, which Node loads lazily on the first \`fetch\`/\`Request\` (module compile plus llhttp's WebAssembly), where the SDK uses node:http from Node's snapshot; that is not in edge-sts's hands while the transport is fetch. What would close the gap: an XML reader without xmldom's import cost (see above); on Node, nothing short of a node:http transport, which edge-sts deliberately does not have.
`);
  }
  return out.join("\n");
}
