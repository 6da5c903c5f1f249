/**
 * Leak check: every bearer token, secret access key, session token, MFA code, SAML assertion and
 * trade-in token used here is registered; every thrown error (message, stack, cause chain, every
 * property — as `util.inspect` prints it), every console line, every response body and header the
 * middleware produced, every hook payload and every emulator error answer is captured; none may
 * contain a secret, verbatim or URL-/base64-/JSON-encoded.
 *
 * `npm test` runs each file in its own process, so this file runs a broad scenario of its own that
 * walks every path that could leak: all middleware error rows, all client error paths (validation
 * with secret members, STS messages echoing secrets, unreadable bodies echoing them, transport
 * failures), the emulator's own errors, hooks and Server-Timing, the demo flow over loopback, and the
 * existing middleware test app (test/hono/app.ts).
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator, DEFAULT_ACCESS_KEY } from "../../src/testing/index.ts";
import type { StsEmulator, StsFault } from "../../src/testing/index.ts";
import { makeApp } from "../hono/app.ts";
import { idToken, stsError, T0 } from "../hono/fixtures.ts";
import { startDemo } from "./demo-app.ts";
import {
  captureError,
  captureResponse,
  captureText,
  findLeaks,
  hookConsole,
  registerSecret,
  registryStats,
  resetRegistry,
} from "./leak-registry.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

let unhook: () => void = () => {};
before(() => {
  unhook = hookConsole();
});
after(() => unhook());

test("the scanner finds a planted secret in every encoded form (self-test)", () => {
  const secret = unique("planted-secret");
  for (const planted of [secret, encodeURIComponent(secret + "&"), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url"), JSON.stringify({ s: secret + '"' })]) {
    resetRegistry();
    registerSecret(secret, "planted");
    captureText("self-test", `prefix ${planted} suffix`);
    assert.equal(findLeaks().length > 0, true, `found in ${planted}`);
  }
  resetRegistry();
});

/** Registers the credentials an emulator issued (the secret key and session token of each). */
function registerIssued(sts: StsEmulator, label: string): void {
  for (const s of sts.issuedCredentials()) {
    registerSecret(s.secretAccessKey, `${label} secretAccessKey`);
    registerSecret(s.sessionToken, `${label} sessionToken`);
  }
}

/**
 * The emulator's fetch, capturing every error answer it gives of its own accord (success answers carry
 * credentials by design; injected faults say what the test told them to, echoes included).
 */
function capturingFetch(sts: StsEmulator, label: string) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await sts.fetch(input, init);
    if (res.status >= 400 && sts.calls.last?.fault === undefined) await captureResponse(`${label} emulator error answer`, res);
    return res;
  };
}

