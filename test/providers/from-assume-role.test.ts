/** fromAssumeRole against a scripted STS: caching, refresh ahead, single flight, role chaining. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError, StsError } from "../../src/errors.ts";
import { fromAssumeRole } from "../../src/providers/from-assume-role.ts";
import { HOUR, T0, assumeRoleXml, callerIdentityXml, errorXml, fakeSts, tick, until } from "./fake-sts.ts";

const roleArn = "arn:aws:iam::123456789012:role/demo";
const baseCredentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

function setup(respond?: (action: string, n: number) => string | Response) {
  const sts = fakeSts(
    respond ?? ((action, n) => (action === "AssumeRole" ? assumeRoleXml(n, T0 + n * HOUR) : callerIdentityXml())),
  );
  const base = new StsClient({ region: "eu-west-1", credentials: baseCredentials, fetch: sts.fetch });
  const clock = { t: T0 };
  return { sts, base, clock, now: () => clock.t };
}

test("fromAssumeRole: role chaining signs the chained call with the assumed role's key and session token", async () => {
  const { sts, base, now } = setup();
  const chained = new StsClient({
    region: "eu-west-1",
    credentials: fromAssumeRole({ client: base, roleArn, roleSessionName: "edge", now }),
    fetch: sts.fetch,
  });
  const who = await chained.getCallerIdentity();
  assert.equal(who.arn, "arn:aws:sts::123456789012:assumed-role/demo/edge");
  await chained.getCallerIdentity();

  assert.deepEqual(sts.requests.map((r) => r.action), ["AssumeRole", "GetCallerIdentity", "GetCallerIdentity"]);
  const [assume, gci] = sts.requests;
  assert.match(assume!.headers.get("authorization") ?? "", /Credential=AKIAIOSFODNN7EXAMPLE\//);
  assert.equal(assume!.headers.get("x-amz-security-token"), null);
  assert.equal(assume!.params.get("RoleArn"), roleArn);
  assert.equal(assume!.params.get("RoleSessionName"), "edge");
  assert.match(gci!.headers.get("authorization") ?? "", /Credential=ASIAROLE1EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request/);
  assert.equal(
    gci!.headers.get("x-amz-security-token"),
    "IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQ1session",
  );
  assert.equal(sts.calls("AssumeRole"), 1, "the second chained call reuses the cached role credentials");
});

test("fromAssumeRole: sends AssumeRole's members, with a default session name and an MFA code from a function", async () => {
  const { sts, base, now } = setup();
  let codes = 0;
  const provider = fromAssumeRole({
    client: base,
    roleArn,
    externalId: "tenant-42",
    durationSeconds: 1800,
    tags: [{ key: "team", value: "edge" }],
    transitiveTagKeys: ["team"],
    sourceIdentity: "alice",
    serialNumber: "arn:aws:iam::123456789012:mfa/alice",
    tokenCode: async () => String(123456 + codes++),
    now,
  });
  const creds = await provider();
  assert.equal(creds.accessKeyId, "ASIAROLE1EXAMPLE");
  const p = sts.requests[0]!.params;
  assert.match(p.get("RoleSessionName") ?? "", /^edge-sts-\d+$/);
  assert.equal(p.get("ExternalId"), "tenant-42");
  assert.equal(p.get("DurationSeconds"), "1800");
  assert.equal(p.get("Tags.member.1.Key"), "team");
  assert.equal(p.get("Tags.member.1.Value"), "edge");
  assert.equal(p.get("TransitiveTagKeys.member.1"), "team");
  assert.equal(p.get("SourceIdentity"), "alice");
  assert.equal(p.get("SerialNumber"), "arn:aws:iam::123456789012:mfa/alice");
  assert.equal(p.get("TokenCode"), "123456");
  assert.equal(p.has("RefreshWindowSeconds") || p.has("Now") || p.has("Client"), false);
});

test("fromAssumeRole: cached, refreshed ahead of expiry, concurrent callers share one call", async () => {
  const { sts, base, clock, now } = setup();
  const provider = fromAssumeRole({ client: base, roleArn, now });
  sts.hold();
  const all = Array.from({ length: 100 }, () => provider());
  await tick();
  sts.release();
  assert.ok((await Promise.all(all)).every((c) => c.accessKeyId === "ASIAROLE1EXAMPLE"));
  assert.equal(sts.calls("AssumeRole"), 1);

  clock.t = T0 + HOUR - 331_000;
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE");
  assert.equal(sts.calls("AssumeRole"), 1);
  clock.t = T0 + HOUR - 299_000;
  const during = await Promise.all(Array.from({ length: 10 }, () => provider()));
  assert.ok(during.every((c) => c.accessKeyId === "ASIAROLE1EXAMPLE"), "old credentials served at once");
  await until(() => sts.calls("AssumeRole") > 1);
  assert.equal(sts.calls("AssumeRole"), 2, "one background refresh");
  await until(async () => (await provider()).accessKeyId === "ASIAROLE2EXAMPLE");
  assert.equal((await provider()).accessKeyId, "ASIAROLE2EXAMPLE");
  assert.equal(sts.calls("AssumeRole"), 2);
});

test("fromAssumeRole: a failed refresh keeps the old credentials until 60 s before expiry, then blocks", async () => {
  let down = false;
  const { sts, base, clock, now } = setup((_action, n) =>
    down
      ? new Response(errorXml("AccessDenied", "not authorized to perform sts:AssumeRole"), { status: 403 })
      : assumeRoleXml(n, T0 + n * HOUR),
  );
  const provider = fromAssumeRole({ client: base, roleArn, now });
  await provider();
  down = true;
  clock.t = T0 + HOUR - 120_000;
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE");
  await until(() => sts.responded("AssumeRole") > 1);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the error response is read and parsed
  assert.equal(sts.calls("AssumeRole"), 2);
  assert.equal((await provider()).accessKeyId, "ASIAROLE1EXAMPLE", "stale but still served");
  assert.equal(sts.calls("AssumeRole"), 2, "no new attempt within the back-off");
  clock.t = T0 + HOUR - 60_000;
  const err = await provider().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StsError);
  assert.equal(err.code, "AccessDenied");
  down = false;
  assert.equal((await provider()).accessKeyId.startsWith("ASIAROLE"), true);
});

test("fromAssumeRole: options are checked at once", () => {
  const { base } = setup();
  const bad: unknown[] = [
    undefined,
    { roleArn },
    { client: {}, roleArn },
    { client: base },
    { client: base, roleArn: 7 },
    { client: base, roleArn, tokenCode: 123456 },
    { client: base, roleArn, refreshWindowSeconds: Infinity },
  ];
  for (const options of bad) assert.throws(() => fromAssumeRole(options as never), StsConfigurationError);
});
