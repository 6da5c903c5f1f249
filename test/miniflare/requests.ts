/** Requests to the fleet's Workers, and what the answers tell. */
import type { Fleet } from "./fleet.ts";

export interface WhoAmI {
  status: number;
  /** `desc` of the middleware's Server-Timing entry: `hit`, `store`, `miss`, … */
  source: string | undefined;
  body: { isolate?: string; isolateId?: string; arn?: string; accessKeyId?: string; error?: string };
}

/** `GET /api/whoami` on isolate `index` with `Bearer <token>`. */
export async function whoami(fleet: Fleet, index: number, token: string, path = "/api/whoami"): Promise<WhoAmI> {
  const response = await fleet.fetch(index, path, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  let body: WhoAmI["body"] = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.slice(0, 200) };
  }
  const timing = response.headers.get("server-timing") ?? "";
  const source = /(?:^|,)\s*sts;[^,]*desc="([^"]*)"/.exec(timing)?.[1];
  return { status: response.status, source, body };
}

/**
 * The store time-out the fleets run with: these tests check what the isolates share, not how fast.
 * On a loaded machine a Miniflare KV read can pass the 50 ms default, and that read is a miss: right,
 * but not what they check (the store's own tests cover time-outs, test/hardening/store-faults.test.ts).
 */
export const STORE_TIMEOUT = { STORE_TIMEOUT_MS: "1000" };

/** What onStoreError reported in every isolate of the fleet (test/miniflare/sts-worker.ts only). */
export async function storeErrors(fleet: Fleet): Promise<string> {
  const all = await Promise.all(fleet.names.map(async (_, i) => (await fleet.fetch(i, "/store-errors")).json()));
  return JSON.stringify(all);
}

/** The `sub` → assumed-role ARN mapping of test/workerd/example-sts.ts's role. */
export { assumedRoleArn } from "../workerd/example-sts.ts";
