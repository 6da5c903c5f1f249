/**
 * Region failover over real HTTP: two STS emulators on two loopback ports stand in for two regions
 * (each checks that signed calls are scoped to its own region). One fails in each retryable way; the
 * next attempt goes to the other, within the attempt budget; the failed one is skipped for the
 * cool-down; a rejection (4xx) never fails over.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { StsClient } from "../src/client.ts";
import type { StsClientOptions } from "../src/client.ts";
import { StsConfigurationError, StsError } from "../src/errors.ts";
import { createOidcIssuer, createStsEmulator, DEFAULT_ACCESS_KEY } from "../src/testing/index.ts";
import type { StsEmulator, StsFault } from "../src/testing/index.ts";
import { serveFetch, serveRaw } from "./hardening/servers.ts";
import type { Served } from "./hardening/servers.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const LONG_TERM = { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey };
const issuer = createOidcIssuer();
const stranger = createOidcIssuer({ issuer: "https://untrusted.example.com" });

interface Region {
  name: string;
  sts: StsEmulator;
  served: Served;
}
let west: Region;
let central: Region;
let dropper: Served; // a "region" whose connections are reset: a network failure

async function region(name: string): Promise<Region> {
  const sts = createStsEmulator({ issuers: [issuer], region: name });
  return { name, sts, served: await serveFetch(sts.fetch) };
}

before(async () => {
  west = await region("eu-west-1");
  central = await region("eu-central-1");
  dropper = await serveRaw((req) => req.socket.destroy());
});
after(async () => {
  await Promise.all([west.served.close(), central.served.close(), dropper.close()]);
});
let seen: () => [number, number];
beforeEach(() => {
  for (const r of [west, central]) r.sts.faults.clear();
  seen = counter();
});

function client(options: Partial<StsClientOptions> = {}): StsClient {
  return new StsClient({
    regions: [west.name, central.name],
    endpoints: { [west.name]: west.served.url, [central.name]: central.served.url },
    maxAttempts: 3,
    timeoutMs: 300,
    retryBaseDelayMs: 0,
    retryMaxDelayMs: 0,
    maxRetryAfterMs: 1000,
    failoverCooldownMs: 60_000,
    ...options,
  });
}

async function exchange(sts: StsClient, sub = "user-1") {
  return sts.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: await issuer.mint({ sub }) });
}

const calls = (r: Region) => r.sts.calls.count("AssumeRoleWithWebIdentity");
/** AssumeRoleWithWebIdentity calls [west, central] since the counter was made. */
function counter(): () => [number, number] {
  const start = [calls(west), calls(central)];
  return () => [calls(west) - start[0]!, calls(central) - start[1]!];
}

describe("failover to the next region on each kind of retryable failure", () => {
  const faults: [string, StsFault][] = [
    ["503 ServiceUnavailable", { kind: "server-error", status: 503 }],
    ["500 InternalFailure", { kind: "server-error", status: 500 }],
    ["400 Throttling", { kind: "throttling" }],
    ["429 with a Retry-After longer than maxRetryAfterMs", { kind: "too-many-requests", retryAfterSeconds: 60 }],
    ["an HTML 502 from a proxy", { kind: "html", status: 502 }],
    ["a time-out (the region hangs)", { kind: "hang" }],
  ];
  for (const [name, fault] of faults) {
    test(name, async () => {
      const sts = client();
      west.sts.faults.next(10, fault);
      const before = { west: calls(west), central: calls(central) };
      const out = await exchange(sts);
      assert.ok(out.credentials?.accessKeyId);
      assert.equal(calls(west) - before.west, 1, "one attempt at the failing region");
      assert.equal(calls(central) - before.central, 1, "the next attempt at the other region");
      // Within the cool-down the failing region is skipped: straight to the healthy one.
      await exchange(sts, "user-2");
      assert.equal(calls(west) - before.west, 1, "the failing region is not tried again during its cool-down");
      assert.equal(calls(central) - before.central, 2);
    });
  }

  test("a network failure (connection reset)", async () => {
    const sts = new StsClient({
      regions: ["eu-west-1", "eu-central-1"],
      endpoints: { "eu-west-1": dropper.url, "eu-central-1": central.served.url },
      maxAttempts: 2,
      retryBaseDelayMs: 0,
      timeoutMs: 1000,
    });
    const seen = { dropper: dropper.requests, central: calls(central) };
    const out = await exchange(sts);
    assert.ok(out.credentials);
    assert.equal(dropper.requests - seen.dropper, 1);
    assert.equal(calls(central) - seen.central, 1);
  });
});

