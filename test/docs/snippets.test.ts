/**
 * Every code block of README.md and docs/*.md: TypeScript ones are type-checked against the package's
 * sources (imports of `edge-sts…` and `jsr:@edge-sts/edge-sts…` point at src/), and the ones marked
 * `<!-- snippet: run … -->` run against the STS emulator served on 127.0.0.1:
 *  - `run app <path>` and `run worker <path>`: the block's default export is a Hono app; a token minted
 *    by the issuer gets 200 (Workers whose bindings come from `cloudflare:workers` run only in Miniflare:
 *    test/miniflare/docs-worker.test.ts runs every `run worker` block there);
 *  - `run dev-log`: the development log prints each refusal's cause, never the token;
 *  - `run node-redis`: the Node server with node-redis, as a process, on a real redis-server that is
 *    killed under it: it must keep answering and stay alive;
 *  - `run deno`: a Deno server, started with the flags of the page's `deno run` line above it (so a
 *    missing `--unstable-kv` fails), run twice on one Deno KV: the second run is a store hit.
 * The `npx edge-sts emulator` command lines run from the packed tarball (test/packed.test.ts).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { serve } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { allSnippets, isScript, pointAtSources as toSources, root, shellCommands } from "./extract.ts";
import type { Snippet } from "./extract.ts";

const dir = join(root, ".tmp", `docs-snippets-${process.pid}`);
const snippets = allSnippets();
const scripts = snippets.filter(isScript);
const ROLE_ARN = "arn:aws:iam::123456789012:role/docs";

/** Where a snippet is written: a name that says which page and line it came from. */
const fileOf = (s: Snippet) => join(dir, `${s.file.replace(/[^\w]+/g, "_")}_L${s.line}.ts`);

const pointAtSources = (code: string) => toSources(code, dir);

/** What an `in-app` block may use without declaring it; each only when the block does not bring its own. */
const IN_APP: Array<[name: string, declaration: string]> = [
  ["Hono", `import { Hono } from "hono";`],
  ["stsCredentials", `import { stsCredentials } from "edge-sts/hono";`],
  ["StsVariables", `import type { StsVariables } from "edge-sts/hono";`],
  ["StsClient", `import { StsClient } from "edge-sts";`],
  ["app", `declare const app: Hono<{ Bindings: any; Variables: StsVariables }>;`],
  ["roleArn", `declare const roleArn: string;`],
  ["region", `declare const region: string;`],
  ["idToken", `declare const idToken: string;`],
  ["BASE_ROLE", `declare const BASE_ROLE: string;`],
  ["readToken", `declare function readToken(): Promise<string>;`],
];

function source(s: Snippet): string {
  let code = s.code;
  if (s.marker[0] === "in-app") {
    const own = (name: string) => new RegExp(`(import[^;]*\\b${name}\\b[^;]*from|(const|let|var|function|class|type|interface)\\s+${name}\\b)`).test(code);
    const needed = IN_APP.filter(([name]) => !own(name));
    // Hono and StsVariables are needed by the declaration of app.
    if (needed.some(([name]) => name === "app")) for (const dep of ["Hono", "StsVariables"]) if (own(dep)) needed.splice(needed.findIndex(([n]) => n === dep), 1);
    code = `${needed.map(([, d]) => d).join("\n")}\n${code}`;
  }
  return `${pointAtSources(code)}\nexport {};\n`;
}

/** The platform globals the snippets use (no Deno, Bun or Workers typings are installed). */
const PLATFORM = `
declare namespace Deno {
  const env: { get(name: string): string | undefined };
  function openKv(path?: string): Promise<import("${relative(dir, join(root, "src/stores/index.ts"))}").DenoKvLike>;
  function serve(handler: (request: Request) => Response | Promise<Response>): { finished: Promise<void> };
}
declare const Bun: {
  readonly env: Record<string, string | undefined>;
  RedisClient: new (url?: string) => import("${relative(dir, join(root, "src/stores/index.ts"))}").RedisClientLike;
  serve(options: { port?: number; fetch(request: Request): Response | Promise<Response> }): { readonly port: number };
};
interface CacheStorage { readonly default: Cache }
declare module "cloudflare:workers" {
  export const env: { [binding: string]: any };
}
`;

