/**
 * Every error this package throws is an {@link EdgeStsError}: a stable `code` on the class and the
 * instance, a short message that never contains a token, a secret or a session token, and the
 * underlying failure in `cause`.
 *
 * @module
 */

/**
 * The error codes STS documents in its API model, as returned in `<Error><Code>`.
 * Other codes (for example `AccessDenied`, `Throttling` or `SignatureDoesNotMatch`) are common to
 * all AWS query services and arrive as plain strings.
 */
export type StsErrorCode =
  | "ExpiredTokenException"
  | "ExpiredTradeInTokenException"
  | "IDPCommunicationError"
  | "IDPRejectedClaim"
  | "InvalidAuthorizationMessageException"
  | "InvalidIdentityToken"
  | "JWTPayloadSizeExceededException"
  | "MalformedPolicyDocument"
  | "OutboundWebIdentityFederationDisabledException"
  | "PackedPolicyTooLarge"
  | "RegionDisabledException"
  | "SessionDurationEscalationException";

/** Codes this package gives to failures that never reached a well-formed STS error response. */
export type TransportErrorCode =
  | "NetworkError"
  | "TimeoutError"
  | "AbortError"
  | "InvalidResponse"
  | "ResponseTooLarge"
  | "EndpointError";

/**
 * The base class of every error thrown by edge-sts.
 *
 * @example
 * ```ts
 * try { await sts.getCallerIdentity({}); }
 * catch (err) { if (err instanceof EdgeStsError) console.log(err.code); }
 * ```
 */
export class EdgeStsError extends Error {
  /** A stable, machine-readable code for this kind of error. */
  static code = "EDGE_STS_ERROR";
  /** A stable, machine-readable code for this error. */
  code: string = EdgeStsError.code;
  // A literal, as in every subclass: bundlers rename classes, so a name read off the class would be `_X` or `e`.
  override name = "EdgeStsError";

  /**
   * @param message A short message that never contains a secret.
   * @param options `cause`: the underlying failure.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether STS blames the caller (`Sender`) or itself (`Receiver`). */
export type StsFaultType = "Sender" | "Receiver";

/** Fields of an {@link StsError}. */
export interface StsErrorDetails {
  /** The STS error code, e.g. `InvalidIdentityToken`, or a transport code such as `TimeoutError`. */
  code: StsErrorCode | TransportErrorCode | (string & {});
  /** `Sender` or `Receiver`; absent when no STS error document was received. */
  type?: StsFaultType;
  /** The HTTP status of the last response; `0` when no response was received. */
  status: number;
  /** The `RequestId` of the STS response (or its `x-amzn-requestid` header), when there is one. */
  requestId?: string;
  /** The STS action, e.g. `AssumeRoleWithWebIdentity`. */
  operation: string;
  /** Whether a later attempt could succeed (throttling, 5xx, network failures, time-outs). */
  retryable: boolean;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /**
   * Seconds the server asked us to wait (`Retry-After`), when it did. A call over several regions that
   * ended because the region it would ask next had asked for more than `maxRetryAfterMs`: that wait,
   * when this response sent none.
   */
  retryAfterSeconds?: number;
}

/**
 * A call to STS failed: STS answered with an error, or the answer could not be read, or no answer came.
 * Unlike the other classes, an instance's `code` is STS's code (or a transport code), because that is
 * what callers branch on; the class's `static code` (`STS_ERROR`) names the class.
 *
 * @example
 * ```ts
 * try { await sts.assumeRoleWithWebIdentity(input); }
 * catch (err) {
 *   if (err instanceof StsError && err.code === "InvalidIdentityToken") return new Response(null, { status: 401 });
 *   throw err;
 * }
 * ```
 */
export class StsError extends EdgeStsError {
  static override code = "STS_ERROR";
  declare code: StsErrorDetails["code"];
  override name = "StsError";

