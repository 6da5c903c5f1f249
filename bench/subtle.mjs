/**
 * crypto.subtle per signed request (Node, Deno, Bun): how many calls one signed GetCallerIdentity
 * makes through aws4fetch (first call of a client: signing key derived; later calls: key cached),
 * and what each kind of call costs alone on this runtime (CPU per call via process.cpuUsage, all
 * threads: on Node Web Crypto runs on libuv's thread pool; wall per call, sequential awaits).
 *   node bench/subtle.mjs [--lib=<dir>/]     deno run -A bench/subtle.mjs     bun bench/subtle.mjs
 */
import process from "node:process";
import * as F from "./lib/fixtures.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const lib = new URL(args.lib ?? "./.out/dist/", import.meta.url);
const { StsClient } = await import(new URL("index.js", lib).href);
const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

// Count calls by kind, wrapping the methods aws4fetch calls (crypto.subtle is looked up per call).
const subtle = crypto.subtle;
const counts = {};
const originals = {};
for (const name of ["digest", "importKey", "sign", "verify", "exportKey", "deriveBits", "deriveKey", "encrypt", "decrypt", "generateKey"]) {
  originals[name] = subtle[name].bind(subtle);
  subtle[name] = (...a) => ((counts[name] = (counts[name] ?? 0) + 1), originals[name](...a));
}
const xml = F.getCallerIdentityXml();
const canned = F.cannedFetch(xml);
const client = new StsClient({ region: F.REGION, credentials: F.STATIC_KEYS, fetch: canned });
const snapshot = () => ({ ...counts });
const diff = (a, b) => Object.fromEntries(Object.keys(b).filter((k) => (b[k] ?? 0) !== (a[k] ?? 0)).map((k) => [k, b[k] - (a[k] ?? 0)]));
let before = snapshot();
await client.getCallerIdentity();
const firstCall = diff(before, snapshot());
before = snapshot();
const N = 20;
for (let i = 0; i < N; i++) await client.getCallerIdentity();
const later = Object.fromEntries(Object.entries(diff(before, snapshot())).map(([k, v]) => [k, v / N]));
for (const [name, fn] of Object.entries(originals)) subtle[name] = fn;
if (subtle.digest !== originals.digest) Object.keys(originals).forEach((n) => delete subtle[n]);

// Cost of each kind, with the sizes a signed STS call uses.
const enc = new TextEncoder();
const body = enc.encode("Action=GetCallerIdentity&Version=2011-06-15");
const canonical = enc.encode(`POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:sts.eu-west-1.amazonaws.com\nx-amz-date:20261201T120000Z\n\ncontent-type;host;x-amz-date\n${"a".repeat(64)}`);
const keyBytes = new Uint8Array(32).fill(7);
const stringToSign = enc.encode(`AWS4-HMAC-SHA256\n20261201T120000Z\n20261201/eu-west-1/sts/aws4_request\n${"b".repeat(64)}`);
const hmacKey = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: { name: "SHA-256" } }, false, ["sign"]);
const kinds = {
  "digest SHA-256 (body, 43 B)": () => crypto.subtle.digest("SHA-256", body),
  "digest SHA-256 (canonical request, ~250 B)": () => crypto.subtle.digest("SHA-256", canonical),
  "importKey raw HMAC": () => crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: { name: "SHA-256" } }, false, ["sign"]),
  "sign HMAC (string to sign, ~120 B)": () => crypto.subtle.sign("HMAC", hmacKey, stringToSign),
};
const cost = {};
for (const [name, fn] of Object.entries(kinds)) {
  for (let i = 0; i < 300; i++) await fn();
  const n = 3000;
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  cost[name] = { cpuUsPerCall: (cpuNow() - c0) / n, wallUsPerCall: ((performance.now() - t0) * 1000) / n };
}
const perRequestUs =
  (later.digest ?? 0) / 2 * (cost["digest SHA-256 (body, 43 B)"].cpuUsPerCall + cost["digest SHA-256 (canonical request, ~250 B)"].cpuUsPerCall) +
  (later.importKey ?? 0) * cost["importKey raw HMAC"].cpuUsPerCall +
  (later.sign ?? 0) * cost["sign HMAC (string to sign, ~120 B)"].cpuUsPerCall;
process.stdout.write(JSON.stringify({ runtime, calls: { firstCall, later }, cost, perSignedRequestCpuUs: perRequestUs }) + "\n");
process.exit(0);
