/** fromWebIdentity against a scripted STS: caching, refresh ahead of expiry, single flight, errors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError, StsError } from "../../src/errors.ts";
import { fromWebIdentity } from "../../src/providers/from-web-identity.ts";
import { HOUR, T0, errorXml, fakeSts, tick, until, webIdentityXml } from "./fake-sts.ts";

const roleArn = "arn:aws:iam::123456789012:role/ci";
const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl";

function setup(
  respond: (action: string, n: number) => string | Response = (_action, n) => webIdentityXml(n, T0 + n * HOUR),
) {
  const sts = fakeSts(respond);
  const clock = { t: T0 };
  return { sts, clock, now: () => clock.t };
}

test("fromWebIdentity: exchanges the token once, then serves the cached credentials", async () => {
  const { sts, now } = setup();
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, now });
  const first = await provider();
  assert.equal(first.accessKeyId, "ASIAROLE1EXAMPLE");
  assert.ok(first.sessionToken.length > 0);
  assert.deepEqual(first.expiration, new Date(T0 + HOUR));
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE");
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1);

  const sent = sts.requests[0]!;
  assert.equal(sent.params.get("RoleArn"), roleArn);
  assert.equal(sent.params.get("WebIdentityToken"), token);
  assert.match(sent.params.get("RoleSessionName") ?? "", /^edge-sts-\d+$/);
  assert.equal(sent.headers.get("authorization"), null, "AssumeRoleWithWebIdentity goes out unsigned");
});

test("fromWebIdentity: sends the optional members it is given, token from a function on every call", async () => {
  const { sts, clock, now } = setup();
  let tokenCalls = 0;
  const provider = fromWebIdentity({
    region: "eu-west-1",
    fetch: sts.fetch,
    roleArn,
    roleSessionName: "edge-worker",
    webIdentityToken: async () => `${token}${++tokenCalls}`,
    durationSeconds: 900,
    policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    policyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
    providerId: "graph.facebook.com",
    now,
  });
  await provider();
  clock.t = T0 + HOUR; // expired: blocks on a new exchange
  await provider();
  assert.equal(tokenCalls, 2);
  const [a, b] = sts.requests;
  assert.equal(a!.params.get("WebIdentityToken"), `${token}1`);
  assert.equal(b!.params.get("WebIdentityToken"), `${token}2`);
  assert.equal(a!.params.get("RoleSessionName"), "edge-worker");
  assert.equal(a!.params.get("DurationSeconds"), "900");
  assert.equal(a!.params.get("PolicyArns.member.1.arn"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
  assert.equal(a!.params.get("ProviderId"), "graph.facebook.com");
  assert.match(a!.params.get("Policy") ?? "", /s3:GetObject/);
});

test("fromWebIdentity: concurrent callers share one STS call", async () => {
  const { sts, now } = setup();
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, now });
  sts.hold();
  const all = Array.from({ length: 100 }, () => provider());
  await tick();
  sts.release();
  const results = await Promise.all(all);
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1);
  assert.ok(results.every((c) => c.accessKeyId === "ASIAROLE1EXAMPLE"));
});

test("fromWebIdentity: refreshes ahead of expiry in the background, serving the old credentials meanwhile", async () => {
  const { sts, clock, now } = setup();
  const provider = fromWebIdentity({
    region: "eu-west-1",
    fetch: sts.fetch,
    roleArn,
    webIdentityToken: token,
    refreshWindowSeconds: 600,
    now,
  });
  await provider();
  clock.t = T0 + HOUR - 700_000;
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE");
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1, "fresh outside the 600 s window (even with jitter)");
  clock.t = T0 + HOUR - 599_000;
  sts.hold();
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE", "inside the window: old credentials at once");
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE");
  await tick();
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 2, "one background refresh");
  sts.release();
  await until(async () => (await provider()).accessKeyId === "ASIAROLE2EXAMPLE");
  assert.equal((await provider()).accessKeyId, "ASIAROLE2EXAMPLE");
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 2);
});

test("fromWebIdentity: an STS rejection propagates as StsError and is not cached", async () => {
  let fail = true;
  const { sts, now } = setup((_action, n) =>
    fail
      ? new Response(errorXml("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider"), {
          status: 400,
          headers: { "content-type": "text/xml" },
        })
      : webIdentityXml(n, T0 + HOUR),
  );
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, now });
  const err = await provider().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StsError);
  assert.equal(err.code, "InvalidIdentityToken");
  assert.ok(!err.message.includes(token));
  fail = false;
  assert.equal((await provider()).accessKeyId, "ASIAROLE2EXAMPLE");
});

test("fromWebIdentity: options are checked at once", () => {
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
  const { sts, now } = setup();
  const client = new copy.StsClient({ region: "eu-west-1", fetch: sts.fetch });
  assert.equal(client instanceof StsClient, false);
  const provider = fromWebIdentity({ client: client as StsClient, roleArn, webIdentityToken: token, now });
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE");
});
