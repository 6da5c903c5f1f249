/**
 * The examples, each on its own runtime, against the STS emulator served on 127.0.0.1: the Node app
 * through `app.request()`, the Node, Deno and Bun servers started as they are in their READMEs, and
 * the Worker bundled as wrangler bundles it and run inside workerd without nodejs_compat.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { createNodeApp } from "../examples/node/app.ts";
import { readSettings } from "../examples/shared/app.ts";
import { createOidcIssuer } from "../src/testing/index.ts";
import { assumedRoleArn, startLocalSts } from "./workerd/example-sts.ts";
import type { LocalSts } from "./workerd/example-sts.ts";
import workerSpec from "./workerd/example-cloudflare-worker.spec.ts";
import { runWorker, STRICT } from "./workerd/serve.ts";

const root = resolve(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

let local: LocalSts;
before(async () => {
  local = await startLocalSts();
});
after(() => local.close());

/** A clean environment: the settings under test, never ones leaking in from the developer's shell. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { ROLE_ARN, AWS_REGION, STS_ENDPOINT, PORT, HOST, FORCE_COLOR, ...env } = process.env;
  return { ...env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...extra };
}

/**
 * Starts an example server on a port the OS picks (PORT=0) and waits, at most 30 s, for the
 * `listening on http://…` line every example prints. `stop` ends it (SIGKILL after 5 s).
 */
async function startExample(cmd: string, args: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(cmd, args, {
    cwd: root,
    env: childEnv({ ...local.settings, PORT: "0", HOST: "127.0.0.1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((done) => child.once("close", () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} printed no "listening on" line within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited before listening:\n${output}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url, stop };
}

async function getJson(url: string, token?: string) {
  const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
}

/** One token through a served example: /api/caller makes the exchange and a signed GetCallerIdentity. */
async function exerciseServer(cmd: string, args: string[], sub: string): Promise<void> {
  const server = await startExample(cmd, args);
  try {
    const exchanges = local.sts.calls.count("AssumeRoleWithWebIdentity");
    const callers = local.sts.calls.count("GetCallerIdentity");
    const token = await local.issuer.mint({ sub });
    const caller = await getJson(`${server.url}/api/caller`, token);
    assert.equal(caller.status, 200, JSON.stringify(caller.body));
    assert.equal(caller.body.arn, assumedRoleArn(sub));
    assert.equal(caller.body.account, "123456789012");
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity"), exchanges + 1);
    assert.equal(local.sts.calls.count("GetCallerIdentity"), callers + 1);
  } finally {
    await server.stop();
  }
}

describe("examples/node", () => {
  test("the app: a token gets the role, /api/caller signs with its credentials, no token gets 401", async () => {
    const app = createNodeApp(local.settings, { serverTiming: true });
    const token = await local.issuer.mint({ sub: "node-user" });
    const auth = { headers: { authorization: `Bearer ${token}` } };

    assert.equal((await app.request("/health")).status, 200);

    const whoami = await app.request("/api/whoami", auth);
    assert.equal(whoami.status, 200);
    const identity = (await whoami.json()) as Record<string, any>;
    assert.equal(identity.assumedRoleUser.arn, assumedRoleArn("node-user"));
    assert.equal(identity.subjectFromWebIdentityToken, "node-user");
    assert.match(whoami.headers.get("server-timing") ?? "", /desc="miss"/);

    const caller = await app.request("/api/caller", auth);
    assert.equal(caller.status, 200);
    const body = (await caller.json()) as Record<string, any>;
    assert.equal(body.arn, assumedRoleArn("node-user"));
    assert.match(caller.headers.get("server-timing") ?? "", /desc="hit"/);
    const issued = local.sts.issuedCredentials().find((s) => s.principal.arn === assumedRoleArn("node-user"));
    assert.equal(local.sts.calls.last?.accessKeyId, issued?.accessKeyId, "signed with the exchanged credentials");

    const anonymous = await app.request("/api/whoami");
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("www-authenticate"), "Bearer");
  });

  test("a token STS rejects gets 401, not credentials", async () => {
    const app = createNodeApp(local.settings);
    const stranger = await createOidcIssuer().mint({ sub: "node-user" }); // same iss, other keys
    const res = await app.request("/api/whoami", { headers: { authorization: `Bearer ${stranger}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
  });

  test("server.ts serves it on @hono/node-server", { timeout: 60_000 }, async () => {
    await exerciseServer(process.execPath, ["--import", "tsx", "examples/node/server.ts"], "node-server-user");
  });

  test("settings come from the environment; a missing one stops the app at start-up", () => {
    assert.deepEqual(readSettings((name) => ({ ROLE_ARN: "arn:aws:iam::123456789012:role/a", AWS_REGION: "eu-west-1", STS_ENDPOINT: "" })[name]), {
      roleArn: "arn:aws:iam::123456789012:role/a",
      region: "eu-west-1",
      endpoint: undefined,
    });
    assert.throws(() => readSettings(() => undefined), /ROLE_ARN is not set/);
    assert.throws(() => readSettings((name) => (name === "ROLE_ARN" ? "arn:aws:iam::123456789012:role/a" : undefined)), /AWS_REGION is not set/);
  });
});

test("examples/deno on Deno, with the permissions its README gives", { timeout: 90_000 }, async () => {
  await exerciseServer(bin("deno"), ["run", "--allow-net", "--allow-env", "examples/deno/main.ts"], "deno-user");
});

test("examples/bun on Bun", { timeout: 60_000 }, async () => {
  await exerciseServer(bin("bun"), ["examples/bun/index.ts"], "bun-user");
});

describe("examples/cloudflare-worker", () => {
  test("runs inside workerd, bundled as wrangler bundles it, without Node compatibility (no process, no node:buffer)", { timeout: 90_000 }, async () => {
    const result = await runWorker(workerSpec, STRICT);
    const failures = result.failures.map((f) => `${f.name}: ${f.message}`).join("\n");
    assert.equal(result.failed, 0, failures);
    assert.ok(result.passed >= 11, `only ${result.passed} checks ran`);
    assert.equal(result.runtime?.process, "undefined");
  });

  test("wrangler.toml points at the entry the test bundles and asks for no nodejs_compat", () => {
    const toml = readFileSync(join(root, "examples/cloudflare-worker/wrangler.toml"), "utf8");
    const settings = toml.split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n");
    assert.match(settings, /^main = "src\/index\.ts"$/m);
    assert.equal(`examples/cloudflare-worker/src/index.ts`, workerSpec.entry);
    assert.doesNotMatch(settings, /nodejs_compat|compatibility_flags/);
    assert.match(settings, /^ROLE_ARN = "arn:aws:iam::\d{12}:role\/[\w+=,.@-]+"$/m);
    // The KV namespace the Worker's store reads (test/miniflare/example-worker.test.ts binds the same name).
    assert.match(settings, /^\[\[kv_namespaces\]\]\nbinding = "STS_CACHE"$/m);
  });
});
