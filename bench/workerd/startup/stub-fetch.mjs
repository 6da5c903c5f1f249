/** The stubbed global `fetch` both exchange Workers get: STS's 200 answer, read like any Response. */
import { stsHeaders } from "../common.mjs";

export function stubGlobalFetch(body) {
  const headers = stsHeaders(body);
  globalThis.fetch = async () => new Response(body, { status: 200, headers });
}
