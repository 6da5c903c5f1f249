/**
 * #5 bundle size: esbuild (bundle, minify, ESM, platform "browser", conditions worker+browser) then
 * gzip -9 with zlib. Each entry is a small program a Worker would contain; the metafile gives the
 * minified bytes each package contributes.
 *   node bench/bundle.mjs --out=bench/.out/bundle.json
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const root = fileURLToPath(new URL("../", import.meta.url));
const dir = fileURLToPath(new URL("./.out/bundle/", import.meta.url));
mkdirSync(dir, { recursive: true });

const src = (p) => JSON.stringify(`${root}src/${p}`);
const input = `{ roleArn: "arn:aws:iam::123456789012:role/app", roleSessionName: "alice", webIdentityToken: token }`;
const sdkInput = `{ RoleArn: "arn:aws:iam::123456789012:role/app", RoleSessionName: "alice", WebIdentityToken: token }`;

/** name → [what it is, entry source, externals] */
const entries = {
  "edge-client": ["(a) StsClient + assumeRoleWithWebIdentity (public API; the class holds all 11 operations)",
    `import { StsClient } from ${src("index.ts")};
     export default (token) => new StsClient({ region: "eu-west-1" }).assumeRoleWithWebIdentity(${input});`],
  "edge-minimal": ["(a') pipeline send + assumeRoleWithWebIdentity only (internal modules: what a tree-shakable entry would weigh)",
    `import { send } from ${src("wire/pipeline.ts")};
     import { resolveEndpoint } from ${src("endpoints.ts")};
     import { assumeRoleWithWebIdentity } from ${src("operations/assume-role-with-web-identity.ts")};
     const ctx = { endpoint: resolveEndpoint({ region: "eu-west-1" }), fetch: (url, init) => fetch(url, init), maxAttempts: 3, timeoutMs: 5000,
       retryBaseDelayMs: 100, retryMaxDelayMs: 5000, maxRetryAfterMs: 20000, clockOffsetMs: 0, signingKeyCache: new Map() };
     export default (token) => send(ctx, assumeRoleWithWebIdentity, ${input});`],
  "edge-middleware": ["(b) core + stsCredentials middleware, hono external",
    `import { stsCredentials } from ${src("hono/index.ts")};
     export default (roleArn) => stsCredentials({ roleArn, region: "eu-west-1" });`, ["hono", "hono/*"]],
  "sdk-client-alone": ["@aws-sdk/client-sts STSClient alone (no command)",
    `import { STSClient } from "@aws-sdk/client-sts";
     export default () => new STSClient({ region: "eu-west-1" });`],
  "sdk-client-command": ["@aws-sdk/client-sts STSClient + AssumeRoleWithWebIdentityCommand",
    `import { STSClient, AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
     export default (token) => new STSClient({ region: "eu-west-1" }).send(new AssumeRoleWithWebIdentityCommand(${sdkInput}));`],
};

function pkgOf(path) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1];
  if (path.startsWith("src/") || path.includes("/src/")) return "edge-sts (ours)";
  return "(entry/runtime)";
}

const results = {};
for (const [name, [label, contents, external = []]] of Object.entries(entries)) {
  const outfile = `${dir}${name}.js`;
  const r = await esbuild.build({
    stdin: { contents, resolveDir: root, sourcefile: `${name}.entry.js`, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["worker", "browser"],
    target: "es2022",
    external,
    metafile: true,
    write: true,
    outfile,
    logLevel: "silent",
    legalComments: "none",
  });
  const out = r.outputFiles?.[0];
  const meta = r.metafile.outputs[Object.keys(r.metafile.outputs)[0]];
  const { readFileSync } = await import("node:fs");
  const code = out ? out.contents : readFileSync(outfile);
  const perPackage = {};
  for (const [path, info] of Object.entries(meta.inputs)) {
    const p = pkgOf(path);
    perPackage[p] = (perPackage[p] ?? 0) + info.bytesInOutput;
  }
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  results[name] = {
    label,
    minifiedBytes: code.byteLength,
    gzipBytes: gzip,
    modules: Object.keys(meta.inputs).length,
    perPackage: Object.fromEntries(
      Object.entries(perPackage).sort((a, b) => b[1] - a[1]).map(([p, b]) => [p, { minifiedBytes: b, share: +(b / code.byteLength).toFixed(3), gzipEstimate: Math.round((gzip * b) / code.byteLength) }]),
    ),
  };
  console.error(`[bundle] ${name}: ${(code.byteLength / 1024).toFixed(1)} KiB min, ${(gzip / 1024).toFixed(1)} KiB gzip · ${Object.entries(results[name].perPackage).map(([p, v]) => `${p} ${(v.minifiedBytes / 1024).toFixed(1)}K`).join(", ")}`);
}
if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));
