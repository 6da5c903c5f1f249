/**
 * The one request pipeline every operation goes through:
 * validate → serialize → sign (or not) → fetch with a per-attempt time limit → retry → parse.
 */
import { AwsV4Signer } from "aws4fetch";
import { StsConfigurationError, StsError } from "../errors.ts";
import type { ResolvedEndpoint } from "../endpoints.ts";
import type { EndpointRoute } from "../failover.ts";
import type { AwsCredentials, CredentialsProvider, ResponseMetadata } from "../types.ts";
import { API_VERSION } from "./operation.ts";
import type { Operation } from "./operation.ts";
import { encodeForm } from "./query.ts";
import { readBody } from "./read-body.ts";
import { backoffMs, CLOCK_SKEW_CODES, retryAfterMs, sleep } from "./retry.ts";
import { readErrorResponse, readResult } from "./response.ts";
import { validateInput } from "./validate.ts";
import { XmlReadError } from "./xml.ts";
import type { XmlElement } from "./xml.ts";

/** Everything the pipeline needs from a client. */
export interface PipelineContext {
  endpoint: ResolvedEndpoint;
  credentials?: CredentialsProvider;
  fetch: (request: Request) => Promise<Response>;
  maxAttempts: number;
  timeoutMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** A `Retry-After` longer than this ends the retries instead of waiting. */
  maxRetryAfterMs: number;
  /** Milliseconds to add to the local clock when signing (learned from clock-skew errors). */
  clockOffsetMs: number;
  /** aws4fetch's derived-signing-key cache (in memory, per client). */
  signingKeyCache: Map<string, ArrayBuffer>;
}

const CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";
const SKEW_THRESHOLD_MS = 4 * 60 * 1000;

/**
 * Sends one operation and returns its output with `requestId`.
 * @param route Region failover: the endpoint of each attempt. Default: `ctx.endpoint` for every attempt.
 * @throws {StsValidationError} before any network call when the input breaks the model's rules.
 * @throws {StsError} for service errors, unreadable responses, network failures, time-outs and aborts.
 */
export async function send<I, O>(
  ctx: PipelineContext,
  operation: Operation<I, O>,
  input: I,
  signal?: AbortSignal,
  route?: EndpointRoute,
): Promise<O & ResponseMetadata> {
  const valid = validateInput(operation, input);
  const body = encodeForm(operation.action, API_VERSION, operation.serialize(valid));
  const secrets = secretValues(operation, valid);
  const credentials = operation.signed ? await resolveCredentials(ctx, operation.action) : undefined;
  if (credentials) secrets.push(credentials.secretAccessKey, credentials.sessionToken ?? "");

  let skewCorrected = false;
  let retry = 0;
  let endpoint = route?.first ?? ctx.endpoint;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, operation.action, attempt - 1);
    let failure: StsError;
    let retryAfter: number | undefined;
    try {
      const { response, text } = await attemptOnce(ctx, endpoint, body, credentials, signal, operation.action);
      if (response.ok) {
        const root = readResult(text, response, operation.action, secrets);
        if ("error" in root) failure = root.error;
        else return { ...parseResult(operation, root.result, response), requestId: root.requestId };
      } else {
        failure = readErrorResponse(text, response, operation.action, secrets);
      }
      retryAfter = retryAfterMs(response.headers.get("retry-after"), Date.now());
      if (credentials && !skewCorrected && CLOCK_SKEW_CODES.has(failure.code) && learnSkew(ctx, response)) {
        skewCorrected = true;
        continue;
      }
    } catch (err) {
      if (!(err instanceof StsError)) throw err;
      failure = err;
    }
    failure.attempts = attempt;
    if (retryAfter !== undefined) failure.retryAfterSeconds = Math.ceil(retryAfter / 1000);
    if (!failure.retryable || attempt >= ctx.maxAttempts || signal?.aborted) throw failure;
    // Failover: another endpoint's attempt does not wait for this one's Retry-After.
    const next = route ? route.next(failure) : endpoint;
    if (next.url !== endpoint.url) retryAfter = undefined;
    endpoint = next;
    if (retryAfter !== undefined && retryAfter > ctx.maxRetryAfterMs) throw failure;
    const wait = Math.max(backoffMs(retry++, ctx.retryBaseDelayMs, ctx.retryMaxDelayMs), retryAfter ?? 0);
    try {
      await sleep(wait, signal);
    } catch (reason) {
      throw abortError(operation.action, reason, attempt);
    }
  }
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

