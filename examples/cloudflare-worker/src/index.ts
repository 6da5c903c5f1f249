/**
 * A Cloudflare Worker serving the example app; settings come from its bindings (wrangler.toml `[vars]`).
 * With a KV namespace bound as `STS_CACHE`, exchanged credentials are shared by every isolate in every
 * location (sealed with keys derived from each caller's token): one STS call per user, not per isolate.
 */
import type { Context, ExecutionContext } from "hono";
import { workersKvStore } from "../../../src/stores/index.ts";
import type { KvNamespaceLike } from "../../../src/stores/index.ts";
import { createApp, readSettings } from "../../shared/app.ts";

/** The Worker's bindings. */
export interface Env {
  ROLE_ARN: string;
  AWS_REGION?: string;
  /** A local STS emulator; unset (or empty) → real AWS. */
  STS_ENDPOINT?: string;
  /** A KV namespace shared by the fleet (wrangler.toml `[[kv_namespaces]]`); unbound → per-isolate cache only. */
  STS_CACHE?: KvNamespaceLike;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    // Built on the first request rather than at module scope: the bindings arrive with the request,
    // and Workers forbid random values, crypto and timers at global scope.
    app ??= createApp(readSettings((name) => env[name as keyof Env] as string | undefined), {
      // Bindings exist per request, so the store is a function of the context.
      store: (c: Context<{ Bindings: Env }>) => (c.env.STS_CACHE ? workersKvStore(c.env.STS_CACHE) : undefined),
      onStoreError: (info) => console.warn(`sts store ${info.operation} ${info.reason}`, info.errorName ?? ""),
    });
    return app.fetch(request, env, ctx);
  },
};
