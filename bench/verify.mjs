/**
 * Issue 18, `verify`: the CPU of an isolate miss with local verification (RS256, ES256) against the
 * same miss without it, and of a cache hit with and without `verify` (the hit path must not change).
 * Node, one process. Every miss is a new token for a new middleware instance per block (private cache,
 * its own verdict memo); the key set is fetched once per isolate (warm-up) from the issuer's fetch
 * handler, in process. STS: canned AssumeRoleWithWebIdentity XML over an injected fetch. CPU with
 * process.cpuUsage() (user+system, Web Crypto's threads included), sides interleaved per round.
 *
 *   node bench/verify.mjs [--lib=<dist dir>/] [--tokens=150] [--rounds=6]
 * Writes bench/.out/verify.json and its section of bench/RESULTS.md (between verify markers) and bench/results.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import * as F from "./lib/fixtures.mjs";
import { builtLib, writeResultsSection } from "./lib/results-file.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const bench = join(root, "bench");
const lib = builtLib(args);
const { stsCredentials, CredentialCache } = await import(new URL("hono/index.js", lib).href);
const { tokenVerifier } = await import(new URL("index.js", lib).href);
const { createOidcIssuer } = await import(new URL("testing/index.js", lib).href);

const TOKENS = Number(args.tokens ?? 150);
const ROUNDS = Number(args.rounds ?? 10);
const xml = F.assumeRoleWithWebIdentityXml();
const cannedFetch = async () => new Response(xml, { status: 200, headers: F.stsHeaders(xml) });
const issuer = createOidcIssuer({ issuer: "https://token.actions.githubusercontent.com", algorithms: ["RS256", "ES256"] });
const verify = { issuer: issuer.issuer, audience: "sts.amazonaws.com", fetch: issuer.fetch };
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function app(options) {
  const a = new Hono();
  a.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch: cannedFetch, cache: new CredentialCache({ maxEntries: 10 * TOKENS }), ...options }));
  a.get("/api/x", (c) => c.text(c.var.awsCredentials.accessKeyId));
  return a;
}
const request = async (a, token) => {
  const res = await a.request("/api/x", { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
};
// GitHub-Actions-shaped claims (bench/lib/fixtures.mjs), signed for real.
const claims = (i, round) => ({ ...JSON.parse(atob(F.realisticJwt({ seed: i }).split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))), sub: `repo:acme/web-${round}-${i}:ref:refs/heads/main` });
const mint = async (algorithm, round) => Promise.all(Array.from({ length: TOKENS }, (_, i) => issuer.mint(claims(i, round), { algorithm })));

const sides = {
  "miss, no verify (RS256 token)": { options: {}, algorithm: "RS256" },
  "miss + verify, RS256": { options: { verify }, algorithm: "RS256" },
  "miss + verify, ES256": { options: { verify }, algorithm: "ES256" },
};
// Warm-up: JIT, and the isolate's key set (fetched once per issuer per isolate).
for (const side of Object.values(sides)) {
  const a = app(side.options);
  for (const token of await mint(side.algorithm, -1)) await request(a, token);
}
const perRound = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, side] of Object.entries(sides)) {
    const tokens = await mint(side.algorithm, round);
    const a = app(side.options);
    const before = cpuNow();
    for (const token of tokens) await request(a, token);
    perRound[name].push((cpuNow() - before) / TOKENS);
  }
}
// The verifier alone (edge-sts's tokenVerifier, key set warm): what verification itself costs per token.
const alone = Object.fromEntries(["RS256", "ES256"].map((alg) => [`tokenVerifier.verify alone, ${alg}`, []]));
{
  const verifier = tokenVerifier(verify);
  for (const token of await mint("RS256", -2)) await verifier.verify(token);
  for (let round = 0; round < ROUNDS; round++) {
    for (const alg of ["RS256", "ES256"]) {
      const tokens = await mint(alg, 200 + round);
      const before = cpuNow();
      for (const token of tokens) await verifier.verify(token);
      alone[`tokenVerifier.verify alone, ${alg}`].push((cpuNow() - before) / TOKENS);
    }
  }
}
// The hit path, with and without verify: one token, many requests.
const hit = {};
for (const [name, options] of Object.entries({ "hit, no verify": {}, "hit + verify": { verify } })) {
  const a = app(options);
  const token = (await mint("RS256", 100 + Object.keys(hit).length))[0];
  await request(a, token);
  for (let i = 0; i < 20_000; i++) await request(a, token);
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = cpuNow();
    for (let i = 0; i < 20_000; i++) await request(a, token);
    samples.push((cpuNow() - before) / 20_000);
  }
  hit[name] = samples;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const figures = Object.fromEntries([...Object.entries(perRound), ...Object.entries(alone), ...Object.entries(hit)].map(([n, xs]) => [n, { cpuUsPerRequest: median(xs), rounds: xs.map((x) => Number(x.toFixed(1))) }]));
const base = figures["miss, no verify (RS256 token)"].cpuUsPerRequest;
const out = { date: new Date().toISOString(), node: process.version, tokensPerRound: TOKENS, rounds: ROUNDS, figures };
console.log(JSON.stringify(out, null, 2));

const row = (name) => {
  const f = figures[name];
  const extra = name.startsWith("miss + verify") ? ` (+${(f.cpuUsPerRequest - base).toFixed(0)})` : "";
  return `| ${name} | ${f.cpuUsPerRequest.toFixed(name.startsWith("hit") ? 2 : 0)}${extra} | ${f.rounds.map((x) => x.toFixed(0)).join(", ")} |`;
};
const section = [
  "## Verification",
  "",
  `CPU per request in one Node ${process.version} process (bench/verify.mjs, ${new Date().toISOString().slice(0, 10)}): every miss a new token for a fresh middleware instance (${TOKENS} tokens × ${ROUNDS} interleaved rounds, median of the rounds); STS is canned XML over an injected fetch, so the network is in no figure; the key set was fetched once per isolate in the warm-up. Hits: one token, 20 000 requests per round.`,
  "",
  "| request | CPU µs (median; + over the miss without verify) | per round |",
  "| --- | --- | --- |",
  ...Object.keys(figures).map(row),
  "",
  "The miss figures carry the machine's noise (2 shared cores; see the per-round spread); `tokenVerifier.verify alone` is the verification's own CPU, measured on the same tokens' shape. A miss with `verify` adds one signature check (RS256: an RSA-2048 verify; ES256: a P-256 ECDSA verify) and the claim checks; the first token of an issuer also imports its key (once per key set). A hit does no verification work: the verdict is a Map lookup beside the token memo.",
  "",
].join("\n");
mkdirSync(join(bench, ".out"), { recursive: true });
writeFileSync(join(bench, ".out", "verify.json"), JSON.stringify(out, null, 2) + "\n");
writeResultsSection("verify", section, "verify", { what: "CPU per request: isolate miss with and without verify (RS256, ES256), hit with and without verify (Node)", ...out });
console.error("[verify] bench/RESULTS.md (its Verification section) and bench/results.json (verify) written");
