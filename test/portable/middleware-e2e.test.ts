/**
 * The Hono middleware end to end on every runtime: a local OIDC issuer mints the bearer tokens, the
 * STS emulator verifies them (and every SigV4 signature) with the runtime's Web Crypto, and a real
 * Hono app answers through `app.request()`. Each test has its own emulator and its own cache.
 */
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulatorOptions } from "../../src/testing/index.ts";
import { assert, assertEquals, assertMatch, test } from "./harness.ts";
import { strangerIssuer, trustedIssuer } from "./issuers.ts";

const ENDPOINT = "https://sts.emulator.test";
const ACCOUNT = "123456789012";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/edge-app`;
/** A role whose trust policy names another identity provider. */
const UNTRUSTED_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/other-idp-only`;

/** An emulator trusting the shared issuer, and a Hono app with a private cache in front of `/api/*`. */
function setup(options: Partial<StsCredentialsOptions> = {}, emulatorOptions: StsEmulatorOptions = {}) {
  const issuer = trustedIssuer();
  const emulator = createStsEmulator({
    issuers: [issuer],
    roles: [
      { arn: ROLE_ARN, trust: { webIdentity: [{ issuer: issuer.issuer, audience: "sts.amazonaws.com" }] } },
      { arn: UNTRUSTED_ROLE_ARN, trust: { webIdentity: [{ issuer: "https://token.actions.githubusercontent.com" }] } },
    ],
    ...emulatorOptions,
  });
  const cache = new CredentialCache<StsSession>();
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, region: "eu-west-1", endpoint: ENDPOINT, fetch: emulator.fetch, cache, ...options }));
  app.get("/api/whoami", (c) => c.json({ identity: c.var.stsIdentity, accessKeyId: c.var.awsCredentials.accessKeyId }));
  // The handler's own signed call, with the credentials the middleware set.
  app.get("/api/caller", async (c) => {
    const sts = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: emulator.fetch, credentials: c.var.awsCredentials });
    const { arn, account, userId } = await sts.getCallerIdentity();
    return c.json({ arn, account, userId });
  });
  // The same through `c.var.aws` (aws4fetch), signing a raw STS request.
  app.get("/api/aws-sign", async (c) => {
    const signed = await c.var.aws.sign(`${ENDPOINT}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      aws: { service: "sts" },
    });
    const res = await emulator.fetch(signed);
    return c.body(await res.text(), res.status as 200);
  });
  const request = (path: string, token?: string) =>
    app.request(path, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  return { issuer, emulator, cache, app, request };
}

const STS_CALLS = "AssumeRoleWithWebIdentity";

test("middleware e2e: a minted token → 200 with c.var.stsIdentity from the emulator", async () => {
  const { issuer, emulator, request } = setup();
  const token = await issuer.mint({ sub: "user-1234" });
  const res = await request("/api/whoami", token);
  assertEquals(res.status, 200);
  const body = (await res.json()) as { identity: Record<string, unknown>; accessKeyId: string };
  const issued = emulator.issuedCredentials();
  assertEquals(issued.length, 1);
  const session = issued[0]!;
  assertEquals(body, {
    identity: {
      assumedRoleUser: { assumedRoleId: session.principal.userId, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/edge-app/user-1234` },
      subjectFromWebIdentityToken: "user-1234",
      audience: "sts.amazonaws.com",
      provider: "issuer.edge-sts.test",
      expiration: new Date(Math.floor(session.expiresAt! / 1000) * 1000).toISOString(),
    },
    accessKeyId: session.accessKeyId,
  });
  const call = emulator.calls.last!;
  assertEquals([call.action, call.signed, call.status], [STS_CALLS, false, 200]);
  assertEquals(call.input.webIdentityToken, token, "the bearer token went to STS as is");
});