describe("the middleware: every error row, hooks, Server-Timing", () => {
  const issuer = createOidcIssuer({ issuer: "https://issuer.leak.test" });
  let sts: StsEmulator;
  let app: Hono<{ Variables: StsVariables }>;

  before(() => {
    sts = createStsEmulator({
      issuers: [{ issuer: issuer.issuer, jwks: () => issuer.jwks(), audiences: ["sts.amazonaws.com"], acceptClaims: (c) => c.reject !== true }],
    });
    const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.leak.test", fetch: capturingFetch(sts, "middleware"), maxAttempts: 2, timeoutMs: 1000, retryBaseDelayMs: 1, retryMaxDelayMs: 2 });
    app = new Hono<{ Variables: StsVariables }>();
    app.use("/api/*", stsCredentials({
      roleArn: (_c, claims) => (claims.noRole ? undefined : claims.badRole ? (42 as unknown as string) : ROLE_ARN),
      policy: (c) => (c.req.header("x-bad-policy") ? "\u0100 not latin-1" : undefined),
      client,
      cache: new CredentialCache<StsSession>(),
      cookie: "id_token",
      realm: "leak-test",
      serverTiming: true,
      onExchange: (info) => captureText("onExchange", JSON.stringify(info)),
      onCacheHit: (info) => captureText("onCacheHit", JSON.stringify(info)),
      onError: (err) => captureError("onError", err),
    }));
    app.get("/api/whoami", (c) => c.json({ arn: c.var.stsIdentity.assumedRoleUser.arn, accessKeyId: c.var.awsCredentials.accessKeyId }));
    app.onError((err, c) => {
      captureError("app.onError", err);
      return err instanceof HTTPException ? err.getResponse() : c.text("error", 500);
    });
  });
  after(() => registerIssued(sts, "middleware"));

  const call = async (label: string, headers: Record<string, string>, expected: number) => {
    const res = await app.request("/api/whoami", { headers });
    await captureResponse(`middleware ${label}`, res);
    assert.equal(res.status, expected, `${label}: ${res.status}`);
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const mint = async (claims: Record<string, unknown>, options?: Parameters<typeof issuer.mint>[1]) => {
    const token = await issuer.mint({ sub: "leak-user", ...claims }, options);
    registerSecret(token, "bearer token");
    return token;
  };

  test("no token, malformed headers, not a JWT", async () => {
    const junk = unique("sk-live-not-a-jwt");
    registerSecret(junk, "junk bearer value");
    const password = unique("basic-password");
    registerSecret(password, "basic password");
    const token = await mint({});
    await call("missing", {}, 401);
    await call("Bearer only", { authorization: "Bearer" }, 400);
    await call("not a JWT", bearer(junk), 400);
    await call("two tokens", { authorization: `Bearer ${token} ${token}` }, 400);
    await call("two headers", { authorization: `Bearer ${token}, Bearer ${token}` }, 400);
    await call("Basic", { authorization: `Basic ${Buffer.from(`user:${password}`).toString("base64")}` }, 400);
    await call("a JWT in a bad cookie", { cookie: `id_token=${junk}` }, 400);
  });

  test("tokens the middleware refuses itself: expired, no sub, no role, a bad per-request value", async () => {
    const now = Math.floor(Date.now() / 1000);
    await call("expired", bearer(await mint({ exp: now - 3600, iat: now - 7200 })), 401);
    await call("no sub", bearer(await mint({ sub: undefined })), 401);
    await call("no role", bearer(await mint({ noRole: true })), 403);
    await call("role of the wrong type", bearer(await mint({ badRole: true })), 500);
    await call("a policy STS would refuse", { ...bearer(await mint({ sub: "policy-user" })), "x-bad-policy": "1" }, 500);
  });

  test("tokens STS refuses: forged, unknown key, wrong audience, rejected claims", async () => {
    const good = await mint({ sub: "forged" });
    const [h, p] = good.split(".");
    const forged = `${h}.${p}.${Buffer.from(unique("forged-signature")).toString("base64url")}`;
    registerSecret(forged, "forged token");
    await call("forged signature", bearer(forged), 401);
    await call("unknown kid", bearer(await mint({ sub: "kid" }, { keyId: "unknown-kid" })), 401);
    await call("wrong audience", bearer(await mint({ sub: "aud", aud: "api://other" })), 401);
    await call("rejected claims", bearer(await mint({ sub: "claims", reject: true })), 403);
  });

  test("STS down in every way: 503 rows", async () => {
    const faults: Array<[string, StsFault]> = [
      ["503", { kind: "server-error", status: 503, retryAfterSeconds: 3 }],
      ["network", { kind: "network-error" }],
      ["hang", { kind: "hang" }],
      ["html", { kind: "html", status: 502 }],
      ["truncated", { kind: "truncated" }],
      ["empty", { kind: "empty", status: 500 }],
      ["throttling", { kind: "throttling" }],
      ["idp", { kind: "idp-communication-error" }],
    ];
    for (const [label, fault] of faults) {
      sts.faults.clear();
      sts.faults.next(2, fault);
      await call(label, bearer(await mint({ sub: `down-${label}` })), 503);
    }
    sts.faults.clear();
  });

  test("STS messages that echo the token are scrubbed before they reach an error", async () => {
    const rows: Array<[string, (t: string) => StsFault, number]> = [
      ["InvalidIdentityToken echo", (t) => ({ kind: "error", status: 400, code: "InvalidIdentityToken", message: `Token ${t} is invalid` }), 401],
      ["AccessDenied echo", (t) => ({ kind: "error", status: 403, code: "AccessDenied", message: `not for ${t}` }), 403],
      ["JWTPayloadSizeExceeded echo", (t) => ({ kind: "error", status: 400, code: "JWTPayloadSizeExceededException", message: `${t} too big` }), 400],
      ["InternalFailure echo", (t) => ({ kind: "error", status: 500, code: "InternalFailure", message: `failed on ${t}`, type: "Receiver" }), 503],
      ["MalformedPolicy echo", (t) => ({ kind: "error", status: 400, code: "MalformedPolicyDocument", message: `${t}` }), 500],
    ];
    for (const [label, fault, status] of rows) {
      const token = await mint({ sub: `echo-${label.split(" ")[0]}` });
      sts.faults.clear();
      sts.faults.next(2, fault(token));
      await call(label, bearer(token), status);
    }
    sts.faults.clear();
  });

  test("success, a cache hit, a cookie, Server-Timing and the hooks", async () => {
    const token = await mint({ sub: "happy" });
    await call("success (miss)", bearer(token), 200);
    await call("success (hit)", bearer(token), 200);
    await call("cookie", { cookie: `id_token=${token}` }, 200);
  });
});

describe("the client: validation, echoes, unreadable bodies, transport failures", () => {
  const credentials = { accessKeyId: "ASIAEXAMPLEEXAMPLE01", secretAccessKey: unique("client-secret-key"), sessionToken: unique("client-session-token") };
  registerSecret(credentials.secretAccessKey, "client secretAccessKey");
  registerSecret(credentials.sessionToken, "client sessionToken");

  const clientAnswering = (answer: () => Response | Promise<Response>) =>
    new StsClient({ region: "eu-west-1", credentials, maxAttempts: 2, timeoutMs: 150, retryBaseDelayMs: 1, retryMaxDelayMs: 2, fetch: async () => answer() });
  const expectError = async (label: string, run: () => Promise<unknown>) => {
    try {
      await run();
      assert.fail(`${label}: resolved`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      captureError(`client ${label}`, err);
    }
  };
  const secretInputs = () => {
    const webIdentityToken = unique("eyJ-web-identity-token");
    const samlAssertion = Buffer.from(`<saml:Assertion>${unique("saml")}</saml:Assertion>`).toString("base64");
    const tradeInToken = unique("tit");
    const tokenCode = String(100000 + Math.floor(Math.random() * 899999));
    for (const [v, l] of [[webIdentityToken, "webIdentityToken"], [samlAssertion, "samlAssertion"], [tradeInToken, "tradeInToken"], [tokenCode, "tokenCode"]]) registerSecret(v, l!);
    return { webIdentityToken, samlAssertion, tradeInToken, tokenCode };
  };
  /** Each call, with the secrets that call sends (what STS could echo back to it). */
  const calls = (s: ReturnType<typeof secretInputs>, client: StsClient): Array<[string, () => Promise<unknown>, string[]]> => {
    const signing = [credentials.secretAccessKey, credentials.sessionToken];
    return [
      ["AssumeRoleWithWebIdentity", () => client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "leak", webIdentityToken: s.webIdentityToken }), [s.webIdentityToken]],
      ["AssumeRoleWithSAML", () => client.assumeRoleWithSAML({ roleArn: ROLE_ARN, principalArn: "arn:aws:iam::123456789012:saml-provider/okta", samlAssertion: s.samlAssertion }), [s.samlAssertion]],
      ["GetDelegatedAccessToken", () => client.getDelegatedAccessToken({ tradeInToken: s.tradeInToken }), [s.tradeInToken, ...signing]],
      ["AssumeRole+MFA", () => client.assumeRole({ roleArn: ROLE_ARN, roleSessionName: "leak", serialNumber: "arn:aws:iam::123456789012:mfa/u", tokenCode: s.tokenCode }), [s.tokenCode, ...signing]],
      ["GetSessionToken+MFA", () => client.getSessionToken({ serialNumber: "arn:aws:iam::123456789012:mfa/u", tokenCode: s.tokenCode }), [s.tokenCode, ...signing]],
      ["GetCallerIdentity", () => client.getCallerIdentity(), signing],
    ];
  };

  test("validation errors never echo secret members", async () => {
    const client = clientAnswering(() => new Response("", { status: 500 }));
    const long = unique("too-long-token").repeat(1000).slice(0, 20_001);
    registerSecret(long, "over-long webIdentityToken");
    const saml = unique("too-long-saml").repeat(4000).slice(0, 100_001);
    registerSecret(saml, "over-long samlAssertion");
    const s = secretInputs();
    const badCodes = ["98765x", "9876543", "987 65"];
    for (const code of badCodes) registerSecret(code, "invalid tokenCode");
    await expectError("token too long", () => client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "leak", webIdentityToken: long }));
    await expectError("bad session name next to a token", () => client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "a b", webIdentityToken: s.webIdentityToken }));
    await expectError("assertion too long", () => client.assumeRoleWithSAML({ roleArn: ROLE_ARN, principalArn: "arn:aws:iam::123456789012:saml-provider/x", samlAssertion: saml }));
    await expectError("assertion with a bad role", () => client.assumeRoleWithSAML({ roleArn: "short", principalArn: "arn:aws:iam::123456789012:saml-provider/x", samlAssertion: s.samlAssertion }));
    for (const code of badCodes) {
      await expectError(`AssumeRole tokenCode ${code.length}`, () => client.assumeRole({ roleArn: ROLE_ARN, roleSessionName: "leak", tokenCode: code }));
      await expectError(`GetSessionToken tokenCode ${code.length}`, () => client.getSessionToken({ tokenCode: code }));
    }
    await expectError("tradeInToken of the wrong type", () => client.getDelegatedAccessToken({ tradeInToken: 42 as unknown as string }));
  });

  test("STS error messages that echo a secret member or the signing secrets", async () => {
    for (const status of [400, 403, 500]) {
      const s = secretInputs();
      let echo = "";
      const client = clientAnswering(() => stsError("AccessDenied", status, {}, `Request with ${echo} denied`));
      // The same echo inside a 200 that carries an ErrorResponse.
      const ok = clientAnswering(() => new Response(stsError("InvalidIdentityToken", 400, {}, `bad ${echo}`).body, { status: 200 }));
      for (const c of [client, ok]) {
        for (const [label, run, sent] of calls(s, c)) {
          echo = sent.join(" | ");
          await expectError(`${label} echo ${status}${c === ok ? " in a 200" : ""}`, run);
        }
      }
    }
  });

  test("unreadable bodies that contain the secret as text (truncated XML, HTML, JSON, an entity)", async () => {
    const s = secretInputs();
    const all = `${s.webIdentityToken} ${s.samlAssertion} ${s.tradeInToken} ${s.tokenCode} ${credentials.secretAccessKey} ${credentials.sessionToken}`;
    const bodies = [
      `<ErrorResponse><Error><Code>X</Code><Message>${all}</Message>`,
      `<html><body>Bad request: ${all}<br></body></html>`,
      `<a b="${all}>`,
      `<!DOCTYPE x [<!ENTITY e "${all}">]><x>&e;</x>`,
      `<x>${all}</y>`,
      `<ErrorResponse><Error><Code>X</Code><Message>${all}</Message></Error>`,
      `{"message":"${all}"}`,
      `<${"AssumeRole"}Response><Credentials>${all}</Credentials>`,
    ];
    for (const [i, body] of bodies.entries()) {
      for (const status of [200, 400, 502]) {
        const client = clientAnswering(() => new Response(body, { status, headers: { "content-type": "text/html" } }));
        for (const [label, run] of calls(s, client)) await expectError(`${label} unreadable #${i} ${status}`, run);
      }
    }
  });

  // BUG (src/wire/response.ts, src/wire/xml.ts), low severity: text from the response body that sits in
  // an XML *name* position reaches the error. (1) `readResult`/`readErrorResponse` put the root
  // element's name into the StsError message unscrubbed and unbounded ("expected <XResponse> but the
  // response is <…>"); (2) xmldom's parse error, kept as the cause of the XmlReadError that is the
  // cause of the StsError, quotes unclosed tag names, so util.inspect / any logger that prints causes
  // shows them. A body that echoes a secret as a name (a proxy that turns a form field into a tag, say)
  // leaks it. Kept out of the scan above so the realistic paths stay checked on their own.
  test("a secret echoed in an element name of an unreadable body never reaches the error or its cause", async () => {
    const s = secretInputs();
    const bodies = [
      `<ErrorResponse><${s.tradeInToken}>`,
      `<${s.tradeInToken}Response><${s.tradeInToken}Result/></${s.tradeInToken}Response>`,
      `<${s.tradeInToken}><Error><Code>X</Code></Error></${s.tradeInToken}>`,
    ];
    const leaks: string[] = [];
    for (const [i, body] of bodies.entries()) {
      for (const status of [200, 400]) {
        const client = clientAnswering(() => new Response(body, { status }));
        try {
          await client.getDelegatedAccessToken({ tradeInToken: s.tradeInToken });
        } catch (err) {
          const shown = inspect(err, { depth: 10 });
          if (shown.includes(s.tradeInToken)) leaks.push(`body #${i} at ${status}: ${shown.split("\n").find((l) => l.includes(s.tradeInToken))!.trim().slice(0, 160)}`);
        }
      }
    }
    assert.deepEqual(leaks, []);
  });

  test("transport failures: reset body, time-out, abort, network error", async () => {
    const s = secretInputs();
    const broken = () => new Response(new ReadableStream({ start: (c) => c.error(new TypeError("terminated")) }), { status: 200 });
    for (const [label, client] of [
      ["broken body", clientAnswering(broken)],
      ["network", clientAnswering(() => Promise.reject(new TypeError("fetch failed")))],
      ["time-out", clientAnswering(() => new Promise<Response>(() => {}))],
    ] as const) {
      for (const [op, run] of calls(s, client)) await expectError(`${op} ${label}`, run);
    }
    const controller = new AbortController();
    controller.abort(new Error("caller gave up"));
    const client = clientAnswering(() => new Response(""));
    await expectError("aborted", () => client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "leak", webIdentityToken: s.webIdentityToken }, { signal: controller.signal }));
  });

  test("configuration errors", async () => {
    const secret = unique("config-secret");
    registerSecret(secret, "config secret");
    try {
      new StsClient({ region: "eu-west-1", credentials: { accessKeyId: 1 as unknown as string, secretAccessKey: secret } });
    } catch (err) {
      captureError("config: credentials", err);
    }
    const client = new StsClient({ region: "eu-west-1", credentials: async () => ({ accessKeyId: "AKIA", secretAccessKey: undefined as unknown as string, sessionToken: secret }) });
    await expectError("provider without a secret", () => client.getCallerIdentity());
  });
});