describe("order, budget and cool-down", () => {
  test("both regions failing: attempts alternate within maxAttempts, then the last failure", async () => {
    const sts = client({ failoverCooldownMs: 0 });
    west.sts.faults.next(10, { kind: "server-error", status: 503 });
    central.sts.faults.next(10, { kind: "server-error", status: 503 });
    const err = await exchange(sts).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.equal(err.code, "ServiceUnavailable");
    assert.equal(err.attempts, 3);
    assert.deepEqual(seen(), [2, 1], "west, central, west");
  });

  test("the cool-down ends: the first region is first again", async () => {
    const sts = client({ failoverCooldownMs: 250 });
    west.sts.faults.next(1, { kind: "server-error", status: 503 });
    await exchange(sts);
    await exchange(sts, "user-2");
    assert.deepEqual(seen(), [1, 2], "west cooling: central first");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await exchange(sts, "user-3");
    assert.deepEqual(seen(), [2, 2], "cool-down over: west first again");
  });

  test("a cooling region answers again when every region is cooling (never refuse to call)", async () => {
    const sts = client({ maxAttempts: 2 });
    west.sts.faults.next(1, { kind: "server-error", status: 503 });
    central.sts.faults.next(1, { kind: "server-error", status: 503 });
    await assert.rejects(exchange(sts), { code: "ServiceUnavailable" });
    const out = await exchange(sts, "user-2"); // both cooling: the order given
    assert.ok(out.credentials);
    assert.deepEqual(seen(), [2, 1]);
  });

  test("a success clears the region's cool-down", async () => {
    const sts = client({ regions: [west.name, central.name], maxAttempts: 2 });
    central.sts.faults.next(1, { kind: "server-error", status: 503 });
    // This call's own order starts at central: it fails there, west answers.
    await exchange(sts); // west first (healthy) — no failover
    await sts.assumeRoleWithWebIdentity(
      { roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: await issuer.mint({ sub: "u" }) },
      { regions: [central.name, west.name] },
    );
    assert.deepEqual(seen(), [2, 1]);
    // central is cooling; a call that lists only central still goes there, and its success clears the mark.
    await sts.assumeRoleWithWebIdentity(
      { roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: await issuer.mint({ sub: "v" }) },
      { regions: [central.name] },
    );
    await sts.assumeRoleWithWebIdentity(
      { roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: await issuer.mint({ sub: "w" }) },
      { regions: [central.name, west.name] },
    );
    assert.deepEqual(seen(), [2, 3], "central healthy again: first");
  });

  test("no retry budget left: the call ends at the failed region, and only that one cools down", async () => {
    const sts = client({ retryBudget: { capacity: 0 } });
    west.sts.faults.next(1, { kind: "server-error", status: 503 });
    await assert.rejects(exchange(sts), (err: unknown) => err instanceof StsError && err.code === "ServiceUnavailable" && err.attempts === 1);
    assert.deepEqual(seen(), [1, 0]);
    await exchange(sts, "user-2"); // west cooling, central healthy (never tried): central first
    assert.deepEqual(seen(), [1, 1]);
    await exchange(sts, "user-3");
    assert.deepEqual(seen(), [1, 2], "central was not put on cool-down by the attempt that never ran");
  });

  test("signed calls are signed for the region each attempt goes to", async () => {
    const sts = client({ credentials: LONG_TERM });
    west.sts.faults.next(1, { kind: "server-error", status: 503 });
    const out = await sts.getCallerIdentity();
    assert.equal(out.account, "123456789012");
    // central's emulator refuses a credential scope that is not eu-central-1.
    assert.equal(central.sts.calls.last?.status, 200);
    assert.equal(west.sts.calls.count("GetCallerIdentity"), 1);
  });
});

