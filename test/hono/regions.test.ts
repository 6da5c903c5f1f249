/**
 * `stsRegions` in a real Hono app: which STS region a miss goes to per platform hint (a `cf` object,
 * each environment variable, none), a chooser of one's own, the service region of `c.var.aws`, and
 * one cache entry whatever region answered (two STS emulators on two loopback ports).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { fromWebIdentity } from "../../src/providers/from-web-identity.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";
import { serveFetch } from "../hardening/servers.ts";
import type { Served } from "../hardening/servers.ts";
import { idToken, manualClock, ROLE_ARN, scriptedSts, stsError } from "./fixtures.ts";

const THREE = ["us-east-1", "eu-central-1", "ap-southeast-2"];

// The machine running the tests may itself set these (AWS_REGION on a CI runner): none of them here.
const HINT_VARIABLES = ["DENO_REGION", "FLY_REGION", "VERCEL_REGION", "AWS_REGION"];
const savedEnv = Object.fromEntries(HINT_VARIABLES.map((name) => [name, process.env[name]]));
before(() => {
  for (const name of HINT_VARIABLES) delete process.env[name];
});
after(() => {
  for (const [name, value] of Object.entries(savedEnv)) if (value !== undefined) process.env[name] = value;
});

/** An app whose STS is scripted and records the host of every attempt. */
function hostApp(options: Partial<StsCredentialsOptions>) {
  const clock = manualClock();
  const sts = scriptedSts(clock.now);
  const hosts: string[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    hosts.push(new URL(input instanceof Request ? input.url : input).hostname.replace(/^sts\.|\.amazonaws\.com$/g, ""));
    return sts.fetch(input, init);
  };
  const cache = new CredentialCache<StsSession>({ now: clock.now });
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, fetch, cache, now: clock.now, ...options }));
  app.get("/api/creds", (c) => c.json({ region: c.var.aws.region ?? null }));
  let n = 0;
  const request = (init: { cf?: object; env?: Record<string, string>; headers?: Record<string, string> } = {}) => {
    const headers = { Authorization: `Bearer ${idToken(`user-${++n}`, clock.now())}`, ...init.headers };
    const req = new Request("http://app.test/api/creds", { headers });
    if (init.cf) Object.defineProperty(req, "cf", { value: init.cf });
    return app.request(req, undefined, init.env);
  };
  return { request, hosts, sts };
}

