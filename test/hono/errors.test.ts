/** Every row of the RFC 6750 errors table, through a real Hono app and a scripted STS. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HTTPException } from "hono/http-exception";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError, StsError } from "../../src/errors.ts";
import { BearerTokenError, stsCredentials } from "../../src/hono/index.ts";
import { makeApp } from "./app.ts";
import { ROLE_ARN, T0, base64url, idToken, makeToken, stsError } from "./fixtures.ts";

const token = idToken("alice", T0);

/** Status, challenge and body; and that no secret leaked into any of them. */
async function expectFailure(res: Response, status: number, challenge: string | null, secrets: string[] = [token]) {
  const body = await res.text();
  assert.equal(res.status, status);
  assert.equal(res.headers.get("WWW-Authenticate"), challenge);
  assert.ok(body.length < 40, `body is short and generic: ${body}`);
  for (const secret of secrets) {
    assert.ok(!body.includes(secret), "body carries no secret");
    for (const [, value] of res.headers) assert.ok(!value.includes(secret), "headers carry no secret");
  }
  assert.ok(!/happened|Sender|Receiver/.test(body), "no STS message text");
  return body;
}

describe("no token", () => {
  test("401 with a bare Bearer challenge (no realm unless configured, never the URL)", async () => {
    const { request, sts } = makeApp();
    await expectFailure(await request(undefined), 401, "Bearer");
    assert.equal(sts.calls.length, 0);
  });
  test("401 with the configured realm", async () => {
    const { request } = makeApp({ realm: 'my "api"' });
    await expectFailure(await request(undefined), 401, 'Bearer realm="my \\"api\\""');
  });
  test("an empty Authorization header counts as none", async () => {
    const { request } = makeApp();
    await expectFailure(await request(undefined, { headers: { Authorization: "" } }), 401, "Bearer");
  });
});

describe("400 invalid_request", () => {
  const cases: [string, string][] = [
    ["wrong scheme", `Basic ${base64url("user:pass")}`],
    ["scheme without a token", "Bearer"],
    ["two tokens in one header", `Bearer ${token} ${token}`],
    ["two Bearer credentials", `Bearer ${token}, Bearer ${token}`],
    ["two parts", "Bearer aaaa.bbbb"],
    ["four parts", `Bearer ${token}.dddd`],
    ["payload not JSON", `Bearer ${base64url('{"alg":"RS256"}')}.${base64url("not json")}.c2ln`],
    ["payload a JSON array", `Bearer ${base64url('{"alg":"RS256"}')}.${base64url("[1,2]")}.c2ln`],
    ["header without alg", `Bearer ${base64url("{}")}.${base64url('{"exp":9999999999}')}.c2ln`],
    ["not base64url", `Bearer ${base64url('{"alg":"RS256"}')}.a+b/c.c2ln`],
    ["empty signature", `Bearer ${token.slice(0, token.lastIndexOf(".") + 1)}`],
    ["over 20 000 characters", `Bearer ${idToken("alice", T0, 7200, { pad: "x".repeat(20_000) })}`],
  ];
  for (const [name, header] of cases) {
    test(name, async () => {
      const { request, sts } = makeApp();
      await expectFailure(await request(undefined, { headers: { Authorization: header } }), 400, 'Bearer error="invalid_request"');
      assert.equal(sts.calls.length, 0, "refused locally");
    });
  }
  test("two Authorization headers", async () => {
    const { app } = makeApp();
    const headers = new Headers();
    headers.append("Authorization", `Bearer ${token}`);
    headers.append("Authorization", `Bearer ${token}`);
    await expectFailure(await app.request("/api/creds", { headers }), 400, 'Bearer error="invalid_request"');
  });
  test("with a realm", async () => {
    const { request } = makeApp({ realm: "api" });
    await expectFailure(await request(undefined, { headers: { Authorization: "Basic x" } }), 400, 'Bearer realm="api", error="invalid_request"');
  });
});

