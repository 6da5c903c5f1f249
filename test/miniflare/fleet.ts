/**
 * A small Cloudflare fleet in Miniflare: several Workers, each its own workerd isolate (module state
 * is not shared: every one reports a different isolate id), all bound to ONE Workers KV namespace
 * (same namespace id) and seeing the same `caches.default` (one data centre). The Worker code is
 * bundled with esbuild exactly as for the workerd suite (no Node built-ins, no nodejs_compat), and
 * the Workers reach the STS emulator over 127.0.0.1 like a deployed Worker reaches AWS.
 *
 * KV and the Cache API are persisted to a temp directory, so a test can scan every byte the stores
 * wrote (KV values and cached response bodies are plain files there), not only what the API lists.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Log, LogLevel, Miniflare, supportedCompatibilityDate } from "miniflare";
import type { WorkerOptions } from "miniflare";
import * as esbuild from "esbuild";
import { WORKER_BUILD } from "../workerd/serve.ts";

const root = resolve(import.meta.dirname, "../..");

/** The KV namespace id every Worker of a fleet is bound to. */
export const SHARED_NAMESPACE_ID = "edge-sts-shared-cache";

export interface FleetOptions {
  /** Entry of the Workers under test, relative to the repo root (bundled once, loaded by each). */
  entry: string;
  /** How many Workers (isolates) run the entry. */
  isolates: number;
  /** Text bindings every Worker gets; `isolateBindings(i)` adds per-Worker ones. */
  bindings?: Record<string, string>;
  isolateBindings?: (index: number) => Record<string, string>;
  /** The name of the KV binding (in every Worker, the tamper Worker included). @default "STS_CACHE" */
  kvBinding?: string;
  /** Leave the KV binding out of the Workers under test (the tamper Worker still has it). */
  withoutKv?: boolean;
  /** These isolates run the same entry bundled with extra esbuild plugins (e.g. a module replaced). */
  variant?: { isolates: number[]; plugins: esbuild.Plugin[] };
  /**
   * Add a `coordinator` Worker exporting `StsCoordinator` (test/miniflare/coordinator-worker.ts) and bind
   * its Durable Object namespace as `STS_COORDINATOR` in every Worker under test (persisted with the rest).
   */
  coordinator?: boolean;
}

export interface Fleet {
  /** The Workers' names, `isolate-0` … */
  names: string[];
  /** Sends a request to Worker `index` (through Miniflare's dispatch, so it runs in that isolate). */
  fetch(index: number, path: string, init?: RequestInit): Promise<Response>;
  /** Another Worker bound to the same KV namespace (see tamper-worker.ts). */
  tamper(path: string, init?: RequestInit): Promise<Response>;
  /** Every key and value in the shared namespace, read through the tamper Worker's binding. */
  kvDump(): Promise<Array<{ name: string; value: string; expiration?: number }>>;
  /** What the Workers logged (console.*) and what Miniflare reported about them, in order. */
  logs: string[];
  /** The `STS_COORDINATOR` namespace, usable from Node (with `coordinator` only). */
  coordinatorNamespace(): Promise<unknown>;
  /** Every file Miniflare persisted for KV, the Cache API and Durable Objects, as raw bytes. */
  persistedFiles(): Promise<Array<{ path: string; bytes: Uint8Array }>>;
  close(): Promise<void>;
}

/** Bundles an entry as the workerd suite does (wrangler's settings; a Node built-in is a build error). */
async function bundleEntry(entry: string, outfile: string, plugins: esbuild.Plugin[] = []): Promise<void> {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    ...WORKER_BUILD,
    plugins: [...WORKER_BUILD.plugins, ...plugins],
  });
}