before(() => {
  mkdirSync(dir, { recursive: true });
  for (const s of scripts) if (s.marker[0] !== "fragment") writeFileSync(fileOf(s), source(s));
  writeFileSync(join(dir, "platform.d.ts"), PLATFORM);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the docs have code blocks, and every marker is one the test knows", () => {
  assert.ok(scripts.length >= 15, `only ${scripts.length} TypeScript blocks found`);
  const known = new Set(["fragment", "in-app", "run"]);
  const unknown = snippets.filter((s) => s.marker.length > 0 && !known.has(s.marker[0]!)).map((s) => `${s.file}:${s.line} ${s.marker.join(" ")}`);
  assert.deepEqual(unknown, []);
  const runKinds = new Set(["app", "worker", "dev-log", "node-redis", "deno"]);
  const badRuns = snippets.filter((s) => s.marker[0] === "run" && !runKinds.has(s.marker[1]!)).map((s) => `${s.file}:${s.line}`);
  assert.deepEqual(badRuns, []);
});

test("every TypeScript block type-checks against the package's sources", { timeout: 180_000 }, () => {
  const checked = scripts.filter((s) => s.marker[0] !== "fragment");
  const config = {
    extends: relative(dir, join(root, "tsconfig.json")),
    compilerOptions: { types: ["node"], rootDir: relative(dir, root), noEmit: true, declaration: false, noUnusedLocals: false },
    include: [],
    files: ["platform.d.ts", ...checked.map((s) => relative(dir, fileOf(s)))],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
  const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.json"), "--pretty", "false"], { encoding: "utf8", timeout: 170_000 });
  // Point each error at the Markdown line it comes from.
  const byFile = new Map(checked.map((s) => [relative(root, fileOf(s)), s]));
  const errors = `${tsc.stdout}${tsc.stderr}`.split("\n").filter((l) => l.includes("error TS")).map((line) => {
    const m = /^(.+?)\((\d+),\d+\): (.*)$/.exec(line);
    const s = m ? byFile.get(relative(root, join(dir, m[1]!))) ?? byFile.get(relative(root, m[1]!)) : undefined;
    if (!m || !s) return line;
    const prelude = source(s).split("\n").length - pointAtSources(s.code).split("\n").length - 2;
    return `${s.file}:${s.line + Number(m[2]) - 1 - prelude}: ${m[3]}`;
  });
  assert.deepEqual(errors, [], `snippets that do not type-check:\n${errors.join("\n")}`);
  assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
});

// ---------------------------------------------------------------------------------------------
// Running them, against the emulator on 127.0.0.1.

const issuer = createOidcIssuer();
const sts = createStsEmulator({ issuers: [issuer] });
let stsServer: ServerType;
let stsEndpoint = "";

before(async () => {
  stsEndpoint = await new Promise<string>((done) => {
    stsServer = serve({ fetch: sts.fetch, port: 0, hostname: "127.0.0.1" }, (info) => done(`http://127.0.0.1:${(info as AddressInfo).port}`));
  });
});
after(() => {
  (stsServer as { closeAllConnections?: () => void }).closeAllConnections?.();
  stsServer.close();
});

/** STS hosts go to the local emulator (over HTTP); nothing else leaves the machine. */
function localAws(original: typeof fetch): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "127.0.0.1") return original(input, init);
    if (/^sts(\.[\w-]+)?\.amazonaws\.com$/.test(url.hostname)) return original(`${stsEndpoint}${url.pathname}${url.search}`, init);
    return Promise.reject(new TypeError(`the snippet tried to reach ${url.hostname}: only 127.0.0.1 and STS (→ the emulator) are allowed`));
  };
}

async function importApp(s: Snippet): Promise<{ fetch(request: Request, env?: unknown): Response | Promise<Response> }> {
  const module = (await import(pathToFileURL(fileOf(s)).href)) as { default?: { fetch?: unknown } };
  assert.equal(typeof module.default?.fetch, "function", `${s.file}:${s.line}: the default export is not an app`);
  return module.default as never;
}

