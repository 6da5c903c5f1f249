/**
 * `npm run demo`: the whole flow on one machine, no AWS account needed.
 *
 * Local mode (the default): starts a test OIDC issuer, the STS emulator and the examples/node app
 * (its middleware pointed at the emulator through STS_ENDPOINT) on 127.0.0.1, mints a token, and
 * walks through request → middleware → STS → credentials → a signed GetCallerIdentity, printing
 * each step. Then it keeps serving and prints curl lines to try it by hand.
 *
 * Real AWS: with ROLE_ARN and AWS_REGION set (and STS_ENDPOINT unset) the same app talks to AWS STS
 * (with ROLE_ARN and STS_ENDPOINT: to that STS); the flow runs with the OIDC ID token in TOKEN, a
 * token the role trusts.
 *
 *   --once (or DEMO_ONCE=1)   exit after the flow: 0 if every step passed, 1 otherwise
 *   PORT                      the app's port (default: a free one)
 *   DEMO_SECRETS_FILE         with --once in local mode: write the secrets the demo saw to this file
 *                             (JSON array), so a test can check none of them was printed
 *
 * Nothing secret is printed: access key ids are cut to their first four characters; secret keys,
 * session tokens and bearer tokens never appear.
 */
import { serve } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import { writeFileSync } from "node:fs";
import { createNodeApp } from "../examples/node/app.ts";
import type { StsCacheHitInfo, StsExchangeInfo } from "../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../src/testing/index.ts";
import type { OidcIssuer, StsEmulator } from "../src/testing/index.ts";

const once = process.argv.includes("--once") || process.env.DEMO_ONCE === "1";
const LOCAL_ROLE_ARN = "arn:aws:iam::123456789012:role/edge-sts-demo";
const SUBJECT = "alice";
const ASSUMED_ROLE_ARN = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/[\w+=,.@/-]+$/;

const servers: ServerType[] = [];
const secrets = new Set<string>();
let failures = 0;

/** `ASIA…`: enough to tell keys apart, never enough to use one. */
const mask = (accessKeyId: string | undefined) => (accessKeyId ? `${accessKeyId.slice(0, 4)}…` : "(none)");
const log = (who: string, text: string) => console.log(`   ${who.padEnd(12)} ${text}`);

function check(ok: boolean, text: string): boolean {
  console.log(`   ${ok ? "✓" : "✗"} ${text}`);
  if (!ok) failures++;
  return ok;
}

/** Serves a fetch handler on 127.0.0.1 (port 0: one the OS picks). */
function listen(fetch: (request: Request) => Response | Promise<Response>, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: "127.0.0.1" }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    server.once("error", reject);
    servers.push(server);
  });
}

async function stop(code: number): Promise<never> {
  for (const server of servers) {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close();
  }
  process.exit(code);
}

/** The app's observability hooks: they see the operation, outcome and timing, never the token. */
const hooks = {
  serverTiming: true,
  onExchange: (info: StsExchangeInfo) =>
    log("middleware", `STS exchange (${info.outcome}): ${info.operation} ${info.ok ? "ok" : `failed: ${info.errorCode}`} in ${info.durationMs.toFixed(1)} ms${info.requestId ? `, RequestId ${info.requestId}` : ""}`),
  onCacheHit: (info: StsCacheHitInfo) => log("middleware", `cache ${info.outcome}: credentials served from memory, no STS call (${info.durationMs.toFixed(2)} ms)`),
};

/** A local OIDC issuer served on a port, with a demo-only `GET /mint?sub=<name>` for curl. */
async function startIssuer(): Promise<OidcIssuer> {
  let issuer: OidcIssuer | undefined;
  const url = await listen(async (request) => {
    const { pathname, searchParams } = new URL(request.url);
    if (pathname === "/mint") {
      const sub = searchParams.get("sub") ?? SUBJECT;
      if (!/^[\w@.:+=,-]{1,128}$/.test(sub)) return new Response("sub: 1-128 characters of [A-Za-z0-9_@.:+=,-]\n", { status: 400 });
      log("OIDC issuer", `minted a token for sub=${sub} (demo-only /mint)`);
      return new Response(await issuer!.mint({ sub }), { headers: { "content-type": "text/plain" } });
    }
    const response = await issuer!.fetch(request);
    log("OIDC issuer", `← ${request.method} ${pathname} → ${response.status} (STS discovering the keys that check the token)`);
    return response;
  });
  issuer = createOidcIssuer({ issuer: url });
  return issuer;
}