describe("the emulator's own errors for signed calls", () => {
  test("wrong secret, wrong session token, revoked and expired credentials", async () => {
    const issuer = createOidcIssuer();
    let clock = Date.now();
    const sts = createStsEmulator({ issuers: [issuer], now: () => clock });
    const fetch = capturingFetch(sts, "signed");
    registerSecret(DEFAULT_ACCESS_KEY.secretAccessKey, "emulator long-term secret");
    const anon = new StsClient({ region: "eu-west-1", endpoint: "https://sts.leak.test", fetch, maxAttempts: 1 });
    const token = await issuer.mint({ sub: "signer" });
    registerSecret(token, "bearer token");
    const { credentials } = await anon.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "signer", webIdentityToken: token });
    registerIssued(sts, "emulator");
    const wrong = unique("wrong-secret");
    registerSecret(wrong, "wrong secret");
    const variants = [
      { ...credentials!, secretAccessKey: wrong },
      { ...credentials!, sessionToken: `${credentials!.sessionToken}x` },
      { accessKeyId: credentials!.accessKeyId, secretAccessKey: credentials!.secretAccessKey },
      { ...DEFAULT_ACCESS_KEY, secretAccessKey: wrong },
    ];
    for (const [i, creds] of variants.entries()) {
      const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.leak.test", fetch, maxAttempts: 1, credentials: creds });
      try {
        await client.getCallerIdentity();
        assert.fail(`variant ${i} resolved`);
      } catch (err) {
        assert.ok(err instanceof StsError, String(err));
        captureError(`emulator variant ${i}`, err);
      }
    }
    clock += 2 * 3600_000;
    const expired = new StsClient({ region: "eu-west-1", endpoint: "https://sts.leak.test", fetch, maxAttempts: 1, credentials });
    await expired.getCallerIdentity().then(() => assert.fail("expired credentials worked"), (err) => captureError("emulator expired", err));
    sts.revoke(credentials!.accessKeyId);
    await expired.getCallerIdentity().then(() => assert.fail("revoked credentials worked"), (err) => captureError("emulator revoked", err));
  });
});

