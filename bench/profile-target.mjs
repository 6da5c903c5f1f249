/**
 * A fixed loop of one scenario, for `node --cpu-prof` (run.mjs summarises the profile by function
 * and by package). Scenarios: awwi, gci, hit, bare, sdk-awwi, sdk-gci.
 *   node --cpu-prof --cpu-prof-dir=bench/.out/profiles bench/profile-target.mjs hit 20000
 */
import process from "node:process";
import { Hono } from "hono";
import * as F from "./lib/fixtures.mjs";

const [scenario, count = "3000", libArg] = process.argv.slice(2);
const lib = new URL(libArg ?? "./.out/dist/", import.meta.url);
const { StsClient } = await import(new URL("index.js", lib).href);
const { stsCredentials } = await import(new URL("hono/index.js", lib).href);
const token = F.realisticJwt();

async function make() {
  switch (scenario) {
    case "awwi": {
      const c = new StsClient({ region: F.REGION, fetch: F.cannedFetch(F.assumeRoleWithWebIdentityXml()) });
      const input = { roleArn: F.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: token };
      return () => c.assumeRoleWithWebIdentity(input);
    }
    case "gci": {
      const c = new StsClient({ region: F.REGION, fetch: F.cannedFetch(F.getCallerIdentityXml()), credentials: F.STATIC_KEYS });
      return () => c.getCallerIdentity();
    }
    case "hit":
    case "bare": {
      const app = new Hono();
      if (scenario === "hit") app.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch: F.cannedFetch(F.assumeRoleWithWebIdentityXml()) }));
      app.get("/api/report", (c) => c.text("ok"));
      const init = { headers: { authorization: `Bearer ${token}` } };
      return () => app.request("/api/report", init);
    }
    case "sdk-awwi":
    case "sdk-gci": {
      const sdk = await import("@aws-sdk/client-sts");
      const awwi = scenario === "sdk-awwi";
      const handler = await F.sdkHandler(awwi ? F.assumeRoleWithWebIdentityXml() : F.getCallerIdentityXml(), "bytes");
      const c = new sdk.STSClient({ region: F.REGION, credentials: { ...F.STATIC_KEYS }, maxAttempts: 3, requestHandler: handler });
      const input = { RoleArn: F.ROLE_ARN, RoleSessionName: "gha-deploy", WebIdentityToken: token };
      return awwi ? () => c.send(new sdk.AssumeRoleWithWebIdentityCommand(input)) : () => c.send(new sdk.GetCallerIdentityCommand({}));
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

const op = await make();
const n = Math.min(Number(count), 200_000);
for (let i = 0; i < n; i++) await op();
