/**
 * STS regions (issue 15), a SIMULATED figure: three STS emulators on loopback ports stand in for
 * us-east-1, eu-central-1 and ap-southeast-2; every attempt first waits the round trips a real one
 * would cost from the simulated PoP (distance from the region table, see ROUND TRIPS below), then
 * goes to the emulator over real HTTP. The middleware runs as in production (`stsRegions`, failover,
 * cool-down, backoff defaults); only the network delay is made up.
 *
 * From three simulated PoPs (Workers `request.cf.colo` SYD, FRA, IAD):
 *  - p50 latency of a cache miss: fixed us-east-1 vs `stsRegions: "nearest"`;
 *  - success rate (and p50) of misses while the PoP's nearest region answers 503, without failover
 *    (that region only, 3 attempts) and with failover (nearest first, the others next);
 *  - the same during a brown-out (the nearest region answers 503 to half the calls).
 *
 *   node bench/regions.mjs [--lib=<dist dir>/] [--misses=40]
 * Writes bench/.out/regions.json and its section of bench/RESULTS.md and bench/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { quantile } from "./lib/util.mjs";
import { builtLib, writeResultsSection } from "./lib/results-file.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const bench = join(root, "bench");
const lib = builtLib(args);
const { StsClient, distanceKm, regionCoordinates } = await import(new URL("index.js", lib).href);
const { stsCredentials, CredentialCache } = await import(new URL("hono/index.js", lib).href);
const { createOidcIssuer, createStsEmulator } = await import(new URL("testing/index.js", lib).href);

const MISSES = Number(args.misses ?? 40);
const CONCURRENCY = 8;
const REGIONS = ["us-east-1", "eu-central-1", "ap-southeast-2"];
const POPS = { SYD: { latitude: -33.9, longitude: 151.2 }, FRA: { latitude: 50.0, longitude: 8.6 }, IAD: { latitude: 38.9, longitude: -77.5 } };
const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
// ROUND TRIPS: one round trip = 2 ms + 1.5 × distance / (100 km per ms) (light in fibre covers ~100 km
// there and back per ms; 1.5 for the route not being a great circle). A miss on a new connection
// costs 3 of them (TCP, TLS 1.3, the request): edge isolates rarely hold a pooled connection to STS.
const ROUND_TRIPS_PER_ATTEMPT = 3;
const rttMs = (pop, region) => 2 + (1.5 * distanceKm(POPS[pop], regionCoordinates(region))) / 100;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let seed = 15;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31); // reproducible brown-out

// ── three "regions" on loopback ────────────────────────────────────────────────────────────
const issuer = createOidcIssuer();
const regions = {};
for (const name of REGIONS) {
  const sts = createStsEmulator({ issuers: [issuer], region: name });
  const state = { mode: "up" };
  const handler = (request) => {
    if (state.mode === "down" || (state.mode === "brownout" && random() < 0.5)) sts.faults.next(1, { kind: "server-error", status: 503 });
    return sts.fetch(request);
  };
  const { server, port } = await new Promise((resolve) => {
    const server = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server, port: info.port }));
  });
  regions[name] = { sts, state, server, url: `http://127.0.0.1:${port}` };
}
const endpoints = Object.fromEntries(REGIONS.map((r) => [r, regions[r].url]));
const regionOfUrl = new Map(REGIONS.map((r) => [new URL(regions[r].url).host, r]));

/** A client as a PoP sees it: every attempt pays its simulated round trips first. */
function popClient(pop, candidates, failoverCooldownMs) {
  return new StsClient({
    regions: candidates,
    endpoints,
    failoverCooldownMs,
    fetch: async (input, init) => {
      const region = regionOfUrl.get(new URL(input instanceof Request ? input.url : input).host);
      await sleep(ROUND_TRIPS_PER_ATTEMPT * rttMs(pop, region));
      return fetch(input, init);
    },
  });
}

/** `MISSES` cache misses (a new token each) from `pop`; latencies of the successful ones, and the success count. */
async function misses(pop, options) {
  const app = new Hono();
  app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, region: "us-east-1", cache: new CredentialCache(), ...options }));
  app.get("/api/x", (c) => c.text(c.var.awsCredentials.accessKeyId));
  const tokens = await Promise.all(Array.from({ length: MISSES }, (_, i) => issuer.mint({ sub: `user-${pop}-${i}-${random()}` })));
  const latencies = [];
  let ok = 0;
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      const request = new Request("http://app.test/api/x", { headers: { authorization: `Bearer ${token}` } });
      Object.defineProperty(request, "cf", { value: { colo: pop } });
      const started = performance.now();
      const response = await app.request(request);
      await response.arrayBuffer();
      if (response.status === 200) {
        ok++;
        latencies.push(performance.now() - started);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { misses: MISSES, ok, successRate: ok / MISSES, p50Ms: latencies.length ? +quantile(latencies, 0.5).toFixed(1) : null };
}

