/**
 * Bundles a Worker the way wrangler does (esbuild, ESM, no Node built-ins), writes a workerd
 * config with no compatibility flags for one compatibility date, serves it on a loopback port the OS
 * picks, and hands the base URL to a check. Node-side orchestration only; the Worker code itself is
 * web-standard.
 */
import { spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";
import type { RuntimeProbe } from "./probe.ts";

/**
 * The compatibility dates every Worker is run with, never with compatibility flags. workerd turns Node
 * compatibility on by default for dates after 2026-08-04 (and `no_nodejs_compat` did not turn it off),
 * so only the strict run proves "no nodejs_compat": its Worker must not see `process` or `node:buffer`.
 */
export interface CompatibilityProfile {
  name: "strict" | "current";
  compatibilityDate: string;
  /** Whether the Worker may see Node's APIs; `false` is checked from inside the Worker. */
  nodeApis: boolean;
}

export const STRICT: CompatibilityProfile = { name: "strict", compatibilityDate: "2026-08-01", nodeApis: false };
/** A recent date the installed workerd supports: what a user creating a Worker today gets. */
export const CURRENT: CompatibilityProfile = { name: "current", compatibilityDate: "2026-11-01", nodeApis: true };
export const PROFILES = [STRICT, CURRENT] as const;

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

/**
 * Bundles with esbuild for workerd; fails if anything needs a Node built-in. The entry is wrapped so that
 * `/__runtime` answers what the isolate can see of Node (probe.ts); every other path goes to the Worker.
 */
export async function bundleWorker(spec: WorkerSpec, outfile: string): Promise<void> {
  const wrapper = `import worker from ${JSON.stringify(`./${spec.entry}`)};
import { probeRuntime } from "./test/workerd/probe.ts";
export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname === "/__runtime" ? probeRuntime() : worker.fetch(request, env, ctx);
  },
};`;
  await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: wrapper, resolveDir: root, sourcefile: "workerd-entry.js", loader: "js" },
    outfile,
    ...WORKER_BUILD,
    ignoreAnnotations: spec.keepSideEffectImports ?? false,
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

/** How wrangler bundles a Worker (ESM, neutral platform, the workerd/worker/browser conditions); a Node built-in is a build error. */
export const WORKER_BUILD = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "browser"],
  logLevel: "silent",
  plugins: [refuseNodeBuiltins],
} satisfies esbuild.BuildOptions;

function capnpString(s: string): string {
  return JSON.stringify(s);
}

/** The workerd config: one worker, one socket (address overridden at launch), optional loopback outbound. */
export function workerConfig(bindings: Record<string, string>, loopbackOutbound: boolean, profile: CompatibilityProfile = CURRENT): string {
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
  compatibilityDate = ${capnpString(profile.compatibilityDate)},
  bindings = [${bindingList}],
${loopbackOutbound ? `  globalOutbound = "loopback",\n` : ""});
`;
}

/**
 * Bundles, serves and checks one Worker under one compatibility profile; workerd is always stopped
 * afterwards. Under a profile without Node APIs, two more checks run inside the Worker: no `process`,
 * and `import("node:buffer")` fails.
 */
export async function runWorker(spec: WorkerSpec, profile: CompatibilityProfile = CURRENT): Promise<WorkerResult & { runtime?: RuntimeProbe }> {
  const dir = join(root, ".tmp", "workerd", `${spec.name}-${profile.name}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await bundleWorker(spec, join(dir, "worker.js"));

  const env = spec.setup ? await spec.setup() : undefined;
  try {
    const bindings = { ...spec.bindings, ...env?.bindings };
    await writeFile(join(dir, "config.capnp"), workerConfig(bindings, spec.setup !== undefined, profile));
    const server = await startWorkerd(join(dir, "config.capnp"));
    try {
      const result = await spec.check(server.url);
      const runtime = (await (await fetch(`${server.url}/__runtime`, { signal: AbortSignal.timeout(10_000) })).json()) as RuntimeProbe;
      if (!profile.nodeApis) {
        const expect = (name: string, ok: boolean, detail: string) => {
          if (ok) result.passed++;
          else {
            result.failed++;
            result.failures.push({ name, message: detail });
          }
        };
        expect(`${profile.name}: the Worker sees no globalThis.process`, runtime.process === "undefined", `typeof process is "${runtime.process}" with compatibility date ${profile.compatibilityDate}`);
        expect(`${profile.name}: import("node:buffer") fails inside the Worker`, !runtime.nodeBuffer, `node:buffer loaded with compatibility date ${profile.compatibilityDate}`);
      }
      return { ...result, runtime };
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
