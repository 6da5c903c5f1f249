import assert from "node:assert/strict";
import { test } from "node:test";

import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { loadXmlReader, parseXmlDocument } from "../../src/wire/xml.ts";

await loadXmlReader();
import { LONG_TERM, read, ROLE_ARN, signed, signWithAws4fetch, unsigned } from "./helpers.ts";

async function setup() {
  const issuer = createOidcIssuer();
  const sts = createStsEmulator({ issuers: [issuer] });
  const params = { RoleArn: ROLE_ARN, RoleSessionName: "retry-1", WebIdentityToken: await issuer.mint({ sub: "user-1234" }) };
  return { sts, call: () => unsigned(sts, "AssumeRoleWithWebIdentity", params) };
}

test("throttling for the next two calls, then the real answer; every call is counted", async () => {
  const { sts, call } = await setup();
  sts.faults.next(2, { kind: "throttling" });
  assert.equal(sts.faults.pending, 2);
  for (let i = 0; i < 2; i++) {
    const answer = await read(await call());
    assert.deepEqual([answer.status, answer.code, answer.message, answer.type], [400, "Throttling", "Rate exceeded", "Sender"]);
  }
  assert.equal((await call()).status, 200);
  assert.equal(sts.calls.total, 3);
  assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), 3);
  assert.deepEqual(sts.calls.log.map((c) => [c.status, c.fault, c.errorCode]), [[400, "throttling", "Throttling"], [400, "throttling", "Throttling"], [200, undefined, undefined]]);
  assert.equal(sts.faults.pending, 0);
});

test("429 TooManyRequestsException with Retry-After, 500 and 503, IDPCommunicationError, custom errors", async () => {
  const { sts, call } = await setup();
  sts.faults.next(1, { kind: "too-many-requests", retryAfterSeconds: 2 });
  sts.faults.next(1, { kind: "server-error" });
  sts.faults.next(1, { kind: "server-error", status: 503 });
  sts.faults.next(1, { kind: "idp-communication-error" });
  sts.faults.next(1, { kind: "error", status: 403, code: "RegionDisabledException", message: "STS is not activated in this region for account:123456789012." });
  const tooMany = await read(await call());
  assert.deepEqual([tooMany.status, tooMany.code, tooMany.headers.get("retry-after")], [429, "TooManyRequestsException", "2"]);
  const internal = await read(await call());
  assert.deepEqual([internal.status, internal.code, internal.type], [500, "InternalFailure", "Receiver"]);
  const unavailable = await read(await call());
  assert.deepEqual([unavailable.status, unavailable.code, unavailable.type], [503, "ServiceUnavailable", "Receiver"]);
  const idp = await read(await call());
  assert.deepEqual([idp.status, idp.code], [400, "IDPCommunicationError"]);
  const custom = await read(await call());
  assert.deepEqual([custom.status, custom.code], [403, "RegionDisabledException"]);
  assert.ok(custom.requestId && custom.headers.get("x-amzn-requestid") === custom.requestId);
});

test("an HTML page from a proxy, an empty body, a truncated document", async () => {
  const { sts, call } = await setup();
  sts.faults.next(1, { kind: "html" });
  sts.faults.next(1, { kind: "empty", status: 500 });
  sts.faults.next(1, { kind: "truncated" });
  const html = await call();
  assert.deepEqual([html.status, html.headers.get("content-type")], [502, "text/html"]);
  assert.match(await html.text(), /<h1>502 Bad Gateway<\/h1>/);
  const empty = await call();
  assert.deepEqual([empty.status, await empty.text()], [500, ""]);
  const truncated = await call();
  assert.equal(truncated.status, 200);
  const text = await truncated.text();
  assert.ok(text.startsWith("<AssumeRoleWithWebIdentityResponse"));
  assert.throws(() => parseXmlDocument(text));
});

test("a hanging call settles only when the request's signal aborts", async () => {
  const { sts, call } = await setup();
  sts.faults.next(1, { kind: "hang" });
  const controller = new AbortController();
  // AbortSignal.timeout's timer does not keep Node's event loop alive; a plain timer does.
  setTimeout(() => controller.abort(new DOMException("The operation timed out.", "TimeoutError")), 50);
  const request = new Request("https://sts.eu-west-1.amazonaws.com/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
    signal: controller.signal,
  });
  await assert.rejects(sts.fetch(request), (err: Error) => err.name === "TimeoutError");
  assert.equal(sts.calls.last!.status, 0);
  assert.equal(sts.calls.last!.fault, "hang");
  assert.equal((await call()).status, 200);
});

test("a network error rejects like fetch", async () => {
  const { sts, call } = await setup();
  sts.faults.next(1, { kind: "network-error" });
  await assert.rejects(call(), TypeError);
  assert.equal((await call()).status, 200);
});

test("a skewed clock answers RequestExpired with the skewed Date, for a fault or for good", async () => {
  const sts = createStsEmulator();
  sts.faults.next(1, { kind: "clock-skew", offsetMs: 20 * 60_000 });
  const skewed = await read(await sts.fetch(await signWithAws4fetch(LONG_TERM, "GetCallerIdentity")));
  assert.deepEqual([skewed.status, skewed.code], [400, "RequestExpired"]);
  const serverTime = Date.parse(skewed.headers.get("date")!);
  assert.ok(Math.abs(serverTime - (Date.now() + 20 * 60_000)) < 5_000);
  assert.equal((await signed(sts, LONG_TERM, "GetCallerIdentity")).status, 200);
  sts.setClockOffset(-30 * 60_000);
  assert.equal((await signed(sts, LONG_TERM, "GetCallerIdentity")).code, "RequestExpired");
  assert.ok(Math.abs(sts.now() - (Date.now() - 30 * 60_000)) < 5_000);
});

test("a fault can be kept for one action; clear drops the queue", async () => {
  const { sts, call } = await setup();
  sts.faults.next(1, { kind: "throttling" }, { action: "GetCallerIdentity" });
  assert.equal((await call()).status, 200);
  assert.equal((await signed(sts, LONG_TERM, "GetCallerIdentity")).code, "Throttling");
  sts.faults.next(5, { kind: "server-error" });
  sts.faults.clear();
  assert.equal(sts.faults.pending, 0);
  assert.equal((await call()).status, 200);
  sts.calls.reset();
  assert.equal(sts.calls.total, 0);
  assert.throws(() => sts.faults.next(0, { kind: "hang" }));
});
