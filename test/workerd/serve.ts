/**
 * Bundles a Worker the way wrangler does (esbuild, ESM, no Node built-ins), writes a workerd
 * config without `nodejs_compat`, serves it on a loopback port the OS picks, and hands the base
 * URL to a check. Node-side orchestration only; the Worker code itself is web-standard.
 */
import { spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";

/** A recent date the installed workerd supports; no compatibility flags (in particular no nodejs_compat). */
export const COMPATIBILITY_DATE = "2026-11-01";

const root = resolve(import.meta.dirname, "../..");

/** What a Worker under test reports back. */
export interface WorkerResult {
  passed: number;
  failed: number;
  failures: Array<{ name: string; message: string }>;
}

/** One Worker to bundle, serve and check. */
export interface WorkerSpec {
  /** Short name, used in output and as the temp directory name. */
  name: string;
  /** Entry file relative to the repo root; its default export is `{ fetch }`. */
  entry: string;
  /** Keep modules that `sideEffects: false` would drop (test suites imported only for their side effects). */
  keepSideEffectImports?: boolean;
  /** Text bindings (`env.NAME`), as `[vars]` in wrangler.toml. Returned by `setup` too. */
  bindings?: Record<string, string>;
  /**
   * Starts whatever the Worker talks to (e.g. the STS emulator on 127.0.0.1 via @hono/node-server) and
   * returns extra bindings plus a close function. When set, the Worker's outbound fetch may reach
   * loopback addresses (workerd's default `internet` service only allows public ones).
   */
  setup?: () => Promise<{ bindings?: Record<string, string>; close(): Promise<void> | void }>;
  /** Talks to the served Worker and counts what passed. */
  check(baseUrl: string): Promise<WorkerResult>;
}

/** Bundles with esbuild for workerd; fails if anything needs a Node built-in. */
export async function bundleWorker(spec: WorkerSpec, outfile: string): Promise<void> {
  await bundleEntry(spec.entry, outfile, spec.keepSideEffectImports ?? false);
}

/** {@link bundleWorker} for an entry file alone (also used by the Miniflare suite, test/miniflare/). */
export async function bundleEntry(entry: string, outfile: string, keepSideEffectImports = false): Promise<void> {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    ignoreAnnotations: keepSideEffectImports,
    logLevel: "silent",
    plugins: [refuseNodeBuiltins],
  });
}

/** esbuild plugin: any `node:` (or bare built-in) import is a build error naming the importer. */
export const refuseNodeBuiltins: esbuild.Plugin = {
  name: "refuse-node-builtins",
  setup(build) {
    const builtins = new Set(
      "assert async_hooks buffer child_process crypto dns events fs http http2 https module net os path process querystring stream string_decoder timers tls url util worker_threads zlib"
        .split(" "),
    );
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/\/.*$/, "");
      if (args.path.startsWith("node:") || (builtins.has(bare) && args.kind !== "entry-point")) {
        return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer || "(entry)"}` }] };
      }
      return undefined;
    });
  },
};

function capnpString(s: string): string {
  return JSON.stringify(s);
}

/** The workerd config: one worker, one socket (address overridden at launch), optional loopback outbound. */
export function workerConfig(bindings: Record<string, string>, loopbackOutbound: boolean): string {
  const bindingList = Object.entries(bindings)
    .map(([name, text]) => `(name = ${capnpString(name)}, text = ${capnpString(text)})`)
    .join(", ");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
${loopbackOutbound ? `    (name = "loopback", network = (allow = ["public", "local"])),\n` : ""}  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = ${capnpString(COMPATIBILITY_DATE)},
  bindings = [${bindingList}],
${loopbackOutbound ? `  globalOutbound = "loopback",\n` : ""});
`;
}

/** Bundles, serves and checks one Worker; workerd is always stopped afterwards. */
export async function runWorker(spec: WorkerSpec): Promise<WorkerResult> {
  const dir = join(root, ".tmp", "workerd", spec.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await bundleWorker(spec, join(dir, "worker.js"));

  const env = spec.setup ? await spec.setup() : undefined;
  try {
    const bindings = { ...spec.bindings, ...env?.bindings };
    await writeFile(join(dir, "config.capnp"), workerConfig(bindings, spec.setup !== undefined));
    const server = await startWorkerd(join(dir, "config.capnp"));
    try {
      return await spec.check(server.url);
    } finally {
      await server.stop();
    }
  } finally {
    await env?.close();
  }
}

/** Starts `workerd serve`, learning the port through --control-fd (no race for a free port). */
async function startWorkerd(config: string): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = process.env.WORKERD_BIN ?? join(root, "node_modules", ".bin", "workerd");
  const child = spawn(bin, ["serve", config, "--control-fd=3"], {
    stdio: ["ignore", "inherit", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  // "close" also fires when the binary could not be spawned at all ("exit" does not).
  const exited = new Promise<number | null>((res) => child.once("close", (code) => res(code)));
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const control = createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`workerd did not start listening within 30 s\n${stderr}`)), 30_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      rej(new Error(`workerd could not be started (${bin}): ${err.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`workerd exited with code ${code} before listening\n${stderr}`));
    });
    control.on("line", (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (msg.event === "listen" && msg.socket === "http" && typeof msg.port === "number") {
          clearTimeout(timer);
          res(msg.port);
        }
      } catch {
        // not a control message we understand
      }
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url: `http://127.0.0.1:${port}`, stop };
}