/** Starts one Miniflare instance with `isolates` Workers plus the tamper Worker. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), "edge-sts-miniflare-"));
  const bundles = join(root, ".tmp", "miniflare");
  await mkdir(bundles, { recursive: true });
  const script = join(bundles, `${options.entry.replace(/[^\w]+/g, "_")}.js`);
  const tamperScript = join(bundles, "tamper-worker.js");
  await bundleEntry(options.entry, script);
  const variantScript = script.replace(/\.js$/, "_variant.js");
  if (options.variant) await bundleEntry(options.entry, variantScript, options.variant.plugins);
  await bundleEntry("test/miniflare/tamper-worker.ts", tamperScript);

  const kvBinding = options.kvBinding ?? "STS_CACHE";
  const kvNamespaces = { [kvBinding]: SHARED_NAMESPACE_ID };
  const names = Array.from({ length: options.isolates }, (_, i) => `isolate-${i}`);
  const workers: WorkerOptions[] = names.map((name, i) => ({
    name,
    modules: true,
    scriptPath: options.variant?.isolates.includes(i) ? variantScript : script,
    compatibilityDate: supportedCompatibilityDate,
    bindings: { ISOLATE_NAME: name, ...options.bindings, ...options.isolateBindings?.(i) },
    ...(options.withoutKv ? {} : { kvNamespaces }),
    ...(options.coordinator ? { durableObjects: { STS_COORDINATOR: { className: "StsCoordinator", scriptName: "coordinator" } } } : {}),
  }));
  workers.push({
    name: "tamper",
    modules: true,
    scriptPath: tamperScript,
    compatibilityDate: supportedCompatibilityDate,
    bindings: { KV_BINDING: kvBinding },
    kvNamespaces,
  });

  if (options.coordinator) {
    const coordinatorScript = join(bundles, "coordinator-worker.js");
    await bundleEntry("test/miniflare/coordinator-worker.ts", coordinatorScript);
    workers.push({
      name: "coordinator",
      modules: true,
      scriptPath: coordinatorScript,
      compatibilityDate: supportedCompatibilityDate,
      durableObjects: { STS_COORDINATOR: "StsCoordinator" },
    });
  }

  const logs: string[] = [];
  class Capture extends Log {
    override logWithLevel(level: LogLevel, message: string) {
      logs.push(`[${LogLevel[level]}] ${message}`);
    }
  }
  const mf = new Miniflare({
    workers,
    host: "127.0.0.1",
    // A fixed request.cf instead of Miniflare fetching one from workers.cloudflare.com: loopback only.
    cf: { colo: "TST", country: "ZZ" },
    log: new Capture(LogLevel.INFO),
    structuredWorkerdLogs: true,
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => void logs.push(`[worker ${level}] ${message}`),
    kvPersist: join(dir, "kv"),
    cachePersist: join(dir, "cache"),
    durableObjectsPersist: join(dir, "do"),
  });
  try {
    await mf.ready;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  // Miniflare types its stubs with workers-types, which this repo does not install: the part used here.
  type Stub = { fetch(url: string, init?: RequestInit): Promise<Response> };
  const stubs = (await Promise.all([...names, "tamper"].map((name) => mf.getWorker(name)))) as unknown as Stub[];
  const send = (stub: Stub, path: string, init?: RequestInit) => stub.fetch(`http://fleet.test${path}`, { signal: AbortSignal.timeout(20_000), ...init });

  const fleet: Fleet = {
    names,
    logs,
    fetch(index, path, init) {
      const stub = stubs[index];
      if (stub === undefined) throw new Error(`no isolate ${index}`);
      return send(stub, path, init);
    },
    tamper: (path, init) => send(stubs.at(-1)!, path, init),
    coordinatorNamespace: () => mf.getDurableObjectNamespace("STS_COORDINATOR", "coordinator"),
    async kvDump() {
      const response = await fleet.tamper("/dump");
      if (!response.ok) throw new Error(`tamper /dump: ${response.status} ${await response.text()}`);
      return (await response.json()) as Array<{ name: string; value: string; expiration?: number }>;
    },
    async persistedFiles() {
      const files: Array<{ path: string; bytes: Uint8Array }> = [];
      const walk = async (at: string) => {
        const entries = await readdir(at, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? [] : Promise.reject(err)));
        for (const entry of entries) {
          const path = join(at, entry.name);
          if (entry.isDirectory()) await walk(path);
          else {
            // Miniflare may drop a blob between the listing and the read (an entry replaced): gone is fine.
            const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? undefined : Promise.reject(err)));
            if (bytes !== undefined) files.push({ path, bytes: new Uint8Array(bytes) });
          }
        }
      };
      await walk(dir);
      return files;
    },
    async close() {
      await mf.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fleet;
}

/** Polls `probe` every 20 ms until it returns true, at most `timeoutMs`; false if it never did. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return probe();
}
