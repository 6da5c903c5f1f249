/** The Hono middleware on every runtime: a real Hono app, a scripted STS, a manual clock. */
import { makeApp } from "../hono/app.ts";
import { T0, idToken, stsError } from "../hono/fixtures.ts";
import { assert, assertEquals, test } from "./harness.ts";

async function json(res: Response): Promise<Record<string, unknown>> {
  assertEquals(res.status, 200, "status");
  return (await res.json()) as Record<string, unknown>;
}

test("hono: a miss calls STS once, then a hit is served from the cache", async () => {
  const { request, sts } = makeApp();
  const token = idToken("alice@example.com", T0);
  const first = await json(await request(token));
  assertEquals(first.accessKeyId, "ASIA0000000000000001");
  assertEquals(first.sessionName, "alice@example.com");
  assertEquals(await json(await request(token)), first);
  assertEquals(sts.calls.length, 1);
});

test("hono: no token → 401 Bearer; wrong scheme → 400 invalid_request", async () => {
  const { request, sts } = makeApp({ realm: "api" });
  const none = await request(undefined);
  assertEquals([none.status, none.headers.get("WWW-Authenticate")], [401, 'Bearer realm="api"']);
  const basic = await request(undefined, { headers: { Authorization: "Basic dXNlcjpwYXNz" } });
  assertEquals([basic.status, basic.headers.get("WWW-Authenticate")], [400, 'Bearer realm="api", error="invalid_request"']);
  assertEquals(sts.calls.length, 0);
});

test("hono: expired token → 401 invalid_token; InvalidIdentityToken → 401 invalid_token", async () => {
  const { request, sts } = makeApp();
  const expired = await request(idToken("alice", T0 - 7200_000, 3600));
  assertEquals([expired.status, expired.headers.get("WWW-Authenticate")], [401, 'Bearer error="invalid_token"']);
  sts.queue.push(() => stsError("InvalidIdentityToken"));
  const rejected = await request(idToken("bob", T0));
  assertEquals([rejected.status, rejected.headers.get("WWW-Authenticate")], [401, 'Bearer error="invalid_token"']);
});

test("hono: AccessDenied → 403 insufficient_scope; no role for the claims → 403", async () => {
  const { request, sts } = makeApp();
  sts.queue.push(() => stsError("AccessDenied", 403));
  const denied = await request(idToken("alice", T0));
  assertEquals([denied.status, denied.headers.get("WWW-Authenticate")], [403, 'Bearer error="insufficient_scope"']);
  const noRole = makeApp({ roleArn: () => undefined as unknown as string });
  assertEquals((await noRole.request(idToken("alice", T0))).status, 403);
});

test("hono: STS throttling after retries → 503 with Retry-After, body generic", async () => {
  const { request, sts } = makeApp();
  sts.always = () => stsError("Throttling");
  const token = idToken("alice", T0);
  const res = await request(token);
  assertEquals([res.status, res.headers.get("Retry-After"), res.headers.get("WWW-Authenticate")], [503, "5", null]);
  const body = await res.text();
  assert(!body.includes(token) && !body.includes("Throttling"), "generic body");
});

test("hono: concurrent requests with one token share one STS call", async () => {
  const { request, sts } = makeApp();
  const token = idToken("alice", T0);
  const answers = await Promise.all(Array.from({ length: 200 }, () => request(token).then(json)));
  assertEquals(sts.calls.length, 1);
  assert(answers.every((a) => a.accessKeyId === "ASIA0000000000000001"), "everyone got the one exchange");
});
