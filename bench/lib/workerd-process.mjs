/**
 * One workerd process for the bench: bundle a Worker as wrangler does, write its config, spawn
 * workerd on a loopback port, and read the CPU of the whole process (every thread) from
 * /proc/<pid>/task/<tid>/schedstat. Shared by bench/workerd.mjs (steady state) and
 * bench/startup.mjs (fresh isolates).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as esbuild from "esbuild";

/**
 * Bundles `entry` into `<dir>/worker.js` with wrangler's settings (`minify`: as `wrangler --minify`);
 * returns its size and any node: import.
 */
export async function bundleWorker(root, dir, entry, { nodeCompat = false, minify = false, plugins = [] } = {}) {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "worker.js");
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    mainFields: ["browser", "module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: nodeCompat ? ["node:*"] : [],
    minify,
    plugins,
    metafile: true,
    logLevel: "silent",
  });
  const nodeImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.path.startsWith("node:")).map((i) => i.path));
  return { dir, bytes: readFileSync(outfile).byteLength, nodeImports };
}

function config({ compatibilityDate, flags, bindings }) {
  const list = (xs) => xs.map((x) => JSON.stringify(x)).join(", ");
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = ${JSON.stringify(compatibilityDate)},
  compatibilityFlags = [${list(flags)}],
  bindings = [${Object.entries(bindings).map(([n, t]) => `(name = ${JSON.stringify(n)}, text = ${JSON.stringify(t)})`).join(", ")}],
);
`;
}

/** Nanoseconds on CPU of every thread of a process (schedstat's first field, summed). */
export function cpuNs(pid) {
  let total = 0;
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return total;
}

/** Spawns workerd for the Worker in `workerDir`; resolves once its socket listens (30 s at most). */
export async function startWorkerd(bin, workerDir, { compatibilityDate, flags = [], bindings = {} }) {
  const cfg = join(workerDir, `config-${flags.join("-") || "plain"}.capnp`);
  writeFileSync(cfg, config({ compatibilityDate, flags, bindings }));
  const t0 = performance.now();
  const child = spawn(bin, ["serve", cfg, "--control-fd=3"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
  const exited = new Promise((res) => child.once("close", res));
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`workerd did not listen within 30 s\n${stderr}`)), 30_000);
    exited.then((code) => (clearTimeout(timer), rej(new Error(`workerd exited (${code}) before listening\n${stderr.slice(-1500)}`))));
    createInterface({ input: child.stdio[3] }).on("line", (line) => {
      try {
        const m = JSON.parse(line);
        if (m.event === "listen" && m.socket === "http") (clearTimeout(timer), res(m.port));
      } catch {
        // not a control message
      }
    });
  });
  return {
    pid: child.pid,
    port,
    listenMs: performance.now() - t0,
    stderr: () => stderr,
    stop: async () => {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
