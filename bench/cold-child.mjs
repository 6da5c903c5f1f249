/**
 * One cold start (#4), in a fresh Node, Deno or Bun process: import the library, then one AssumeRoleWithWebIdentity
 * against the emulator the parent serves on loopback. Prints one JSON line and exits at once (both
 * sides: neither waits for its keep-alive socket to close).
 *   node|bun bench/cold-child.mjs edge-sts|sdk · deno run -A bench/cold-child.mjs …   (env BENCH_STS_ENDPOINT, BENCH_TOKEN, BENCH_ROLE_ARN)
 */
import process from "node:process"; // a built-in on every runtime: nothing to load
const t0 = performance.now();
const side = process.argv[2];
const endpoint = process.env.BENCH_STS_ENDPOINT;
const token = process.env.BENCH_TOKEN;
const roleArn = process.env.BENCH_ROLE_ARN;
let accessKeyId;
let tImport;
if (side === "edge-sts") {
  const { StsClient } = await import(new URL("./.out/dist/index.js", import.meta.url).href);
  tImport = performance.now();
  const sts = new StsClient({ region: "us-east-1", endpoint });
  const out = await sts.assumeRoleWithWebIdentity({ roleArn, roleSessionName: "cold-start", webIdentityToken: token });
  accessKeyId = out.credentials?.accessKeyId;
} else if (side === "sdk") {
  const { STSClient, AssumeRoleWithWebIdentityCommand } = await import("@aws-sdk/client-sts");
  tImport = performance.now();
  const sts = new STSClient({ region: "us-east-1", endpoint });
  const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: "cold-start", WebIdentityToken: token }));
  accessKeyId = out.Credentials?.AccessKeyId;
} else {
  throw new Error(`unknown side ${side}`);
}
const t1 = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({
  side,
  ok: typeof accessKeyId === "string" && accessKeyId.startsWith("ASIA"),
  // performance.now() counts from the process's time origin, before any module was loaded.
  bootMs: t0,
  importMs: tImport - t0,
  firstCallMs: t1 - tImport,
  importAndCallMs: t1 - t0,
  sinceOriginMs: t1,
  cpuMs: (cpu.user + cpu.system) / 1000,
}) + "\n");
process.exit(0);
