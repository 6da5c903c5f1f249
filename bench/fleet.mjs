/**
 * #10 fleet: one exchange per user across a fleet (issue 11). ISOLATES isolates share one store;
 * USERS users each send REQUESTS requests, one after another with a think time, each routed to an
 * isolate picked at random. STS is the emulator (it verifies every token) behind an injected 80 ms
 * round trip; the store sits behind an injected 5 ms one. Each store is run side by side with the
 * per-isolate cache alone on the same runtime, in the same run:
 *
 *   node       isolates = Node processes; store: Redis (a real redis-server on loopback, node-redis)
 *   deno       isolates = Deno processes; store: Deno KV (one SQLite file opened by every process)
 *   miniflare  isolates = Workers in one Miniflare instance (one workerd isolate each); store:
 *              Workers KV (one namespace bound to every Worker)
 *   + Redis again with each user's first page load sent as BURST parallel requests: what the store
 *     cannot remove (isolates reached before the first exchange lands each exchange)
 *   coord-*    fleet coordination (issue 21): each user's first page load only (BURST parallel
 *              requests to random isolates), on each store that can claim — Redis (Node), Deno KV
 *              (Deno), Durable Objects (Miniflare) — with coordination off (storeWaitMs 0) and on.
 *              Reported: STS calls per user, first-load latency, store operations per user.
 *
 * Reported per side: STS calls per user (the run lies within one credential lifetime, so this is
 * calls per user per lifetime), where answers came from (hit/store/miss), the latency the middleware
 * added (p50/p90/p99/mean, and its total per user), end-to-end latency, and fleet CPU per request.
 * bench/fleet-cpu.mjs adds the CPU of a store hit vs an STS exchange.
 *
 *   node bench/fleet.mjs --out=bench/.out/fleet.json [--isolates=8] [--users=200] [--requests=12] [--sides=node-none,…]
 *   node bench/fleet.mjs --into-results   (after `npm run bench`: reruns #10 alone into bench/results.json and RESULTS.md)
 *   node bench/fleet.mjs --sides=coord-redis-off,coord-redis-on,coord-deno-kv-off,coord-deno-kv-on,coord-do-off,coord-do-on --coordination-into-results
 *                                         (the coordination sides alone, into RESULTS.md's "Fleet coordination" section)
 */
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { startRedis } from "../scripts/redis-server.mjs";
import { quantile } from "./lib/util.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const ISOLATES = Number(args.isolates ?? 8);
const USERS = Number(args.users ?? 200);
const REQUESTS = Number(args.requests ?? 12);
const STS_DELAY_MS = 80;
const STORE_DELAY_MS = 5;
// ~270 requests/s over the fleet: on 2 shared cores a loopback request costs ~1 ms of CPU (router +
// the isolate's HTTP server), so a faster pace measures queueing, not the middleware.
const THINK_MS = [500, 1000];
const STAGGER_MS = 1500;
/** Parallel requests a user's first page load sends in the "page load" side. */
const BURST = 4;
/**
 * Starts of the first-load-only sides spread over this long: 200 users × 4 requests in 20 s ≈ 40
 * requests/s, all of them misses (an exchange or a wait each). Faster, a shared 2-core machine measures
 * its own queueing: store reads pass storeTimeoutMs, the isolates pause the store, and both sides
 * degrade to "no store". The burst within a user is what coordination is about, not the fleet's rate.
 */
