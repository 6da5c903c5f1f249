/**
 * The Worker each isolate of the Miniflare fleet runs: `stsCredentials` in front of `/api/*`, with the
 * shared store its `STORE` binding names (`kv`: Workers KV through the `STS_CACHE` binding, `cache`:
 * `caches.default`, `none`: the per-isolate cache alone). `/api/whoami` answers who the caller became,
 * with which access key id, from which isolate, and where the middleware found the credentials.
 */
import { Hono } from "hono";
import type { ExecutionContext } from "hono";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsVariables } from "../../src/hono/index.ts";
import { cacheApiStore, durableObjectStore, workersKvStore } from "../../src/stores/index.ts";
import type { CredentialStore, DurableObjectNamespaceLike, KvNamespaceLike } from "../../src/stores/index.ts";

interface Env {
  ISOLATE_NAME: string;
  ROLE_ARN: string;
  STS_ENDPOINT: string;
  STORE: "kv" | "cache" | "do" | "none";
  STS_CACHE?: KvNamespaceLike;
  /** The Durable Object namespace of `StsCoordinator` (STORE "do"). */
  STS_COORDINATOR?: DurableObjectNamespaceLike;
  /** `storeSecret`; unset → none. */
  STORE_SECRET?: string;
  /** `storeWaitMs`; unset → the default. */
  STORE_WAIT_MS?: string;
  /** `storeTimeoutMs`; unset → the default. */
  STORE_TIMEOUT_MS?: string;
}

/** Workers have `caches.default` (not in the DOM typings this repo compiles with). */
declare const caches: { default: Cache };

type App = Hono<{ Bindings: Env; Variables: StsVariables }>;

// Module state is per isolate: a Worker that reports the same id twice ran in the same isolate.
let isolateId: string | undefined;
let app: App | undefined;
/** What onStoreError reported in this isolate (never a key or a value), for the tests' messages. */
const storeErrors: Array<{ operation: string; reason: string; durationMs: number }> = [];

function createApp(env: Env): App {
  const app: App = new Hono();
  app.use(
    "/api/*",
    stsCredentials<{ Bindings: Env; Variables: StsVariables }>({
      roleArn: env.ROLE_ARN,
      endpoint: env.STS_ENDPOINT,
      serverTiming: true,
      ...(env.STORE === "none"
        ? {}
        : {
          store: storeFor(env),
          storeSecret: "edge-sts-miniflare-store-secret-0123456789",
          ...(env.STORE_TIMEOUT_MS ? { storeTimeoutMs: Number(env.STORE_TIMEOUT_MS) } : {}),
          ...(env.STORE_SECRET ? { storeSecret: env.STORE_SECRET } : {}),
          ...(env.STORE_WAIT_MS ? { storeWaitMs: Number(env.STORE_WAIT_MS) } : {}),
          onStoreError: ({ operation, reason, durationMs }) => void storeErrors.push({ operation, reason, durationMs: Math.round(durationMs) }),
        }),
    }),
  );
  app.get("/store-errors", (c) => c.json(storeErrors));
  // Where the credentials came from is in the response's Server-Timing (`desc="hit|store|miss|…"`).
  app.get("/api/whoami", (c) =>
    c.json({
      isolate: env.ISOLATE_NAME,
      isolateId,
      arn: c.var.stsIdentity.assumedRoleUser.arn,
      accessKeyId: c.var.awsCredentials.accessKeyId,
    }),
  );
  return app;
}

function storeFor(env: Env): CredentialStore | ((c: { env: Env }) => CredentialStore | undefined) | undefined {
  switch (env.STORE) {
    // As in a real Worker: the binding arrives with the request.
    case "kv":
      return (c) => (c.env.STS_CACHE === undefined ? undefined : workersKvStore(c.env.STS_CACHE));
    case "cache":
      return cacheApiStore(caches.default);
    case "do":
      return (c) => (c.env.STS_COORDINATOR === undefined ? undefined : durableObjectStore(c.env.STS_COORDINATOR));
    case "none":
      return undefined;
    default:
      throw new Error(`STORE must be kv, cache, do or none, not ${String(env.STORE)}`);
  }
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    // Random values are not allowed at global scope in Workers: made on the first request.
    isolateId ??= crypto.randomUUID();
    app ??= createApp(env);
    return app.fetch(request, env, ctx);
  },
};