  /**
   * @param message A short message that never contains a secret.
   * @param details The code, status, request id, operation and retryability.
   * @param options `cause`: the underlying failure.
   */
  constructor(message: string, details: StsErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    Object.assign(this, details);
  }
}

// The fields of StsErrorDetails, declared once: the class carries exactly what it is given.
export interface StsError extends StsErrorDetails {}

/** One problem found in an input. */
export interface StsValidationIssue {
  /** Dotted path of the member, e.g. `tags.3.key` or `roleArn`. */
  path: string;
  /** The rule that failed, e.g. `min_length`, `max_length`, `regex`, `required`, `min_value`. */
  rule: string;
  /** What was expected, e.g. `>=2` (never the received value). */
  expected?: string;
  /** The bound of a `min_`/`max_` rule, e.g. `2` for `min_length` `>=2`. */
  limit?: number;
  /** A short human-readable message naming the member and the rule. */
  message: string;
}

/**
 * An input did not satisfy the STS API model's rules. Thrown before any network call.
 * The message names the member and the rule; it never echoes a secret value.
 *
 * @example
 * ```ts
 * try { await sts.assumeRole({ roleArn, roleSessionName: "x" }); }
 * catch (err) { if (err instanceof StsValidationError) console.log(err.issues[0].path); } // "roleSessionName"
 * ```
 */
export class StsValidationError extends EdgeStsError {
  static override code = "STS_VALIDATION_ERROR";
  override code = StsValidationError.code;
  override name = "StsValidationError";
  /** The STS action whose input was rejected. */
  operation: string;
  /** Every problem found, first one first. */
  issues: StsValidationIssue[];

  /**
   * @param operation The STS action.
   * @param issues The problems found (at least one).
   */
  constructor(operation: string, issues: StsValidationIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`${operation}: ${first ? first.message : "invalid input"}${more}`);
    this.operation = operation;
    this.issues = issues;
  }
}

/**
 * The client or a provider was configured in a way that cannot work (for example FIPS with a custom
 * endpoint, or a region that is not a valid host label). Thrown at once, before any network call.
 *
 * @example
 * ```ts
 * new StsClient({ region: "us-east-1", endpoint: "https://example.com", useFipsEndpoint: true })
 *   .getCallerIdentity({}); // rejects with StsConfigurationError
 * ```
 */
export class StsConfigurationError extends EdgeStsError {
  static override code = "STS_CONFIGURATION_ERROR";
  override code = StsConfigurationError.code;
  override name = "StsConfigurationError";
}

/**
 * A caller's token failed local verification (the middleware's `verify` option): a signature that does
 * not verify, an algorithm not allowed, an unknown key, a wrong `iss`/`aud`/`azp`, or a token outside
 * its `exp`/`nbf`/`iat` window. The message says which rule failed; it never quotes the token.
 *
 * @example
 * ```ts
 * onError: (err) => { if (err.cause instanceof TokenVerificationError) console.log(err.cause.message); }
 * ```
 */
export class TokenVerificationError extends EdgeStsError {
  static override code = "TOKEN_VERIFICATION_FAILED";
  override code = TokenVerificationError.code;
  override name = "TokenVerificationError";
}

/**
 * The issuer's key set (discovery or JWKS) could not be had: an error status, a time-out, an answer
 * too large or not a key set. Tokens are then refused, never accepted (fail closed); the middleware
 * answers 503 with `Retry-After: retryAfterSeconds`.
 *
 * @example
 * ```ts
 * onError: (err) => { if (err.cause instanceof KeySetUnavailableError) console.log(err.cause.retryAfterSeconds); }
 * ```
 */
export class KeySetUnavailableError extends EdgeStsError {
  static override code = "KEY_SET_UNAVAILABLE";
  override code = KeySetUnavailableError.code;
  override name = "KeySetUnavailableError";
  /** Seconds until the key set is asked for again. */
  readonly retryAfterSeconds: number;

  /**
   * @param message What failed (never a URL's query, never a token).
   * @param retryAfterSeconds Seconds until the next attempt.
   * @param options `cause`: the underlying failure.
   */
  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
