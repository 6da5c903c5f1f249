/**
 * The Worker of the fleet benchmark's Miniflare side (bench/fleet.mjs bundles it with esbuild): the
 * same app as bench/fleet-isolate.mjs, with Workers KV (`STS_CACHE`) as the store when `STORE` is
 * `kv`, behind the injected round trip `STORE_DELAY_MS`.
 */
import { Hono } from "hono";
import { stsCredentials } from "../src/hono/index.ts";
import { workersKvStore } from "../src/stores/index.ts";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let app;
function createApp(env) {
  const delayMs = Number(env.STORE_DELAY_MS);
  // One wrapper per binding, as workersKvStore keeps one adapter per binding: the store's health
  // (its pause after failed reads) lives on that object.
  const wrappers = new WeakMap();
  const delayed = (namespace) => {
    const kv = workersKvStore(namespace);
    return {
      get: async (key) => (await sleep(delayMs), kv.get(key)),
      set: async (key, value, ttlSeconds) => (await sleep(delayMs), kv.set(key, value, ttlSeconds)),
    };
  };
  const store = env.STORE === "kv"
    ? (c) => wrappers.get(c.env.STS_CACHE) ?? wrappers.set(c.env.STS_CACHE, delayed(c.env.STS_CACHE)).get(c.env.STS_CACHE)
    : undefined;
  const app = new Hono();
  app.use("/api/*", async (c, next) => {
    c.set("t0", Date.now());
    await next();
  });
  app.use("/api/*", stsCredentials({ roleArn: env.ROLE_ARN, endpoint: env.STS_ENDPOINT, serverTiming: true, ...(store && { store, storeSecret: "edge-sts-bench-store-secret-0123456789abcdef" }) }));
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
