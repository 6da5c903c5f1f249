/**
 * How the middleware's failures become HTTP answers (RFC 6750 §3): one place maps every error to a
 * status, a `WWW-Authenticate` challenge and a short generic body. Nothing from the token, the
 * credentials or STS's own message text ever reaches a response.
 *
 * @module
 */
import { HTTPException } from "hono/http-exception";
import { EdgeStsError, KeySetUnavailableError, StsConfigurationError, StsError, TokenVerificationError } from "../errors.ts";
import type { TransportErrorCode } from "../errors.ts";
import type { StoreRefusal } from "../cache/store-level.ts";

/** What is wrong with the bearer token, in RFC 6750 terms (`missing`: no token at all). */
export type BearerProblem = "missing" | "invalid_request" | "invalid_token" | "insufficient_scope";

/**
 * A problem the middleware found itself, before or instead of STS: no token, a malformed or expired
 * one, or no role for its claims. It is the `cause` of the `HTTPException` handed to `onError`.
 *
 * @example
 * ```ts
 * onError: (err) => { if (err.cause instanceof BearerTokenError) console.log(err.cause.problem); }
 * ```
 */
export class BearerTokenError extends EdgeStsError {
  static override code = "BEARER_TOKEN_ERROR";
  override code = BearerTokenError.code;
  override name = "BearerTokenError";
  /** The RFC 6750 error this problem maps to. */
  readonly problem: BearerProblem;

  /**
   * @param problem The RFC 6750 error.
   * @param message A short description that never contains the token.
   */
  constructor(problem: BearerProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** STS refused this token for this role: remembered for a while (negative caching), never retried. */
const REJECTED_TOKEN = new Set(["InvalidIdentityToken", "ExpiredTokenException"]);
const REJECTED_SCOPE = new Set(["IDPRejectedClaim", "AccessDenied"]);
/**
 * Failures of the way to STS or of its answer that the retry policy does not retry (a deadline, an
 * abort, an unreadable or oversized answer) but that are still STS's side, not the caller's: 503.
 * Everything the policy retries (throttling, 5xx, transient codes) arrives with `retryable` set.
 */
const TRANSPORT_FAILURES: ReadonlySet<string> = new Set<TransportErrorCode>([
  "TimeoutError",
  "NetworkError",
  "InvalidResponse",
  "ResponseTooLarge",
  "AbortError",
]);
/** STS is deactivated in every STS region the exchange could use: the deployment's regions, not the caller: 503. */
const REGION_DISABLED = "RegionDisabledException";
/** Seconds to suggest in `Retry-After` when STS did not say. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Whether STS's answer is about the token or its claims, so the same request would fail again. */
export function isRejection(err: unknown): boolean {
  return err instanceof StsError && (REJECTED_TOKEN.has(err.code) || REJECTED_SCOPE.has(err.code));
}

/**
 * How a refusal reaches the isolates waiting on the same exchange through a coordinating store: its
 * code and status only (sealed like an entry), answered as the same `StsError` (401/403 here too).
 */
export const storeRefusal: StoreRefusal = {
  of: (err) => (isRejection(err) ? { code: (err as StsError).code, status: (err as StsError).status } : undefined),
  error: ({ code, status }) =>
    new StsError("AssumeRoleWithWebIdentity refused the token (recorded by the isolate that exchanged it)", {
      code,
      status,
      operation: "AssumeRoleWithWebIdentity",
      retryable: false,
    }),
};

/**
 * Builds the `HTTPException` for any failure of the middleware.
 * @param err What went wrong (a {@link BearerTokenError}, an `StsError`, a validation error, anything).
 * @param challengePrefix `Bearer` or `Bearer realm="…"`, built once by the factory.
 * @returns The exception, with the response in `res` and `err` in `cause`.
 */
export function toHttpException(err: unknown, challengePrefix: string): HTTPException {
  if (err instanceof BearerTokenError) {
    if (err.problem === "missing") return failure(401, "Unauthorized", err, { "WWW-Authenticate": challengePrefix });
    return rfc6750(err.problem, challengePrefix, err);
  }
  if (err instanceof TokenVerificationError) return rfc6750("invalid_token", challengePrefix, err);
  // Fail closed: without the issuer's keys no token is accepted, and the caller is told when to retry.
  if (err instanceof KeySetUnavailableError) {
    return failure(503, "Service Unavailable", err, { "Retry-After": String(Math.max(1, Math.ceil(err.retryAfterSeconds))) });
  }
  if (err instanceof StsError) {
    if (REJECTED_TOKEN.has(err.code)) return rfc6750("invalid_token", challengePrefix, err);
    if (REJECTED_SCOPE.has(err.code)) return rfc6750("insufficient_scope", challengePrefix, err);
    if (err.code === "JWTPayloadSizeExceededException") return rfc6750("invalid_request", challengePrefix, err);
    if (err.retryable || TRANSPORT_FAILURES.has(err.code) || err.code === REGION_DISABLED) {
      const wait = err.retryAfterSeconds !== undefined && err.retryAfterSeconds > 0
        ? Math.ceil(err.retryAfterSeconds)
        : DEFAULT_RETRY_AFTER_SECONDS;
      return failure(503, "Service Unavailable", err, { "Retry-After": String(wait) });
    }
  }
  // A misconfiguration (StsValidationError from a per-request value, MalformedPolicyDocument, …) or a bug.
  return failure(500, "Internal Server Error", err, {});
}

const STATUS: Record<Exclude<BearerProblem, "missing">, [400 | 401 | 403, string]> = {
  invalid_request: [400, "Bad Request"],
  invalid_token: [401, "Unauthorized"],
  insufficient_scope: [403, "Forbidden"],
};

function rfc6750(problem: Exclude<BearerProblem, "missing">, prefix: string, cause: unknown): HTTPException {
  const [status, text] = STATUS[problem];
  const challenge = `${prefix}${prefix === "Bearer" ? " " : ", "}error="${problem}"`;
  return failure(status, text, cause, { "WWW-Authenticate": challenge });
}

function failure(
  status: 400 | 401 | 403 | 500 | 503,
  text: string,
  cause: unknown,
  headers: Record<string, string>,
): HTTPException {
  const res = new Response(text, { status, headers: { "Content-Type": "text/plain; charset=UTF-8", ...headers } });
  return new HTTPException(status, { res, message: text, cause });
}

/**
 * The challenge's fixed start: `Bearer`, or `Bearer realm="…"` when a realm is configured.
 * @throws {StsConfigurationError} when the realm cannot be sent in a header (a control character, or not a string).
 */
export function challengePrefix(realm: string | undefined): string {
  if (realm === undefined) return "Bearer";
  // deno-lint-ignore no-control-regex
  if (typeof realm !== "string" || /[\u0000-\u001f\u007f-\uffff]/.test(realm)) {
    throw new StsConfigurationError("stsCredentials: realm must be printable ASCII");
  }
  return `Bearer realm="${realm.replace(/[\\"]/g, "\\$&")}"`;
}