describe("the STS region of a miss, per platform hint", () => {
  const cases: [string, { cf?: object; env?: Record<string, string> }, string][] = [
    ["Workers: request.cf.colo", { cf: { colo: "SYD", continent: "OC" } }, "ap-southeast-2"],
    ["Workers: request.cf latitude/longitude", { cf: { latitude: "50.11", longitude: "8.68" } }, "eu-central-1"],
    ["Workers: request.cf.continent", { cf: { continent: "EU" } }, "eu-central-1"],
    ["Deno Deploy: DENO_REGION", { env: { DENO_REGION: "gcp-australia-southeast1" } }, "ap-southeast-2"],
    ["Fly.io: FLY_REGION", { env: { FLY_REGION: "ams" } }, "eu-central-1"],
    ["Vercel: VERCEL_REGION", { env: { VERCEL_REGION: "syd1" } }, "ap-southeast-2"],
    ["AWS_REGION", { env: { AWS_REGION: "eu-west-2" } }, "eu-central-1"],
    ["no hint: the first candidate", {}, "us-east-1"],
  ];
  for (const [name, init, expected] of cases) {
    test(name, async () => {
      const { request, hosts } = hostApp({ stsRegions: { nearest: THREE } });
      const res = await request(init);
      assert.equal(res.status, 200);
      assert.deepEqual(hosts, [expected]);
    });
  }

  test("the runtime's environment (process.env on Node, through hono's env adapter)", async () => {
    const saved = process.env.FLY_REGION;
    process.env.FLY_REGION = "syd";
    try {
      const { request, hosts } = hostApp({ stsRegions: { nearest: THREE } });
      await request();
      assert.deepEqual(hosts, ["ap-southeast-2"]);
    } finally {
      if (saved === undefined) delete process.env.FLY_REGION;
      else process.env.FLY_REGION = saved;
    }
  });

  test('"nearest" without candidates: the enabled-by-default regions, never an opt-in one', async () => {
    const { request, hosts } = hostApp({ stsRegions: "nearest", region: "eu-west-1" });
    await request({ cf: { colo: "CPT" } }); // Cape Town: af-south-1 is opt-in
    await request({ cf: { colo: "MEL" } }); // Melbourne: ap-southeast-4 is opt-in
    await request({ env: { FLY_REGION: "sin" } });
    assert.notEqual(hosts[0], "af-south-1");
    assert.equal(hosts[1], "ap-southeast-2");
    assert.equal(hosts[2], "ap-southeast-1");
  });

  test("a failing nearest region fails over to the next nearest; onExchange names the region that answered", async () => {
    const seen: (string | undefined)[] = [];
    const { request, hosts, sts } = hostApp({ stsRegions: { nearest: THREE }, onExchange: (info) => seen.push(info.stsRegion) });
    sts.queue.push(() => new Response("<html>bad gateway</html>", { status: 502 }));
    assert.equal((await request({ cf: { colo: "SYD" } })).status, 200);
    assert.deepEqual(hosts, ["ap-southeast-2", "us-east-1"]);
    sts.queue.push(() => new Response("", { status: 503 }), () => new Response("", { status: 503 }), () => new Response("", { status: 503 }));
    assert.equal((await request({ cf: { colo: "FRA" } })).status, 503);
    assert.deepEqual(hosts.slice(2), ["eu-central-1", "us-east-1", "ap-southeast-2"]);
    assert.deepEqual(seen, ["us-east-1", "ap-southeast-2"], "the answering region, then the one that failed last");
  });

  test("STS deactivated in the nearest region (RegionDisabledException): the next region answers; none left: 503", async () => {
    const disabled = () => stsError("RegionDisabledException", 403, {}, "STS is not activated in this region for account:123456789012.");
    const { request, hosts, sts } = hostApp({ stsRegions: ["ap-southeast-2", "us-east-1"], region: "us-east-1" });
    sts.queue.push(disabled);
    assert.equal((await request()).status, 200);
    assert.deepEqual(hosts.splice(0), ["ap-southeast-2", "us-east-1"], "one attempt at the disabled region");
    const one = hostApp({ stsRegions: ["ap-southeast-2"], region: "us-east-1" });
    one.sts.always = disabled;
    const res = await one.request();
    assert.equal(res.status, 503, "the deployment's region is unavailable: not the caller's fault, not a bug");
    assert.ok(Number(res.headers.get("Retry-After")) > 0);
    assert.deepEqual(one.hosts, ["ap-southeast-2"], "never retried at the same region");
  });

  test("onExchange names the single region of a plain region option", async () => {
    const seen: (string | undefined)[] = [];
    const { request } = hostApp({ region: "eu-north-1", onExchange: (info) => seen.push(info.stsRegion) });
    await request();
    assert.deepEqual(seen, ["eu-north-1"]);
  });

  test("a fixed list: that order, whatever the hints", async () => {
    const { request, hosts, sts } = hostApp({ stsRegions: ["eu-west-1", "eu-north-1"] });
    sts.queue.push(() => new Response("", { status: 503 }));
    await request({ cf: { colo: "SYD" } });
    assert.deepEqual(hosts, ["eu-west-1", "eu-north-1"]);
  });

  test("a chooser of one's own: its region first, then the candidates nearest to it", async () => {
    const { request, hosts, sts } = hostApp({
      stsRegions: async (c) => {
        const tenant = c.req.header("x-tenant");
        return tenant === "eu" ? "eu-west-1" : tenant === "list" ? ["us-west-2", "us-east-2"] : undefined;
      },
    });
    sts.queue.push(() => new Response("", { status: 503 }));
    await request({ cf: { colo: "SYD" }, headers: { "x-tenant": "eu" } });
    assert.deepEqual(hosts.splice(0), ["eu-west-1", "eu-west-2"]);
    await request({ cf: { colo: "SYD" } }); // undefined: nearest from the hint
    assert.deepEqual(hosts.splice(0), ["ap-southeast-2"]);
    sts.queue.push(() => new Response("", { status: 503 }));
    await request({ headers: { "x-tenant": "list" } });
    assert.deepEqual(hosts.splice(0), ["us-west-2", "us-east-2"]);
  });
});

