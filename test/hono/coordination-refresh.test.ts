/**
 * Review finding (issue 21 × refresh): a refusal STS gives to one isolate's *refresh* must not be
 * written over the store's entry. STS also answers InvalidIdentityToken for passing trouble ("Couldn't
 * retrieve verification key from your identity provider"); recorded, it made every other isolate answer
 * 401 for that token — and remember it for negativeTtlSeconds — while the refreshing isolate kept serving.
 * Also: a refusal record reaching further than a holder ever writes one is not believed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore } from "../../src/cache/store.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables } from "../../src/hono/index.ts";
import { executionContext, idToken, manualClock, scriptedSts, stsError } from "./fixtures.ts";

const SECRET = "coordination-refresh-secret-0123456789";

function fleet() {
  const clock = manualClock(Date.now());
  const sts = scriptedSts(clock.now);
  const entries = new Map<string, { value: string; until: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    return e !== undefined && clock.now() < e.until ? e : undefined;
  };
  const store: CredentialStore = {
    get: (key) => live(key)?.value,
    set: (key, value, ttlSeconds) => void entries.set(key, { value, until: clock.now() + ttlSeconds * 1000 }),
    delete: (key) => void entries.delete(key),
    claim: (key, ttlMs) => {
      if (live(key) !== undefined) return false;
      entries.set(key, { value: "1", until: clock.now() + ttlMs });
      return true;
    },
  };
  const isolate = () => {
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/*", stsCredentials({
      roleArn: "arn:aws:iam::123456789012:role/app",
      endpoint: "https://sts.eu-west-1.amazonaws.com",
      region: "eu-west-1",
      fetch: sts.fetch,
      cache: new CredentialCache<StsSession>({ now: clock.now, random: () => 0 }),
      now: clock.now,
      store,
      storeSecret: SECRET,
    }));
    app.get("/*", (c) => c.text(c.var.awsCredentials.accessKeyId));
    return app;
  };
  const request = async (app: Hono<{ Variables: StsVariables }>, token: string) => {
    const ctx = executionContext();
    const res = await app.request("/", { headers: { Authorization: `Bearer ${token}` } }, undefined, ctx.ctx);
    await Promise.all(ctx.waited);
    return res.status;
  };
  return { clock, sts, entries, isolate, request };
}

test("a refusal during one isolate's refresh is not recorded: other isolates still get credentials", async () => {
  const { clock, sts, isolate, request } = fleet();
  const a = isolate();
  const b = isolate();
  const token = idToken("alice", clock.now(), 7200);
  assert.equal(await request(a, token), 200);
  clock.advance(3600 - 200); // inside the 300 s refresh window of the one-hour credentials
  sts.queue.push(() => stsError("InvalidIdentityToken", 400, {}, "Couldn't retrieve verification key from your identity provider"));
  assert.equal(await request(a, token), 200, "the refreshing isolate serves its copy");
  assert.equal(await request(b, token), 200, "another isolate is not told the token was refused");
  clock.advance(10);
  assert.equal(await request(b, token), 200);
});

test("a refusal on a miss is still shared: the waiters of a burst answer it", async () => {
  const { clock, sts, isolate, request } = fleet();
  const token = idToken("mallory", clock.now(), 7200);
  sts.queue.push(() => stsError("InvalidIdentityToken", 400, {}, "Incorrect token audience"));
  assert.equal(await request(isolate(), token), 401);
  const calls = sts.calls.length;
  assert.equal(await request(isolate(), token), 401, "a second isolate answers the recorded refusal");
  assert.equal(sts.calls.length, calls, "without asking STS again");
});

test("a miss that throws at once (a storeSecret function giving nothing) leaves no deadline timer behind", async () => {
  const app = new Hono();
  app.use("/*", stsCredentials({
    roleArn: "arn:aws:iam::123456789012:role/app",
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    fetch: async () => new Response("never asked", { status: 500 }),
    cache: new CredentialCache<StsSession>(),
    exchangeTimeoutMs: 60_000,
    store: { get: () => undefined, set: () => undefined },
    storeSecret: () => undefined as unknown as string,
  }));
  app.get("/*", (c) => c.text("ok"));
  const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const ctx = executionContext();
  const res = await app.request("/", { headers: { Authorization: `Bearer ${idToken("u", Date.now())}` } }, undefined, ctx.ctx);
  assert.equal(res.status, 500);
  const timersAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  assert.equal(timersAfter, timersBefore, "the 60 s deadline of the failed miss is still armed");
});