const COORD_STAGGER_MS = 20_000;
const ROLE_ARN = "arn:aws:iam::123456789012:role/fleet";
const dist = new URL("./.out/dist/", import.meta.url);
const bin = (name) => join(root, "node_modules", ".bin", name);
if (!existsSync(new URL("hono/index.js", dist))) {
  // Run alone: the same private build as bench/run.mjs makes.
  spawnSync(process.execPath, ["scripts/build.mjs", `--outDir=${fileURLToPath(dist)}`, "--no-types"], { cwd: root, stdio: "inherit" });
  if (!existsSync(new URL("hono/index.js", dist))) throw new Error("could not build src/ into bench/.out/dist");
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The Miniflare Worker is bundled once per run (from the current src/). */
let builtWorker = false;
const log = (line) => console.error(`[fleet] ${line}`);
const started = Date.now();

const { createOidcIssuer, createStsEmulator } = await import(new URL("testing/index.js", dist).href);
const issuer = createOidcIssuer();
const sts = createStsEmulator({ issuers: [issuer], roles: [{ arn: ROLE_ARN }] });
const stsServer = await listen((request) => sleep(STS_DELAY_MS).then(() => sts.fetch(request)));
const stsUrl = `http://127.0.0.1:${stsServer.port}`;
const work = mkdtempSync(join(tmpdir(), "edge-sts-fleet-"));

// ── the sides ────────────────────────────────────────────────────────────────────────────────
const sides = [
  { id: "node-none", runtime: "node", store: "none", label: "Node processes, per-isolate cache only" },
  { id: "node-redis", runtime: "node", store: "redis", label: "Node processes + Redis" },
  { id: "node-redis-burst", runtime: "node", store: "redis", burst: BURST, label: `Node processes + Redis, each user's first page load = ${BURST} parallel requests` },
  { id: "deno-none", runtime: "deno", store: "none", label: "Deno processes, per-isolate cache only" },
  { id: "deno-kv", runtime: "deno", store: "deno-kv", label: "Deno processes + Deno KV" },
  { id: "miniflare-none", runtime: "miniflare", store: "none", label: "Miniflare Workers, per-isolate cache only" },
  { id: "miniflare-kv", runtime: "miniflare", store: "kv", label: "Miniflare Workers + Workers KV" },
  // Issue 21: the first page load alone (one burst per user), each store with coordination off and on.
  // 200 users × 4 requests spread over COORD_STAGGER_MS: ~270 requests/s, as the sides above.
  ...[["redis", "node", "Redis, Node processes"], ["deno-kv", "deno", "Deno KV, Deno processes"], ["do", "miniflare", "Durable Objects, Miniflare Workers"]].flatMap(([store, runtime, name]) =>
    [0, undefined].map((wait) => ({
      id: `coord-${store}-${wait === 0 ? "off" : "on"}`,
      runtime,
      store,
      claim: true,
      storeWaitMs: wait,
      burst: BURST,
      requests: BURST,
      staggerMs: COORD_STAGGER_MS,
      label: `${name}, first page load = ${BURST} parallel requests, coordination ${wait === 0 ? "off (storeWaitMs: 0)" : "on (default storeWaitMs)"}`,
    }))),
];

const only = args.sides?.split(",");
if (only) sides.splice(0, sides.length, ...sides.filter((side) => only.includes(side.id)));

const results = {
  date: new Date(started).toISOString(),
  loadAverage1m: { start: +loadavg()[0].toFixed(2) },
  what: "fleet: isolates sharing one store, users routed at random",
  setup: { isolates: ISOLATES, users: USERS, requestsPerUser: REQUESTS, stsRoundTripMs: STS_DELAY_MS, storeRoundTripMs: STORE_DELAY_MS, thinkMs: THINK_MS, staggerMs: STAGGER_MS },
  method:
    `${USERS} users, each ${REQUESTS} sequential requests with a think time of ${THINK_MS[0]}–${THINK_MS[1]} ms, starts spread over ${STAGGER_MS} ms; every request goes to one of ${ISOLATES} isolates picked at random. ` +
    `STS: createStsEmulator (verifies each RS256 token) served on 127.0.0.1 behind ${STS_DELAY_MS} ms; the store behind ${STORE_DELAY_MS} ms per call (a wrapper that waits before each get/set). ` +
    "Middleware latency: measured inside the isolate, from before stsCredentials to the handler (workerd's clock advances only across I/O, so a Miniflare hit reads 0). " +
    "End-to-end: the router's fetch, loopback HTTP included (Miniflare: its dispatch). Fleet CPU: user+system of the isolate processes over the run ÷ requests (not measurable per Worker in Miniflare).",
  sides: {},
};

// A real redis-server on loopback (scripts/redis-server.mjs: started when the binary exists, or REDIS_URL).
const redis = sides.some((side) => side.store === "redis") ? await startRedis() : undefined;
if (redis?.url) {
  log(`redis: ${redis.owned ? `started redis-server at ${redis.url}` : `REDIS_URL=${redis.url}`}`);
} else if (redis) {
  for (const side of sides) if (side.store === "redis") side.skip = redis.why;
}
try {
  for (const side of sides) {
    if (side.skip) {
      results.sides[side.id] = { label: side.label, skipped: side.skip };
      log(`${side.label}: skipped (${side.skip})`);
      continue;
    }
    try {
      results.sides[side.id] = { label: side.label, ...(await runSide(side)) };
    } catch (err) {
      results.sides[side.id] = { label: side.label, error: String(err?.message ?? err).slice(0, 500) };
      log(`${side.label}: FAILED ${err?.stack ?? err}`);
    }
  }
} finally {
  await redis?.stop();
  await stsServer.close();
  rmSync(work, { recursive: true, force: true });
}

// CPU of a store hit vs an STS exchange, in its own process.
const cpuOut = join(root, "bench", ".out", "fleet-cpu.json");
rmSync(cpuOut, { force: true });
const cpu = spawnSync(process.execPath, ["bench/fleet-cpu.mjs", `--out=${cpuOut}`], { cwd: root, stdio: ["ignore", "inherit", "inherit"], timeout: 60_000 });
results.cpu = cpu.status === 0 && existsSync(cpuOut) ? JSON.parse((await import("node:fs")).readFileSync(cpuOut, "utf8")) : { error: `bench/fleet-cpu.mjs failed (${cpu.error?.message ?? `exit ${cpu.status}`})` };

results.durationSeconds = Math.round((Date.now() - started) / 1000);
results.loadAverage1m.end = +loadavg()[0].toFixed(2);
if (args.out) {
  mkdirSync(join(args.out, ".."), { recursive: true });
  writeFileSync(args.out, JSON.stringify(results, null, 2) + "\n");
}
log(`done in ${results.durationSeconds} s`);
if ("into-results" in args) {
  // #10 alone, into the last full run's report; the other figures keep their run's date.
  const file = join(root, "bench", "results.json");
  const all = JSON.parse((await import("node:fs")).readFileSync(file, "utf8"));
  all.fleet = results;
  writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
  // Only the fleet section of RESULTS.md is replaced: the sections other benches add stay as they are.
  const { renderFleetMarkdown } = await import("./lib/fleet-report.mjs");
  const md = join(root, "bench", "RESULTS.md");
  const text = (await import("node:fs")).readFileSync(md, "utf8");
  const start = text.search(/\n## #\d+ fleet/);
  const section = renderFleetMarkdown(results);
  if (start === -1) writeFileSync(md, text + section);
  else {
    const rest = text.slice(start + 1).search(/\n(## |<!-- )/);
    writeFileSync(md, text.slice(0, start) + section + (rest === -1 ? "" : text.slice(start + 1 + rest)));
  }
  log("bench/results.json and bench/RESULTS.md updated with #10");
}
if ("coordination-into-results" in args) {
  // The coordination sides alone (issue 21), into the last full run's report: its section only.
  const fs = await import("node:fs");
  const file = join(root, "bench", "results.json");
  const all = JSON.parse(fs.readFileSync(file, "utf8"));
  all.fleetCoordination = results;
  writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
  const { renderCoordinationMarkdown, withCoordinationSection } = await import("./lib/coordination-report.mjs");
  const md = join(root, "bench", "RESULTS.md");
  writeFileSync(md, withCoordinationSection(fs.readFileSync(md, "utf8"), renderCoordinationMarkdown(results)));
  log("bench/results.json (fleetCoordination) and bench/RESULTS.md (Fleet coordination) updated");
}
process.exit(0);

// ── one side ─────────────────────────────────────────────────────────────────────────────────

async function runSide(side) {
  const fleet = side.runtime === "miniflare" ? await startMiniflareFleet(side) : await startProcessFleet(side);
  try {
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, u) => issuer.mint({ sub: `${side.id}-user-${u}` })));
    // Warm-up, not counted (JIT, connections): each isolate exchanges a token of its own, then answers
    // its neighbour's (from the store, where there is one) and its own again (an isolate hit).
    const warm = await Promise.all(fleet.targets.map((_, i) => issuer.mint({ sub: `${side.id}-warm-up-${i}` })));
    await Promise.all(fleet.targets.map((target, i) => target(warm[i])));
    await sleep(100);
    for (let round = 0; round < 3; round++) await Promise.all(fleet.targets.map((target, i) => target(warm[(i + round) % warm.length])));
    const callsBefore = sts.calls.count("AssumeRoleWithWebIdentity");
    const cpuBefore = await fleet.cpuUs();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const t0 = performance.now();
    const requests = [];
    const opsBefore = await fleet.storeOps();
    await Promise.all(tokens.map((token, user) => driveUser(fleet, token, user, requests, side)));
    const wallMs = performance.now() - t0;
    const cpuAfter = await fleet.cpuUs();
    const stsCalls = sts.calls.count("AssumeRoleWithWebIdentity") - callsBefore;
    lag.disable();
    const storeErrors = await fleet.storeErrors();
    const opsAfter = await fleet.storeOps();
    const storeOps = opsBefore === null || opsAfter === null ? null : Object.fromEntries(Object.entries(opsAfter).map(([op, n]) => [op, n - (opsBefore[op] ?? 0)]));
    const opsTotal = storeOps === null ? null : Object.values(storeOps).reduce((a, b) => a + b, 0);
    const first = requests.filter((r) => r.first && r.status === 200).map((r) => r.e2eMs);
    const firstLoad = { p50: +quantile(first, 0.5).toFixed(1), p99: +quantile(first, 0.99).toFixed(1), requests: first.length };
    const coordination = side.claim ? { storeWaitMs: side.storeWaitMs ?? "default", firstLoadMs: firstLoad, storeOps, storeOpsPerUser: opsTotal === null ? null : +(opsTotal / USERS).toFixed(2) } : undefined;
    return { ...(coordination ? { coordination } : {}), routerEventLoopDelayMs: { p50: +(lag.percentile(50) / 1e6).toFixed(1), p99: +(lag.percentile(99) / 1e6).toFixed(1) }, ...summarise(requests, { stsCalls, wallMs, cpuUs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore }), storeErrors };
  } finally {
    await fleet.stop();
  }
}

/** One user: the side's requests (REQUESTS by default) in steps; the first step sends `burst` at once, the others one. */
async function driveUser(fleet, token, user, requests, side) {
  const burst = side.burst ?? 1;
  const total = side.requests ?? REQUESTS;
  const one = (first) => async () => {
    const isolate = Math.floor(Math.random() * fleet.targets.length);
    const t = performance.now();
    const r = await fleet.targets[isolate](token).catch((err) => ({ status: `error: ${err?.message ?? err}`.slice(0, 80) }));
    requests.push({ user, isolate, first, e2eMs: performance.now() - t, ...r });
  };
  await sleep(Math.random() * (side.staggerMs ?? STAGGER_MS));
  for (let sent = 0; sent < total;) {
    const n = sent === 0 ? Math.min(burst, total) : 1;
    await Promise.all(Array.from({ length: n }, one(sent === 0)));
    sent += n;
    if (sent < total) await sleep(THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0]));
  }
}