/** The emulator, trusting the issuer by URL (it discovers the JWKS over HTTP, as AWS does). */
async function startEmulator(issuer: OidcIssuer): Promise<{ sts: StsEmulator; url: string }> {
  const sts = createStsEmulator({ issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }] });
  const url = await listen(async (request) => {
    const response = await sts.fetch(request);
    const call = sts.calls.last;
    const how = call?.signed ? `SigV4-signed with ${mask(call.accessKeyId)}` : "unsigned";
    log("STS emulator", `← ${call?.action ?? "?"} (${how}) → ${response.status}${call?.errorCode ? ` ${call.errorCode}` : ""}`);
    return response;
  });
  return { sts, url };
}

async function startApp(env: NodeJS.ProcessEnv): Promise<string> {
  const app = createNodeApp(env, hooks);
  const port = Number(process.env.PORT ?? 0);
  return listen((request) => {
    const auth = request.headers.has("authorization") ? " (Bearer token)" : " (no token)";
    log("app", `← ${request.method} ${new URL(request.url).pathname}${auth}`);
    return app.fetch(request);
  }, port);
}

interface Answer {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

async function get(url: string, token?: string): Promise<Answer> {
  const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: Record<string, any> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: leave it empty (the text is not printed: it could be anything)
  }
  return { status: response.status, body, headers: response.headers };
}

const cacheOutcome = (answer: Answer) => /desc="(\w+)"/.exec(answer.headers.get("server-timing") ?? "")?.[1] ?? "(no Server-Timing)";

/** Steps 2–5: the same for local and real AWS. `sts` is there only in local mode. */
async function flow(appUrl: string, token: string, sts?: StsEmulator): Promise<void> {
  const exchanges = () => sts?.calls.count("AssumeRoleWithWebIdentity") ?? 0;

  console.log("\n2. GET /api/whoami with the token: the middleware exchanges it (cache miss)");
  const first = await get(`${appUrl}/api/whoami`, token);
  const arn: string | undefined = first.body.assumedRoleUser?.arn;
  const issued = sts?.issuedCredentials().at(-1);
  if (issued) log("credentials", `${mask(issued.accessKeyId)} until ${new Date(issued.expiresAt!).toISOString()} (secret key and session token never printed)`);
  check(first.status === 200, `status ${first.status}`);
  check(cacheOutcome(first) === "miss", `cache: ${cacheOutcome(first)}`);
  check(typeof arn === "string" && ASSUMED_ROLE_ARN.test(arn), `assumed role: ${arn ?? "(none)"}`);
  if (first.body.subjectFromWebIdentityToken) log("identity", `sub=${first.body.subjectFromWebIdentityToken}, aud=${first.body.audience}, provider=${first.body.provider}`);

  console.log("\n3. GET /api/whoami again: served from the per-isolate cache (cache hit)");
  const before = exchanges();
  const second = await get(`${appUrl}/api/whoami`, token);
  check(second.status === 200, `status ${second.status}`);
  check(cacheOutcome(second) === "hit", `cache: ${cacheOutcome(second)}`);
  if (sts) check(exchanges() === before, `STS calls for the second request: ${exchanges() - before}`);
  check(second.body.assumedRoleUser?.arn === arn, "same assumed role");

  console.log("\n4. GET /api/caller: the app signs GetCallerIdentity with those credentials");
  const caller = await get(`${appUrl}/api/caller`, token);
  check(caller.status === 200, `status ${caller.status}${caller.body.code ? ` (${caller.body.code})` : ""}`);
  check(caller.body.arn === arn, `STS says the caller is ${caller.body.arn ?? "(none)"}`);
  if (sts) {
    const call = sts.calls.last;
    check(call?.action === "GetCallerIdentity" && call.accessKeyId === issued?.accessKeyId, `signed with the exchanged key ${mask(call?.accessKeyId)}`);
  }

  console.log("\n5. GET /api/whoami without a token: refused before any STS call");
  const none = await get(`${appUrl}/api/whoami`);
  check(none.status === 401, `status ${none.status}, WWW-Authenticate: ${none.headers.get("www-authenticate") ?? "(none)"}`);
}

