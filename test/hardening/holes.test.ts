/**
 * Issue 12, items 4–9: the holes an adversarial review found. Each test failed before its fix.
 *
 * Real components: the STS emulator (its fault queue, its clock), a real OIDC issuer, a real Hono app.
 * Where a response must be damaged in a way the emulator cannot produce (an empty `<AccessKeyId>`),
 * the emulator's real answer is rewritten on its way back, as a broken proxy would.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const ENDPOINT = "https://sts.holes.test";
const issuer = createOidcIssuer({ issuer: "https://issuer.holes.test" });
type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function setup(options: { fetch?: (sts: StsEmulator) => Fetch; middleware?: Partial<StsCredentialsOptions> } = {}) {
  const sts = createStsEmulator({ issuers: [issuer] });
  const fetch = options.fetch?.(sts) ?? sts.fetch;
  const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch, retryBaseDelayMs: 1, retryMaxDelayMs: 2 });
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, client, region: "eu-west-1", cache: new CredentialCache<StsSession>(), ...options.middleware }));
  app.get("/api/whoami", (c) => c.json({ accessKeyId: c.var.awsCredentials.accessKeyId }));
  const request = (token: string, path = "/api/whoami") => app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { sts, client, app, request };
}

/** The emulator's real answers with `edit` applied to their text. */
const rewriting = (edit: (xml: string) => string) => (sts: StsEmulator): Fetch => async (input, init) => {
  const res = await sts.fetch(input, init);
  return new Response(edit(await res.text()), { status: res.status, headers: res.headers });
};

describe("item 4: a bare HTTP 408 is retried", () => {
  for (const fault of [{ kind: "empty", status: 408 }, { kind: "html", status: 408 }] as const) {
    test(`${fault.kind} 408, then success → 200 after 2 attempts`, async () => {
      const { sts, request } = setup();
      sts.faults.next(1, fault);
      const res = await request(await issuer.mint({ sub: `408-${fault.kind}` }));
      console.log(`item 4, ${fault.kind} 408: ${res.status} after ${sts.calls.total} attempt(s)`);
      assert.equal(res.status, 200);
      assert.equal(sts.calls.total, 2);
    });
  }

  test("the client marks it retryable, and says so after the last attempt", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    sts.faults.next(3, { kind: "empty", status: 408 });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch, retryBaseDelayMs: 1, retryMaxDelayMs: 2 });
    const err = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "r408", webIdentityToken: await issuer.mint({ sub: "r408" }) })
      .then(() => assert.fail("resolved"), (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.deepEqual({ code: err.code, status: err.status, retryable: err.retryable, attempts: err.attempts }, { code: "InvalidResponse", status: 408, retryable: true, attempts: 3 });
  });
});