function summarise(requests, { stsCalls, wallMs, cpuUs }) {
  const ok = requests.filter((r) => r.status === 200);
  const mwMs = ok.map((r) => r.mwUs / 1000);
  const notHit = ok.filter((r) => r.source !== "hit").map((r) => r.mwUs / 1000);
  const e2e = ok.map((r) => r.e2eMs);
  const sources = {};
  for (const r of requests) sources[r.source ?? `status ${r.status}`] = (sources[r.source ?? `status ${r.status}`] ?? 0) + 1;
  const perUser = new Map();
  for (const r of ok) perUser.set(r.user, (perUser.get(r.user) ?? 0) + r.mwUs / 1000);
  const isolatesSeen = new Map();
  for (const r of requests) (isolatesSeen.get(r.user) ?? isolatesSeen.set(r.user, new Set()).get(r.user)).add(r.isolate);
  const q = (xs, p) => +quantile(xs, p).toFixed(2);
  return {
    requests: requests.length,
    ok: ok.length,
    errors: requests.length - ok.length,
    stsCalls,
    stsCallsPerUser: +(stsCalls / USERS).toFixed(3),
    requestsPerUser: +(requests.length / USERS).toFixed(2),
    isolatesSeenPerUser: +([...isolatesSeen.values()].reduce((a, s) => a + s.size, 0) / USERS).toFixed(2),
    sources,
    middlewareMs: { p50: q(mwMs, 0.5), p90: q(mwMs, 0.9), p99: q(mwMs, 0.99), mean: +(mwMs.reduce((a, b) => a + b, 0) / mwMs.length).toFixed(2) },
    middlewareMsNotIsolateHit: { count: notHit.length, p50: q(notHit, 0.5), p99: q(notHit, 0.99) },
    middlewareMsPerUser: { mean: +([...perUser.values()].reduce((a, b) => a + b, 0) / USERS).toFixed(1) },
    endToEndMs: { p50: q(e2e, 0.5), p99: q(e2e, 0.99) },
    fleetCpuUsPerRequest: cpuUs === null ? null : +(cpuUs / requests.length).toFixed(1),
    wallMs: Math.round(wallMs),
  };
}

