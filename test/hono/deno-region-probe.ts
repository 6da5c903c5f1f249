/**
 * Run by test/hono/regions.test.ts under Deno: one miss through the middleware with `stsRegions`
 * nearest; prints the STS host it went to. Reads `DENO_REGION` only if env access was granted.
 */
import { Hono } from "hono";
import { stsCredentials } from "../../src/hono/index.ts";
import { idToken, manualClock, ROLE_ARN, scriptedSts } from "./fixtures.ts";

const clock = manualClock();
const sts = scriptedSts(clock.now);
const hosts: string[] = [];
const app = new Hono();
app.use("/*", stsCredentials({
  roleArn: ROLE_ARN,
  now: clock.now,
  stsRegions: { nearest: ["us-east-1", "eu-central-1", "ap-southeast-2"] },
  fetch: (input, init) => {
    hosts.push(new URL(input instanceof Request ? input.url : input).hostname);
    return sts.fetch(input, init);
  },
}));
app.get("/*", (c) => c.text("ok"));
const response = await app.request("/", { headers: { Authorization: `Bearer ${idToken("deno-user", clock.now())}` } });
console.log(JSON.stringify({ status: response.status, hosts }));