describe("a region where STS is deactivated (RegionDisabledException)", () => {
  // What STS answers when an administrator deactivated STS for the region (IAM account settings).
  const disabled: StsFault = {
    kind: "error",
    status: 403,
    code: "RegionDisabledException",
    message: "STS is not activated in this region for account:123456789012.",
  };

  test("the next region answers, the disabled one is not retried, and it stays last for 10x the cool-down", async () => {
    const sts = client({ failoverCooldownMs: 150 });
    west.sts.faults.next(10, disabled);
    const out = await exchange(sts);
    assert.ok(out.credentials?.accessKeyId);
    assert.deepEqual(seen(), [1, 1], "one attempt at the disabled region, then the other");
    // Past the normal cool-down (150 ms), well within 10x (1.5 s): still skipped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await exchange(sts, "user-2");
    assert.deepEqual(seen(), [1, 2], "the disabled region is still tried last");
  });

  test("the disabled region is left out of the rest of the call: a 503 at the other region is retried there", async () => {
    const sts = client({ failoverCooldownMs: 0 });
    west.sts.faults.next(10, disabled);
    central.sts.faults.next(1, { kind: "server-error", status: 503 });
    const out = await exchange(sts);
    assert.ok(out.credentials?.accessKeyId);
    assert.deepEqual(seen(), [1, 2], "west, central, central: never back to the disabled region");
  });

  test("no other region: one attempt, RegionDisabledException for the direct caller", async () => {
    const sts = client({ regions: [west.name] });
    west.sts.faults.next(10, disabled);
    const err = await exchange(sts).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.equal(err.code, "RegionDisabledException");
    assert.equal(err.status, 403);
    assert.equal(err.retryable, false);
    assert.equal(err.attempts, 1);
    assert.deepEqual(seen(), [1, 0]);
  });

  test("every region disabled: each tried once, then RegionDisabledException", async () => {
    const sts = client({ maxAttempts: 3 });
    west.sts.faults.next(10, disabled);
    central.sts.faults.next(10, disabled);
    const err = await exchange(sts).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.equal(err.code, "RegionDisabledException");
    assert.equal(err.attempts, 2);
    assert.deepEqual(seen(), [1, 1]);
  });
});

describe("Retry-After after the route wraps around", () => {
  /** A client whose fetch logs when each attempt leaves, and for which region. */
  function timedClient(options: Partial<StsClientOptions>) {
    const log: { region: string; at: number }[] = [];
    const sts = client({
      failoverCooldownMs: 0,
      fetch: (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        log.push({ region: url.startsWith(west.served.url) ? west.name : central.name, at: performance.now() });
        return fetch(input, init);
      },
      ...options,
    });
    return { sts, log };
  }

  test("both regions asked to wait longer than maxRetryAfterMs: the call ends instead of asking the first again", async () => {
    const { sts, log } = timedClient({ maxAttempts: 3, maxRetryAfterMs: 1000 });
    west.sts.faults.next(10, { kind: "server-error", status: 503, retryAfterSeconds: 7 });
    central.sts.faults.next(10, { kind: "server-error", status: 503, retryAfterSeconds: 7 });
    const err = await exchange(sts).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.equal(err.code, "ServiceUnavailable");
    assert.deepEqual(log.map((entry) => entry.region), [west.name, central.name], "west's Retry-After: 7 is honoured");
    assert.equal(err.attempts, 2);
    assert.equal(err.retryAfterSeconds, 7);
  });

  test("a Retry-After within maxRetryAfterMs is waited for before going back to that region", async () => {
    const { sts, log } = timedClient({ maxAttempts: 3, maxRetryAfterMs: 5000 });
    west.sts.faults.next(1, { kind: "server-error", status: 503, retryAfterSeconds: 1 });
    central.sts.faults.next(1, { kind: "server-error", status: 503 });
    const out = await exchange(sts);
    assert.ok(out.credentials?.accessKeyId);
    assert.deepEqual(log.map((entry) => entry.region), [west.name, central.name, west.name]);
    const gap = log[2]!.at - log[0]!.at;
    assert.ok(gap >= 950, `west asked again ${gap.toFixed(0)} ms after it said Retry-After: 1`);
  });
});

describe("no failover on a rejection", () => {
  test("a 4xx answer (untrusted issuer) ends the call at the first region, and cools nothing", async () => {
    const sts = client();
    const token = await stranger.mint({ sub: "mallory" });
    const err = await sts
      .assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: token })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StsError);
    assert.equal(err.code, "InvalidIdentityToken");
    assert.equal(err.status, 400);
    assert.equal(err.attempts, 1);
    assert.deepEqual(seen(), [1, 0]);
    await exchange(sts);
    assert.deepEqual(seen(), [2, 0], "west was not put on cool-down");
  });

  test("AccessDenied (a role that does not exist) does not fail over either", async () => {
    const sts = client();
    const token = await issuer.mint({ sub: "user-1" });
    await assert.rejects(
      sts.assumeRoleWithWebIdentity({ roleArn: "arn:aws:iam::999999999999:role/nope", roleSessionName: "session", webIdentityToken: token }),
      (err: unknown) => err instanceof StsError && err.status === 403 && err.attempts === 1,
    );
    assert.deepEqual(seen(), [1, 0]);
  });

  test("an abort by the caller fails nothing over and cools nothing down", async () => {
    const sts = client({ timeoutMs: 5000 });
    west.sts.faults.next(1, { kind: "hang" });
    const controller = new AbortController();
    const call = sts.assumeRoleWithWebIdentity(
      { roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: await issuer.mint({ sub: "x" }) },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(call, { code: "AbortError" });
    assert.deepEqual(seen(), [1, 0]);
    await exchange(sts);
    assert.deepEqual(seen(), [2, 0], "west is still first");
  });
});

