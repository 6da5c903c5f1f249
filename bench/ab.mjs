/**
 * A/B of two builds of edge-sts in one process (a scratch copy with an optimisation vs dist/):
 *   node bench/ab.mjs <scenario> <base dist dir> <patched dist dir>   (scenario: hit | awwi | gci)
 * Both builds must sit where node_modules resolves (e.g. a scratch copy with a node_modules symlink).
 * Not part of `npm run bench`: the tool behind the optimisation figures in RESULTS.md.
 */
import { Hono } from "hono";
import * as F from "./lib/fixtures.mjs";
import { compare } from "./lib/compare.mjs";

const [scenario = "hit", baseDir, patchedDir] = process.argv.slice(2);
const dirUrl = (d) => new URL(`file://${d.replace(/\/?$/, "/")}`);
const libs = { base: dirUrl(baseDir), patched: dirUrl(patchedDir) };
const token = F.realisticJwt();
const sides = {};
for (const [name, lib] of Object.entries(libs)) {
  const { StsClient } = await import(new URL("index.js", lib).href);
  const { stsCredentials } = await import(new URL("hono/index.js", lib).href);
  if (scenario === "hit") {
    const app = new Hono();
    app.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch: F.cannedFetch(F.assumeRoleWithWebIdentityXml()) }));
    app.get("/api/report", (c) => c.text("ok"));
    const init = { headers: { authorization: `Bearer ${token}` } };
    sides[name] = () => app.request("/api/report", init);
  } else if (scenario === "awwi") {
    const c = new StsClient({ region: F.REGION, fetch: F.cannedFetch(F.assumeRoleWithWebIdentityXml()) });
    const input = { roleArn: F.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: token };
    sides[name] = () => c.assumeRoleWithWebIdentity(input);
  } else if (scenario === "gci") {
    const c = new StsClient({ region: F.REGION, fetch: F.cannedFetch(F.getCallerIdentityXml()), credentials: F.STATIC_KEYS });
    sides[name] = () => c.getCallerIdentity();
  }
  const r = await sides[name]();
  if (scenario === "hit" && r.status !== 200) throw new Error(`${name}: ${r.status}`);
}
if (scenario === "hit") {
  const bare = new Hono();
  bare.get("/api/report", (c) => c.text("ok"));
  const init = { headers: { authorization: `Bearer ${token}` } };
  sides.bare = () => bare.request("/api/report", init);
}
const out = await compare(sides, { rounds: Number(process.env.ROUNDS ?? 10) });
for (const [n, s] of Object.entries(out)) console.log(`${scenario} ${n}: cpu ${s.cpuUsPerOp.toFixed(2)} µs/op, wall p50 ${s.wallUs.p50.toFixed(2)} avg ${s.wallUs.avg.toFixed(2)}`);
const d = out.base.cpuUsPerOp - out.patched.cpuUsPerOp;
console.log(`${scenario}: patched saves ${d.toFixed(2)} µs/op CPU (${((100 * d) / out.base.cpuUsPerOp).toFixed(1)} %)` +
  (out.bare ? `; overhead over bare: base ${((out.base.cpuUsPerOp / out.bare.cpuUsPerOp - 1) * 100).toFixed(1)} %, patched ${((out.patched.cpuUsPerOp / out.bare.cpuUsPerOp - 1) * 100).toFixed(1)} %` : ""));
