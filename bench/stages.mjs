/**
 * Where one AssumeRoleWithWebIdentity's CPU goes, stage by stage, on this runtime (Node, Deno, Bun):
 * each stage alone in a loop, CPU per call via process.cpuUsage (all threads), the cheapest of
 * three short rounds. Stages are the
 * pipeline's own pieces (bench/.out/stages-lib.js, bundled from src/ by run.mjs) plus the web
 * platform objects an attempt creates. The whole call is measured too: the rest (promise plumbing,
 * retries bookkeeping, GC of everything above) is the difference. Deno has no CLI CPU profiler;
 * this is the per-runtime view for all three.
 *   node bench/stages.mjs     deno run -A bench/stages.mjs     bun bench/stages.mjs
 */
import process from "node:process";
import * as F from "./lib/fixtures.mjs";
import { makeStages } from "./lib/stages-def.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const S = await import(new URL("./.out/stages-lib.js", import.meta.url).href);
const { StsClient } = await import(new URL(args.lib ?? "./.out/dist/index.js", import.meta.url).href);
const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const MS = Number(args.ms ?? 120);
const ROUNDS = Number(args.rounds ?? 3);
/** CPU µs per call: the cheapest of ROUNDS short loops (other work on the machine only adds). */
async function cost(fn) {
  for (let i = 0; i < 200; i++) await fn();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const c0 = cpuNow();
    const t0 = performance.now();
    while (performance.now() - t0 < MS) {
      for (let i = 0; i < 25; i++) await fn();
      n += 25;
    }
    best = Math.min(best, (cpuNow() - c0) / n);
  }
  return best;
}

const token = F.realisticJwt();
const input = { roleArn: F.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: token };
const xml = F.assumeRoleWithWebIdentityXml();
await S.loadXmlReader();
const stages = makeStages(S, { xml, headers: F.stsHeaders(xml), input });
const results = { runtime, stages: {} };
for (const [name, fn] of Object.entries(stages)) results.stages[name] = await cost(fn);
const client = new StsClient({ region: F.REGION, fetch: F.cannedFetch(xml) });
results.wholeCallCpuUs = await cost(() => client.assumeRoleWithWebIdentity(input));
process.stdout.write(JSON.stringify(results) + "\n");
process.exit(0);
