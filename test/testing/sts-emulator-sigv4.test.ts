import assert from "node:assert/strict";
import { test } from "node:test";

import { createStsEmulator } from "../../src/testing/index.ts";
import { amzDate, CONTENT_TYPE, ENDPOINT, LONG_TERM, read, signed, signWithAws4fetch, signWithSmithy } from "./helpers.ts";

test("a call signed by aws4fetch with a long-term key is the IAM user", async () => {
  const sts = createStsEmulator();
  const answer = await signed(sts, LONG_TERM, "GetCallerIdentity");
  assert.equal(answer.status, 200);
  assert.deepEqual(
    { account: answer.result.Account, arn: answer.result.Arn },
    { account: "123456789012", arn: "arn:aws:iam::123456789012:user/edge-sts-test" },
  );
  assert.match(answer.result.UserId!, /^AIDA[A-Z2-7]{17}$/);
  assert.equal(answer.headers.get("x-amzn-requestid"), answer.requestId);
  assert.equal(answer.headers.get("content-type"), "text/xml");
});

test("a call signed by @smithy/signature-v4 is accepted, with and without a session token", async () => {
  const sts = createStsEmulator();
  assert.equal((await read(await sts.fetch(await signWithSmithy(LONG_TERM, "GetCallerIdentity")))).status, 200);
  const session = await signed(sts, LONG_TERM, "GetSessionToken", { DurationSeconds: 3600 });
  const temporary = { accessKeyId: session.result.AccessKeyId!, secretAccessKey: session.result.SecretAccessKey!, sessionToken: session.result.SessionToken! };
  const answer = await read(await sts.fetch(await signWithSmithy(temporary, "GetCallerIdentity")));
  assert.equal(answer.status, 200);
  assert.equal(answer.result.Arn, "arn:aws:iam::123456789012:user/edge-sts-test");
});

test("a tampered signature is SignatureDoesNotMatch", async () => {
  const sts = createStsEmulator();
  const request = await signWithAws4fetch(LONG_TERM, "GetCallerIdentity");
  const auth = request.headers.get("authorization")!;
  const last = auth.at(-1) === "0" ? "1" : "0";
  const headers = new Headers(request.headers);
  headers.set("authorization", auth.slice(0, -1) + last);
  const answer = await read(await sts.fetch(new Request(request, { headers })));
  assert.deepEqual([answer.status, answer.code, answer.type], [403, "SignatureDoesNotMatch", "Sender"]);
});

test("a body changed after signing is SignatureDoesNotMatch", async () => {
  const sts = createStsEmulator();
  const request = await signWithAws4fetch(LONG_TERM, "GetSessionToken", { DurationSeconds: 900 });
  const forged = new Request(ENDPOINT, { method: "POST", headers: request.headers, body: "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=129600" });
  assert.equal((await read(await sts.fetch(forged))).code, "SignatureDoesNotMatch");
});

