/**
 * The one request pipeline every operation goes through:
 * validate → serialize → sign (or not) → fetch with a per-attempt time limit → retry → parse.
 */
import { AwsV4Signer } from "aws4fetch";
import { checkTimerRange } from "../options.ts";
import { StsConfigurationError, StsError } from "../errors.ts";
import type { ResolvedEndpoint } from "../endpoints.ts";
import { MIN_ATTEMPT_MS } from "../failover.ts";
import type { EndpointRoute } from "../failover.ts";
import type { AwsCredentials, CallDeadline, CredentialsProvider, FetchFunction, ResponseMetadata } from "../types.ts";
import { API_VERSION } from "./operation.ts";
import type { Operation } from "./operation.ts";
import { encodeForm } from "./query.ts";
import { readBody } from "./read-body.ts";
import { backoffMs, CLOCK_SKEW_CODES, refundRetry, retryAfterMs, sleep, spendRetry } from "./retry.ts";
import type { RetryBudget } from "./retry.ts";
import { invalidResponse, readErrorResponse, readResult } from "./response.ts";
import { validateInput } from "./validate.ts";
import { loadXmlReader, XmlReadError } from "./xml.ts";
import type { XmlElement } from "./xml.ts";

/** Everything the pipeline needs from a client. */
export interface PipelineContext {
  endpoint: ResolvedEndpoint;
  credentials?: CredentialsProvider;
  fetch: FetchFunction;
  maxAttempts: number;
  timeoutMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** A `Retry-After` longer than this ends the retries instead of waiting. */
  maxRetryAfterMs: number;
  /** The client-wide retry budget; `undefined`: unlimited. */
  retryBudget?: RetryBudget;
  /** Milliseconds to add to the local clock when signing (learned from clock-skew errors). */
  clockOffsetMs: number;
  /** aws4fetch's derived-signing-key cache (in memory, per client). */
  signingKeyCache: Map<string, ArrayBuffer>;
}

/** Per-call settings: the caller's signal and limits that override the client's. */
export interface CallOptions {
  signal?: AbortSignal;
  maxRetryAfterMs?: number;
  /** Region failover: the endpoint of each attempt. Default: `ctx.endpoint` for every attempt. */
  route?: EndpointRoute;
  /** The call's deadline: it ends the call, and caps each attempt to a share of what is left. */
  deadline?: CallDeadline;
}

const CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";
const SKEW_THRESHOLD_MS = 4 * 60 * 1000;
/** Token parts at least this long are redacted on their own too (STS may echo one part). */
const MIN_SECRET_PART_CHARS = 8;

/**
 * Sends one operation and returns its output with `requestId`.
 * @throws {StsValidationError} before any network call when the input breaks the model's rules.
 * @throws {StsError} for service errors, unreadable responses, network failures, time-outs and aborts.
 */
export async function send<I, O>(
  ctx: PipelineContext,
  operation: Operation<I, O>,
  input: I,
  options?: CallOptions,
): Promise<O & ResponseMetadata> {
  const deadline = options?.deadline;
  const given = options?.signal;
  const signal = deadline === undefined || given === deadline.signal ? given : given === undefined ? deadline.signal : AbortSignal.any([given, deadline.signal]);
  const maxRetryAfterMs = options?.maxRetryAfterMs ?? ctx.maxRetryAfterMs;
  if (typeof maxRetryAfterMs !== "number" || !(maxRetryAfterMs >= 0)) {
    throw new StsConfigurationError(`${operation.action}: maxRetryAfterMs must be a number >= 0`);
  }
  // A Retry-After up to it is slept for: beyond a timer's range the sleep would end after ~1 ms.
  checkTimerRange(maxRetryAfterMs, `${operation.action}: maxRetryAfterMs`);
  const valid = validateInput(operation, input);
  const body = encodeForm(operation.action, API_VERSION, operation.serialize(valid));
  const secrets = secretValues(operation, valid);
  const credentials = operation.signed ? await resolveCredentials(ctx, operation.action) : undefined;
  if (credentials) secrets.push(credentials.secretAccessKey, credentials.sessionToken ?? "");

  let skewCorrected = false;
  let retry = 0;
  const route = options?.route;
  let endpoint = route?.first ?? ctx.endpoint;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, operation.action, attempt - 1);
    let failure: StsError;
    let retryAfter: number | undefined;
    try {
      const untried = route?.attempt(endpoint) ?? 0;
      const timeoutMs = attemptTimeoutMs(ctx.timeoutMs, deadline, Math.min(untried, ctx.maxAttempts - attempt));
      const { response, text } = await attemptOnce(ctx, endpoint, body, credentials, signal, operation.action, timeoutMs);
      await loadXmlReader(); // on the first answer only: a cache hit never loads the reader
      if (response.ok) {
        const root = readResult(text, response, operation.action, secrets);
        if ("error" in root) failure = root.error;
        else {
          const output = { ...parseResult(operation, root.result, response), requestId: root.requestId };
          refundRetry(ctx.retryBudget);
          return output;
        }
      } else {
        failure = readErrorResponse(text, response, operation.action, secrets);
      }
      retryAfter = retryAfterMs(response.headers.get("retry-after"), Date.now());
      if (credentials && !skewCorrected && CLOCK_SKEW_CODES.has(failure.code) && learnSkew(ctx, response)) {
        skewCorrected = true;
        // The corrected clock serves the next call in any case; this call retries only within maxAttempts.
        if (attempt < ctx.maxAttempts) continue;
      }
    } catch (err) {
      if (!(err instanceof StsError)) throw err;
      failure = err;
    }
    failure.attempts = attempt;
    if (retryAfter !== undefined) failure.retryAfterSeconds = Math.ceil(retryAfter / 1000);
    if (attempt >= ctx.maxAttempts || signal?.aborted) throw failure;
    // Failover: the route says where the next attempt goes (it may move on after a region-level
    // failure too) and how long that endpoint asked this call to wait, not this one's Retry-After.
    const next = route ? route.next(failure, retryAfter) : failure.retryable ? { endpoint, waitMs: retryAfter } : undefined;
    if (next === undefined) throw failure;
    endpoint = next.endpoint;
    retryAfter = next.waitMs;
    if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) {
      // Its own Retry-After when it sent one; else when the endpoint the call would have gone to is ready.
      failure.retryAfterSeconds ??= Math.ceil(retryAfter / 1000);
      throw failure;
    }
    if (!spendRetry(ctx.retryBudget, failure.code, failure.status)) throw failure;
    const wait = Math.max(backoffMs(retry++, ctx.retryBaseDelayMs, ctx.retryMaxDelayMs), retryAfter ?? 0);
    try {
      await sleep(wait, signal);
    } catch (reason) {
      throw abortError(operation.action, reason, attempt);
    }
  }
}

