/** The bench Worker for edge-sts: AssumeRoleWithWebIdentity, signed GetCallerIdentity, middleware hit and bare Hono, crypto.subtle calls, the stages of bench/stages.mjs. */
import { Hono } from "hono";
import { StsClient } from "../.out/dist/index.js";
import { stsCredentials } from "../.out/dist/hono/index.js";
import * as S from "../.out/stages-lib.js";
import { makeStages } from "../lib/stages-def.mjs";
import { check, serveOps, stsHeaders } from "./common.mjs";

export default serveOps(async (env) => {
  await S.loadXmlReader(); // the stages parse XML directly (the pipeline loads the reader itself)
  const canned = (body) => {
    const headers = stsHeaders(body);
    return async () => new Response(body, { status: 200, headers });
  };
  const keys = JSON.parse(env.KEYS);
  const awwi = new StsClient({ region: env.REGION, fetch: canned(env.AWWI_XML) });
  const gci = new StsClient({ region: env.REGION, credentials: keys, fetch: canned(env.GCI_XML) });
  const input = { roleArn: env.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: env.TOKEN };
  const app = (middleware) => {
    const a = new Hono();
    if (middleware === "sts") a.use("/api/*", stsCredentials({ roleArn: env.ROLE_ARN, region: env.REGION, fetch: canned(env.AWWI_XML) }));
    if (middleware === "noop") a.use("/api/*", (c, next) => next());
    a.get("/api/report", (c) => c.text("ok"));
    return a;
  };
  const hit = app("sts");
  const bare = app(undefined);
  const noop = app("noop");
  const init = { headers: { authorization: `Bearer ${env.TOKEN}` } };
  // crypto.subtle alone, with the sizes a signed STS call uses (bench/subtle.mjs on the other runtimes).
  const enc = new TextEncoder();
  const body = enc.encode("Action=GetCallerIdentity&Version=2011-06-15");
  const canonical = enc.encode(`POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:sts.eu-west-1.amazonaws.com\nx-amz-date:20261201T120000Z\n\ncontent-type;host;x-amz-date\n${"a".repeat(64)}`);
  const keyBytes = new Uint8Array(32).fill(7);
  const stringToSign = enc.encode(`AWS4-HMAC-SHA256\n20261201T120000Z\n20261201/eu-west-1/sts/aws4_request\n${"b".repeat(64)}`);
  const hmac = { name: "HMAC", hash: { name: "SHA-256" } };
  const key = crypto.subtle.importKey("raw", keyBytes, hmac, false, ["sign"]);
  const isBuffer = (b) => check(b instanceof ArrayBuffer && b.byteLength === 32, "a 32-byte digest/signature");
  // The stages of bench/stages.mjs, inside workerd: `stage-<n>` is the n-th (0-based).
  const stageOps = Object.fromEntries(
    Object.values(makeStages(S, { xml: env.AWWI_XML, headers: stsHeaders(env.AWWI_XML), input })).map((fn, i) => [`stage-${i}`, { run: fn, check: () => {} }]),
  );
  return {
    ...stageOps,
    "subtle-digest-body": { run: () => crypto.subtle.digest("SHA-256", body), check: isBuffer },
    "subtle-digest-canonical": { run: () => crypto.subtle.digest("SHA-256", canonical), check: isBuffer },
    "subtle-importKey": { run: () => crypto.subtle.importKey("raw", keyBytes, hmac, false, ["sign"]), check: (k) => check(k.type === "secret", "a secret key") },
    "subtle-sign": { run: async () => crypto.subtle.sign("HMAC", await key, stringToSign), check: isBuffer },
    awwi: { run: () => awwi.assumeRoleWithWebIdentity(input), check: (o) => check(o.credentials?.accessKeyId === "ASIAV3ZUEFP6EXAMPLE", "edge awwi output") },
    gci: { run: () => gci.getCallerIdentity(), check: (o) => check(o.account === "123456789012", "edge gci output") },
    hit: { run: () => hit.request("/api/report", init), check: (r) => check(r.status === 200, `hit status ${r.status}`) },
    bare: { run: () => bare.request("/api/report", init), check: (r) => check(r.status === 200, `bare status ${r.status}`) },
    noop: { run: () => noop.request("/api/report", init), check: (r) => check(r.status === 200, `noop status ${r.status}`) },
  };
});