// ── isolates as processes (Node, Deno) ───────────────────────────────────────────────────────

async function startProcessFleet(side) {
  const script = join(root, "bench", "fleet-isolate.mjs");
  const flags = [`--sts=${stsUrl}`, `--role=${ROLE_ARN}`, `--store=${side.store}`, `--storeDelayMs=${STORE_DELAY_MS}`];
  if (side.claim) flags.push("--claim");
  if (side.storeWaitMs !== undefined) flags.push(`--storeWaitMs=${side.storeWaitMs}`);
  if (side.store === "redis") flags.push(`--redis=${redis.url}`);
  if (side.store === "deno-kv") flags.push(`--kvPath=${join(work, `${side.id}.sqlite3`)}`);
  const command = side.runtime === "deno" ? [bin("deno"), ["run", "-A", "--unstable-kv", "--no-lock", script, ...flags]] : [process.execPath, [script, ...flags]];
  const children = [];
  try {
    for (let i = 0; i < ISOLATES; i++) children.push(startChild(command[0], command[1]));
    const ports = await Promise.all(children.map((c) => c.port));
    // node:http with a keep-alive agent: a third of the CPU of fetch per request, which the isolates need.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const targets = ports.map((port) => (token) =>
      new Promise((resolve, reject) => {
        const request = http.get({ host: "127.0.0.1", port, path: "/api/x", headers: { authorization: `Bearer ${token}` }, agent, timeout: 30_000 }, (response) => {
          response.resume();
          response.once("end", () => resolve({ status: response.statusCode, mwUs: Number(response.headers["x-mw-us"]), source: sourceOf(response.headers["server-timing"]) }));
        });
        request.once("timeout", () => request.destroy(new Error("no answer within 30 s")));
        request.once("error", reject);
      }));
    const cpuUs = async () => {
      const all = await Promise.all(ports.map(async (port) => (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()).cpuUs));
      return all.some((x) => typeof x !== "number") ? null : all.reduce((a, b) => a + b, 0);
    };
    const storeErrors = async () => {
      const merged = {};
      for (const port of ports) {
        for (const [k, n] of Object.entries((await (await fetch(`http://127.0.0.1:${port}/stats`)).json()).storeErrors ?? {})) merged[k] = (merged[k] ?? 0) + n;
      }
      return merged;
    };
    const storeOps = async () => {
      const merged = {};
      for (const port of ports) {
        for (const [k, n] of Object.entries((await (await fetch(`http://127.0.0.1:${port}/stats`)).json()).storeOps ?? {})) merged[k] = (merged[k] ?? 0) + n;
      }
      return merged;
    };
    return { targets, cpuUs, storeErrors, storeOps, stop: () => (agent.destroy(), Promise.all(children.map((c) => c.stop()))) };
  } catch (err) {
    await Promise.all(children.map((c) => c.stop()));
    throw err;
  }
}

