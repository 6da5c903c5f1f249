/**
 * One bounded GET of a small JSON document (an OIDC discovery document, a JWKS): a deadline that
 * holds even when the fetch ignores its signal, a size limit on the body, and the `Cache-Control`
 * max-age of the answer.
 *
 * @module
 */
import type { FetchFunction } from "../types.ts";
import { readStream } from "../wire/read-body.ts";

/** A document and how long its sender lets it be kept. */
export interface FetchedJson {
  json: unknown;
  /** `max-age` of `Cache-Control`, in seconds; `0` for `no-store`/`no-cache`; `undefined` when absent. */
  maxAgeSeconds: number | undefined;
}

/**
 * GETs `url` and parses its JSON body.
 * @param deadline The `AbortSignal` of the whole operation: abort ends the fetch and the read.
 * @throws {Error} with a short message (status, size, time-out, not JSON) that never quotes the body.
 */
export async function fetchJson(fetch: FetchFunction, url: string, maxBytes: number, deadline: AbortSignal): Promise<FetchedJson> {
  // No redirects: the URL checked (https, or http on loopback) is the one answering. workerd knows only
  // "follow" and "manual"; a 3xx (or an opaque redirect, status 0) is then an answer other than 200.
  const response = await untilAborted(fetch(url, { headers: { accept: "application/json" }, redirect: "manual", signal: deadline }), deadline);
  if (response.status !== 200) {
    response.body?.cancel().catch(() => {});
    throw new Error(`answered ${response.status}`);
  }
  const text = await untilAborted(readLimited(response, maxBytes, deadline), deadline);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("answered something that is not JSON");
  }
  return { json, maxAgeSeconds: maxAge(response.headers.get("cache-control")) };
}

function maxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/(?:^|,)\s*no-(?:store|cache)\b/i.test(header)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(header);
  return match === null ? undefined : Number(match[1]);
}

/** Settles with `promise`, or rejects once `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    response.body?.cancel().catch(() => {});
    throw new Error(`answered more than ${maxBytes} bytes`);
  }
  if (response.body === null) return "";
  return readStream(response.body, maxBytes, signal, () => new Error(`answered more than ${maxBytes} bytes`));
}
