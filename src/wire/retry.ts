/**
 * What is worth another attempt, and how long to wait before it.
 */
import { THROTTLING_CODES } from "../errors.ts";

/** Codes that mean STS or its identity provider had a passing problem. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "IDPCommunicationError",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
]);

/** Codes that mean our signing clock is off. */
export const CLOCK_SKEW_CODES: ReadonlySet<string> = new Set([
  "RequestTimeTooSkewed",
  "RequestExpired",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "RequestInTheFuture",
]);

/** Whether a service error with this code and status may succeed on another attempt. */
export function isRetryable(code: string, status: number): boolean {
  return status === 429 || status >= 500 || THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code);
}

/**
 * Capped exponential backoff with full jitter: a uniform wait in `[0, min(cap, base · 2^retry))`.
 * @param retry 0 for the wait before the second attempt.
 */
export function backoffMs(retry: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Reads `Retry-After` (delta-seconds or an HTTP date) in milliseconds, or undefined.
 * @param nowMs the local time, for the HTTP-date form.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
