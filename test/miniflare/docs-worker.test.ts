/**
 * Every Worker the docs show (`<!-- snippet: run worker <path> -->` in README.md and docs/*.md), bundled
 * as wrangler bundles it (no Node built-ins, `cloudflare:*` left to the runtime) and run in Miniflare's
 * workerd without nodejs_compat, with a KV namespace `STS_CACHE`, `ROLE_ARN` and `STS_STORE_SECRET`
 * bound. The Worker calls AWS STS as written (`region: "eu-west-1"`, no endpoint); Miniflare's outbound
 * service answers those calls with the STS emulator, and refuses any other host.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { Log, LogLevel, Miniflare, supportedCompatibilityDate } from "miniflare";
import type { Request as MiniflareRequest } from "miniflare";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { allSnippets, pointAtSources, root } from "../docs/extract.ts";
import { WORKER_BUILD } from "../workerd/serve.ts";

const dir = join(root, ".tmp", `docs-workers-${process.pid}`);
const workers = allSnippets().filter((s) => s.marker[0] === "run" && s.marker[1] === "worker");
const issuer = createOidcIssuer();
const sts = createStsEmulator({ issuers: [issuer] });
const ROLE_ARN = "arn:aws:iam::123456789012:role/docs-worker";

before(() => mkdirSync(dir, { recursive: true }));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the docs show at least one Worker to run", () => {
  assert.ok(workers.length >= 2, `only ${workers.length} "run worker" blocks`);
});

for (const s of workers) {
  const path = s.marker[2] ?? "/";
  test(`${s.file}:${s.line}: in workerd, GET ${path} with a token → 200, one STS exchange; no token → 401`, { timeout: 90_000 }, async () => {
    const entry = join(dir, `${s.file.replace(/[^\w]+/g, "_")}_L${s.line}.ts`);
    writeFileSync(entry, `${pointAtSources(s.code, dir)}\n`);
    const script = entry.replace(/\.ts$/, ".js");
    await esbuild.build({ absWorkingDir: root, entryPoints: [entry], outfile: script, ...WORKER_BUILD, external: ["cloudflare:*"] });
    const refused: string[] = [];
    const mf = new Miniflare({
      modules: true,
      scriptPath: script,
      compatibilityDate: supportedCompatibilityDate,
      bindings: { ROLE_ARN, STS_STORE_SECRET: `docs-worker-secret-${crypto.randomUUID()}` },
      kvNamespaces: { STS_CACHE: "docs-worker" },
      log: new Log(LogLevel.WARN),
      // A fixed request.cf instead of Miniflare fetching one from workers.cloudflare.com: loopback only.
      cf: { colo: "TST", country: "ZZ" },
      outboundService: async (request: MiniflareRequest) => {
        const url = new URL(request.url);
        if (!/^sts(\.[\w-]+)?\.amazonaws\.com$/.test(url.hostname)) {
          refused.push(url.hostname);
          return new Response("only STS is reachable from this test", { status: 502 }) as never;
        }
        const answer = await sts.fetch(request.url, { method: request.method, headers: Object.fromEntries(request.headers), body: await request.text() });
        return new Response(await answer.text(), { status: answer.status, headers: answer.headers }) as never;
      },
    });
    try {
      const before = sts.calls.count("AssumeRoleWithWebIdentity");
      const token = await issuer.mint({ sub: `docs-worker-${s.line}` });
      const res = await mf.dispatchFetch(`http://worker.test${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      assert.equal(JSON.parse(body).subjectFromWebIdentityToken, `docs-worker-${s.line}`);
      assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), before + 1);
      assert.deepEqual(refused, []);
      const anonymous = await mf.dispatchFetch(`http://worker.test${path}`);
      assert.equal(anonymous.status, 401);
      await anonymous.text();
    } finally {
      await mf.dispose();
    }
  });
}