/**
 * One attempt's time limit: the client's `timeoutMs`; with a deadline and `others` (endpoints this
 * call has not tried yet, as many as attempts remain) at most a fair share of what is left, never
 * below {@link MIN_ATTEMPT_MS} unless less is left. With no other endpoint to leave time for, the
 * deadline itself ends the attempt (and says so).
 */
function attemptTimeoutMs(timeoutMs: number, deadline: CallDeadline | undefined, others: number): number {
  if (deadline === undefined || others <= 0) return timeoutMs;
  const left = deadline.remainingMs();
  const share = Math.max(left / (1 + Math.max(0, others)), Math.min(MIN_ATTEMPT_MS, left));
  return Math.max(1, Math.ceil(Math.min(timeoutMs, share)));
}

async function resolveCredentials(ctx: PipelineContext, action: string): Promise<AwsCredentials> {
  if (!ctx.credentials) {
    throw new StsConfigurationError(`${action} is a signed operation: configure credentials on the StsClient`);
  }
  const credentials = await ctx.credentials();
  if (!credentials || typeof credentials.accessKeyId !== "string" || typeof credentials.secretAccessKey !== "string") {
    throw new StsConfigurationError(`${action}: the credentials provider returned no accessKeyId/secretAccessKey`);
  }
  return credentials;
}

/** The URL every call is POSTed to. */
function endpointUrl(endpoint: ResolvedEndpoint): string {
  return endpoint.url.endsWith("/") ? endpoint.url : endpoint.url + "/";
}

/** The URL and init of one signed attempt. */
async function signedInit(
  ctx: PipelineContext,
  endpoint: ResolvedEndpoint,
  body: string,
  credentials: AwsCredentials,
  signal: AbortSignal,
): Promise<{ url: string; init: RequestInit }> {
  const signed = await new AwsV4Signer({
    method: "POST",
    url: endpointUrl(endpoint),
    headers: { "content-type": CONTENT_TYPE },
    body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: endpoint.signingName,
    region: endpoint.signingRegion,
    cache: ctx.signingKeyCache,
    datetime: amzDate(Date.now() + ctx.clockOffsetMs),
  }).sign();
  return { url: signed.url.toString(), init: { method: "POST", headers: signed.headers, body, signal } };
}

/**
 * One fetch and its whole body, bounded by the per-attempt time limit and the caller's signal.
 *
 * One promise settles once: with the answer, or with the first of time-out, caller abort and fetch
 * failure. It does not wait for a fetch that ignores its signal. Until it settles, the attempt's
 * `init` (and so `init.signal`) stays reachable from the pending timer, so a fetch that keeps
 * nothing but the signal is still told to abort.
 */
