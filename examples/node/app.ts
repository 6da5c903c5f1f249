/**
 * The Node example's app: the shared example app configured from `process.env`.
 * `npm run demo` serves this same app, pointed at a local STS emulator.
 */
import { createApp, readSettings } from "../shared/app.ts";
import type { AppHooks } from "../shared/app.ts";

/**
 * @param env Where `ROLE_ARN`, `AWS_REGION` and `STS_ENDPOINT` are read. Default `process.env`.
 * @param hooks The middleware's observability options (the demo prints cache hits and misses).
 */
export function createNodeApp(env: NodeJS.ProcessEnv = process.env, hooks?: AppHooks) {
  return createApp(readSettings((name) => env[name]), hooks);
}
