/**
 * The package as a newcomer gets it: a fresh checkout (the files git would clone, as in the working
 * tree: no dist/, no node_modules/) is installed and packed with `npm pack`, whose `prepack` must build
 * it; the one tarball is then checked for every `exports` entry and the bin, and installed into an
 * empty app where `npx edge-sts emulator` is driven by plain fetch and by @aws-sdk/client-sts.
 * npm runs with --prefer-offline: the registry is barely touched (the machine has the npm cache).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { allSnippets, shellCommands } from "./docs/extract.ts";

const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "edge-sts-packed-"));
const checkout = join(work, "checkout");
const app = join(work, "app");

interface Ran {
  code: number | null;
  out: string;
}

function exec(cmd: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Ran> {
  return new Promise((done) => {
    const { FORCE_COLOR: _, npm_config_prefix: __, ...env } = process.env;
    const child = spawn(cmd, args, { cwd, env: { ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => (out += `\ncould not start ${cmd}: ${err.message}`));
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

/** What a clone of the working tree holds: tracked and new, non-ignored files (dist/ is ignored). */
function freshCheckout(): void {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(root, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    copyFileSync(join(root, file), join(checkout, file));
  }
  assert.ok(!existsSync(join(checkout, "dist")), "the checkout must start without dist/");
}

let tarball = "";
let tarFiles: string[] = [];
let setup: { ok: boolean; why: string } = { ok: false, why: "not run" };

before(async () => {
  freshCheckout();
  const install = await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], checkout, 300_000);
  if (install.code !== 0) return void (setup = { ok: false, why: `npm install in the checkout failed:\n${install.out}` });
  const pack = await exec("npm", ["pack", "--pack-destination", work], checkout);
  const name = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (pack.code !== 0 || name === undefined) return void (setup = { ok: false, why: `npm pack failed:\n${pack.out}` });
  tarball = join(work, name);
  tarFiles = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map((p) => p.replace(/^package\//, ""));
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "newcomer-app", private: true, type: "module" }));
  const add = await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app);
  if (add.code !== 0) return void (setup = { ok: false, why: `installing the tarball failed:\n${add.out}` });
  setup = { ok: true, why: "" };
});
after(() => rmSync(work, { recursive: true, force: true }));

const ready = () => assert.ok(setup.ok, setup.why);