describe("configuration", () => {
  test("FIPS and dual-stack apply to every region; the signing region follows the endpoint", async () => {
    const hosts: string[] = [];
    const fetch = async (input: string | URL | Request) => {
      hosts.push(new URL(input instanceof Request ? input.url : input).host);
      return new Response("<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>", { status: 503 });
    };
    const fips = new StsClient({ regions: ["us-east-1", "us-west-2"], useFipsEndpoint: true, fetch, retryBaseDelayMs: 0, maxAttempts: 2 });
    await assert.rejects(exchange(fips));
    assert.deepEqual(hosts.splice(0), ["sts-fips.us-east-1.amazonaws.com", "sts-fips.us-west-2.amazonaws.com"]);
    const dual = new StsClient({ regions: ["eu-west-1", "eu-north-1"], useDualstackEndpoint: true, fetch, retryBaseDelayMs: 0, maxAttempts: 2 });
    await assert.rejects(exchange(dual));
    assert.deepEqual(hosts.splice(0), ["sts.eu-west-1.api.aws", "sts.eu-north-1.api.aws"]);
    const cn = new StsClient({ regions: ["cn-north-1", "cn-northwest-1"], fetch, retryBaseDelayMs: 0, maxAttempts: 2 });
    await assert.rejects(exchange(cn));
    assert.deepEqual(hosts.splice(0), ["sts.cn-north-1.amazonaws.com.cn", "sts.cn-northwest-1.amazonaws.com.cn"]);
    assert.equal(cn.cacheScope, "aws-cn");
    // The legacy global endpoint serves both regions: one endpoint, so nothing to fail over to.
    const global = new StsClient({ regions: ["us-east-1", "eu-west-1"], useGlobalEndpoint: true, fetch, retryBaseDelayMs: 0, maxAttempts: 2 });
    await assert.rejects(exchange(global));
    assert.deepEqual(hosts.splice(0), ["sts.amazonaws.com", "sts.amazonaws.com"]);
  });

  test("combinations that cannot work are refused at once", () => {
    const refuses = (options: StsClientOptions, message: RegExp) =>
      assert.throws(() => new StsClient(options), (err: unknown) => err instanceof StsConfigurationError && message.test(err.message));
    refuses({ regions: ["us-east-1", "cn-north-1"] }, /one partition/);
    refuses({ regions: [] }, /non-empty/);
    refuses({ region: "us-east-1", regions: ["us-east-1"] }, /not both/);
    refuses({ regions: ["us-east-1"], endpoint: "http://127.0.0.1:1" }, /endpoints/);
    refuses({ regions: ["us-east-1", "bad/region"] }, /host label/);
    refuses({ regions: ["us-east-1"], endpoints: { "us-east-1": "http://127.0.0.1:1" }, useFipsEndpoint: true }, /FIPS and custom endpoint/);
    refuses({ regions: ["us-east-1"], failoverCooldownMs: -1 }, /failoverCooldownMs/);
  });

  test("per-call regions: another partition, or a client of one custom endpoint, are refused per call", async () => {
    const sts = client();
    await assert.rejects(
      sts.getCallerIdentity({}, { regions: ["cn-north-1"] }),
      (err: unknown) => err instanceof StsConfigurationError && /partition/.test(err.message),
    );
    const single = new StsClient({ endpoint: west.served.url });
    await assert.rejects(single.getCallerIdentity({}, { regions: ["eu-west-1"] }), StsConfigurationError);
    assert.deepEqual(single.regions, []);
  });

  test("the cache scope never names a region", () => {
    assert.equal(new StsClient({ region: "eu-west-1" }).cacheScope, new StsClient({ regions: ["us-east-1", "ap-southeast-2"] }).cacheScope);
    assert.equal(client().cacheScope, client({ regions: [central.name, west.name] }).cacheScope);
    assert.notEqual(new StsClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9" }).cacheScope, "aws");
  });
});
