/**
 * The Worker of the fleet benchmark's Miniflare side (bench/fleet.mjs bundles it with esbuild): the
 * same app as bench/fleet-isolate.mjs, with Workers KV (`STS_CACHE`) as the store when `STORE` is
 * `kv`, behind the injected round trip `STORE_DELAY_MS`; or the Durable Object coordinator
 * (`STS_COORDINATOR`, class exported below) when `STORE` is `do`, its `claim` through the same delay.
 * `GET /stats` answers this isolate's store operations by kind.
 */
import { Hono } from "hono";
import { stsCredentials } from "../src/hono/index.ts";
import { durableObjectStore, workersKvStore } from "../src/stores/index.ts";

export { StsCoordinator } from "../src/stores/index.ts";

/** Store operations by kind in this isolate. */
const storeOps = {};
const op = (name) => void (storeOps[name] = (storeOps[name] ?? 0) + 1);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let app;
function createApp(env) {
  const delayMs = Number(env.STORE_DELAY_MS);
  // One wrapper per binding, as workersKvStore keeps one adapter per binding: the store's health
  // (its pause after failed reads) lives on that object.
  const wrappers = new WeakMap();
  const delayed = (inner) => {
    const wrapped = {
      get: async (key) => (op("get"), await sleep(delayMs), inner.get(key)),
      set: async (key, value, ttlSeconds) => (op("set"), await sleep(delayMs), inner.set(key, value, ttlSeconds)),
    };
    if (inner.claim) {
      wrapped.claim = async (key, ttlMs) => (op("claim"), await sleep(delayMs), inner.claim(key, ttlMs));
      wrapped.delete = async (key) => (op("delete"), await sleep(delayMs), inner.delete(key));
    }
    return wrapped;
  };
  const bindingOf = (c) => (env.STORE === "do" ? c.env.STS_COORDINATOR : c.env.STS_CACHE);
  const adapter = (binding) => (env.STORE === "do" ? durableObjectStore(binding) : workersKvStore(binding));
  const store = env.STORE === "kv" || env.STORE === "do"
    ? (c) => wrappers.get(bindingOf(c)) ?? wrappers.set(bindingOf(c), delayed(adapter(bindingOf(c)))).get(bindingOf(c))
    : undefined;
  const app = new Hono();
  app.use("/api/*", async (c, next) => {
    c.set("t0", Date.now());
    await next();
  });
  app.use("/api/*", stsCredentials({
    roleArn: env.ROLE_ARN,
    endpoint: env.STS_ENDPOINT,
    serverTiming: true,
    store,
    ...(store ? { storeSecret: "fleet-bench-store-secret-0123456789abcdef" } : {}),
    ...(store && env.STORE_WAIT_MS !== undefined ? { storeWaitMs: Number(env.STORE_WAIT_MS) } : {}),
  }));
  app.get("/stats", (c) => c.json({ storeOps }));
  app.get("/api/x", (c) => {
    c.header("x-mw-us", String((Date.now() - c.get("t0")) * 1000));
    return c.text("ok");
  });
  return app;
}

export default {
  fetch(request, env, ctx) {
    app ??= createApp(env);
    return app.fetch(request, env, ctx);
  },
};
