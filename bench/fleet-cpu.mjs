/**
 * #10 fleet, CPU part: what one request costs the isolate when the shared store answers it, against
 * one that needs an STS exchange (Node, one process, sides interleaved in blocks). Every request is a
 * miss in the isolate (a new middleware instance with a private cache per block, distinct tokens),
 * so the sides are:
 *   store hit        store get → HKDF + HMAC key → AES-GCM open → session built
 *   exchange         STS AssumeRoleWithWebIdentity (canned XML over an injected fetch) → session built
 *   exchange + store the same, the store read first (a miss) and the sealed write after it
 *   exchange (HTTP)  the exchange with the same canned answer served over loopback HTTP by another
 *                    process: the client's HTTP work (fetch, body) that a real exchange adds, no TLS
 *   isolate hit      for reference: the per-isolate cache answers
 * The store is an in-memory Map (its own cost is nil); the network is not in any figure.
 *
 *   node bench/fleet-cpu.mjs --out=bench/.out/fleet-cpu.json
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Hono } from "hono";
import * as F from "./lib/fixtures.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const lib = new URL("./.out/dist/", import.meta.url);
const { stsCredentials } = await import(new URL("hono/index.js", lib).href);
const TOKENS = 200;
const ROUNDS = 6;

const xml = F.assumeRoleWithWebIdentityXml();
const cannedFetch = async () => new Response(xml, { status: 200, headers: F.stsHeaders(xml) });
const tokens = Array.from({ length: TOKENS }, (_, i) => F.realisticJwt({ sub: `repo:acme/web-${i}:ref:refs/heads/main`, seed: 1000 + i }));
// The canned answer over loopback HTTP from a child process (its CPU is not this process's).
const server = spawn(process.execPath, ["--input-type=module", "-e", `
  import http from "node:http";
  const body = ${JSON.stringify(xml)};
  const headers = ${JSON.stringify(F.stsHeaders(xml))};
  const s = http.createServer((q, r) => { q.resume(); q.on("end", () => { r.writeHead(200, headers); r.end(body); }); });
  s.keepAliveTimeout = 60000;
  s.listen(0, "127.0.0.1", () => console.log("listening " + s.address().port));
`], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise((resolve, reject) => {
  server.stdout.setEncoding("utf8").on("data", (d) => /listening (\d+)/.test(d) && resolve(Number(/listening (\d+)/.exec(d)[1])));
  server.once("exit", () => reject(new Error("the loopback STS stand-in exited")));
});
// Takes what the client passes, fetch(request) or fetch(url, init), and sends it to the stand-in.
const httpFetch = async (input, init) => {
  const request = new Request(input, init);
  return fetch(`http://127.0.0.1:${port}/`, { method: request.method, headers: request.headers, body: await request.text() });
};

const mapStore = (map) => ({ get: (key) => map.get(key), set: (key, value) => void map.set(key, value) });

function app(store, fetch = cannedFetch) {
  const a = new Hono();
  a.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch, maxEntries: 10 * TOKENS, ...(store ? { store, storeSecret: "edge-sts-bench-store-secret-0123456789abcdef" } : {}) }));
  a.get("/api/x", (c) => c.text(c.var.awsCredentials.accessKeyId));
  return a;
}
const request = (a, token) => a.request("/api/x", { headers: { authorization: `Bearer ${token}` } });
const settle = () => new Promise((r) => setImmediate(r));

// Every token's entry sealed into the shared map once, by a "writer" isolate.
const shared = new Map();
{
  const writer = app(mapStore(shared));
  for (const token of tokens) await (await request(writer, token)).text();
  for (let i = 0; i < 20 && shared.size < TOKENS; i++) await new Promise((r) => setTimeout(r, 10));
  if (shared.size !== TOKENS) throw new Error(`the writer stored ${shared.size} of ${TOKENS} entries`);
}

const sides = {
  "store hit": () => ({ a: app(mapStore(shared)) }),
  exchange: () => ({ a: app(undefined) }),
  "exchange + store": () => ({ a: app(mapStore(new Map())) }),
  "exchange (HTTP)": () => ({ a: app(undefined, httpFetch) }),
  "isolate hit": () => ({ a: app(undefined), prime: true }),
};
const totals = Object.fromEntries(Object.keys(sides).map((n) => [n, { cpuUs: 0, wallMs: 0, ops: 0, statuses: new Set() }]));

async function block(name) {
  const { a, prime } = sides[name]();
  if (prime) for (const token of tokens) await (await request(a, token)).text();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const token of tokens) {
    const r = await request(a, token);
    totals[name].statuses.add(r.status);
    await r.text();
  }
  await settle(); // background store writes finish inside the measurement
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: cpu.user + cpu.system, wallMs: wall };
}

for (const name of Object.keys(sides)) await block(name); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const order = Object.keys(sides);
  if (round % 2) order.reverse();
  for (const name of order) {
    const r = await block(name);
    totals[name].cpuUs += r.cpuUs;
    totals[name].wallMs += r.wallMs;
    totals[name].ops += TOKENS;
  }
}

const result = {
  what: "CPU per request in the isolate: store hit vs STS exchange (Node, in-process, network excluded)",
  method: `a store hit reads an in-memory Map (a real store adds its client's network work); ${TOKENS} distinct ${tokens[0].length}-character RS256-shaped tokens per block, a new middleware instance (private cache) per block so every request misses the isolate; ${ROUNDS} interleaved rounds after a warm-up; process.cpuUsage() (user+system, Web Crypto's threads included); STS: canned AssumeRoleWithWebIdentity XML through an injected fetch; store: an in-memory Map`,
  node: process.version,
  sides: Object.fromEntries(Object.entries(totals).map(([n, t]) => [n, { cpuUsPerRequest: +(t.cpuUs / t.ops).toFixed(1), wallUsPerRequest: +((t.wallMs * 1000) / t.ops).toFixed(1), ops: t.ops, statuses: [...t.statuses] }])),
};
// How many store hits cost the CPU of one exchange over HTTP (and of its local work alone).
result.exchangeHttpOverStoreHit = +(result.sides["exchange (HTTP)"].cpuUsPerRequest / result.sides["store hit"].cpuUsPerRequest).toFixed(2);
result.exchangeLocalOverStoreHit = +(result.sides.exchange.cpuUsPerRequest / result.sides["store hit"].cpuUsPerRequest).toFixed(2);
for (const [n, s] of Object.entries(result.sides)) console.error(`[fleet-cpu] ${n}: ${s.cpuUsPerRequest} µs CPU/request (wall ${s.wallUsPerRequest} µs), statuses ${s.statuses}`);
if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 2) + "\n");
server.kill();
