/**
 * `npm run demo` in its exit-after-the-flow mode: it completes, prints each step (miss, then hit, the
 * assumed-role ARN), and prints none of the secrets it handled.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { createOidcIssuer } from "../src/testing/index.ts";
import { EXAMPLE_ROLE_ARN, assumedRoleArn, startLocalSts } from "./workerd/example-sts.ts";

const root = resolve(import.meta.dirname, "..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tsx scripts/demo.ts --once` (what `npm run demo -- --once` runs), killed after 60 s. */
function demo(env: Record<string, string>): Promise<Run> {
  const { ROLE_ARN, AWS_REGION, STS_ENDPOINT, TOKEN, PORT, DEMO_ONCE, DEMO_SECRETS_FILE, FORCE_COLOR, ...inherited } = process.env;
  return new Promise((done, fail) => {
    const child = spawn(join(root, "node_modules", ".bin", "tsx"), ["scripts/demo.ts", "--once"], {
      cwd: root,
      env: { ...inherited, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", fail);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Asserts that no secret, nor anything shaped like a JWT, was printed. */
function assertNothingSecret(run: Run, secrets: string[]): void {
  const printed = run.stdout + run.stderr;
  for (const secret of secrets) assert.ok(!printed.includes(secret), `a secret was printed (${secret.slice(0, 4)}…)`);
  assert.doesNotMatch(printed, /eyJ[\w-]{10,}\.[\w-]{10,}\./, "something shaped like a JWT was printed");
  assert.doesNotMatch(printed, /ASIA[A-Z2-7]{16}/, "a full access key id was printed");
}

test("the local demo runs the whole flow, then exits 0 with --once", { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "edge-sts-demo-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const secretsFile = join(dir, "secrets.json");

  const run = await demo({ DEMO_SECRETS_FILE: secretsFile });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const out = run.stdout;
  assert.match(out, /local mode/);
  // request → middleware → STS emulator → credentials → signed GetCallerIdentity, in that order.
  const order = [
    /app +← GET \/api\/whoami \(Bearer token\)/,
    /STS emulator ← AssumeRoleWithWebIdentity \(unsigned\) → 200/,
    /middleware +STS exchange \(miss\): AssumeRoleWithWebIdentity ok/,
    /credentials +ASIA… until /,
    /✓ cache: miss/,
    /✓ cache: hit/,
    /STS emulator ← GetCallerIdentity \(SigV4-signed with ASIA…\) → 200/,
    /✓ STS says the caller is arn:aws:sts::123456789012:assumed-role\/edge-sts-demo\/alice/,
    /✓ status 401, WWW-Authenticate: Bearer/,
    /✓ every step passed/,
  ];
  let at = 0;
  for (const step of order) {
    const found = step.exec(out.slice(at));
    assert.ok(found, `${step} not printed after the previous step:\n${out}`);
    at += found.index + found[0].length;
  }
  assert.match(out, /✓ assumed role: arn:aws:sts::123456789012:assumed-role\/edge-sts-demo\/alice/);
  assert.doesNotMatch(out, /✗/);
  assert.equal(out.match(/STS emulator ← AssumeRoleWithWebIdentity/g)?.length, 1, "the second request was not served from the cache");

  const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as string[];
  // The bearer token, and the key id, secret key and session token of the credentials issued.
  assert.ok(secrets.length >= 4, `only ${secrets.length} secrets recorded`);
  assertNothingSecret(run, secrets);
});

test("with ROLE_ARN and STS_ENDPOINT the demo uses that STS and the token in TOKEN", { timeout: 90_000 }, async (t) => {
  const local = await startLocalSts();
  t.after(() => local.close());
  const token = await local.issuer.mint({ sub: "carol" });

  const run = await demo({ ROLE_ARN: EXAMPLE_ROLE_ARN, STS_ENDPOINT: local.url, TOKEN: token });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`the STS at ${local.url}`));
  assert.match(run.stdout, /✓ cache: miss[\s\S]*✓ cache: hit/);
  assert.ok(run.stdout.includes(`✓ STS says the caller is ${assumedRoleArn("carol")}`), run.stdout);
  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity"), 1);
  assert.equal(local.sts.calls.count("GetCallerIdentity"), 1);
  const issued = local.sts.issuedCredentials().flatMap((s) => [s.accessKeyId, s.secretAccessKey, s.sessionToken ?? ""]);
  assertNothingSecret(run, [token, ...issued]);
});

test("a failing step makes --once exit non-zero", { timeout: 90_000 }, async (t) => {
  const local = await startLocalSts();
  t.after(() => local.close());
  const untrusted = await createOidcIssuer({ issuer: "https://someone-else.example" }).mint({ sub: "mallory" });

  const run = await demo({ ROLE_ARN: EXAMPLE_ROLE_ARN, STS_ENDPOINT: local.url, TOKEN: untrusted });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /✗ status 401/);
  assert.match(run.stdout, /check\(s\) failed/);
  assertNothingSecret(run, [untrusted]);
});