describe("401 invalid_token", () => {
  test("expired (past exp + clockToleranceSeconds), without calling STS", async () => {
    const { request, sts, clock } = makeApp();
    const expired = idToken("alice", clock.t - 3600_000, 3600 - 31);
    await expectFailure(await request(expired), 401, 'Bearer error="invalid_token"', [expired]);
    assert.equal(sts.calls.length, 0);
  });
  test("within the tolerance it is still accepted; clockToleranceSeconds: 0 refuses it", async () => {
    const within = idToken("alice", T0 - 3600_000, 3600 - 10);
    assert.equal((await makeApp().request(within)).status, 200);
    const strict = makeApp({ clockToleranceSeconds: 0 });
    await expectFailure(await strict.request(within), 401, 'Bearer error="invalid_token"', [within]);
  });
  test("no exp claim", async () => {
    const noExp = makeToken({ sub: "alice", iss: "https://issuer.example.com" });
    await expectFailure(await makeApp().request(noExp), 401, 'Bearer error="invalid_token"', [noExp]);
  });
  test("no sub claim to name the session (unless roleSessionName is set)", async () => {
    const noSub = makeToken({ exp: T0 / 1000 + 3600 });
    await expectFailure(await makeApp().request(noSub), 401, 'Bearer error="invalid_token"', [noSub]);
    assert.equal((await makeApp({ roleSessionName: "fixed" }).request(noSub)).status, 200);
  });
  for (const code of ["InvalidIdentityToken", "ExpiredTokenException"]) {
    test(`STS ${code}`, async () => {
      const { request, sts } = makeApp({ realm: "api" });
      sts.queue.push(() => stsError(code));
      await expectFailure(await request(token), 401, 'Bearer realm="api", error="invalid_token"');
    });
  }
});

describe("403 insufficient_scope", () => {
  for (const code of ["IDPRejectedClaim", "AccessDenied"]) {
    test(`STS ${code}`, async () => {
      const { request, sts } = makeApp();
      sts.queue.push(() => stsError(code, 403));
      await expectFailure(await request(token), 403, 'Bearer error="insufficient_scope"');
    });
  }
  test("no role for these claims (roleArn returns undefined or null), without calling STS", async () => {
    for (const value of [undefined, null]) {
      const { request, sts } = makeApp({ roleArn: () => value as unknown as string });
      await expectFailure(await request(token), 403, 'Bearer error="insufficient_scope"');
      assert.equal(sts.calls.length, 0);
    }
  });
});

describe("503 with Retry-After", () => {
  // The client retries once (maxAttempts: 2), except when STS asks for a longer wait than it allows.
  const cases: [string, () => Response | Promise<Response>, string, number][] = [
    ["throttling", () => stsError("Throttling"), "5", 2],
    ["a 5xx", () => stsError("InternalFailure", 500), "5", 2],
    ["STS's own Retry-After", () => stsError("ServiceUnavailable", 503, { "Retry-After": "7" }), "7", 1],
    ["IDPCommunicationError", () => stsError("IDPCommunicationError"), "5", 2],
    ["a network failure", () => Promise.reject(new TypeError("fetch failed")), "5", 2],
    ["a time-out", () => new Promise<Response>(() => {}), "5", 2],
    ["an HTML body from a proxy", () => new Response("<html><body>Bad gateway</body></html>", { status: 502 }), "5", 2],
    // STS deactivated in the (only) region: the deployment's region is unavailable; never retried there.
    ["RegionDisabledException", () => stsError("RegionDisabledException", 403), "5", 1],
  ];
  for (const [name, answer, retryAfter, calls] of cases) {
    test(`${name}, after the client's retries`, async () => {
      const { request, sts } = makeApp();
      sts.always = answer;
      const res = await request(token);
      await expectFailure(res, 503, null);
      assert.equal(res.headers.get("Retry-After"), retryAfter);
      assert.equal(sts.calls.length, calls);
    });
  }
});