test("npm pack on a fresh checkout builds: every exports entry and the bin are in the tarball", () => {
  ready();
  const wanted: string[] = [];
  for (const target of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
    wanted.push(...(typeof target === "string" ? [target] : Object.values(target)));
  }
  wanted.push(...Object.values(pkg.bin as Record<string, string>));
  const missing = wanted.map((f) => f.replace(/^\.\//, "")).filter((f) => !tarFiles.includes(f));
  assert.deepEqual(missing, [], `missing from the tarball (${tarFiles.length} files)`);
  assert.ok(tarFiles.some((f) => f.startsWith("dist/chunks/")), "the shared chunk is packed");
});

/**
 * `edge-sts emulator …` in the app, as npx runs it (node_modules/.bin/edge-sts; the --help test goes
 * through npx itself). Started directly so a signal reaches the emulator and its exit code is its own.
 * Resolves once its first stdout line is out.
 */
async function startEmulator(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; first: string; output: () => string }> {
    const child = spawn(join(app, "node_modules", ".bin", "edge-sts"), ["emulator", "--port", "0", ...args], { cwd: app, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const first = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no output within 30 s:\n${out}`)), 30_000);
    const poll = setInterval(() => {
      const line = out.split("\n").length > 1 ? out.split("\n")[0]! : undefined;
      if (line !== undefined) {
        clearTimeout(timer);
        clearInterval(poll);
        done(line);
      }
    }, 20);
    child.once("close", (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      fail(new Error(`exited (${code}) before printing:\n${out}`));
    });
  }).catch((err) => {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw err;
  });
  return { child, first, output: () => out };
}

function stopped(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("close", (code, sig) => {
      clearTimeout(timer);
      done({ code, signal: sig });
    });
    child.kill(signal);
  });
}

describe("npx edge-sts emulator, from the installed tarball", () => {
  test("--json: one line; the token is exchanged with plain fetch; /mint mints more; SIGTERM stops it cleanly", { timeout: 60_000 }, async () => {
    ready();
    const { child, first } = await startEmulator(["--json"]);
    try {
      const printed = JSON.parse(first) as Record<string, string>;
      assert.deepEqual(Object.keys(printed).sort(), ["issuer", "roleArn", "stsEndpoint", "token"]);
      assert.match(printed.stsEndpoint!, /^http:\/\/127\.0\.0\.1:\d+$/);
      const exchange = (token: string, roleArn = printed.roleArn!) =>
        fetch(printed.stsEndpoint!, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: roleArn, RoleSessionName: "newcomer", WebIdentityToken: token }),
          signal: AbortSignal.timeout(10_000),
        });
      const ok = await exchange(printed.token!);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /<AccessKeyId>ASIA/);

      const minted = await fetch(`${printed.issuer}/mint?sub=carol&aud=sts.amazonaws.com&team=blue`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(minted.status, 200);
      const token = await minted.text();
      const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
      assert.equal(claims.sub, "carol");
      assert.equal(claims.team, "blue");
      assert.equal(claims.iss, printed.issuer);
      assert.equal((await exchange(token)).status, 200);

      const wrongAudience = await (await fetch(`${printed.issuer}/mint?sub=carol&aud=someone-else`)).text();
      const refused = await exchange(wrongAudience);
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /InvalidIdentityToken/);
    } finally {
      const end = await stopped(child, "SIGTERM");
      assert.equal(end.code, 0, `exit ${end.code} / ${end.signal}`);
    }
  });

  test("the AWS SDK pointed at it; --role refuses any other role; the human output has the env lines; SIGINT stops it", { timeout: 60_000 }, async () => {
    ready();
    const role = "arn:aws:iam::123456789012:role/only-this-one";
    const { child, output } = await startEmulator(["--role", role]);
    try {
      await waitFor(() => /^TOKEN=/m.test(output()));
      const text = output();
      const line = (name: string) => new RegExp(`^${name}=(.+)$`, "m").exec(text)?.[1];
      assert.equal(line("ROLE_ARN"), role);
      assert.match(line("STS_ENDPOINT") ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(text, /curl -s 'http:\/\/127\.0\.0\.1:\d+\/issuer\/mint\?sub=alice'/);
      const sdk = new STSClient({ region: "us-east-1", endpoint: line("STS_ENDPOINT"), credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "unused-unsigned-call" } });
      try {
        const out = await sdk.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: role, RoleSessionName: "sdk", WebIdentityToken: line("TOKEN") }));
        assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA/);
        assert.match(out.AssumedRoleUser?.Arn ?? "", /:assumed-role\/only-this-one\/sdk$/);
        await assert.rejects(
          sdk.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: "arn:aws:iam::123456789012:role/another", RoleSessionName: "sdk", WebIdentityToken: line("TOKEN") })),
          (err: Error) => err.name === "AccessDenied",
        );
      } finally {
        sdk.destroy();
      }
    } finally {
      const end = await stopped(child, "SIGINT");
      assert.equal(end.code, 0, `exit ${end.code} / ${end.signal}`);
    }
  });

  test("every `npx edge-sts emulator` command line of README.md and docs/ runs (on a free port) and stops on SIGTERM", { timeout: 120_000 }, async () => {
    ready();
    const commands = shellCommands(allSnippets()).filter((c) => /^npx edge-sts emulator\b/.test(c.command));
    assert.ok(commands.length >= 3, `only ${commands.length} documented command lines found`);
    for (const { where, command } of commands) {
      const args = command.split(/\s+/).slice(3); // after "npx edge-sts emulator"
      const { child, first } = await startEmulator([...args, "--port", "0"]); // the last --port wins
      const end = await stopped(child, "SIGTERM");
      assert.equal(end.code, 0, `${where}: ${command}: exit ${end.code}`);
      if (args.includes("--json")) assert.deepEqual(Object.keys(JSON.parse(first)).sort(), ["issuer", "roleArn", "stsEndpoint", "token"], where);
      else assert.match(first, /^edge-sts emulator: STS and an OIDC issuer on http:\/\/127\.0\.0\.1:\d+/, where);
    }
  });

  test("--help prints the usage and exits 0; a bad option exits 2 naming it", { timeout: 30_000 }, async () => {
    ready();
    const help = await exec("npx", ["--no", "--", "edge-sts", "emulator", "--help"], app);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /--port <n>[\s\S]*--role <arn>[\s\S]*--json/);
    assert.match(help.out, /default 8788/, "the default port the docs name");
    const bad = await exec("npx", ["--no", "--", "edge-sts", "emulator", "--role", "not-an-arn"], app);
    assert.equal(bad.code, 2, bad.out);
    assert.match(bad.out, /--role must be an IAM role ARN/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the emulator's output");
    await new Promise((r) => setTimeout(r, 20));
  }
}