function startChild(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
  let output = "";
  const exited = new Promise((r) => child.once("close", r));
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`isolate did not listen within 30 s: ${output.slice(-500)}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`isolate exited before listening: ${output.slice(-500)}`));
    });
  });
  port.catch(() => {});
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { port, stop };
}

/** `desc` of the middleware's Server-Timing entry: hit, store, miss, … */
function sourceOf(serverTiming) {
  return /sts;[^,]*desc="([^"]*)"/.exec(serverTiming ?? "")?.[1];
}

// ── isolates as Workers in Miniflare ─────────────────────────────────────────────────────────

async function startMiniflareFleet(side) {
  const [{ Miniflare, supportedCompatibilityDate }, esbuild] = await Promise.all([import("miniflare"), import("esbuild")]);
  // Inside the repository: workerd refuses module paths that climb out of its working directory.
  const script = join(root, "bench", ".out", "fleet-worker.js");
  if (!builtWorker) {
    builtWorker = true;
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: ["bench/fleet-worker.mjs"],
      outfile: script,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "browser"],
      logLevel: "silent",
    });
  }
  const names = Array.from({ length: ISOLATES }, (_, i) => `isolate-${i}`);
  const mf = new Miniflare({
    host: "127.0.0.1",
    cf: { colo: "TST", country: "ZZ" }, // no fetch of request.cf from workers.cloudflare.com
    kvPersist: false,
    workers: names.map((name, i) => ({
      name,
      modules: true,
      scriptPath: script,
      compatibilityDate: supportedCompatibilityDate,
      bindings: {
        ROLE_ARN,
        STS_ENDPOINT: stsUrl,
        STORE: side.store,
        STORE_DELAY_MS: String(STORE_DELAY_MS),
        ...(side.storeWaitMs !== undefined ? { STORE_WAIT_MS: String(side.storeWaitMs) } : {}),
      },
      kvNamespaces: { STS_CACHE: `fleet-${side.id}` },
      // One StsCoordinator namespace for the fleet, its class exported by isolate-0's script (the same bundle).
      durableObjects: { STS_COORDINATOR: i === 0 ? "StsCoordinator" : { className: "StsCoordinator", scriptName: names[0] } },
    })),
  });
  await mf.ready;
  const stubs = await Promise.all(names.map((name) => mf.getWorker(name)));
  const targets = stubs.map((stub) => async (token) => {
    const response = await stub.fetch("http://fleet.test/api/x", { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    return { status: response.status, mwUs: Number(response.headers.get("x-mw-us")), source: sourceOf(response.headers.get("server-timing")) };
  });
  const storeOps = async () => {
    const merged = {};
    for (const stub of stubs) {
      for (const [k, n] of Object.entries((await (await stub.fetch("http://fleet.test/stats")).json()).storeOps ?? {})) merged[k] = (merged[k] ?? 0) + n;
    }
    return merged;
  };
  return { targets, cpuUs: async () => null, storeErrors: async () => null, storeOps, stop: () => mf.dispose() };
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

async function listen(handler) {
  let server;
  const port = await new Promise((resolve, reject) => {
    server = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    server.once("error", reject);
  });
  return {
    port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