describe("the demo flow over loopback and the existing middleware test app", () => {
  test("demo: success, expired, forged, STS hanging", async () => {
    const demo = await startDemo({ client: { maxAttempts: 2, timeoutMs: 150 } });
    try {
      const get = async (label: string, token: string, expected: number) => {
        const res = await fetch(`${demo.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
        await captureResponse(`demo ${label}`, res);
        assert.equal(res.status, expected, label);
      };
      const token = await demo.issuer.mint({ sub: "demo-user" });
      registerSecret(token, "demo token");
      await get("success", token, 200);
      await get("hit", token, 200);
      const expired = await demo.issuer.mint({ sub: "demo-user", exp: Math.floor(Date.now() / 1000) - 600 });
      registerSecret(expired, "demo expired token");
      await get("expired", expired, 401);
      const forged = token.slice(0, -10) + "AAAAAAAAAA";
      registerSecret(forged, "demo forged token");
      await get("forged", forged, 401);
      const another = await demo.issuer.mint({ sub: "demo-down" });
      registerSecret(another, "demo token");
      demo.sts.faults.next(2, { kind: "hang" });
      await get("sts hanging", another, 503);
      registerIssued(demo.sts, "demo");
    } finally {
      await demo.close();
    }
  });

  test("test/hono/app.ts: success, echoed rejections, 503", async () => {
    const { request, sts } = makeApp({ onError: (err) => captureError("hono app onError", err) });
    const token = idToken("hono-user", T0, 7200, { jti: unique("jti") });
    registerSecret(token, "hono app token");
    const capture = async (label: string, t: string) => {
      const res = await request(t);
      await captureResponse(`hono app ${label}`, res);
      return res.status;
    };
    assert.equal(await capture("success", token), 200);
    const rejected = idToken("hono-rejected", T0, 7200, { jti: unique("jti") });
    registerSecret(rejected, "hono app token");
    sts.queue.push(() => stsError("InvalidIdentityToken", 400, {}, `bad token ${rejected}`));
    assert.equal(await capture("echoed rejection", rejected), 401);
    const down = idToken("hono-down", T0, 7200, { jti: unique("jti") });
    registerSecret(down, "hono app token");
    sts.queue.push(() => stsError("ServiceUnavailable", 503, { "retry-after": "2" }, `down for ${down}`), () => stsError("ServiceUnavailable", 503, {}, `down for ${down}`));
    assert.equal(await capture("down", down), 503);
    for (let n = 1; n <= sts.calls.length; n++) {
      registerSecret(`wJalrXUtnFEMI/K7MDENG/bPxRfiCY${n}SECRET`, "hono app secretAccessKey");
      registerSecret(`FwoGZXIvYXdzE${n}SessionTokenSecretValue`, "hono app sessionToken");
    }
  });
});

describe("the shared store with a storeSecret: errors, hook payloads, responses", () => {
  test("a storeSecret never appears in a configuration error, onStoreError, onExchange, onCacheHit or a response", async () => {
    const storeSecret = unique("store-secret-of-the-deployment");
    const short = unique("ss").slice(0, 31); // too short: refused, and not quoted either
    registerSecret(storeSecret, "storeSecret");
    registerSecret(short, "short storeSecret");
    const { fromWebIdentity } = await import("../../src/providers/from-web-identity.ts");
    const map = new Map<string, string>();
    const good = { get: (k: string) => map.get(k), set: (k: string, v: string) => void map.set(k, v) };
    for (const [label, options] of [
      ["short", { store: good, storeSecret: short }],
      ["bytes too short", { store: good, storeSecret: new TextEncoder().encode(short) }],
      ["no store", { storeSecret }],
      ["not a string", { store: good, storeSecret: { storeSecret } }],
    ] as const) {
      for (const [who, make] of [
        ["stsCredentials", () => stsCredentials({ roleArn: ROLE_ARN, region: "eu-west-1", ...(options as object) })],
        ["fromWebIdentity", () => fromWebIdentity({ region: "eu-west-1", roleArn: ROLE_ARN, webIdentityToken: "t", ...(options as object) })],
      ] as const) {
        try {
          make();
          assert.fail(`${who} ${label}: accepted`);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          captureError(`storeSecret config ${who} ${label}`, err);
        }
      }
    }
    const issuer = createOidcIssuer();
    const emulator = createStsEmulator({ issuers: [issuer] });
    const stores: Array<[string, { get: (k: string) => unknown; set: (k: string, v: string) => unknown }]> = [
      ["working", good],
      ["throws quoting its key", { get: (k) => { throw new Error(`GET ${k} refused`); }, set: (k, v) => { throw new Error(`SET ${k} ${v} refused`); } }],
      ["garbage", { get: () => "2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", set: () => undefined }],
      ["hangs", { get: () => new Promise(() => {}), set: () => new Promise(() => {}) }],
    ];
    for (const [label, store] of stores) {
      const app = new Hono<{ Variables: StsVariables }>();
      app.use("/*", stsCredentials({
        roleArn: ROLE_ARN, endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", fetch: emulator.fetch,
        cache: new CredentialCache<StsSession>(), store: store as never, storeSecret, storeTimeoutMs: 20, serverTiming: true,
        onStoreError: (e) => captureText("onStoreError", JSON.stringify(e)),
        onExchange: (e) => captureText("onExchange", inspect(e, { depth: 5 })),
        onCacheHit: (e) => captureText("onCacheHit", inspect(e, { depth: 5 })),
      }));
      app.get("/*", (c) => c.text("ok"));
      const forged = await createOidcIssuer({ issuer: issuer.issuer }).mint({ sub: "forged" });
      for (const token of [await issuer.mint({ sub: `store-${label.length}` }), forged]) {
        registerSecret(token, "store scenario token");
        const waited: Promise<unknown>[] = [];
        const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException() {}, props: {} };
        await captureResponse(`store ${label}`, await app.request("/", { headers: { Authorization: `Bearer ${token}` } }, undefined, ctx as never));
        await captureResponse(`store ${label} again`, await app.request("/", { headers: { Authorization: `Bearer ${token}` } }, undefined, ctx as never));
        await Promise.race([Promise.all(waited), new Promise((r) => setTimeout(r, 1500))]);
      }
      const provider = fromWebIdentity({
        endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", fetch: emulator.fetch, roleArn: ROLE_ARN,
        webIdentityToken: () => issuer.mint({ sub: "provider" }), store: store as never, storeSecret, storeTimeoutMs: 20,
        onStoreError: (e) => captureText("onStoreError", JSON.stringify(e)),
      });
      try {
        const creds = await provider();
        registerSecret(creds.secretAccessKey, "provider secretAccessKey");
        registerSecret(creds.sessionToken, "provider sessionToken");
      } catch (err) {
        captureError(`provider store ${label}`, err);
      }
    }
    // The store itself holds the deployment secret in no form either.
    captureText("the store's keys and values", [...map].flat().join("\n"));
  });
});

test("no secret appears in any error, console line, response or hook payload", () => {
  console.log("leak check: scanning (this line itself is captured, as every console line is)");
  const stats = registryStats();
  console.log(`leak check: ${stats.secrets} secrets × ${stats.outputs} outputs (${(stats.bytes / 1024).toFixed(0)} KiB); sources: ${[...stats.wheres].slice(0, 12).join(", ")}…`);
  assert.ok(stats.secrets >= 50, `enough secrets registered (${stats.secrets})`);
  assert.ok(stats.outputs >= 500, `enough output captured (${stats.outputs})`);
  for (const source of ["onError", "onExchange", "onCacheHit", "onStoreError", "storeSecret config stsCredentials short", "store throws quoting its key", "console.log", "middleware success (hit)", "client token too long", "emulator variant 0", "demo success", "hono app echoed rejection"]) {
    assert.ok(stats.wheres.has(source), `captured output from ${source}`);
  }
  const leaks = findLeaks();
  // One line per kind of leak (which secret, which form, where), then the first few in full.
  const kinds = [...new Set(leaks.map((l) => l.replace(/ in (\S+ \S+).*?: (\w+):.*$/, " in $1…: $2").replace(/#\d+ \d+/, "#n")))];
  assert.deepEqual({ kinds: kinds.slice(0, 30), first: leaks.slice(0, 5) }, { kinds: [], first: [] }, `${leaks.length} leaks`);
});