async function buildRequest(
  ctx: PipelineContext,
  endpoint: ResolvedEndpoint,
  body: string,
  credentials: AwsCredentials | undefined,
  signal: AbortSignal,
): Promise<Request> {
  const url = endpoint.url.endsWith("/") ? endpoint.url : endpoint.url + "/";
  const headers = { "content-type": CONTENT_TYPE };
  if (!credentials) return new Request(url, { method: "POST", headers, body, signal });
  const signed = await new AwsV4Signer({
    method: "POST",
    url,
    headers,
    body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: endpoint.signingName,
    region: endpoint.signingRegion,
    cache: ctx.signingKeyCache,
    datetime: amzDate(Date.now() + ctx.clockOffsetMs),
  }).sign();
  return new Request(signed.url.toString(), { method: "POST", headers: signed.headers, body, signal });
}

/** One fetch and its whole body, bounded by the per-attempt time limit and the caller's signal. */
async function attemptOnce(
  ctx: PipelineContext,
  endpoint: ResolvedEndpoint,
  body: string,
  credentials: AwsCredentials | undefined,
  signal: AbortSignal | undefined,
  action: string,
): Promise<{ response: Response; text: string }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new StsError(`${action}: no complete response within ${ctx.timeoutMs} ms`, timeoutDetails(action)));
  }, ctx.timeoutMs);
  const onAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let response: Response | undefined;
  try {
    const abandon = abandonment(controller.signal);
    abandon.catch(() => {}); // an abort while signing is handled below, not an unhandled rejection
    const request = await buildRequest(ctx, endpoint, body, credentials, controller.signal);
    controller.signal.throwIfAborted(); // never hand fetch an attempt that was already abandoned
    response = await Promise.race([ctx.fetch(request), abandon]);
    const text = await Promise.race([readBody(response, action, controller.signal), abandon]);
    return { response, text };
  } catch (err) {
    if (response && !response.bodyUsed) response.body?.cancel().catch(() => {});
    if (err instanceof StsError && err.code !== "TimeoutError") throw err;
    if (timedOut) throw new StsError(`${action}: no complete response within ${ctx.timeoutMs} ms`, timeoutDetails(action));
    if (signal?.aborted) throw abortError(action, signal.reason, 0);
    throw new StsError(`${action}: network failure before a response was read`, {
      code: "NetworkError",
      status: 0,
      operation: action,
      retryable: true,
    }, { cause: err });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function parseResult<O>(operation: Operation<unknown, O>, result: XmlElement | undefined, response: Response): O {
  try {
    return operation.parse(result);
  } catch (err) {
    const reason = err instanceof XmlReadError ? err.message : "result could not be read";
    throw new StsError(`${operation.action}: HTTP ${response.status}, ${reason}`, {
      code: "InvalidResponse",
      status: response.status,
      requestId: response.headers.get("x-amzn-requestid") ?? undefined,
      operation: operation.action,
      retryable: false,
    }, { cause: err });
  }
}

/** A promise that rejects when the signal aborts, for fetch implementations that ignore signals. */
function abandonment(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function timeoutDetails(action: string) {
  return { code: "TimeoutError", status: 0, operation: action, retryable: true } as const;
}

function abortError(action: string, reason: unknown, attempts: number): StsError {
  return new StsError(`${action}: aborted by the caller`, {
    code: "AbortError",
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

function secretValues<I>(operation: Operation<I, unknown>, input: I): string[] {
  const out: string[] = [];
  for (const name of operation.secretMembers ?? []) {
    const value = (input as Record<string, unknown>)[name];
    if (typeof value === "string" && value.length > 0) out.push(value);
  }
  return out;
}

/** `YYYYMMDDTHHMMSSZ`, the SigV4 time format. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}
