/**
 * Micro benchmarks #1, #2, #3 (and #8: the same file under Deno and Bun). Every comparison runs in
 * this one process, both sides warmed up, then measured back to back with mitata (wall time per op),
 * then in interleaved blocks with process.cpuUsage() (CPU time per op, all threads: GC included).
 *
 *   node bench/micro.mjs --groups=1,2,3 --out=bench/.out/micro-node.json
 *   deno run -A bench/micro.mjs …      bun bench/micro.mjs …
 */
import process from "node:process";
import { writeFileSync } from "node:fs";
import { Hono } from "hono";
import * as F from "./lib/fixtures.mjs";
import { compare as compareWith } from "./lib/compare.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
// --lib=<dir>/ points at another build of edge-sts (a scratch copy with an optimisation applied).
const lib = new URL(args.lib ?? "./.out/dist/", import.meta.url);
const { StsClient } = await import(new URL("index.js", lib).href);
const { stsCredentials } = await import(new URL("hono/index.js", lib).href);
const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";
const groups = new Set((args.groups ?? "1,2,3").split(","));
const settings = {
  mitataMs: Number(args.mitataMs ?? 350), // min CPU time per mitata measurement
  blockMs: Number(args.blockMs ?? 70), // target length of one cpuUsage block
  rounds: Number(args.rounds ?? 6), // interleaved rounds (the order alternates)
  warmupMs: Number(args.warmupMs ?? 300),
};
const compare = (sides) => compareWith(sides, settings);

async function loadSdk() {
  try {
    const sdk = await import("@aws-sdk/client-sts");
    return { sdk };
  } catch (err) {
    return { error: String(err?.message ?? err).split("\n")[0] };
  }
}

function sdkClient(sdk, handler) {
  return new sdk.STSClient({ region: F.REGION, credentials: { ...F.STATIC_KEYS }, maxAttempts: 3, requestHandler: handler });
}

function check(condition, message) {
  if (!condition) throw new Error(`bench self-check failed: ${message}`);
}

const results = { runtime, version: runtimeVersion(), groups: {} };
const token = F.realisticJwt();
results.tokenLength = token.length;

// Sides that fail to run (e.g. the SDK on a runtime it does not support) are reported, not fatal.
async function sdkSides(makeOp, verify) {
  const sides = {};
  const errors = {};
  const { sdk, error } = await loadSdk();
  if (!sdk) return { sides, errors: { sdk: error } };
  for (const kind of ["readable", "bytes"]) {
    const name = `sdk-${kind}`;
    try {
      if (kind === "readable" && runtime === "deno" && args.sdkReadable === "0") continue;
      const fn = await makeOp(sdk, kind);
      verify(await fn());
      sides[name] = fn;
    } catch (err) {
      errors[name] = String(err?.message ?? err).split("\n")[0];
    }
  }
  return { sides, errors };
}

if (groups.has("1")) {
  const xml = F.assumeRoleWithWebIdentityXml();
  const input = { roleArn: F.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: token };
  const edge = new StsClient({ region: F.REGION, fetch: F.cannedFetch(xml) });
  const edgeOp = () => edge.assumeRoleWithWebIdentity(input);
  const first = await edgeOp();
  check(first.credentials?.accessKeyId === "ASIAV3ZUEFP6EXAMPLE" && first.requestId, "edge #1 output");
  const { sides, errors } = await sdkSides(async (sdk, kind) => {
    const client = sdkClient(sdk, await F.sdkHandler(xml, kind));
    const cmdInput = { RoleArn: F.ROLE_ARN, RoleSessionName: "gha-deploy", WebIdentityToken: token };
    return () => client.send(new sdk.AssumeRoleWithWebIdentityCommand(cmdInput));
  }, (out) => check(out.Credentials?.AccessKeyId === "ASIAV3ZUEFP6EXAMPLE" && out.Credentials.Expiration instanceof Date, "sdk #1 output"));
  results.groups["1"] = { name: "AssumeRoleWithWebIdentity", sides: await compare({ "edge-sts": edgeOp, ...sides }), errors };
  log(results.groups["1"]);
}

if (groups.has("2")) {
  const xml = F.getCallerIdentityXml();
  const edge = new StsClient({ region: F.REGION, fetch: F.cannedFetch(xml), credentials: F.STATIC_KEYS });
  let signedSeen = false;
  const edgeSigned = new StsClient({
    region: F.REGION,
    credentials: F.STATIC_KEYS,
    fetch: async (request) => {
      signedSeen = /^AWS4-HMAC-SHA256 Credential=AKIA/.test(request.headers.get("authorization") ?? "");
      return new Response(xml, { headers: F.stsHeaders(xml) });
    },
  });
  await edgeSigned.getCallerIdentity();
  check(signedSeen, "edge #2 request is signed");
  const edgeOp = () => edge.getCallerIdentity();
  check((await edgeOp()).account === "123456789012", "edge #2 output");
  const { sides, errors } = await sdkSides(async (sdk, kind) => {
    const handler = await F.sdkHandler(xml, kind);
    let sdkSigned = false;
    const probe = sdkClient(sdk, { handle: (req) => ((sdkSigned = /^AWS4-HMAC-SHA256/.test(req.headers.authorization ?? "")), handler.handle(req)) });
    await probe.send(new sdk.GetCallerIdentityCommand({}));
    check(sdkSigned, "sdk #2 request is signed");
    const client = sdkClient(sdk, handler);
    return () => client.send(new sdk.GetCallerIdentityCommand({}));
  }, (out) => check(out.Account === "123456789012", "sdk #2 output"));
  results.groups["2"] = { name: "GetCallerIdentity (signed)", sides: await compare({ "edge-sts": edgeOp, ...sides }), errors };
  log(results.groups["2"]);
}

if (groups.has("3")) {
  const xml = F.assumeRoleWithWebIdentityXml();
  let stsCalls = 0;
  const canned = F.cannedFetch(xml);
  const mw = new Hono();
  mw.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch: (r) => (stsCalls++, canned(r)) }));
  mw.get("/api/report", (c) => c.text("ok"));
  const bare = new Hono();
  bare.get("/api/report", (c) => c.text("ok"));
  const init = { headers: { authorization: `Bearer ${token}` } };
  const mwOp = () => mw.request("/api/report", init);
  const bareOp = () => bare.request("/api/report", init);
  const r1 = await mwOp();
  check(r1.status === 200 && (await r1.text()) === "ok", `middleware app answers 200 (got ${r1.status})`);
  check((await bareOp()).status === 200, "bare app answers 200");
  const sides = await compare({ "hono+middleware (hit)": mwOp, "hono bare": bareOp });
  check(stsCalls === 1, `one STS call for all hits (got ${stsCalls})`);
  results.groups["3"] = { name: "Hono app.request, cache hit", sides, stsCalls };
  log(results.groups["3"]);
}

if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));

function log(group) {
  if (args.quiet) return;
  for (const [name, s] of Object.entries(group.sides)) {
    console.error(`[${runtime}] ${group.name} · ${name}: cpu ${s.cpuUsPerOp.toFixed(1)} µs/op · wall avg ${s.wallUs.avg.toFixed(1)} p50 ${s.wallUs.p50.toFixed(1)} p99 ${s.wallUs.p99.toFixed(1)} µs`);
  }
  for (const [name, e] of Object.entries(group.errors ?? {})) console.error(`[${runtime}] ${group.name} · ${name}: did not run: ${e}`);
}

function runtimeVersion() {
  if (runtime === "deno") return globalThis.Deno.version.deno;
  if (runtime === "bun") return globalThis.Bun.version;
  return process.version;
}