test("middleware e2e: a subject outside STS's pattern becomes the same session name on every runtime", async () => {
  const { issuer, request } = setup();
  const res = await request("/api/whoami", await issuer.mint({ sub: "auth0|Jürgen Müller" }));
  const body = (await res.json()) as { identity: { assumedRoleUser: { arn: string }; subjectFromWebIdentityToken: string } };
  // "auth0-Jurgen-Muller-" + the first 20 hex digits of SHA-256("auth0|Jürgen Müller").
  assertEquals(body.identity.assumedRoleUser.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/edge-app/auth0-Jurgen-Muller-8c75ed8b0e538025c5da`);
  assertEquals(body.identity.subjectFromWebIdentityToken, "auth0|Jürgen Müller");
});

test("middleware e2e: the handler signs GetCallerIdentity with c.var.awsCredentials and c.var.aws", async () => {
  const { issuer, emulator, request } = setup();
  const token = await issuer.mint({ sub: "user-1234" });
  const res = await request("/api/caller", token);
  assertEquals(res.status, 200);
  const session = emulator.issuedCredentials()[0]!;
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/edge-app/user-1234`;
  assertEquals(await res.json(), { arn, account: ACCOUNT, userId: session.principal.userId });
  const call = emulator.calls.last!;
  assertEquals([call.action, call.signed, call.accessKeyId, call.status], ["GetCallerIdentity", true, session.accessKeyId, 200]);

  const raw = await request("/api/aws-sign", token);
  const text = await raw.text();
  assertEquals(raw.status, 200, text);
  assert(text.includes(`<Arn>${arn}</Arn>`), "aws4fetch-signed request accepted by the emulator");
  assertEquals(emulator.calls.count(STS_CALLS), 1, "both handlers used the one exchange");
});

test("middleware e2e: a second request is a cache hit (no new STS call)", async () => {
  const { issuer, emulator, request } = setup({ serverTiming: true });
  const token = await issuer.mint({ sub: "user-1234" });
  const first = await request("/api/whoami", token);
  assertEquals(first.status, 200);
  assertMatch(first.headers.get("Server-Timing") ?? "", /^sts;dur=\d+(\.\d)?;desc="miss"$/);
  const calls = emulator.calls.total;
  const second = await request("/api/whoami", token);
  assertEquals(second.status, 200);
  assertMatch(second.headers.get("Server-Timing") ?? "", /;desc="hit"$/);
  assertEquals(emulator.calls.total, calls, "served from the cache");
  assertEquals(await second.json(), await first.json());
  // Another subject is another exchange.
  const other = await request("/api/whoami", await issuer.mint({ sub: "user-5678" }));
  assertEquals([other.status, emulator.calls.count(STS_CALLS)], [200, 2]);
});

test("middleware e2e: a token from an untrusted issuer → 401 invalid_token, remembered", async () => {
  const { emulator, request } = setup();
  const token = await strangerIssuer().mint({ sub: "user-1234" });
  const res = await request("/api/whoami", token);
  assertEquals([res.status, res.headers.get("WWW-Authenticate")], [401, 'Bearer error="invalid_token"']);
  const body = await res.text();
  assert(!body.includes(token) && !body.includes("OpenIDConnect"), "generic body");
  assertEquals([emulator.calls.total, emulator.calls.last?.errorCode], [1, "InvalidIdentityToken"]);
  const again = await request("/api/whoami", token);
  assertEquals(again.status, 401);
  assertEquals(emulator.calls.total, 1, "the rejection is answered from memory");
});

test("middleware e2e: an expired token → 401 without calling STS", async () => {
  const { issuer, emulator, request } = setup();
  const now = Date.now();
  const token = await issuer.mint({ sub: "user-1234", iat: new Date(now - 7200_000), exp: new Date(now - 3600_000) });
  const res = await request("/api/whoami", token);
  assertEquals([res.status, res.headers.get("WWW-Authenticate")], [401, 'Bearer error="invalid_token"']);
  assertEquals(emulator.calls.total, 0);
});

test("middleware e2e: a role that does not trust the issuer → 403 insufficient_scope", async () => {
  const { issuer, emulator, request } = setup({ roleArn: UNTRUSTED_ROLE_ARN });
  const res = await request("/api/whoami", await issuer.mint({ sub: "user-1234" }));
  assertEquals([res.status, res.headers.get("WWW-Authenticate")], [403, 'Bearer error="insufficient_scope"']);
  assertEquals([emulator.calls.total, emulator.calls.last?.errorCode], [1, "AccessDenied"]);
  assertEquals(emulator.issuedCredentials().length, 0);
});

test("middleware e2e: STS throttling on every attempt → 503 with Retry-After", async () => {
  const { issuer, emulator, request } = setup();
  emulator.faults.next(3, { kind: "throttling" });
  const token = await issuer.mint({ sub: "user-1234" });
  const res = await request("/api/whoami", token);
  assertEquals([res.status, res.headers.get("Retry-After"), res.headers.get("WWW-Authenticate")], [503, "5", null]);
  const body = await res.text();
  assert(!body.includes(token) && !body.includes("Throttling") && !body.includes("Rate exceeded"), "generic body");
  assertEquals(emulator.calls.total, 3, "the client's three attempts");
  assert(emulator.calls.log.every((c) => c.fault === "throttling" && c.status === 400), "every attempt throttled");
  // Not remembered: once STS recovers, the same token works.
  assertEquals((await request("/api/whoami", token)).status, 200);
  assertEquals(emulator.calls.total, 4);
});

test("middleware e2e: STS's own Retry-After reaches the caller", async () => {
  const { issuer, emulator, request } = setup();
  emulator.faults.next(1, { kind: "too-many-requests", retryAfterSeconds: 30 });
  const res = await request("/api/whoami", await issuer.mint({ sub: "user-1234" }));
  // 30 s is over the client's maxRetryAfterMs (20 s): no waiting, one attempt, the server's value passed on.
  assertEquals([res.status, res.headers.get("Retry-After")], [503, "30"]);
  assertEquals(emulator.calls.total, 1);
});

test("middleware e2e: 50 concurrent requests with one token make one STS call", async () => {
  const { issuer, emulator, request } = setup();
  const token = await issuer.mint({ sub: "user-1234" });
  const responses = await Promise.all(Array.from({ length: 50 }, () => request("/api/whoami", token)));
  assertEquals(emulator.calls.total, 1);
  const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ accessKeyId: string }>;
  assert(responses.every((r) => r.status === 200), "every request succeeded");
  const keys = new Set(bodies.map((b) => b.accessKeyId));
  assertEquals([...keys], [emulator.issuedCredentials()[0]!.accessKeyId], "everyone got the one exchange");
});
