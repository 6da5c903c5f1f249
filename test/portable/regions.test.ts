/** The nearest STS region on every runtime: from `request.cf`, from `c.env` bindings, none; failover to the next. */
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables } from "../../src/hono/index.ts";
import { nearestRegions } from "../../src/regions.ts";
import { idToken, manualClock, ROLE_ARN, scriptedSts } from "../hono/fixtures.ts";
import { assertEquals, test } from "./harness.ts";

const THREE = ["us-east-1", "eu-central-1", "ap-southeast-2"];

function regionsApp() {
  const clock = manualClock();
  const sts = scriptedSts(clock.now);
  const hosts: string[] = [];
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({
    roleArn: ROLE_ARN,
    region: "eu-west-1",
    stsRegions: { nearest: THREE },
    cache: new CredentialCache<StsSession>({ now: clock.now }),
    now: clock.now,
    fetch: (input, init) => {
      hosts.push(new URL(input instanceof Request ? input.url : input).hostname);
      return sts.fetch(input, init);
    },
  }));
  app.get("/api/region", (c) => c.text(c.var.aws.region ?? ""));
  let n = 0;
  const ask = async (cf?: object, env?: Record<string, string>) => {
    const request = new Request("http://app.test/api/region", { headers: { Authorization: `Bearer ${idToken(`p-${++n}`, clock.now())}` } });
    if (cf) Object.defineProperty(request, "cf", { value: cf });
    const response = await app.request(request, undefined, env);
    assertEquals(response.status, 200, "status");
    assertEquals(await response.text(), "eu-west-1", "c.var.aws signs for the service region");
    return hosts.splice(0);
  };
  return { ask, sts };
}

test("regions: request.cf picks the nearest STS region; the service region stays", async () => {
  const { ask } = regionsApp();
  assertEquals(await ask({ colo: "SYD" }), ["sts.ap-southeast-2.amazonaws.com"]);
  assertEquals(await ask({ latitude: "50.1", longitude: "8.7" }), ["sts.eu-central-1.amazonaws.com"]);
});

test("regions: env bindings (FLY_REGION, VERCEL_REGION, DENO_REGION) pick the nearest; no hint → the first", async () => {
  const { ask } = regionsApp();
  assertEquals(await ask(undefined, { FLY_REGION: "syd" }), ["sts.ap-southeast-2.amazonaws.com"]);
  assertEquals(await ask(undefined, { VERCEL_REGION: "fra1" }), ["sts.eu-central-1.amazonaws.com"]);
  assertEquals(await ask(undefined, { DENO_REGION: "gcp-us-east4" }), ["sts.us-east-1.amazonaws.com"]);
  const none = await ask();
  // The runtime's own environment may place it (e.g. AWS_REGION on a CI runner); the table decides either way.
  assertEquals(none.length, 1);
});

test("regions: a 503 from the nearest region fails over to the next nearest", async () => {
  const { ask, sts } = regionsApp();
  sts.queue.push(() => new Response("", { status: 503 }));
  assertEquals(await ask({ colo: "FRA" }), ["sts.eu-central-1.amazonaws.com", "sts.us-east-1.amazonaws.com"]);
  assertEquals(nearestRegions({ cf: { colo: "FRA" } }, THREE), ["eu-central-1", "us-east-1", "ap-southeast-2"]);
});
