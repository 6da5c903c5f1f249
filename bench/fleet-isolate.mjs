/**
 * One isolate of the fleet benchmark (bench/fleet.mjs): its own process (Node or Deno), the Hono app
 * with `stsCredentials` in front of `/api/*`, and the shared store its flags name, behind an injected
 * round trip. Prints `listening <port>` once it serves on 127.0.0.1.
 *
 *   node bench/fleet-isolate.mjs --sts=<url> --role=<arn> --store=none|redis|deno-kv [--storeDelayMs=5]
 *        [--redis=redis://127.0.0.1:6379] [--kvPath=<file>] [--claim] [--storeWaitMs=<ms>]
 *
 * `--claim` passes the store's `claim` (and `delete`) through the delay too: coordinated misses (issue 21);
 * without it the store is get/set only, as for issue 11's figures. Store operations are counted by kind.
 *
 * `GET /api/x` answers with `x-mw-us` (microseconds from before the middleware to the handler) and the
 * middleware's Server-Timing (`desc` = hit, store, miss, …); `GET /stats` answers the process's CPU.
 */
import { Hono } from "hono";

const arg = (name, fallback) => {
  const found = (globalThis.Deno ? Deno.args : process.argv.slice(2)).find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
};
const dist = new URL("./.out/dist/", import.meta.url);
const { stsCredentials } = await import(new URL("hono/index.js", dist).href);

const storeKind = arg("store", "none");
const storeDelayMs = Number(arg("storeDelayMs", "5"));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const withClaim = (globalThis.Deno ? Deno.args : process.argv.slice(2)).includes("--claim");
/** Store operations by kind (get, set, claim, delete), for the operations per user. */
const storeOps = {};
const op = (name) => void (storeOps[name] = (storeOps[name] ?? 0) + 1);

/** The store behind an injected round trip: every call waits `ms` first, as a network hop would. */
function delayed(store, ms) {
  const wrapped = {
    get: async (key) => (op("get"), await sleep(ms), store.get(key)),
    set: async (key, value, ttlSeconds) => (op("set"), await sleep(ms), store.set(key, value, ttlSeconds)),
  };
  if (withClaim && store.claim) {
    wrapped.claim = async (key, ttlMs) => (op("claim"), await sleep(ms), store.claim(key, ttlMs));
    wrapped.delete = async (key) => (op("delete"), await sleep(ms), store.delete(key));
  }
  return wrapped;
}

async function openStore() {
  if (storeKind === "none") return { store: undefined, close() {} };
  const stores = await import(new URL("stores/index.js", dist).href);
  if (storeKind === "redis") {
    const { createClient } = await import("redis");
    const client = createClient({ url: arg("redis") });
    client.on("error", () => {}); // reported by the store's own error path, not as an unhandled event
    await client.connect();
    return { store: delayed(stores.redisStore(client), storeDelayMs), close: () => client.quit() };
  }
  if (storeKind === "deno-kv") {
    const kv = await Deno.openKv(arg("kvPath"));
    return { store: delayed(stores.denoKvStore(kv), storeDelayMs), close: () => kv.close() };
  }
  throw new Error(`unknown --store=${storeKind}`);
}

const { store } = await openStore();
/** Store failures by `operation:reason`, and `pauses` (onStoreError never carries the key or the value). */
const storeErrors = {};
const count = (name) => void (storeErrors[name] = (storeErrors[name] ?? 0) + 1);
function onStoreError({ operation, reason, pausedForMs }) {
  count(`${operation}:${reason}`);
  if (pausedForMs) count("pauses"); // the store is skipped (reads and writes) for pausedForMs
}
const app = new Hono();
app.use("/api/*", async (c, next) => {
  c.set("t0", performance.now());
  await next();
});
const storeWaitMs = arg("storeWaitMs");
app.use("/api/*", stsCredentials({
  roleArn: arg("role"),
  endpoint: arg("sts"),
  serverTiming: true,
  ...(store ? { store, onStoreError, storeSecret: "fleet-bench-store-secret-0123456789abcdef" } : {}),
  ...(store && storeWaitMs !== undefined ? { storeWaitMs: Number(storeWaitMs) } : {}),
}));
app.get("/api/x", (c) => {
  c.header("x-mw-us", String(Math.round((performance.now() - c.get("t0")) * 1000)));
  return c.text("ok");
});
app.get("/stats", (c) => {
  const usage = globalThis.process?.cpuUsage?.();
  return c.json({ cpuUs: usage ? usage.user + usage.system : null, storeErrors, storeOps });
});

if (globalThis.Deno) {
  Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening ${port}`) }, app.fetch);
} else {
  const { serve } = await import("@hono/node-server");
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
  server.keepAliveTimeout = 60_000; // the router's keep-alive sockets idle longer than Node's 5 s default

}
