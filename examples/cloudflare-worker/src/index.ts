/**
 * A Cloudflare Worker serving the example app; settings come from its bindings (wrangler.toml `[vars]`),
 * and the exchanged credentials are shared by every isolate through Workers KV (`STS_CACHE`).
 */
import type { ExecutionContext } from "hono";
import { createApp, readSettings } from "../../shared/app.ts";
import { workersKvStore } from "../../../src/stores/index.ts";
import type { KvNamespaceLike } from "../../../src/stores/index.ts";

/** The Worker's bindings. */
export interface Env {
  ROLE_ARN: string;
  AWS_REGION?: string;
  /** A local STS emulator; unset (or empty) → real AWS. */
  STS_ENDPOINT?: string;
  /**
   * The KV namespace shared by every isolate (wrangler.toml `[[kv_namespaces]]`): one STS exchange per
   * user across the fleet instead of one per isolate. Unbound → each isolate's own cache alone.
   */
  STS_CACHE?: KvNamespaceLike;
  /**
   * The secret KV entries are sealed with besides the caller's token (`npx wrangler secret put
   * STS_STORE_SECRET`, ≥ 32 characters, e.g. `openssl rand -base64 48`): without it, anyone who can
   * write to the namespace can mint a session for a forged token. Optional, strongly recommended.
   */
  STS_STORE_SECRET?: string;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    // Built on the first request rather than at module scope: the bindings arrive with the request,
    // and Workers forbid random values, crypto and timers at global scope.
    app ??= createApp({
      ...readSettings((name) => env[name as keyof Env] as string | undefined),
      // In your Worker: `import { workersKvStore } from "edge-sts/stores"`.
      store: (c) => {
        const namespace = (c.env as Env).STS_CACHE;
        return namespace === undefined ? undefined : workersKvStore(namespace);
      },
      // Read with the request, like the binding: unset while STS_CACHE is bound → 500, never an unkeyed store.
      storeSecret: (c) => (c.env as Env).STS_STORE_SECRET?.trim(),
    });
    return app.fetch(request, env, ctx);
  },
};