async function local(): Promise<void> {
  const region = process.env.AWS_REGION || "eu-west-1";
  const issuer = await startIssuer();
  const { sts, url: stsUrl } = await startEmulator(issuer);
  const appUrl = await startApp({ ROLE_ARN: LOCAL_ROLE_ARN, AWS_REGION: region, STS_ENDPOINT: stsUrl });
  console.log("edge-sts demo: local mode (a test OIDC issuer, the STS emulator and the examples/node app on 127.0.0.1)");
  if (process.env.ROLE_ARN) console.log("(ROLE_ARN is set, but neither AWS_REGION nor STS_ENDPOINT: it is ignored and the local role used)");
  console.log();
  console.log(`   OIDC issuer   ${issuer.issuer}   (test keys; demo-only GET /mint?sub=<name>)`);
  console.log(`   STS emulator  ${stsUrl}   (account ${sts.accountId})`);
  console.log(`   app           ${appUrl}   (ROLE_ARN=${LOCAL_ROLE_ARN}, AWS_REGION=${region}, STS_ENDPOINT=${stsUrl})`);

  console.log(`\n1. Mint an ID token for sub=${SUBJECT} with the test issuer`);
  const token = await issuer.mint({ sub: SUBJECT });
  secrets.add(token);
  check(token.split(".").length === 3, `RS256, kid ${issuer.keyId}, aud ${issuer.audience}, expires in 3600 s (${token.length} characters, never printed)`);

  await flow(appUrl, token, sts);

  for (const session of sts.issuedCredentials()) {
    for (const secret of [session.accessKeyId, session.secretAccessKey, session.sessionToken]) if (secret) secrets.add(secret);
  }
  if (once && process.env.DEMO_SECRETS_FILE) writeFileSync(process.env.DEMO_SECRETS_FILE, JSON.stringify([...secrets]));
  finish(() => {
    console.log(`Try it (the issuer's /mint is a convenience of this local test issuer, not something a real one has):\n`);
    console.log(`   TOKEN=$(curl -s '${issuer.issuer}/mint?sub=${SUBJECT}')`);
    console.log(`   curl -i -H "Authorization: Bearer $TOKEN" ${appUrl}/api/whoami`);
    console.log(`   curl -s -H "Authorization: Bearer $TOKEN" ${appUrl}/api/caller`);
  });
}

/** ROLE_ARN set: the app talks to the STS in STS_ENDPOINT, or to AWS's in AWS_REGION. */
async function external(): Promise<void> {
  const { ROLE_ARN, AWS_REGION, STS_ENDPOINT, TOKEN } = process.env;
  const appUrl = await startApp({ ROLE_ARN, AWS_REGION, STS_ENDPOINT });
  const where = STS_ENDPOINT ? `the STS at ${STS_ENDPOINT}` : `real AWS STS in ${AWS_REGION}`;
  console.log(`edge-sts demo: ${where} (ROLE_ARN is set)\n`);
  console.log(`   app           ${appUrl}   (ROLE_ARN=${ROLE_ARN}, AWS_REGION=${AWS_REGION ?? "(unset)"}, STS_ENDPOINT=${STS_ENDPOINT ?? "(unset: real AWS)"})`);
  console.log("   token         TOKEN: an OIDC ID token from an identity provider the role trusts (aud as in the trust policy)");
  if (TOKEN) {
    await flow(appUrl, TOKEN);
  } else {
    console.log("\n   TOKEN is not set, so the flow is skipped.");
    if (once) failures++;
  }
  finish(() => {
    console.log("Try it:\n");
    console.log(`   curl -i -H "Authorization: Bearer $TOKEN" ${appUrl}/api/whoami`);
    console.log(`   curl -s -H "Authorization: Bearer $TOKEN" ${appUrl}/api/caller`);
  });
}

function finish(printCurl: () => void): void {
  console.log(failures === 0 ? "\n✓ every step passed\n" : `\n✗ ${failures} check(s) failed\n`);
  if (once) void stop(failures === 0 ? 0 : 1);
  printCurl();
  console.log("\nServing; Ctrl-C to stop.");
}

process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));
if (once) setTimeout(() => {
  console.error("demo: timed out after 45 s");
  void stop(1);
}, 45_000).unref();

const { ROLE_ARN, AWS_REGION, STS_ENDPOINT } = process.env;
try {
  if (ROLE_ARN && (AWS_REGION || STS_ENDPOINT)) await external();
  else await local();
} catch (err) {
  // Only the message: errors from this code path never carry tokens or keys.
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
}
