/**
 * Failover under a deadline (issue 19 item 1): what the first request costs when the first STS region
 * is a blackhole (a loopback server that reads the request and never answers) and the second is an
 * STS emulator, with the defaults and with tight deadlines; and what the next request costs (the
 * blackholed region is cooling down, so it goes to the second at once). Real HTTP on loopback; the
 * only thing not real is the network distance to a region (none).
 *
 *   node bench/failover.mjs [--lib=<dist dir>/] [--rounds=3]
 * Writes bench/RESULTS-failover.md.
 */
import { createServer } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { quantile } from "./lib/util.mjs";
import { builtLib } from "./lib/results-file.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const bench = join(root, "bench");
const lib = builtLib(args);
const { StsClient } = await import(new URL("index.js", lib).href);
const { stsCredentials, CredentialCache } = await import(new URL("hono/index.js", lib).href);
const { createOidcIssuer, createStsEmulator } = await import(new URL("testing/index.js", lib).href);

const ROUNDS = Number(args.rounds ?? 3);
const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const issuer = createOidcIssuer();
const sts = createStsEmulator({ issuers: [issuer], region: "eu-west-1" });
const west = await new Promise((resolve) => {
  const server = serve({ fetch: sts.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
});
const sockets = new Set();
const hole = createServer(() => {}); // reads the request, never answers
hole.on("connection", (s) => sockets.add(s));
await new Promise((resolve) => hole.listen(0, "127.0.0.1", resolve));
const holeUrl = `http://127.0.0.1:${hole.address().port}`;

const SCENARIOS = [
  ["defaults: exchangeTimeoutMs 8000, timeoutMs 5000", {}, undefined],
  ["exchangeTimeoutMs 3000, timeoutMs 5000", {}, 3000],
  ["exchangeTimeoutMs 2000, timeoutMs 2000", { timeoutMs: 2000 }, 2000],
  ["exchangeTimeoutMs 1000, timeoutMs 5000", {}, 1000],
  ["exchangeTimeoutMs 600, timeoutMs 5000", {}, 600],
];

async function once(clientOptions, exchangeTimeoutMs, n) {
  const client = new StsClient({ regions: ["us-east-1", "eu-west-1"], endpoints: { "us-east-1": holeUrl, "eu-west-1": west.url }, ...clientOptions });
  const app = new Hono();
  app.use("/*", stsCredentials({ roleArn: ROLE_ARN, client, cache: new CredentialCache(), ...(exchangeTimeoutMs ? { exchangeTimeoutMs } : {}) }));
  app.get("/*", (c) => c.text("ok"));
  const ask = async (sub) => {
    const token = await issuer.mint({ sub });
    const started = performance.now();
    const res = await app.request("/", { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  };
  return { first: await ask(`first-${n}`), next: await ask(`next-${n}`) };
}

const rows = [];
for (const [name, clientOptions, exchangeTimeoutMs] of SCENARIOS) {
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await once(clientOptions, exchangeTimeoutMs, `${name}-${i}`));
  const p50 = (pick) => quantile(runs.map(pick).sort((a, b) => a - b), 0.5);
  const statuses = (pick) => [...new Set(runs.map(pick))].join("/");
  rows.push(`| ${name} | ${statuses((r) => r.first.status)} | ${(p50((r) => r.first.ms) / 1000).toFixed(2)} s | ${statuses((r) => r.next.status)} | ${p50((r) => r.next.ms).toFixed(0)} ms |`);
  console.error(`[failover] ${rows.at(-1)}`);
}
for (const s of sockets) s.destroy();
hole.close();
west.server.close();

const section = [
  `us-east-1 blackholed (never answers), eu-west-1 an emulator on loopback; p50 of ${ROUNDS} fresh middleware instances.`,
  "",
  "| client / deadline | first request | first request time | next request | next request time |",
  "| --- | --- | --- | --- | --- |",
  ...rows,
  "",
].join("\n");
writeFileSync(join(bench, "RESULTS-failover.md"), `# Benchmark results: failover under a deadline\n\nLatest run: ${new Date().toISOString()}, Node ${process.version}.\n\n${section}`);
console.error("[failover] bench/RESULTS-failover.md written");
