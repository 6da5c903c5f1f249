/** The bench Worker for edge-sts: AssumeRoleWithWebIdentity, signed GetCallerIdentity, middleware hit and bare Hono. */
import { Hono } from "hono";
import { StsClient } from "../.out/dist/index.js";
import { stsCredentials } from "../.out/dist/hono/index.js";
import { check, serveOps, stsHeaders } from "./common.mjs";

export default serveOps((env) => {
  const canned = (body) => {
    const headers = stsHeaders(body);
    return async () => new Response(body, { status: 200, headers });
  };
  const keys = JSON.parse(env.KEYS);
  const awwi = new StsClient({ region: env.REGION, fetch: canned(env.AWWI_XML) });
  const gci = new StsClient({ region: env.REGION, credentials: keys, fetch: canned(env.GCI_XML) });
  const input = { roleArn: env.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: env.TOKEN };
  const app = (withMiddleware) => {
    const a = new Hono();
    if (withMiddleware) a.use("/api/*", stsCredentials({ roleArn: env.ROLE_ARN, region: env.REGION, fetch: canned(env.AWWI_XML) }));
    a.get("/api/report", (c) => c.text("ok"));
    return a;
  };
  const hit = app(true);
  const bare = app(false);
  const init = { headers: { authorization: `Bearer ${env.TOKEN}` } };
  return {
    awwi: { run: () => awwi.assumeRoleWithWebIdentity(input), check: (o) => check(o.credentials?.accessKeyId === "ASIAV3ZUEFP6EXAMPLE", "edge awwi output") },
    gci: { run: () => gci.getCallerIdentity(), check: (o) => check(o.account === "123456789012", "edge gci output") },
    hit: { run: () => hit.request("/api/report", init), check: (r) => check(r.status === 200, `hit status ${r.status}`) },
    bare: { run: () => bare.request("/api/report", init), check: (r) => check(r.status === 200, `bare status ${r.status}`) },
  };
});