describe("500 for a per-request value that cannot work", () => {
  const cases: [string, object][] = [
    ["roleArn of the wrong type", { roleArn: () => 42 }],
    ["roleArn STS's model refuses", { roleArn: () => "nope" }],
    ["roleSessionName outside the pattern", { roleSessionName: () => "has space" }],
    ["durationSeconds out of range", { durationSeconds: async () => 60 }],
    ["policyArns not strings", { policyArns: () => [1, 2] }],
  ];
  for (const [name, options] of cases) {
    test(name, async () => {
      const { request, sts } = makeApp(options);
      const res = await request(token);
      await expectFailure(res, 500, null);
      assert.equal(sts.calls.length, 0);
    });
  }
  test("a function that throws an HTTPException keeps its own answer", async () => {
    const { request } = makeApp({ roleArn: () => { throw new HTTPException(418, { message: "teapot" }); } });
    assert.equal((await request(token)).status, 418);
  });
});

describe("onError", () => {
  test("sees the HTTPException (status, cause) and may return its own Response", async () => {
    const seen: HTTPException[] = [];
    const { request, sts } = makeApp({
      onError: (err, c) => {
        seen.push(err);
        return c.json({ error: "denied" }, 403);
      },
    });
    sts.queue.push(() => stsError("InvalidIdentityToken"));
    const res = await request(token);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: "denied" });
    assert.equal(seen[0]?.status, 401);
    assert.ok(seen[0]?.cause instanceof StsError);
    assert.equal((seen[0]?.cause as StsError).code, "InvalidIdentityToken");
  });
  test("returning nothing keeps the default answer; local problems carry a BearerTokenError", async () => {
    const seen: unknown[] = [];
    const { request } = makeApp({ onError: (err) => void seen.push(err.cause) });
    await expectFailure(await request(undefined), 401, "Bearer");
    assert.ok(seen[0] instanceof BearerTokenError);
    assert.equal((seen[0] as BearerTokenError).problem, "missing");
  });
});

describe("negative caching", () => {
  test("a rejected token is answered from memory for negativeTtlSeconds, then asked again", async () => {
    const { request, sts, clock } = makeApp();
    sts.queue.push(() => stsError("IDPRejectedClaim", 403));
    assert.equal((await request(token)).status, 403);
    assert.equal((await request(token)).status, 403);
    assert.equal(sts.calls.length, 1, "remembered");
    clock.advance(31);
    assert.equal((await request(token)).status, 200);
    assert.equal(sts.calls.length, 2);
  });
  test("an unavailable STS is not remembered", async () => {
    const { request, sts } = makeApp();
    sts.queue.push(() => stsError("Throttling"), () => stsError("Throttling"));
    assert.equal((await request(token)).status, 503);
    assert.equal((await request(token)).status, 200);
    assert.equal(sts.calls.length, 3);
  });
});

describe("misconfiguration throws at once", () => {
  const client = new StsClient({ region: "eu-west-1" });
  const cases: [string, object][] = [
    ["no roleArn", { client }],
    ["a roleArn STS would refuse", { roleArn: "role", client }],
    ["a durationSeconds out of range", { roleArn: ROLE_ARN, client, durationSeconds: 10 }],
    ["a roleSessionName outside the pattern", { roleArn: ROLE_ARN, client, roleSessionName: "a b" }],
    ["policyArns that are not ARNs", { roleArn: ROLE_ARN, client, policyArns: ["x"] }],
    ["no region, endpoint or client", { roleArn: ROLE_ARN }],
    ["client and endpoint", { roleArn: ROLE_ARN, client, endpoint: "https://sts.example.com" }],
    ["a client that is not one", { roleArn: ROLE_ARN, client: {} }],
    ["cache and maxEntries", { roleArn: ROLE_ARN, client, cache: new CredentialCache(), maxEntries: 5 }],
    ["maxEntries 0", { roleArn: ROLE_ARN, client, maxEntries: 0 }],
    ["a negative clockToleranceSeconds", { roleArn: ROLE_ARN, client, clockToleranceSeconds: -1 }],
    ["a realm with a line break", { roleArn: ROLE_ARN, client, realm: "a\r\nSet-Cookie: x" }],
  ];
  for (const [name, options] of cases) {
    test(name, () => {
      assert.throws(() => stsCredentials(options as never), StsConfigurationError);
    });
  }
});
