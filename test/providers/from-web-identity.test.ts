/** fromWebIdentity against the package's STS emulator: caching, refresh ahead of expiry, single flight, errors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError, StsError } from "../../src/errors.ts";
import { fromWebIdentity } from "../../src/providers/from-web-identity.ts";
import { emulatedSts, HOUR, T0 } from "./emulated-sts.ts";
import { tick, until } from "./fake-sts.ts";

const roleArn = "arn:aws:iam::123456789012:role/ci";
const ACTION = "AssumeRoleWithWebIdentity";
/** A token for the option checks, which never reach STS. */
const unsent = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl";

async function setup() {
  const clock = { t: T0 };
  const sts = await emulatedSts(clock);
  return { sts, clock, now: () => clock.t, token: await sts.mint() };
}

test("fromWebIdentity: exchanges the token once, then serves the cached credentials", async () => {
  const { sts, now, token } = await setup();
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, now });
  const first = await provider();
  assert.match(first.accessKeyId, /^ASIA/);
  assert.ok(first.sessionToken.length > 0);
  assert.deepEqual(first.expiration, new Date(T0 + HOUR));
  assert.equal((await provider()).accessKeyId, first.accessKeyId);
  assert.equal(sts.calls(ACTION), 1);

  const sent = sts.params(ACTION)[0]!;
  assert.equal(sent.get("RoleArn"), roleArn);
  assert.equal(sent.get("WebIdentityToken"), token);
  assert.match(sent.get("RoleSessionName") ?? "", /^edge-sts-\d+$/);
  assert.equal(sts.emulator.calls.log[0]!.signed, false, "AssumeRoleWithWebIdentity goes out unsigned");
});

test("fromWebIdentity: sends the optional members it is given, token from a function on every call", async () => {
  const { sts, clock, now } = await setup();
  const tokens = [await sts.mint("repo:acme/app:1"), await sts.mint("repo:acme/app:2")];
  let tokenCalls = 0;
  const provider = fromWebIdentity({
    region: "eu-west-1",
    fetch: sts.fetch,
    roleArn,
    roleSessionName: "edge-worker",
    webIdentityToken: async () => tokens[tokenCalls++]!,
    durationSeconds: 900,
    policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    policyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
    providerId: "graph.facebook.com",
    now,
  });
  const first = await provider();
  clock.t = T0 + HOUR; // expired (900 s): blocks on a new exchange
  const second = await provider();
  assert.equal(tokenCalls, 2);
  assert.notEqual(second.accessKeyId, first.accessKeyId);
  const [a, b] = sts.params(ACTION);
  assert.equal(a!.get("WebIdentityToken"), tokens[0]);
  assert.equal(b!.get("WebIdentityToken"), tokens[1]);
  assert.equal(a!.get("RoleSessionName"), "edge-worker");
  assert.equal(a!.get("DurationSeconds"), "900");
  assert.equal(a!.get("PolicyArns.member.1.arn"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
  assert.equal(a!.get("ProviderId"), "graph.facebook.com");
  assert.match(a!.get("Policy") ?? "", /s3:GetObject/);
  assert.equal((await provider()).accessKeyId, second.accessKeyId);
});

test("fromWebIdentity: concurrent callers share one STS call", async () => {
  const { sts, now, token } = await setup();
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, now });
  sts.hold();
  const all = Array.from({ length: 100 }, () => provider());
  await until(() => sts.calls(ACTION) === 1);
  sts.release();
  const results = await Promise.all(all);
  assert.equal(sts.calls(ACTION), 1);
  assert.ok(results.every((c) => c.accessKeyId === results[0]!.accessKeyId));
});

test("fromWebIdentity: refreshes ahead of expiry in the background, serving the old credentials meanwhile", async () => {
  const { sts, clock, now, token } = await setup();
  const provider = fromWebIdentity({
    region: "eu-west-1",
    fetch: sts.fetch,
    roleArn,
    webIdentityToken: token,
    refreshWindowSeconds: 600,
    now,
  });
  const { accessKeyId: old } = await provider();
  clock.t = T0 + HOUR - 700_000;
  assert.equal((await provider()).accessKeyId, old);
  assert.equal(sts.calls(ACTION), 1, "fresh outside the 600 s window (even with jitter)");
  clock.t = T0 + HOUR - 599_000;
  sts.hold();
  assert.equal((await provider()).accessKeyId, old, "inside the window: old credentials at once");
  assert.equal((await provider()).accessKeyId, old);
  await until(() => sts.calls(ACTION) === 2);
  await tick();
  assert.equal(sts.calls(ACTION), 2, "one background refresh");
  sts.release();
  await until(async () => (await provider()).accessKeyId !== old);
  assert.notEqual((await provider()).accessKeyId, old);
  assert.equal(sts.calls(ACTION), 2);
});

test("fromWebIdentity: an STS rejection propagates as StsError and is not cached", async () => {
  const { sts, now, token } = await setup();
  sts.emulator.faults.next(1, {
    kind: "error",
    status: 400,
    code: "InvalidIdentityToken",
    message: "Couldn't retrieve verification key from your identity provider",
  });
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, now });
  const err = await provider().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StsError);
  assert.equal(err.code, "InvalidIdentityToken");
  assert.ok(!err.message.includes(token));
  assert.match((await provider()).accessKeyId, /^ASIA/);
  assert.equal(sts.calls(ACTION), 2);
});

test("fromWebIdentity: options are checked at once", () => {
  const token = unsent;
  const bad: unknown[] = [
    undefined,
    {},
    { region: "eu-west-1", webIdentityToken: token },
    { region: "eu-west-1", roleArn: "", webIdentityToken: token },
    { region: "eu-west-1", roleArn },
    { region: "eu-west-1", roleArn, webIdentityToken: 42 },
    { region: "eu-west-1", roleArn, webIdentityToken: token, client: {} },
    { roleArn, webIdentityToken: token }, // no region, no endpoint, no client
    { region: "eu-west-1", roleArn, webIdentityToken: token, refreshWindowSeconds: -5 },
  ];
  for (const options of bad) {
    assert.throws(() => fromWebIdentity(options as never), StsConfigurationError, JSON.stringify(options));
  }
  const client = new StsClient({ region: "eu-west-1" });
  assert.equal(typeof fromWebIdentity({ client, roleArn, webIdentityToken: () => token }), "function");
});

test("fromWebIdentity: a client from another copy of the package is accepted (one structural rule everywhere)", async () => {
  // A second instance of the client module, as when the package is loaded twice (npm and JSR, two versions).
  const copy = (await import(`../../src/client.ts?copy=${Date.now()}`)) as typeof import("../../src/client.ts");
  assert.notEqual(copy.StsClient, StsClient, "a distinct module instance");
  const { sts, now, token } = await setup();
  const client = new copy.StsClient({ region: "eu-west-1", fetch: sts.fetch });
  assert.equal(client instanceof StsClient, false);
  const provider = fromWebIdentity({ client: client as StsClient, roleArn, webIdentityToken: token, now });
  assert.match((await provider()).accessKeyId, /^ASIA/);
  assert.equal(sts.calls(ACTION), 1);
});
