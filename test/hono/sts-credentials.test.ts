/** The middleware's caching behaviour, variables, hooks and options, through a real Hono app. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AwsClient } from "aws4fetch";
import fc from "fast-check";
import { Hono } from "hono";
import { sharedCredentialCache } from "../../src/cache/shared.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCacheHitInfo, StsExchangeInfo, StsSession, StsVariables } from "../../src/hono/index.ts";
import { type CredsBody, makeApp } from "./app.ts";
import { ROLE_ARN, T0, executionContext, idToken, scriptedSts, stsError } from "./fixtures.ts";

const body = async (res: Response): Promise<CredsBody> => {
  assert.equal(res.status, 200, `status ${res.status}`);
  return (await res.json()) as CredsBody;
};

describe("the exchange", () => {
  test("a miss calls STS with the token, the role and the sub as session name; a hit does not", async () => {
    const { request, sts } = makeApp();
    const token = idToken("alice@example.com", T0);
    const first = await body(await request(token));
    assert.equal(first.accessKeyId, "ASIA0000000000000001");
    assert.equal(first.sessionName, "alice@example.com");
    assert.equal(first.subject, "alice@example.com");
    assert.equal(first.region, "eu-west-1");
    assert.deepEqual(
      { ...sts.calls[0]!.params, WebIdentityToken: sts.calls[0]!.params.WebIdentityToken === token },
      { Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: ROLE_ARN, RoleSessionName: "alice@example.com", WebIdentityToken: true },
    );
    assert.deepEqual(await body(await request(token)), first);
    assert.equal(sts.calls.length, 1);
  });

  test("per-request values reach STS and are part of the cache key", async () => {
    const { request, sts } = makeApp({
      roleArn: (_c, claims) => `arn:aws:iam::123456789012:role/tenant-${String(claims.tenant)}`,
      durationSeconds: 900,
      policy: async (c) => `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"${c.req.header("x-bucket")}"}]}`,
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      providerId: "www.amazon.com",
    });
    const token = idToken("bob", T0, 7200, { tenant: "a" });
    await body(await request(token, { headers: { "x-bucket": "arn:aws:s3:::one/*" } }));
    await body(await request(token, { headers: { "x-bucket": "arn:aws:s3:::one/*" } }));
    await body(await request(token, { headers: { "x-bucket": "arn:aws:s3:::two/*" } }));
    assert.equal(sts.calls.length, 2, "a different policy is a different key");
    const params = sts.calls[0]!.params;
    assert.equal(params.RoleArn, "arn:aws:iam::123456789012:role/tenant-a");
    assert.equal(params.DurationSeconds, "900");
    assert.equal(params["PolicyArns.member.1.arn"], "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert.equal(params.ProviderId, "www.amazon.com");
    assert.match(params.Policy ?? "", /one/);
  });

  test("multi-tenant roleArn: each tenant its role; a tenant without one gets 403", async () => {
    const roles: Record<string, string> = { acme: "arn:aws:iam::111111111111:role/acme", globex: "arn:aws:iam::222222222222:role/globex" };
    const { request, sts } = makeApp({ roleArn: (_c, claims) => roles[String(claims.tenant)] });
    await body(await request(idToken("u1", T0, 7200, { tenant: "acme" })));
    await body(await request(idToken("u2", T0, 7200, { tenant: "globex" })));
    assert.deepEqual(sts.calls.map((call) => call.params.RoleArn), [roles.acme, roles.globex]);
    assert.equal((await request(idToken("u3", T0, 7200, { tenant: "initech" }))).status, 403);
  });

  test("a subject outside the pattern gets a mapped session name", async () => {
    const { request, sts } = makeApp();
    const out = await body(await request(idToken("auth0|Jürgen Müller", T0)));
    assert.match(out.sessionName ?? "", /^auth0-Jurgen-Muller-[0-9a-f]{20}$/);
    assert.equal(sts.calls[0]!.params.RoleSessionName, out.sessionName);
  });

  test("1 000 concurrent requests with the same token make exactly one STS call", async () => {
    const { request, sts } = makeApp();
    sts.delayMs = 20;
    const token = idToken("alice", T0);
    const results = await Promise.all(Array.from({ length: 1000 }, () => request(token).then(body)));
    assert.equal(sts.calls.length, 1);
    assert.ok(results.every((r) => r.accessKeyId === "ASIA0000000000000001"));
  });

  test("different tokens never receive each other's credentials (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 600, max: 9000 })), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        async (subjects, order) => {
          const { request, sts } = makeApp();
          const tokens = subjects.map(([sub, life]) => idToken(sub, T0, life));
          const picks = order.map((i) => tokens[i % tokens.length]!);
          const answers = await Promise.all(picks.map((t) => request(t).then(body)));
          answers.forEach((answer, i) => assert.equal(sts.issued.get(answer.accessKeyId!), picks[i]));
          assert.equal(sts.calls.length, new Set(picks).size, "one exchange per distinct token");
        },
      ),
      { numRuns: 60 },
    );
  });

  test("c.var.aws is one AwsClient per credentials, shared by the requests that share them", async () => {
    const seen: AwsClient[] = [];
    const { app, clock, sts } = makeApp();
    app.get("/api/aws", (c) => {
      seen.push(c.var.aws);
      assert.ok(Object.isFrozen(c.var.awsCredentials) && Object.isFrozen(c.var.stsIdentity));
      return c.text("ok");
    });
    const get = (token: string) => app.request("/api/aws", { headers: { Authorization: `Bearer ${token}` } });
    const alice = idToken("alice", clock.t);
    await get(alice);
    await get(alice);
    await get(idToken("bob", clock.t));
    assert.ok(seen[0] instanceof AwsClient);
    assert.equal(seen[0], seen[1]);
    assert.notEqual(seen[0], seen[2]);
    assert.equal(seen[0]!.accessKeyId, sts.calls[0]!.accessKeyId);
    assert.equal(seen[0]!.region, "eu-west-1");
  });
});

describe("refresh and expiry (manual clock; credentials live 3600 s, refresh window 300 s)", () => {
  test("inside the window: served at once, one background refresh through waitUntil, then the new credentials", async () => {
    const exchanges: string[] = [];
    const { request, sts, clock } = makeApp({ onExchange: (info) => void exchanges.push(info.outcome) });
    const token = idToken("alice", clock.t);
    const first = await body(await request(token));
    clock.advance(3600 - 299);
    const { ctx, waited } = executionContext();
    const during = await body(await request(token, {}, ctx));
    assert.equal(during.accessKeyId, first.accessKeyId, "old credentials served at once");
    assert.equal(waited.length, 1, "the refresh was handed to waitUntil");
    await body(await request(token, {}, ctx)); // while the refresh is in flight: no second refresh
    await Promise.all(waited);
    assert.equal(sts.calls.length, 2);
    const after = await body(await request(token));
    assert.equal(after.accessKeyId, "ASIA0000000000000002");
    assert.deepEqual(exchanges, ["miss", "refresh"]);
  });

  test("without an execution context (Node), the refresh still runs", async () => {
    const { request, sts, clock } = makeApp();
    const token = idToken("alice", clock.t);
    await request(token);
    clock.advance(3400);
    await request(token);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await body(await request(token))).accessKeyId, "ASIA0000000000000002");
    assert.equal(sts.calls.length, 2);
  });

  test("a failed refresh keeps serving the old credentials until 60 s before they expire, then fetches anew", async () => {
    const outcomes: string[] = [];
    const { request, sts, clock } = makeApp({ onCacheHit: (info) => void outcomes.push(info.outcome) });
    const token = idToken("alice", clock.t);
    const first = await body(await request(token));
    sts.always = () => stsError("ServiceUnavailable", 503);
    clock.advance(3400);
    const { ctx, waited } = executionContext();
    assert.equal((await body(await request(token, {}, ctx))).accessKeyId, first.accessKeyId);
    await Promise.all(waited);
    assert.equal((await body(await request(token))).accessKeyId, first.accessKeyId, "still served after the failure");
    assert.deepEqual(outcomes, ["refresh", "stale"]);
    sts.always = undefined;
    clock.advance(3600 - 3400 - 60);
    const fresh = await body(await request(token));
    assert.notEqual(fresh.accessKeyId, first.accessKeyId, "never served within 60 s of expiry");
  });

  test("an entry lives as long as its token is accepted: past exp within the tolerance it is served, past that 401", async () => {
    const { request, sts, clock } = makeApp();
    const token = idToken("alice", clock.t, 600);
    await body(await request(token));
    clock.advance(610); // token exp passed 10 s ago; tolerance 30 s: still accepted, so still served
    await body(await request(token));
    assert.equal(sts.calls.length, 1);
    clock.advance(21); // exp + 31 s: refused, the entry is not served
    assert.equal((await request(token)).status, 401);
    assert.equal(sts.calls.length, 1);
  });

  test("a token STS rejects while it is inside the clock tolerance is still remembered (no STS call per retry)", async () => {
    const { request, sts, clock } = makeApp();
    const token = idToken("alice", clock.t, 600);
    clock.advance(605); // exp passed 5 s ago; the tolerance (30 s) still lets it through to STS
    sts.always = () => stsError("ExpiredTokenException");
    for (let i = 0; i < 5; i++) {
      const res = await request(token);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("WWW-Authenticate"), 'Bearer error="invalid_token"');
    }
    assert.equal(sts.calls.length, 1);
  });

  test("an expired token with a warm cache entry gets 401", async () => {
    const { request, sts, clock } = makeApp();
    const token = idToken("alice", clock.t, 600);
    await body(await request(token));
    clock.advance(631);
    const res = await request(token);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("WWW-Authenticate"), 'Bearer error="invalid_token"');
    assert.equal(sts.calls.length, 1);
  });

  test("eviction at maxEntries: the least recently used goes first", async () => {
    const { request, sts, clock } = makeApp({}, { maxEntries: 2 });
    const [a, b, c] = ["a1", "b2", "c3"].map((sub) => idToken(sub, clock.t));
    await request(a!);
    await request(b!);
    await request(a!); // a is now the most recently used
    await request(c!); // evicts b
    assert.equal(sts.calls.length, 3);
    await request(a!);
    assert.equal(sts.calls.length, 3, "a kept");
    await request(b!);
    assert.equal(sts.calls.length, 4, "b was evicted");
  });

  test("maxEntries without a cache option makes a private cache of that size (not the shared one)", async () => {
    const sts = scriptedSts(Date.now);
    const app = new Hono();
    app.use(stsCredentials({ roleArn: ROLE_ARN, region: "eu-west-1", fetch: sts.fetch, maxEntries: 1 }));
    app.get("/", (c) => c.text("ok"));
    const get = (token: string) => app.request("/", { headers: { Authorization: `Bearer ${token}` } });
    const [a, b] = [`private-a-${Math.random()}`, `private-b-${Math.random()}`].map((sub) => idToken(sub, Date.now()));
    const sharedBefore = sharedCredentialCache().size;
    await get(a!);
    await get(b!); // evicts a
    await get(a!);
    assert.equal(sts.calls.length, 3);
    assert.equal(sharedCredentialCache().size, sharedBefore, "nothing went into the shared cache");
  });
});

describe("options", () => {
  test("optional: no token passes with no variables; a bad token is still refused", async () => {
    const { request, sts } = makeApp({ optional: true });
    assert.deepEqual(await body(await request(undefined)), { accessKeyId: null, sessionName: null, subject: null, region: null });
    assert.equal((await request(undefined, { headers: { Authorization: "Basic x" } })).status, 400);
    assert.equal(sts.calls.length, 0);
  });

  test("headerName and cookie", async () => {
    const token = idToken("alice", T0);
    const custom = makeApp({ headerName: "X-Id-Token" });
    assert.equal((await custom.request(undefined, { headers: { "X-Id-Token": `Bearer ${token}` } })).status, 200);
    const cookie = makeApp({ cookie: "id_token" });
    assert.equal((await cookie.request(undefined, { headers: { Cookie: `id_token=${token}` } })).status, 200);
    assert.equal((await cookie.request(undefined, { headers: { Cookie: `other=${token}` } })).status, 401);
  });

  test("signed cookie: a good signature passes, a forged one is an invalid_token", async () => {
    const token = idToken("alice", T0);
    const { request } = makeApp({ cookie: { key: "id_token", secret: "cookie-secret" } });
    const { setSignedCookie } = await import("hono/cookie");
    const signer = new Hono().get("/", async (c) => {
      await setSignedCookie(c, "id_token", token, "cookie-secret");
      return c.text("");
    });
    const setCookie = (await signer.request("/")).headers.get("set-cookie")!.split(";")[0]!;
    assert.equal((await request(undefined, { headers: { Cookie: setCookie } })).status, 200);
    const forged = await request(undefined, { headers: { Cookie: `id_token=${encodeURIComponent(`${token}.${"A".repeat(43)}=`)}` } });
    assert.equal(forged.status, 401);
    assert.equal(forged.headers.get("WWW-Authenticate"), 'Bearer error="invalid_token"');
  });

  test("Server-Timing: opt-in, with the cache outcome", async () => {
    const token = idToken("alice", T0);
    const { request, clock } = makeApp({ serverTiming: true });
    assert.match((await request(token)).headers.get("Server-Timing") ?? "", /^sts;dur=\d+(\.\d)?;desc="miss"$/);
    assert.match((await request(token)).headers.get("Server-Timing") ?? "", /desc="hit"$/);
    clock.advance(3400);
    assert.match((await request(token)).headers.get("Server-Timing") ?? "", /desc="refresh"$/);
    assert.equal((await makeApp().request(token)).headers.get("Server-Timing"), null);
  });

  test("hooks: one onExchange per STS call, onCacheHit per hit, never the token or a secret", async () => {
    const exchanges: StsExchangeInfo[] = [];
    const hits: StsCacheHitInfo[] = [];
    const { request, sts, clock } = makeApp({
      onExchange: (info) => void exchanges.push(info),
      onCacheHit: (info) => {
        hits.push(info);
        throw new Error("a broken hook is ignored");
      },
    });
    const token = idToken("alice", clock.t);
    await body(await request(token));
    await body(await request(token));
    sts.queue.push(() => stsError("AccessDenied", 403));
    const other = idToken("mallory", clock.t);
    assert.equal((await request(other)).status, 403);
    assert.equal(exchanges.length, 2);
    assert.equal(hits.length, 1);
    assert.deepEqual(
      { ...exchanges[0], durationMs: 0 },
      { operation: "AssumeRoleWithWebIdentity", outcome: "miss", ok: true, requestId: "req-1", durationMs: 0, stsRegion: "eu-west-1", roleArn: ROLE_ARN, subject: "alice" },
    );
    assert.deepEqual({ ...exchanges[1], durationMs: 0 }, {
      operation: "AssumeRoleWithWebIdentity", outcome: "miss", ok: false, errorCode: "AccessDenied", requestId: "req-err", durationMs: 0, stsRegion: "eu-west-1", roleArn: ROLE_ARN, subject: "mallory",
    });
    assert.deepEqual({ ...hits[0], durationMs: 0 }, { operation: "AssumeRoleWithWebIdentity", outcome: "hit", durationMs: 0, roleArn: ROLE_ARN, subject: "alice" });
    const text = JSON.stringify([exchanges, hits]);
    for (const secret of [token, other, "SECRET", "SessionToken", token.split(".")[1]!]) assert.ok(!text.includes(secret));
  });

  test("by default the isolate's shared cache is used, shared by middleware instances", async () => {
    const sts = scriptedSts(Date.now);
    const client = new StsClient({ region: "eu-west-1", fetch: sts.fetch });
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/a/*", stsCredentials({ roleArn: ROLE_ARN, client }));
    app.use("/b/*", stsCredentials({ roleArn: ROLE_ARN, client }));
    app.get("*", (c) => c.text(c.var.awsCredentials.accessKeyId));
    const token = idToken(`shared-${Math.random()}`, Date.now());
    const a = await app.request("/a/x", { headers: { Authorization: `Bearer ${token}` } });
    const b = await app.request("/b/x", { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(await a.text(), await b.text());
    assert.equal(sts.calls.length, 1);
    assert.ok(sharedCredentialCache<StsSession>().size >= 1);
  });

  test("region option sets the region c.var.aws signs for", async () => {
    const { request } = makeApp({ region: "us-west-2" });
    assert.equal((await body(await request(idToken("alice", T0)))).region, "us-west-2");
  });
});
