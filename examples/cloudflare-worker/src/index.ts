/** A Cloudflare Worker serving the example app; settings come from its bindings (wrangler.toml `[vars]`). */
import type { ExecutionContext } from "hono";
import { createApp, readSettings } from "../../shared/app.ts";

/** The Worker's bindings. */
export interface Env {
  ROLE_ARN: string;
  AWS_REGION?: string;
  /** A local STS emulator; unset (or empty) → real AWS. */
  STS_ENDPOINT?: string;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    // Built on the first request rather than at module scope: the bindings arrive with the request,
    // and Workers forbid random values, crypto and timers at global scope.
    app ??= createApp(readSettings((name) => env[name as keyof Env]));
    return app.fetch(request, env, ctx);
  },
};