const nearestOf = (pop) => [...REGIONS].sort((a, b) => rttMs(pop, a) - rttMs(pop, b))[0];
const out = { simulated: true, misses: MISSES, concurrency: CONCURRENCY, roundTripsPerAttempt: ROUND_TRIPS_PER_ATTEMPT, pops: {} };
for (const pop of Object.keys(POPS)) {
  const near = nearestOf(pop);
  const row = { nearestRegion: near, rttMs: Object.fromEntries(REGIONS.map((r) => [r, +rttMs(pop, r).toFixed(1)])) };
  for (const r of REGIONS) regions[r].state.mode = "up";
  row.fixedUsEast1 = await misses(pop, { client: popClient(pop, ["us-east-1"]) });
  row.nearest = await misses(pop, { client: popClient(pop, REGIONS), stsRegions: "nearest" });
  for (const mode of ["down", "brownout"]) {
    regions[near].state.mode = mode;
    row[mode] = {
      withoutFailover: await misses(pop, { client: popClient(pop, [near]) }),
      withFailover: await misses(pop, { client: popClient(pop, REGIONS), stsRegions: "nearest" }),
      withFailoverNoCooldown: await misses(pop, { client: popClient(pop, REGIONS, 0), stsRegions: "nearest" }),
    };
    regions[near].state.mode = "up";
    for (const r of REGIONS) regions[r].sts.faults.clear();
  }
  out.pops[pop] = row;
  console.error(`[regions] ${pop}: miss p50 us-east-1 ${row.fixedUsEast1.p50Ms} ms, nearest (${near}) ${row.nearest.p50Ms} ms; ` +
    `${near} down: ${pct(row.down.withoutFailover.successRate)} without failover, ${pct(row.down.withFailover.successRate)} with`);
}
for (const r of REGIONS) regions[r].server.close();

function pct(x) {
  return `${(x * 100).toFixed(0)} %`;
}

// ── report ────────────────────────────────────────────────────────────────────────────────────
const ms = (x) => (x === null ? "–" : `${x.toFixed(0)} ms`);
const lines = [
  "## STS regions: nearest region and failover — SIMULATED (issue 15)",
  "",
  `**Simulated figure.** Three STS emulators on loopback stand in for ${REGIONS.join(", ")}; before each attempt the PoP's client waits ${ROUND_TRIPS_PER_ATTEMPT} round trips ` +
    "(new TCP + TLS 1.3 + request) of `2 ms + 1.5 × great-circle distance / 100 km·ms⁻¹`, distances from the region table (src/region-table.ts). " +
    `The middleware, client, failover, cool-down and backoff are the real ones (defaults: 3 attempts, 100 ms backoff base, 30 s cool-down). ${MISSES} misses per cell (a new token each), ${CONCURRENCY} at a time; PoPs given as Workers \`request.cf.colo\`.`,
  "",
  "| PoP | nearest | RTT us-east-1 / nearest | miss p50, fixed us-east-1 | miss p50, nearest | nearest down: success without failover | with failover (p50) | brown-out (50 % 503): without failover (p50) | with failover (p50) | with failover, no cool-down (p50) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...Object.entries(out.pops).map(([pop, r]) =>
    `| ${pop} | ${r.nearestRegion} | ${r.rttMs["us-east-1"]} / ${r.rttMs[r.nearestRegion]} ms | ${ms(r.fixedUsEast1.p50Ms)} | ${ms(r.nearest.p50Ms)} | ` +
    `${pct(r.down.withoutFailover.successRate)} | ${pct(r.down.withFailover.successRate)} (${ms(r.down.withFailover.p50Ms)}) | ` +
    `${pct(r.brownout.withoutFailover.successRate)} (${ms(r.brownout.withoutFailover.p50Ms)}) | ${pct(r.brownout.withFailover.successRate)} (${ms(r.brownout.withFailover.p50Ms)}) | ` +
    `${pct(r.brownout.withFailoverNoCooldown.successRate)} (${ms(r.brownout.withFailoverNoCooldown.p50Ms)}) |`),
  "",
  "Without failover the app is configured with the nearest region only (today's single `region`), so its 3 attempts all go to the failing one. " +
    "With failover the first 503 puts the region on cool-down and later misses go straight to the next nearest, so their latency is that region's. " +
    "In the brown-out that is the trade: without failover a retry at the same region often succeeds at local latency, but some misses fail; with failover none fail, " +
    "and misses pay the next region's round trips for the 30 s cool-down. " +
    "`failoverCooldownMs: 0` keeps failover per call only: each miss tries the nearest region first and fails over when it must.",
  "",
];
const section = lines.join("\n");
mkdirSync(join(bench, ".out"), { recursive: true });
writeFileSync(join(bench, ".out", "regions.json"), JSON.stringify(out, null, 2) + "\n");
writeFileSync(join(bench, "RESULTS-regions.md"), `# Benchmark results: STS regions (simulated)\n\nLatest \`npm run bench\`: ${new Date().toISOString()}.\n\n${section}`);
writeResultsSection("regions", section, "regions", { what: "STS regions: miss latency fixed us-east-1 vs nearest, success while one region answers 503 (SIMULATED network delay)", ...out });
console.error("[regions] bench/RESULTS.md (its STS regions section), bench/RESULTS-regions.md and bench/results.json (regions) written");
