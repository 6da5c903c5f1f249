/**
 * scripts/build.mjs: one JavaScript file per package.json entry (plus the chunks they share), the
 * package's own modules bundled, every dependency left as an import, one class per name across
 * entries. Builds into a private directory so it never races the packaging test's `npm run build`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

const root = resolve(import.meta.dirname, "..");
const out = join(root, ".tmp", "build-test", "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | { types?: string; default?: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const entryFiles = Object.values(pkg.exports)
  .map((t) => (typeof t === "string" ? t : t.default))
  .filter((f): f is string => typeof f === "string" && f.startsWith("./dist/") && f.endsWith(".js"))
  .map((f) => f.slice("./dist/".length));
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));

let build: ReturnType<typeof spawnSync>;
before(() => {
  rmSync(out, { recursive: true, force: true });
  build = spawnSync(process.execPath, ["scripts/build.mjs", `--outDir=${out}`], { cwd: root, encoding: "utf8", timeout: 180_000 });
});
after(() => rmSync(join(root, ".tmp", "build-test"), { recursive: true, force: true }));

test("the build succeeds and writes every exports entry (.js and .d.ts)", () => {
  assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
  assert.ok(entryFiles.length >= 3, `entries: ${entryFiles.join(", ")}`);
  for (const file of entryFiles) {
    assert.ok(existsSync(join(out, file)), `${file} missing`);
    assert.ok(existsSync(join(out, file.replace(/\.js$/, ".d.ts"))), `${file.replace(/\.js$/, ".d.ts")} missing`);
  }
});

test("the only JavaScript files are the entries and their shared chunks: no per-module files", () => {
  assert.equal(build.status, 0);
  const js = walk(out).filter((f) => f.endsWith(".js")).map((f) => relative(out, f));
  const extra = js.filter((f) => !entryFiles.includes(f) && !f.startsWith("chunks/"));
  assert.deepEqual(extra, [], "JavaScript files that are neither an entry nor a shared chunk");
  assert.ok(!existsSync(join(out, "wire", "pipeline.js")), "per-module output left behind");
  assert.ok(existsSync(join(out, "wire", "pipeline.d.ts")), "the .d.ts tree is kept");
});

test("dependencies stay imports (users dedupe and patch them); the package's own modules are inlined", () => {
  assert.equal(build.status, 0);
  const code = walk(out).filter((f) => f.endsWith(".js")).map((f) => readFileSync(f, "utf8")).join("\n");
  const specifiers = [...code.matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((m) => m[1]!);
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  const bare = specifiers.filter((s) => !s.startsWith("."));
  for (const s of bare) assert.ok(deps.some((d) => s === d || s.startsWith(`${d}/`)), `import of ${s}, which is not a dependency`);
  for (const d of ["@xmldom/xmldom", "aws4fetch", "valibot"]) assert.ok(bare.some((s) => s === d || s.startsWith(`${d}/`)), `${d} is not imported (was it inlined?)`);
  assert.doesNotMatch(code, /\bfunction (DOMParser|XMLReader|DOMImplementation)\b|class AwsV4Signer\b/, "a dependency's code was inlined");
  assert.ok(specifiers.filter((s) => s.startsWith(".")).every((s) => /(^|\/)chunk-[\w-]+\.js$/.test(s)), "a relative import that is not a shared chunk");
  assert.doesNotMatch(code, /\.ts["']/, "a .ts specifier left in the output");
});

test("the built entries load and share one class per name (instanceof across entries)", async () => {
  assert.equal(build.status, 0);
  const core = await import(pathToFileURL(join(out, "index.js")).href);
  const hono = await import(pathToFileURL(join(out, "hono", "index.js")).href);
  const testing = await import(pathToFileURL(join(out, "testing", "index.js")).href);
  assert.equal(typeof core.StsClient, "function");
  assert.equal(typeof hono.stsCredentials, "function");
  assert.equal(typeof testing.createStsEmulator, "function");
  const problem = new hono.BearerTokenError("missing", "no token");
  assert.ok(problem instanceof core.EdgeStsError, "hono's BearerTokenError is not core's EdgeStsError");
  // The client from the core entry answered by the emulator from the testing entry, end to end.
  const issuer = testing.createOidcIssuer();
  const emulator = testing.createStsEmulator({ issuers: [issuer] });
  const sts = new core.StsClient({ region: "us-east-1", fetch: (input: RequestInfo | URL, init?: RequestInit) => emulator.fetch(new Request(input, init)) });
  const token = await issuer.mint({ sub: "build-test" });
  const out1 = await sts.assumeRoleWithWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/build", roleSessionName: "build", webIdentityToken: token });
  assert.match(out1.credentials.accessKeyId, /^ASIA/);
  const err = await sts.assumeRoleWithWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/build", roleSessionName: "build", webIdentityToken: "not.a.jwt" }).catch((e: unknown) => e);
  assert.ok(err instanceof core.StsError, String(err));
});
