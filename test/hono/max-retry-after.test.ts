/**
 * Inside a request the middleware waits for a Retry-After of at most 1 s — or less, when the
 * client's own maxRetryAfterMs is stricter: the middleware never loosens the client's setting.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession } from "../../src/hono/index.ts";
import { ROLE_ARN, idToken, scriptedSts, stsError } from "./fixtures.ts";

async function throttledOnce(maxRetryAfterMs: number | undefined) {
  const sts = scriptedSts(Date.now);
  sts.queue.push(() => stsError("Throttling", 400, { "retry-after": "1" }));
  const client = new StsClient({ region: "eu-west-1", fetch: sts.fetch, ...(maxRetryAfterMs !== undefined && { maxRetryAfterMs }) });
  const app = new Hono();
  app.use("/*", stsCredentials({ roleArn: ROLE_ARN, client, cache: new CredentialCache<StsSession>() }));
  app.get("/*", (c) => c.text("ok"));
  const res = await app.request("/", { headers: { Authorization: `Bearer ${idToken("alice", Date.now())}` } });
  return { res, calls: sts.calls.length };
}

test("a client with maxRetryAfterMs: 0 (never wait) is not loosened to 1 s by the middleware", async () => {
  const { res, calls } = await throttledOnce(0);
  assert.equal(res.status, 503, "the middleware waited out a Retry-After the client refuses to wait for");
  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal(calls, 1, "a second attempt after the Retry-After");
});

test("the client's default (20 s) is narrowed to 1 s inside a request: a 1 s Retry-After is waited for", async () => {
  const { res, calls } = await throttledOnce(undefined);
  assert.equal(res.status, 200);
  assert.equal(calls, 2);
});

test("StsClient exposes its maxRetryAfterMs (read-only)", () => {
  assert.equal(new StsClient({ region: "eu-west-1" }).maxRetryAfterMs, 20_000);
  const client = new StsClient({ region: "eu-west-1", maxRetryAfterMs: 250 });
  assert.equal(client.maxRetryAfterMs, 250);
  assert.throws(() => {
    (client as { maxRetryAfterMs: number }).maxRetryAfterMs = 5;
  }, TypeError);
});