describe("item 5: a deeply nested token payload", () => {
  /** An RS256 token over a payload given as JSON text (JSON.stringify itself overflows on such nesting). */
  async function signRaw(issuerUrl: string, payloadJson: string) {
    const { publicKey, privateKey } = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    );
    const jwk = { ...(await crypto.subtle.exportKey("jwk", publicKey)), kid: "deep-1", alg: "RS256", use: "sig" };
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    const input = `${b64(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "deep-1" }))}.${b64(payloadJson)}`;
    const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, new TextEncoder().encode(input));
    return { token: `${input}.${Buffer.from(signature).toString("base64url")}`, jwks: { keys: [jwk] } };
  }

  test("arrays nested 7 000 deep (under 20 000 characters) → served, not 500", async () => {
    const iss = "https://deep.holes.test";
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const payload = `{"iss":"${iss}","aud":"sts.amazonaws.com","sub":"deep","exp":${exp},"deep":${"[".repeat(7000)}${"]".repeat(7000)}}`;
    const { token, jwks } = await signRaw(iss, payload);
    assert.ok(token.length < 20_000, `${token.length} characters`);
    const sts = createStsEmulator({ issuers: [{ issuer: iss, jwks }] });
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch, cache: new CredentialCache<StsSession>() }));
    app.get("/api/whoami", (c) => c.json({ sub: c.var.stsIdentity.subjectFromWebIdentityToken }));
    const res = await app.request("/api/whoami", { headers: { authorization: `Bearer ${token}` } });
    console.log(`item 5, ${token.length}-character token nesting 7 000 deep → ${res.status}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sub: "deep" });
    assert.equal(sts.calls.total, 1);
  });

  test("claims handed to per-request functions stay frozen all the way down", async () => {
    let claims: Record<string, unknown> | undefined;
    const { request } = setup({ middleware: { roleArn: (_c, c) => ((claims = c), ROLE_ARN) } });
    const nested = { a: [{ b: { c: [1, 2, { d: "x" }] } }] };
    assert.equal((await request(await issuer.mint({ sub: "frozen", nested }))).status, 200);
    const inner = ((((claims!.nested as { a: unknown[] }).a[0] as { b: { c: unknown[] } }).b.c)[2]) as { d: string };
    assert.ok(Object.isFrozen(claims) && Object.isFrozen(inner));
    assert.throws(() => ((inner as { d: string }).d = "y"), TypeError);
  });
});

describe("item 6: credentials that arrive expired or nearly so", () => {
  test("Expiration in the past → 503 InvalidResponse, never served", async () => {
    let cause: unknown;
    const { sts, request } = setup({ middleware: { onError: (err) => void (cause = err.cause) } });
    sts.setClockOffset(-2 * 3600_000); // STS's clock 2 h behind: a 1 h session ends an hour ago
    const res = await request(await issuer.mint({ sub: "expired-creds", iat: undefined, exp: Math.floor(Date.now() / 1000) + 3 * 3600 }));
    console.log(`item 6, credentials expired on arrival → ${res.status}`);
    assert.equal(res.status, 503);
    assert.ok(cause instanceof StsError);
    assert.equal(cause.code, "InvalidResponse");
    assert.match(cause.message, /expired/);
  });

  test("Expiration 59 s away: served, and 10 requests make 1 STS call, not 10", async () => {
    const { sts, request } = setup();
    sts.setClockOffset(-(3600 - 59) * 1000);
    const token = await issuer.mint({ sub: "nearly-expired", iat: undefined, exp: Math.floor(Date.now() / 1000) + 7200 });
    for (let i = 0; i < 10; i++) assert.equal((await request(token)).status, 200);
    console.log(`item 6, credentials 59 s from expiry: 10 requests → ${sts.calls.total} STS call(s)`);
    assert.equal(sts.calls.total, 1);
  });
});

describe("item 7: empty credential and identity members are refused", () => {
  for (const member of ["AccessKeyId", "SecretAccessKey", "SessionToken", "AssumedRoleId", "Arn"]) {
    test(`<${member}></${member}> → InvalidResponse (503), nothing cached`, async () => {
      let cause: unknown;
      const edit = (xml: string) => xml.replace(new RegExp(`<${member}>[^<]*</${member}>`), `<${member}></${member}>`);
      const { sts, request } = setup({ fetch: rewriting(edit), middleware: { onError: (err) => void (cause = err.cause) } });
      const token = await issuer.mint({ sub: `empty-${member}` });
      const res = await request(token);
      assert.equal(res.status, 503, `${member}: ${res.status}`);
      assert.ok(cause instanceof StsError && cause.code === "InvalidResponse", String(cause));
      assert.match(cause.message, new RegExp(member));
      await request(token);
      assert.equal(sts.calls.total, 2, "not cached");
    });
  }

  test("an AccessKeyId shorter than the model's 16 characters is refused by the client", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: rewriting((x) => x.replace(/<AccessKeyId>[^<]*</, "<AccessKeyId>ASIA123<"))(sts) });
    const token = await issuer.mint({ sub: "short-key" });
    const err = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "short", webIdentityToken: token })
      .then(() => assert.fail("resolved"), (e: unknown) => e);
    assert.ok(err instanceof StsError && err.code === "InvalidResponse");
  });
});

describe("item 8: redaction covers each part of the token", () => {
  test("an STS message echoing the token's signature (or payload) does not reach onError", async () => {
    const causes: unknown[] = [];
    const { sts, request } = setup({ middleware: { onError: (err) => void causes.push(err.cause) } });
    const token = await issuer.mint({ sub: "echo-parts" });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    for (const [label, echoed] of [["signature", signature], ["payload", payload], ["header", header]]) {
      sts.faults.next(1, { kind: "error", status: 400, code: "InvalidIdentityToken", message: `the ${label} ${echoed} does not verify` });
      const res = await request(token);
      assert.equal(res.status, 401);
      await new Promise((resolve) => setTimeout(resolve, 0));
      sts.faults.clear();
    }
    assert.equal(causes.length, 3);
    for (const cause of causes) {
      assert.ok(cause instanceof StsError);
      for (const part of [header, payload, signature]) assert.ok(!cause.message.includes(part), `a token part survived: ${cause.message.slice(0, 120)}`);
      assert.match(cause.message, /\[redacted\]/);
    }
  });
});

describe("item 9: c.var.aws cannot be changed for another request", () => {
  test("a handler setting .region fails and another request with the same credentials still signs for eu-west-1", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const client = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: sts.fetch });
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, client, cache: new CredentialCache<StsSession>() }));
    app.get("/api/mutate", (c) => {
      const aws = c.var.aws as { region: string; accessKeyId: string };
      let threw = false;
      try {
        aws.region = "us-east-1";
        aws.accessKeyId = "AKIAATTACKERKEY00000";
      } catch {
        threw = true;
      }
      return c.json({ threw });
    });
    app.get("/api/region", (c) => c.json({ region: c.var.aws.region, accessKeyId: c.var.aws.accessKeyId, same: c.var.aws.accessKeyId === c.var.awsCredentials.accessKeyId }));
    const headers = { authorization: `Bearer ${await issuer.mint({ sub: "mutator" })}` };
    const mutated = (await (await app.request("/api/mutate", { headers })).json()) as { threw: boolean };
    const other = (await (await app.request("/api/region", { headers })).json()) as { region: string; same: boolean };
    console.log(`item 9: mutation threw=${mutated.threw}; the other request's region is ${other.region}`);
    assert.equal(sts.calls.total, 1, "both requests share one cached session");
    assert.deepEqual({ region: other.region, same: other.same }, { region: "eu-west-1", same: true });
    assert.equal(mutated.threw, true);
  });
});