const env = () => ({ ROLE_ARN, STS_ENDPOINT: stsEndpoint, AWS_REGION: "eu-west-1" });

describe("runnable snippets", () => {
  const original = globalThis.fetch;
  const saved = { ROLE_ARN: process.env.ROLE_ARN, STS_ENDPOINT: process.env.STS_ENDPOINT };
  // Snippets written for Node read their settings from process.env; Workers-style ones from the env argument.
  before(() => {
    globalThis.fetch = localAws(original);
    Object.assign(process.env, { ROLE_ARN, STS_ENDPOINT: stsEndpoint });
  });
  after(() => {
    globalThis.fetch = original;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const inProcess = (x: Snippet) => x.marker[0] === "run" && (x.marker[1] === "app" || (x.marker[1] === "worker" && !x.code.includes("cloudflare:workers")));
  for (const s of snippets.filter(inProcess)) {
    const path = s.marker[2] ?? "/";
    test(`${s.file}:${s.line}: GET ${path} with a token → 200`, { timeout: 30_000 }, async () => {
      const app = await importApp(s);
      const before = sts.calls.count("AssumeRoleWithWebIdentity");
      const token = await issuer.mint({ sub: `docs-${s.line}` });
      const res = await app.fetch(new Request(`http://app.test${path}`, { headers: { authorization: `Bearer ${token}` } }), env());
      const body = await res.text();
      assert.equal(res.status, 200, body);
      assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), before + 1, "the exchange went to the emulator");
      if (path === "/api/signed") assert.deepEqual(JSON.parse(body), { defaultRegion: "us-east-1", scope: "eu-west-1/s3/aws4_request" });
      const anonymous = await app.fetch(new Request(`http://app.test${path}`), env());
      assert.equal(anonymous.status, 401);
    });
  }

  for (const s of snippets.filter((x) => x.marker[0] === "run" && x.marker[1] === "dev-log")) {
    test(`${s.file}:${s.line}: the development log names each refusal's cause, never the token`, { timeout: 30_000 }, async () => {
      const app = await importApp(s);
      const lines: string[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
      try {
        const wrongAudience = await issuer.mint({ sub: "docs-log", aud: "someone-else" });
        const refused = await app.fetch(new Request("http://app.test/api/whoami", { headers: { authorization: `Bearer ${wrongAudience}` } }), env());
        assert.equal(refused.status, 401);
        const missing = await app.fetch(new Request("http://app.test/api/whoami"), env());
        assert.equal(missing.status, 401);
        const malformed = await app.fetch(new Request("http://app.test/api/whoami", { headers: { authorization: "Bearer not.a-token" } }), env());
        assert.equal(malformed.status, 400);
        assert.equal(lines.length, 3, lines.join("\n"));
        assert.match(lines[0]!, /^edge-sts 401 InvalidIdentityToken: .*audience/i);
        assert.equal(lines[1], "edge-sts 401 BEARER_TOKEN_ERROR: no bearer token");
        assert.match(lines[2]!, /^edge-sts 400 BEARER_TOKEN_ERROR: token /);
        for (const [i, line] of lines.entries()) assert.ok(!line.includes(wrongAudience.split(".")[1]!) && !line.includes("not.a-token"), `line ${i} holds the token`);
      } finally {
        console.warn = warn;
      }
    });
  }
});

describe("the Node server with node-redis keeps serving when Redis goes down", () => {
  for (const s of snippets.filter((x) => x.marker[0] === "run" && x.marker[1] === "node-redis")) {
    test(`${s.file}:${s.line}`, { timeout: 90_000 }, async (t) => {
      // A redis-server of our own (never the suite's shared REDIS_URL): this test kills it.
      const shared = process.env.REDIS_URL;
      delete process.env.REDIS_URL;
      const { startRedis } = (await import(pathToFileURL(join(root, "scripts", "redis-server.mjs")).href)) as { startRedis(): Promise<OwnRedis> };
      const redis = await startRedis().finally(() => {
        if (shared !== undefined) process.env.REDIS_URL = shared;
      });
      if (redis.url === undefined) {
        if (process.env.CI === "true") assert.fail(redis.why);
        return t.skip(redis.why);
      }
      const child = spawn(process.execPath, ["--import", "tsx", fileOf(s)], {
        cwd: root,
        env: { ...process.env, REDIS_URL: redis.url, STS_ENDPOINT: stsEndpoint, ROLE_ARN, AWS_REGION: "eu-west-1", STS_STORE_SECRET: "a-test-store-secret-of-at-least-32-characters", PORT: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
      const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
      try {
        const url = await until(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], 30_000, () => `no "listening on" line:\n${output}`);
        const ask = async (sub: string) => {
          const res = await fetch(`${url}/api/whoami`, { headers: { authorization: `Bearer ${await issuer.mint({ sub })}` }, signal: AbortSignal.timeout(10_000) });
          return { status: res.status, body: await res.text() };
        };
        assert.equal((await ask("redis-up")).status, 200);

        await redis.stop(); // Redis goes down under the running app
        for (const sub of ["redis-down-1", "redis-down-2", "redis-down-3"]) {
          const answer = await ask(sub);
          assert.equal(answer.status, 200, `${answer.body}\n${output}`);
          assert.equal(child.exitCode, null, `the process ended:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 1000)); // reconnect attempts fail meanwhile
        assert.equal((await ask("redis-down-4")).status, 200);
        assert.equal(child.exitCode, null, `the process ended:\n${output}`);
        assert.match(output, /redis: /, "the error listener saw the outage");
      } finally {
        if (child.exitCode === null) child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
        await redis.stop();
      }
    });
  }
});

/** What scripts/redis-server.mjs's `startRedis` gives (no `url` when there is no binary). */
interface OwnRedis {
  url?: string;
  why?: string;
  stop(): Promise<void>;
}

describe("Deno servers, with the flags their page gives", () => {
  for (const s of snippets.filter((x) => x.marker[0] === "run" && x.marker[1] === "deno")) {
    test(`${s.file}:${s.line}`, { timeout: 120_000 }, async () => {
      // The page's last `deno run …` line before the block: its flags, our file.
      const line = shellCommands(snippets.filter((x) => x.file === s.file && x.line < s.line)).filter((c) => c.command.startsWith("deno run ")).at(-1);
      assert.ok(line, `${s.file}: no "deno run" line above the block at line ${s.line}`);
      const flags = line.command.split(/\s+/).slice(2, -1);
      // Deno KV lives in the origin storage of a fixed --location (one small file, reused by every run;
      // each run's token is new, so its first request always misses): both servers open the same KV.
      const location = "http://edge-sts-docs.test/";
      const token = await issuer.mint({ sub: "deno-docs" });
      const exchanges = () => sts.calls.count("AssumeRoleWithWebIdentity");
      const before = exchanges();
      for (const run of [1, 2]) {
        const child = spawn(join(root, "node_modules", ".bin", "deno"), ["run", ...flags, "--location", location, fileOf(s)], {
          cwd: root,
          env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0", ROLE_ARN, STS_ENDPOINT: stsEndpoint, AWS_REGION: "us-east-1", STS_STORE_SECRET: "a-test-store-secret-of-at-least-32-characters" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
        const exited = new Promise<void>((done) => child.once("close", () => done()));
        try {
          const url = await until(() => /Listening on (http:\/\/[\d.:]+)/.exec(output)?.[1] ?? (child.exitCode !== null ? "" : undefined), 60_000, () => `no "Listening on" line:\n${output}`);
          assert.notEqual(url, "", `${line.where}: ${line.command} → the server ended:\n${output}`);
          const res = await fetch(`${url}/api/whoami`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
          assert.equal(res.status, 200, await res.text());
          // Run 1 exchanges and writes Deno KV (in the background: give it a moment); run 2 reads it.
          if (run === 1) await until(() => (exchanges() === before + 1 ? true : undefined), 10_000, () => "no exchange");
          else assert.equal(exchanges(), before + 1, "the restarted server was served from Deno KV, not STS");
          await new Promise((r) => setTimeout(r, 300));
        } finally {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
      }
    });
  }
});

async function until<T>(value: () => T | undefined, timeoutMs: number, why: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = value();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 25));
  }
}
