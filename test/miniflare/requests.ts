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

/** The `sub` → assumed-role ARN mapping of test/workerd/example-sts.ts's role. */
export { assumedRoleArn } from "../workerd/example-sts.ts";