function attemptOnce(
  ctx: PipelineContext,
  endpoint: ResolvedEndpoint,
  body: string,
  credentials: AwsCredentials | undefined,
  signal: AbortSignal | undefined,
  action: string,
  timeoutMs: number,
): Promise<{ response: Response; text: string }> {
  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    let inFlight: RequestInit | undefined;
    let response: Response | undefined;
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      inFlight = undefined;
      return true;
    };
    const fail = (err: StsError, abortWith?: unknown): void => {
      if (!finish()) return;
      if (abortWith !== undefined) controller.abort(abortWith);
      if (response && !response.bodyUsed) response.body?.cancel().catch(() => {});
      reject(err);
    };
    // The pending timer is what keeps this closure, and with it `inFlight` and `controller`, alive.
    const timer = setTimeout(() => {
      const err = timeoutError(action, timeoutMs);
      fail(err, err);
    }, timeoutMs);
    const onAbort = () => fail(abortError(action, signal!.reason, 0), signal!.reason);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    const onError = (err: unknown): void => {
      if (settled) return;
      if (err instanceof StsError && err.code !== "TimeoutError") return fail(err);
      fail(new StsError(`${action}: network failure before a response was read`, {
        code: "NetworkError",
        status: 0,
        operation: action,
        retryable: true,
      }, { cause: err }));
    };
    const onResponse = (res: Response): Promise<void> | undefined => {
      response = res;
      if (settled) {
        if (!res.bodyUsed) res.body?.cancel().catch(() => {});
        return undefined;
      }
      return readBody(res, action, controller.signal).then((text) => {
        if (finish()) resolve({ response: res, text });
      });
    };
    const start = ({ url, init }: { url: string; init: RequestInit }): void => {
      if (settled) return; // abandoned while signing: never hand fetch a dead attempt
      inFlight = init;
      try {
        ctx.fetch(url, init).then(onResponse).then(undefined, onError);
      } catch (err) {
        onError(err); // a fetch that throws instead of rejecting
      }
    };
    if (credentials) signedInit(ctx, endpoint, body, credentials, controller.signal).then(start, onError);
    else start({ url: endpointUrl(endpoint), init: { method: "POST", headers: { "content-type": CONTENT_TYPE }, body, signal: controller.signal } });
  });
}

function parseResult<O>(operation: Operation<unknown, O>, result: XmlElement | undefined, response: Response): O {
  try {
    return operation.parse(result);
  } catch (err) {
    const reason = err instanceof XmlReadError ? err.message : "result could not be read";
    throw invalidResponse(`${operation.action}: HTTP ${response.status}, ${reason}`, {
      status: response.status,
      requestId: response.headers.get("x-amzn-requestid") ?? undefined,
      operation: operation.action,
    }, err);
  }
}

function timeoutError(action: string, timeoutMs: number): StsError {
  return new StsError(`${action}: no complete response within ${timeoutMs} ms`, {
    code: "TimeoutError",
    status: 0,
    operation: action,
    retryable: true,
  });
}

/** The caller's signal ended the call: `TimeoutError` when its reason says it was a deadline, else `AbortError`. */
function abortError(action: string, reason: unknown, attempts: number): StsError {
  const deadline = reason instanceof Error && reason.name === "TimeoutError";
  const why = deadline ? (reason.message.slice(0, 200) || "time limit passed") : "";
  return new StsError(deadline ? `${action}: the caller's deadline passed: ${why}` : `${action}: aborted by the caller`, {
    code: deadline ? "TimeoutError" : "AbortError",
    status: 0,
    operation: action,
    retryable: false,
    attempts,
  }, { cause: reason });
}

function throwIfAborted(signal: AbortSignal | undefined, action: string, attempts: number): void {
  if (signal?.aborted) throw abortError(action, signal.reason, attempts);
}

/** Learns the clock offset from the response `Date`; true when it was far enough off to matter. */
function learnSkew(ctx: PipelineContext, response: Response): boolean {
  const serverTime = Date.parse(response.headers.get("date") ?? "");
  if (Number.isNaN(serverTime)) return false;
  const offset = serverTime - Date.now();
  if (Math.abs(offset - ctx.clockOffsetMs) < SKEW_THRESHOLD_MS) return false;
  ctx.clockOffsetMs = offset;
  return true;
}

/** The secret input values, each token part of 8+ characters too (longest first, so a whole value goes before its parts). */
function secretValues<I>(operation: Operation<I, unknown>, input: I): string[] {
  const out: string[] = [];
  for (const name of operation.secretMembers ?? []) {
    const value = (input as Record<string, unknown>)[name];
    if (typeof value !== "string" || value.length === 0) continue;
    out.push(value);
    if (value.includes(".")) {
      for (const part of value.split(".")) if (part.length >= MIN_SECRET_PART_CHARS) out.push(part);
    }
  }
  return out.sort((a, b) => b.length - a.length);
}

/** `YYYYMMDDTHHMMSSZ`, the SigV4 time format. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}
