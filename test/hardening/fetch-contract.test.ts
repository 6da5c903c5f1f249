/**
 * The fetch contract (issue 13, first item): the client calls `fetch(url, init)` with the standard
 * signature, and the emulator's and issuer's `fetch` take what the standard fetch takes while still
 * serving as a server's `(request, info)` handler. Also the emulator's bounded call log (issue 12, "Also").
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StsClient } from "../../src/client.ts";
import { createOidcIssuer, createStsEmulator, DEFAULT_ACCESS_KEY } from "../../src/testing/index.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const issuer = createOidcIssuer({ issuer: "https://issuer.fetch-contract.test" });

describe("the client calls fetch(url, init)", () => {
  test("a string URL and a RequestInit with method, headers, a string body and the attempt's signal", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const seen: Array<{ input: unknown; init: RequestInit | undefined; args: number }> = [];
    const client = new StsClient({
      region: "eu-west-1",
      endpoint: "https://sts.fetch-contract.test/prefix",
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey },
      fetch: (...args: [string | URL | Request, RequestInit?]) => {
        seen.push({ input: args[0], init: args[1], args: args.length });
        return sts.fetch(args[0], args[1]);
      },
    });
    await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "contract", webIdentityToken: await issuer.mint({ sub: "contract" }) });
    await client.getCallerIdentity();
    assert.equal(seen.length, 2);
    for (const { input, init, args } of seen) {
      assert.equal(args, 2);
      assert.equal(input, "https://sts.fetch-contract.test/prefix/");
      assert.equal(init?.method, "POST");
      assert.equal(typeof init?.body, "string");
      assert.match(String(init?.body), /^Action=(AssumeRoleWithWebIdentity|GetCallerIdentity)&Version=2011-06-15/);
      assert.ok(init?.signal instanceof AbortSignal);
      assert.equal(init.signal.aborted, false, "a finished attempt's signal is not aborted");
      assert.equal(new Headers(init.headers).get("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
    }
    assert.equal(new Headers(seen[0]!.init!.headers).get("authorization"), null, "AssumeRoleWithWebIdentity is unsigned");
    assert.match(new Headers(seen[1]!.init!.headers).get("authorization") ?? "", /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\//);
  });

  test("globalThis.fetch is looked up at call time and called with (url, init)", async () => {
    const sts = createStsEmulator({ issuers: [issuer] });
    const original = globalThis.fetch;
    let args = 0;
    globalThis.fetch = ((...call: [string | URL | Request, RequestInit?]) => {
      args = call.length;
      return sts.fetch(...call);
    }) as typeof fetch;
    try {
      const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.fetch-contract.test" });
      const out = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "global", webIdentityToken: await issuer.mint({ sub: "global" }) });
      assert.ok(out.credentials);
      assert.equal(sts.calls.total, 1);
      assert.equal(args, 2);
    } finally {
      globalThis.fetch = original;
    }
  });

  test("a fetch option that is not a function is refused at once", () => {
    assert.throws(() => new StsClient({ region: "eu-west-1", fetch: "https://x" as unknown as typeof fetch }), /fetch must be a function/);
  });
});

describe("emulator.fetch and issuer.fetch take what fetch takes", () => {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const form = { "content-type": "application/x-www-form-urlencoded" };

  test("(url, init), (URL, init), (request), (request, init) and (request, server info)", async () => {
    const sts = createStsEmulator();
    const answers = [
      await sts.fetch("https://sts.test/", { method: "POST", headers: form, body }),
      await sts.fetch(new URL("https://sts.test/"), { method: "POST", headers: form, body }),
      await sts.fetch(new Request("https://sts.test/", { method: "POST", headers: form, body })),
      // init applied on top of a Request, as fetch does: the body comes from init.
      await sts.fetch(new Request("https://sts.test/", { method: "POST", headers: form, body: "Action=Nope&Version=2011-06-15" }), { body }),
      // A server's second argument (Deno's info, workerd's env) is not a RequestInit: ignored.
      await sts.fetch(new Request("https://sts.test/", { method: "POST", headers: form, body }), { remoteAddr: { hostname: "127.0.0.1" }, completed: Promise.resolve() }),
      await sts.fetch(new Request("https://sts.test/", { method: "POST", headers: form, body }), {}),
    ];
    // Unsigned GetCallerIdentity: every form reached the handler and was refused for the same reason.
    for (const res of answers) {
      assert.equal(res.status, 403);
      assert.match(await res.text(), /MissingAuthenticationToken/);
    }
    assert.deepEqual(sts.calls.log.map((c) => c.action), Array(6).fill("GetCallerIdentity"));
  });

  test("the issuer answers discovery both ways", async () => {
    const a = await issuer.fetch(`${issuer.issuer}/.well-known/openid-configuration`, { headers: { accept: "application/json" } });
    const b = await issuer.fetch(new Request(issuer.jwksUri), { remoteAddr: {} });
    assert.equal(((await a.json()) as { issuer: string }).issuer, issuer.issuer);
    assert.ok(Array.isArray(((await b.json()) as { keys: unknown[] }).keys));
  });

  test("an emulator discovering an issuer's keys through fetch(url, init)", async () => {
    const sts = createStsEmulator({ issuers: [{ issuer: issuer.issuer, fetch: issuer.fetch }] });
    const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.test", fetch: sts.fetch });
    const out = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "discovered", webIdentityToken: await issuer.mint({ sub: "discovered" }) });
    assert.equal(out.subjectFromWebIdentityToken, "discovered");
  });
});

describe("the emulator's call log is bounded", () => {
  test("the latest 1 000 calls by default; counts stay exact", async () => {
    const sts = createStsEmulator();
    const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.test", fetch: sts.fetch, maxAttempts: 1, credentials: { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey } });
    sts.faults.next(1200, { kind: "server-error" });
    for (let i = 0; i < 1200; i++) await client.getCallerIdentity().catch(() => {});
    await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "last", webIdentityToken: await issuer.mint({ sub: "last" }) }).catch(() => {});
    assert.equal(sts.calls.log.length, 1000);
    assert.equal(sts.calls.total, 1201);
    assert.equal(sts.calls.count("GetCallerIdentity"), 1200);
    assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), 1);
    assert.deepEqual(sts.calls.byAction, { GetCallerIdentity: 1200, AssumeRoleWithWebIdentity: 1 });
    assert.equal(sts.calls.last?.action, "AssumeRoleWithWebIdentity");
    sts.calls.reset();
    assert.deepEqual([sts.calls.total, sts.calls.log.length, sts.calls.count("GetCallerIdentity")], [0, 0, 0]);
  });

  test("maxLoggedCalls is configurable (0 keeps none) and checked", async () => {
    for (const [limit, kept] of [[3, 3], [0, 0]] as const) {
      const sts = createStsEmulator({ maxLoggedCalls: limit });
      for (let i = 0; i < 5; i++) await sts.fetch("https://sts.test/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=GetCallerIdentity&Version=2011-06-15" });
      assert.deepEqual([sts.calls.log.length, sts.calls.total, sts.calls.count("GetCallerIdentity")], [kept, 5, 5]);
    }
    for (const bad of [-1, 1.5, Number.NaN]) assert.throws(() => createStsEmulator({ maxLoggedCalls: bad }), /maxLoggedCalls/);
  });
});