test("the wrong secret is SignatureDoesNotMatch; an unknown key is InvalidClientTokenId", async () => {
  const sts = createStsEmulator();
  const wrongSecret = await signed(sts, { ...LONG_TERM, secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY" }, "GetCallerIdentity");
  assert.deepEqual([wrongSecret.status, wrongSecret.code], [403, "SignatureDoesNotMatch"]);
  assert.ok(!wrongSecret.text.includes("EXAMPLEKEY"), "no secret in the answer");
  const unknown = await signed(sts, { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: LONG_TERM.secretAccessKey }, "GetCallerIdentity");
  assert.deepEqual([unknown.status, unknown.code], [403, "InvalidClientTokenId"]);
});

test("a request signed more than 15 minutes from the emulator's clock is RequestExpired, with the server's Date", async () => {
  const clock = Date.UTC(2025, 5, 1, 9, 30);
  const sts = createStsEmulator({ now: () => clock });
  const at = (offsetMinutes: number) =>
    signWithAws4fetch(LONG_TERM, "GetCallerIdentity", {}, { datetime: amzDate(clock + offsetMinutes * 60_000) });
  for (const minutes of [-16, 16]) {
    const answer = await read(await sts.fetch(await at(minutes)));
    assert.deepEqual([answer.status, answer.code], [400, "RequestExpired"], `${minutes} minutes`);
    assert.equal(answer.headers.get("date"), new Date(clock).toUTCString());
  }
  for (const minutes of [-14, 14]) assert.equal((await read(await sts.fetch(await at(minutes)))).status, 200, `${minutes} minutes`);
});

test("missing or garbled authentication", async () => {
  const sts = createStsEmulator();
  const bare = new Request(ENDPOINT, { method: "POST", headers: { "content-type": CONTENT_TYPE }, body: "Action=GetCallerIdentity&Version=2011-06-15" });
  const missing = await read(await sts.fetch(bare));
  assert.deepEqual([missing.status, missing.code], [403, "MissingAuthenticationToken"]);
  const request = await signWithAws4fetch(LONG_TERM, "GetCallerIdentity");
  const headers = new Headers(request.headers);
  headers.set("authorization", request.headers.get("authorization")!.replace(/SignedHeaders=[^,]+, /, ""));
  const garbled = await read(await sts.fetch(new Request(request.clone(), { headers })));
  assert.deepEqual([garbled.status, garbled.code], [400, "IncompleteSignature"]);
  headers.set("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9");
  assert.equal((await read(await sts.fetch(new Request(request.clone(), { headers })))).code, "IncompleteSignature");
});

test("temporary credentials need their own session token and stop at expiry", async () => {
  let clock = Date.now();
  const sts = createStsEmulator({ now: () => clock });
  const session = await signed(sts, LONG_TERM, "GetSessionToken", { DurationSeconds: 900 });
  const keys = { accessKeyId: session.result.AccessKeyId!, secretAccessKey: session.result.SecretAccessKey! };
  assert.equal((await signed(sts, keys, "GetCallerIdentity")).code, "InvalidClientTokenId");
  const wrongToken = await signed(sts, { ...keys, sessionToken: "IQoJb3JpZ2luX2VjEOz//////////wEaCXVzLWVhc3QtMSJHMEUCIQ" }, "GetCallerIdentity");
  assert.deepEqual([wrongToken.status, wrongToken.code], [403, "InvalidClientTokenId"]);
  const good = { ...keys, sessionToken: session.result.SessionToken! };
  assert.equal((await signed(sts, good, "GetCallerIdentity")).status, 200);
  clock += 901_000;
  // aws4fetch signs with the real clock, so keep the signing time inside the window by moving both.
  const expired = await read(await sts.fetch(await signWithAws4fetch(good, "GetCallerIdentity", {}, { datetime: amzDate(clock) })));
  assert.deepEqual([expired.status, expired.code], [403, "ExpiredToken"]);
  const later = await sts.fetch(await signWithAws4fetch(LONG_TERM, "GetCallerIdentity", {}, { datetime: amzDate(clock) }));
  assert.equal(later.status, 200, "the long-term key still works");
});

test("a long-term key sent with a session token is InvalidClientTokenId; a revoked key is unknown", async () => {
  const sts = createStsEmulator();
  assert.equal((await signed(sts, { ...LONG_TERM, sessionToken: "IQoJb3JpZ2luX2VjEOz" }, "GetCallerIdentity")).code, "InvalidClientTokenId");
  assert.equal(sts.revoke(LONG_TERM.accessKeyId), true);
  assert.equal((await signed(sts, LONG_TERM, "GetCallerIdentity")).code, "InvalidClientTokenId");
});

test("the credential scope must name sts, and the configured region when there is one", async () => {
  const sts = createStsEmulator({ region: "eu-west-1" });
  const iam = await read(await sts.fetch(await signWithAws4fetch(LONG_TERM, "GetCallerIdentity", {}, { service: "iam" })));
  assert.deepEqual([iam.status, iam.code], [403, "SignatureDoesNotMatch"]);
  const otherRegion = await read(await sts.fetch(await signWithAws4fetch(LONG_TERM, "GetCallerIdentity", {}, { region: "us-east-2" })));
  assert.equal(otherRegion.code, "SignatureDoesNotMatch");
  const anyRegion = createStsEmulator();
  assert.equal((await read(await anyRegion.fetch(await signWithAws4fetch(LONG_TERM, "GetCallerIdentity", {}, { region: "us-east-2" })))).status, 200);
});
