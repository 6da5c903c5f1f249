/**
 * Deno KV coordination across processes, as Deno Deploy's isolates or several `deno serve` processes
 * share one database: two Deno processes open one KV file (`--unstable-kv`), and bursts of first
 * requests for one token, spread over both, cost one STS exchange. STS is the emulator on 127.0.0.1
 * behind an injected round trip, so the second process claims while the first exchanges.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { serve } from "@hono/node-server";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { STORE_SECRET } from "./coordination.ts";

const root = resolve(import.meta.dirname, "../..");
const ROLE_ARN = "arn:aws:iam::123456789012:role/deno-kv";
const issuer = createOidcIssuer();
const stranger = createOidcIssuer({ issuer: "https://stranger.invalid" });
const sts = createStsEmulator({ issuers: [issuer], roles: [{ arn: ROLE_ARN }] });
const dir = mkdtempSync(join(tmpdir(), "edge-sts-deno-kv-"));
const stops: Array<() => Promise<void>> = [];
const urls: string[] = [];
const calls = () => sts.calls.count("AssumeRoleWithWebIdentity");

before(async () => {
  const port = await new Promise<number>((done, fail) => {
    const server = serve({ fetch: (request) => new Promise((r) => setTimeout(r, 150)).then(() => sts.fetch(request)), port: 0, hostname: "127.0.0.1" }, (info) => done(info.port));
    server.once("error", fail);
    stops.push(() => new Promise((r) => ((server as unknown as { closeAllConnections(): void }).closeAllConnections(), server.close(() => r()))));
  });
  const kvFile = join(dir, "kv.sqlite3");
  for (let i = 0; i < 2; i++) {
    const child = spawn(join(root, "node_modules", ".bin", "deno"), ["run", "-A", "--unstable-kv", "--no-lock", "test/stores/deno-kv-isolate.ts", kvFile, `http://127.0.0.1:${port}`, ROLE_ARN, STORE_SECRET], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    const exited = new Promise<void>((r) => child.once("close", () => r()));
    stops.push(async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    });
    let output = "";
    urls.push(await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`deno did not listen within 60 s: ${output.slice(-400)}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk;
        const m = /listening (\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          done(`http://127.0.0.1:${m[1]}`);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      void exited.then(() => fail(new Error(`deno exited: ${output.slice(-400)}`)));
    }));
  }
});
after(async () => {
  for (const stop of stops.reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function request(i: number, token: string) {
  const started = performance.now();
  const response = await fetch(`${urls[i]}/api/whoami`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
  const body = (await response.json().catch(() => ({}))) as { accessKeyId?: string };
  const desc = /desc="([a-z]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1];
  return { status: response.status, desc, body, elapsedMs: performance.now() - started };
}
const errorsOf = async () => JSON.stringify(await Promise.all(urls.map(async (u) => (await fetch(`${u}/store-errors`)).json())));

test("two Deno processes on one KV file: a burst of first requests for one token over both is 1 STS call", async () => {
  for (let round = 0; round < 3; round++) {
    const before = calls();
    const token = await issuer.mint({ sub: `deno-burst-${round}` });
    const answers = await Promise.all([0, 1, 0, 1].map((i) => request(i, token)));
    assert.ok(answers.every((a) => a.status === 200 && a.body.accessKeyId === answers[0]!.body.accessKeyId), JSON.stringify(answers));
    assert.equal(calls() - before, 1, `round ${round}: outcomes ${answers.map((a) => a.desc)}; store errors ${await errorsOf()}`);
    assert.ok(answers.some((a) => a.desc === "store"), `the other process did not answer from the store: ${answers.map((a) => a.desc)}`);
  }
});

test("two Deno processes: 20 users × a burst of 4: at most 22 STS calls", async () => {
  const before = calls();
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, u) => issuer.mint({ sub: `deno-user-${u}` })));
  const answers = (await Promise.all(tokens.map((token, u) => Promise.all([0, 1, 0, 1].map((i) => request((i + u) % 2, token)))))).flat();
  assert.ok(answers.every((a) => a.status === 200), `statuses ${answers.map((a) => a.status)}`);
  assert.ok(calls() - before <= 22, `${calls() - before} STS calls; store errors ${await errorsOf()}`);
});

test("two Deno processes: a refused token is answered 401 in both within the bound, after 1 STS call", async () => {
  const before = calls();
  const token = await stranger.mint({ sub: "deno-refused" });
  const answers = await Promise.all([0, 1, 0, 1].map((i) => request(i, token)));
  assert.ok(answers.every((a) => a.status === 401), `statuses ${answers.map((a) => a.status)}`);
  assert.equal(calls() - before, 1);
  assert.ok(Math.max(...answers.map((a) => a.elapsedMs)) < 1500, `answers took ${answers.map((a) => a.elapsedMs.toFixed(0))} ms`);
});
