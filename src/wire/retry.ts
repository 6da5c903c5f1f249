/**
 * What is worth another attempt, and how long to wait before it.
 */
import { StsConfigurationError } from "../errors.ts";
import { integerOption } from "../options.ts";

/** Codes that mean "try again later": throttling. */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ProvisionedThroughputExceededException",
  "BandwidthLimitExceeded",
]);

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
  // 408: STS and the proxies in front of it answer a bare 408 (no XML) when a request is slow to arrive.
  return status === 408 || status === 429 || status >= 500 || THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code);
}

/** Options of the client-wide retry budget (a token bucket, as in the AWS SDKs' standard retry mode). */
export interface RetryBudgetOptions {
  /** Tokens the bucket holds; it starts full. @default 500 */
  capacity?: number;
  /** Tokens a retry takes. @default 5 */
  retryCost?: number;
  /** Tokens a retry after a time-out or a network failure takes. @default 10 */
  timeoutRetryCost?: number;
  /** Tokens a successful call puts back (never above `capacity`). @default 1 */
  successRefund?: number;
}

/** The bucket itself: one per client, shared by every call it makes. */
export interface RetryBudget {
  available: number;
  readonly capacity: number;
  readonly retryCost: number;
  readonly timeoutRetryCost: number;
  readonly successRefund: number;
}

/** Failures that took (or may have taken) the whole attempt's time: their retries cost more. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(["TimeoutError", "NetworkError", "RequestTimeout", "RequestTimeoutException"]);

/**
 * A full bucket, or `undefined` for `false` (no budget: every retryable failure is retried).
 * @throws {StsConfigurationError} naming the option that is not a non-negative integer.
 */
export function createRetryBudget(options: RetryBudgetOptions | false | undefined): RetryBudget | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new StsConfigurationError("retryBudget must be an object of counts, or false");
  }
  const opts = options ?? {};
  const count = (name: keyof RetryBudgetOptions, fallback: number): number =>
    integerOption(opts[name] ?? undefined, fallback, 0, `retryBudget.${name}`);
  const capacity = count("capacity", 500);
  return {
    available: capacity,
    capacity,
    retryCost: count("retryCost", 5),
    timeoutRetryCost: count("timeoutRetryCost", 10),
    successRefund: count("successRefund", 1),
  };
}

/** Takes the tokens a retry after this failure costs; false (and nothing taken) when the bucket cannot pay. */
export function spendRetry(budget: RetryBudget | undefined, code: string, status: number): boolean {
  if (budget === undefined) return true;
  const cost = TIMEOUT_CODES.has(code) || status === 408 ? budget.timeoutRetryCost : budget.retryCost;
  if (budget.available < cost) return false;
  budget.available -= cost;
  return true;
}

/** Puts a success's refund back. */
export function refundRetry(budget: RetryBudget | undefined): void {
  if (budget !== undefined && budget.available < budget.capacity) {
    budget.available = Math.min(budget.capacity, budget.available + budget.successRefund);
  }
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