describe("c.var.aws: the service region, apart from the STS regions", () => {
  test("region is the service region; the exchange goes to the STS region", async () => {
    const { request, hosts } = hostApp({ region: "eu-west-1", stsRegions: { nearest: THREE } });
    const res = await request({ cf: { colo: "SYD" } });
    assert.deepEqual(await res.json(), { region: "eu-west-1" });
    assert.deepEqual(hosts, ["ap-southeast-2"]);
  });

  test("without region, c.var.aws signs for the region of each URL (aws4fetch's guess)", async () => {
    const { request } = hostApp({ stsRegions: { nearest: THREE } });
    assert.deepEqual(await (await request({ cf: { colo: "SYD" } })).json(), { region: null });
  });

  test("region alone still means both", async () => {
    const { request, hosts } = hostApp({ region: "eu-north-1" });
    assert.deepEqual(await (await request({ cf: { colo: "SYD" } })).json(), { region: "eu-north-1" });
    assert.deepEqual(hosts, ["eu-north-1"]);
  });

  test("options that cannot work are refused at start-up", () => {
    const refuses = (options: Partial<StsCredentialsOptions>, message: RegExp) =>
      assert.throws(() => stsCredentials({ roleArn: ROLE_ARN, ...options }), (err: unknown) => err instanceof StsConfigurationError && message.test(err.message));
    refuses({ stsRegions: [] }, /stsRegions/);
    refuses({ stsRegions: "closest" as never }, /stsRegions/);
    refuses({ stsRegions: { nearest: [] } }, /stsRegions/);
    refuses({ stsRegions: ["us-east-1", "cn-north-1"] }, /one partition/);
    refuses({ stsRegions: ["eu-west-1"], endpoint: "http://127.0.0.1:9" }, /endpoint/);
  });

  test("a client that cannot send to the stsRegions is refused at start-up, naming why", () => {
    const refuses = (client: StsClient, stsRegions: StsCredentialsOptions["stsRegions"], message: RegExp) =>
      assert.throws(
        () => stsCredentials({ roleArn: ROLE_ARN, client, stsRegions }),
        (err: unknown) => err instanceof StsConfigurationError && message.test(err.message),
        `${client.regions.join(",") || client.endpoint.url} with ${JSON.stringify(stsRegions) ?? "a function"}`,
      );
    const vpce = new StsClient({ endpoint: "https://vpce-123.sts.eu-west-1.vpce.amazonaws.com" });
    for (const option of ["nearest", ["eu-west-1"], { nearest: ["eu-west-1"] }, () => "eu-west-1"] as const) {
      refuses(vpce, option, /one custom endpoint.*vpce-123/);
    }
    const china = new StsClient({ region: "cn-north-1" });
    refuses(china, "nearest", /aws-cn.*us-east-1|us-east-1.*aws-cn/);
    refuses(china, () => undefined, /aws-cn/);
    refuses(china, ["us-east-1"], /aws-cn/);
    refuses(china, { nearest: ["cn-north-1", "eu-west-1"] }, /aws-cn/);
    // Regions the client can send to are accepted.
    stsCredentials({ roleArn: ROLE_ARN, client: china, stsRegions: { nearest: ["cn-north-1", "cn-northwest-1"] } });
    stsCredentials({ roleArn: ROLE_ARN, client: new StsClient({ region: "eu-west-1" }), stsRegions: "nearest" });
  });

  test("a client with regions of its own: they are the candidates of \"nearest\" (another partition too)", async () => {
    const clock = manualClock();
    const sts = scriptedSts(clock.now);
    const hosts: string[] = [];
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      hosts.push(new URL(input instanceof Request ? input.url : input).hostname);
      return sts.fetch(input, init);
    };
    const client = new StsClient({ regions: ["cn-north-1", "cn-northwest-1"], fetch });
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/*", stsCredentials({ roleArn: "arn:aws-cn:iam::123456789012:role/app", client, stsRegions: "nearest", cache: new CredentialCache<StsSession>({ now: clock.now }), now: clock.now }));
    app.get("/*", (c) => c.text("ok"));
    const req = new Request("http://app.test/", { headers: { Authorization: `Bearer ${idToken("li", clock.now())}` } });
    Object.defineProperty(req, "cf", { value: { colo: "HKG" } });
    assert.equal((await app.request(req)).status, 200);
    assert.deepEqual(hosts, ["sts.cn-north-1.amazonaws.com.cn"], "regions the table lacks: the order given");
  });
});

describe("one cache entry whatever STS region answered (two emulators on loopback)", () => {
  const issuer = createOidcIssuer();
  let west: { sts: StsEmulator; served: Served };
  let central: { sts: StsEmulator; served: Served };
  before(async () => {
    const make = async (region: string) => {
      const sts = createStsEmulator({ issuers: [issuer], region });
      return { sts, served: await serveFetch(sts.fetch) };
    };
    west = await make("eu-west-1");
    central = await make("eu-central-1");
  });
  after(() => Promise.all([west.served.close(), central.served.close()]));

  function regionalClient(regions = ["eu-west-1", "eu-central-1"]) {
    return new StsClient({
      regions,
      endpoints: { "eu-west-1": west.served.url, "eu-central-1": central.served.url },
      retryBaseDelayMs: 0,
      timeoutMs: 2000,
    });
  }
  const calls = () => [west.sts.calls.count("AssumeRoleWithWebIdentity"), central.sts.calls.count("AssumeRoleWithWebIdentity")];

  test("answered by the failover region, then served from the cache to a request whose nearest region is the other", async () => {
    const cache = new CredentialCache<StsSession>();
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/api/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/edge-app", client: regionalClient(), cache, stsRegions: "nearest" }));
    app.get("/api/creds", (c) => c.json({ accessKeyId: c.var.awsCredentials.accessKeyId }));
    const token = await issuer.mint({ sub: "user-1" });
    const ask = (colo: string) => {
      const req = new Request("http://app.test/api/creds", { headers: { Authorization: `Bearer ${token}` } });
      Object.defineProperty(req, "cf", { value: { colo } });
      return app.request(req);
    };
    const start = calls();
    west.sts.faults.next(1, { kind: "server-error", status: 503 });
    const first = await (await ask("DUB")).json(); // nearest: eu-west-1, which fails → eu-central-1
    assert.deepEqual(calls().map((n, i) => n - start[i]!), [1, 1]);
    const second = await (await ask("FRA")).json(); // nearest: eu-central-1
    const third = await (await ask("DUB")).json();
    assert.deepEqual(calls().map((n, i) => n - start[i]!), [1, 1], "no further STS call");
    assert.equal(second.accessKeyId, first.accessKeyId);
    assert.equal(third.accessKeyId, first.accessKeyId);
    assert.equal(cache.size, 1);
  });

  test("failover stays inside the exchange deadline: a hanging region and a short exchangeTimeoutMs answer 503 in time", async () => {
    const client = new StsClient({
      regions: ["eu-west-1", "eu-central-1"],
      endpoints: { "eu-west-1": west.served.url, "eu-central-1": central.served.url },
      timeoutMs: 5000,
      retryBaseDelayMs: 0,
    });
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/edge-app", client, cache: new CredentialCache<StsSession>(), exchangeTimeoutMs: 300 }));
    app.get("/*", (c) => c.text("ok"));
    west.sts.faults.next(1, { kind: "hang" });
    const start = calls();
    const started = performance.now();
    const res = await app.request("/", { headers: { Authorization: `Bearer ${await issuer.mint({ sub: "deadline" })}` } });
    const ms = performance.now() - started;
    assert.equal(res.status, 503);
    assert.ok(ms < 1500, `answered after ${ms.toFixed(0)} ms`);
    assert.deepEqual(calls().map((n, i) => n - start[i]!), [1, 0], "the deadline ended the call before a second attempt");
    west.sts.faults.clear();
  });

  test("two middleware instances whose clients start at different STS regions share the entry", async () => {
    const cache = new CredentialCache<StsSession>();
    const app = new Hono<{ Variables: StsVariables }>();
    const role = "arn:aws:iam::123456789012:role/edge-app";
    app.use("/a/*", stsCredentials({ roleArn: role, client: regionalClient(["eu-west-1", "eu-central-1"]), cache, region: "eu-west-1" }));
    app.use("/b/*", stsCredentials({ roleArn: role, client: regionalClient(["eu-central-1", "eu-west-1"]), cache, region: "eu-west-1" }));
    app.get("/*", (c) => c.text(c.var.awsCredentials.accessKeyId));
    const token = await issuer.mint({ sub: "user-2" });
    const start = calls();
    const a = await (await app.request("/a/x", { headers: { Authorization: `Bearer ${token}` } })).text();
    const b = await (await app.request("/b/x", { headers: { Authorization: `Bearer ${token}` } })).text();
    assert.equal(a, b);
    assert.deepEqual(calls().map((n, i) => n - start[i]!), [1, 0]);
    assert.equal(cache.size, 1);
  });
});

describe("one shared-store entry whatever STS region answered", () => {
  test("two isolates whose clients start at different regions: the second is answered by the store", async () => {
    const issuer = createOidcIssuer();
    const sts = createStsEmulator({ issuers: [issuer] });
    const hosts: string[] = [];
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      hosts.push(new URL(input instanceof Request ? input.url : input).hostname);
      return sts.fetch(input, init);
    };
    const memory = new Map<string, string>();
    const store = { get: (key: string) => memory.get(key), set: (key: string, value: string) => void memory.set(key, value) };
    const outcomes: string[] = [];
    const isolate = (regions: string[]) => {
      const app = new Hono<{ Variables: StsVariables }>();
      const client = new StsClient({ regions, fetch, retryBaseDelayMs: 0 });
      app.use("/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/edge-app", region: "eu-west-1", client, store, storeSecret: "edge-sts-test-store-secret-0123456789abcdef", cache: new CredentialCache<StsSession>(), serverTiming: true }));
      app.get("/*", (c) => c.text(c.var.awsCredentials.accessKeyId));
      return async (token: string) => {
        const res = await app.request("/", { headers: { Authorization: `Bearer ${token}` } });
        outcomes.push(/desc="(\w+)"/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? "?");
        return res.text();
      };
    };
    const west = isolate(["eu-west-1", "eu-central-1"]);
    const central = isolate(["eu-central-1", "eu-west-1"]);
    const token = await issuer.mint({ sub: "user-store" });
    const a = await west(token);
    for (let i = 0; i < 20 && memory.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await central(token);
    assert.equal(b, a);
    assert.deepEqual(hosts, ["sts.eu-west-1.amazonaws.com"], "one exchange, at the first isolate's region");
    assert.deepEqual(outcomes, ["miss", "store"]);
    assert.equal(memory.size, 1);
  });
});

describe("fromWebIdentity: one shared-store entry whatever region its client starts at", () => {
  test("the second provider (another region first) is answered by the store", async () => {
    const issuer = createOidcIssuer();
    const sts = createStsEmulator({ issuers: [issuer] });
    const token = await issuer.mint({ sub: "provider-user" });
    const memory = new Map<string, string>();
    const store = { get: (key: string) => memory.get(key), set: (key: string, value: string) => void memory.set(key, value) };
    const provider = (regions: string[]) =>
      fromWebIdentity({ client: new StsClient({ regions, fetch: sts.fetch }), roleArn: "arn:aws:iam::123456789012:role/edge-app", roleSessionName: "batch", webIdentityToken: token, store });
    const first = await provider(["us-east-1", "us-west-2"])();
    for (let i = 0; i < 20 && memory.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await provider(["us-west-2", "us-east-1"])();
    assert.equal(second.accessKeyId, first.accessKeyId);
    assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), 1);
  });
});

describe("Deno: DENO_REGION through Deno.env, only when env access is granted", () => {
  const deno = join(process.cwd(), "node_modules", ".bin", "deno");
  const probe = (permissions: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DENO_REGION: "gcp-australia-southeast1", NO_COLOR: "1" };
    for (const name of ["FLY_REGION", "VERCEL_REGION", "AWS_REGION"]) delete env[name];
    const run = spawnSync(deno, ["run", "--quiet", "--no-prompt", ...permissions, "test/hono/deno-region-probe.ts"], {
      env,
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout.trim().split("\n").pop()!);
  };

  test("granted: the nearest region to DENO_REGION", { timeout: 70_000 }, () => {
    assert.deepEqual(probe(["--allow-env=DENO_REGION"]), { status: 200, hosts: ["sts.ap-southeast-2.amazonaws.com"] });
  });

  test("not granted: no prompt, no failure, the first candidate", { timeout: 70_000 }, () => {
    assert.deepEqual(probe([]), { status: 200, hosts: ["sts.us-east-1.amazonaws.com"] });
  });
});
