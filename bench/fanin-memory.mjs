/**
 * #6 fan-in and #7 memory (run with `node --expose-gc`).
 *  #6: 1 000 concurrent app.request with one RS256 token minted by createOidcIssuer; STS is the
 *      in-process createStsEmulator (it verifies the token) behind a 20 ms delay so every request
 *      arrives while the one exchange is in flight. Counts STS calls.
 *  #7: 10 000 distinct ~900-character tokens through the middleware with a 1 000-entry cache; STS is
 *      a stub answering distinct credentials per call (realistic sizes). Peak heap (sampled, no forced
 *      GC), heap retained after GC at every 1 000 tokens, entries kept, bytes per entry.
 *   node --expose-gc bench/fanin-memory.mjs --out=bench/.out/fanin-memory.json [--lib=<dist dir>/]
 */
import { writeFileSync } from "node:fs";
import { Hono } from "hono";
import * as F from "./lib/fixtures.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const lib = new URL(args.lib ?? "./.out/dist/", import.meta.url);
const { stsCredentials, CredentialCache } = await import(new URL("hono/index.js", lib).href);
const { createOidcIssuer, createStsEmulator } = await import(new URL("testing/index.js", lib).href);
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const results = {};

// ── #6 fan-in ────────────────────────────────────────────────────────────────────────────────
{
  const CONCURRENCY = 1000;
  const issuer = createOidcIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const token = await issuer.mint({ sub: "repo:acme/web:ref:refs/heads/main" });
  let exchanges = 0;
  const app = new Hono();
  app.use("/api/*", stsCredentials({
    roleArn: "arn:aws:iam::123456789012:role/fan-in",
    region: F.REGION,
    endpoint: "https://sts.emulator.test",
    fetch: async (input, init) => {
      await new Promise((r) => setTimeout(r, 20));
      return emulator.fetch(input, init);
    },
    cache: new CredentialCache(),
    onExchange: () => exchanges++,
  }));
  app.get("/api/whoami", (c) => c.json({ key: c.var.awsCredentials.accessKeyId }));
  const started = performance.now();
  const responses = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => app.request("/api/whoami", { headers: { authorization: `Bearer ${token}` } })),
  );
  const wallMs = performance.now() - started;
  const bodies = await Promise.all(responses.map((r) => r.json()));
  const ok = responses.filter((r) => r.status === 200).length;
  const keys = new Set(bodies.map((b) => b.key));
  results.fanIn = {
    concurrent: CONCURRENCY,
    ok,
    stsCalls: emulator.calls.total,
    exchanges,
    distinctCredentials: keys.size,
    wallMs,
    met: emulator.calls.total === 1 && ok === CONCURRENCY && keys.size === 1,
  };
  console.error(`[fan-in] ${CONCURRENCY} concurrent requests → ${emulator.calls.total} STS call(s), ${ok} × 200, ${keys.size} credential set(s), ${wallMs.toFixed(0)} ms`);
}

// ── #7 memory ────────────────────────────────────────────────────────────────────────────────
{
  const TOKENS = 10_000;
  const MAX_ENTRIES = 1000;
  const BATCH = 100;
  const template = F.assumeRoleWithWebIdentityXml();
  let n = 0;
  const rand = (len, alphabet) => {
    let s = "";
    for (let i = 0; i < len; i++) s += alphabet[(Math.random() * alphabet.length) | 0];
    return s;
  };
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  // Real STS sizes: 20-char key id, 40-char secret, session tokens of ~600–1 000 characters.
  const stub = async () => {
    n++;
    const xml = template
      .replace(/<AccessKeyId>[^<]*/, `<AccessKeyId>ASIA${rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`)
      .replace(/<SecretAccessKey>[^<]*/, `<SecretAccessKey>${rand(40, B64)}`)
      .replace(/<SessionToken>[^<]*/, `<SessionToken>IQoJb3JpZ2luX2Vj${rand(800, B64)}`)
      .replace(/<SubjectFromWebIdentityToken>[^<]*/, `<SubjectFromWebIdentityToken>user-${n}`);
    return new Response(xml, { headers: F.stsHeaders(xml) });
  };
  const cache = new CredentialCache({ maxEntries: MAX_ENTRIES });
  const app = new Hono();
  app.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch: stub, cache }));
  app.get("/api/report", (c) => c.text("ok"));
  const request = (i) => app.request("/api/report", { headers: { authorization: `Bearer ${F.realisticJwt({ sub: `user-${i}`, seed: i + 1 })}` } });
  // Warm the code paths, then forget: the baseline holds code and the app, no entries.
  for (let i = 0; i < 50; i++) await request(TOKENS + i);
  cache.clear();
  // undici's Request registers objects in a FinalizationRegistry and WeakRefs: their cleanup runs in
  // later tasks, so collect across several event-loop turns, not in one synchronous burst.
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().heapUsed;
  };
  const base = await settle();
  let peak = base;
  const retained = [];
  let failures = 0;
  for (let i = 0; i < TOKENS; i += BATCH) {
    const rs = await Promise.all(Array.from({ length: BATCH }, (_, k) => request(i + k)));
    failures += rs.filter((r) => r.status !== 200).length;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    if ((i + BATCH) % 1000 === 0) retained.push({ tokens: i + BATCH, entries: cache.size, retainedBytes: (await settle()) - base });
  }
  const last = retained[retained.length - 1];
  results.memory = {
    tokens: TOKENS,
    maxEntries: MAX_ENTRIES,
    stsCalls: n - 50,
    failures,
    entriesKept: cache.size,
    baselineHeapBytes: base,
    peakHeapBytes: peak,
    peakOverBaselineBytes: peak - base,
    retainedBytes: last.retainedBytes,
    bytesPerEntry: Math.round(last.retainedBytes / cache.size),
    retainedAt: retained,
    bounded: cache.size === MAX_ENTRIES && retained.at(-1).retainedBytes < retained[0].retainedBytes * 1.5,
  };
  console.error(`[memory] ${TOKENS} tokens → ${cache.size} entries kept · peak heap ${(peak / 2 ** 20).toFixed(1)} MiB (baseline ${(base / 2 ** 20).toFixed(1)}) · retained ${(last.retainedBytes / 2 ** 20).toFixed(2)} MiB = ${results.memory.bytesPerEntry} B/entry · retained after 1k…10k: ${retained.map((r) => (r.retainedBytes / 2 ** 20).toFixed(2)).join(" ")} MiB`);
}
if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));
