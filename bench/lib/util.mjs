/** Small helpers for the bench orchestration (Node only). */

export function median(xs) {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The environment of every benchmark child: no AWS configuration from the machine (no shared
 * config/credentials files, no IMDS, no profile), so neither side does credential-chain I/O;
 * no Node warnings printed (the SDK's Node 20 support notice), identical for both sides.
 */
export function childEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_") && k !== "NODE_OPTIONS") env[k] = v;
  return {
    ...env,
    AWS_CONFIG_FILE: "/nonexistent/edge-sts-bench/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/edge-sts-bench/credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    NODE_NO_WARNINGS: "1",
  };
}

/** Spread of per-pair ratios: median, min, max, and the pairs themselves. */
export function spread(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: median(s), min: s[0], max: s[s.length - 1], n: s.length, values: xs };
}

/** The command that runs a bench script on a runtime (Node itself, or Deno/Bun from devDependencies). */
export function runtimeCommand(root, runtime, script, args = []) {
  const bin = (name) => `${root}node_modules/.bin/${name}`;
  if (runtime === "node") return [process.execPath, [script, ...args]];
  if (runtime === "deno") return [bin("deno"), ["run", "-A", "--no-lock", script, ...args]];
  if (runtime === "bun") return [bin("bun"), [script, ...args]];
  throw new Error(`unknown runtime ${runtime}`);
}

/** Runs a child to completion; resolves with its last stdout line parsed as JSON. */
export async function runJson(cmd, args, { cwd, env, timeoutMs = 60_000 } = {}) {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const p = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("error", (e) => reject(e));
    p.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve({ ...JSON.parse(out.trim().split("\n").pop()), processWallMs: wallMs });
      } catch (e) {
        reject(new Error(`${args.join(" ")} failed (${e.message}): ${err.slice(-800)}`));
      }
    });
  });
}
