/**
 * AWS credentials, in the shape aws4fetch's `AwsClient` and the AWS SDK v3 clients accept.
 */
export interface AwsCredentials {
  /** The access key id, e.g. `ASIA…` for temporary credentials. */
  accessKeyId: string;
  /** The secret access key. Never logged. */
  secretAccessKey: string;
  /** The session token of temporary credentials. Never logged. */
  sessionToken?: string;
  /** When temporary credentials stop working. */
  expiration?: Date;
}

/** Temporary credentials as STS returns them: every member present. */
export interface TemporaryCredentials extends AwsCredentials {
  sessionToken: string;
  expiration: Date;
}

/** An async source of credentials, called before each signed request (it should cache). */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** Credentials, or a provider of them. */
export type CredentialsSource = AwsCredentials | CredentialsProvider;

/**
 * The fetch edge-sts calls, with the standard signature: `fetch(url, init)`, exactly as it calls
 * `globalThis.fetch`. `init` carries `method`, `headers`, `body` and the attempt's `signal`; a fetch
 * that honours the signal stops an attempt (and frees its connection) as soon as it is abandoned.
 */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Per-call options accepted by every operation method. */
export interface RequestOptions {
  /** Aborts the whole call (every attempt, every backoff wait) at once. */
  signal?: AbortSignal;
  /**
   * A `Retry-After` longer than this (ms) ends this call at once, with `retryAfterSeconds` on the
   * error, instead of waiting. @default the client's `maxRetryAfterMs`
   */
  maxRetryAfterMs?: number;
  /**
   * This call's STS regions, in the order its attempts use them (e.g. `nearestRegions(hints)`).
   * @default the client's `regions`
   */
  regions?: readonly string[];
  /**
   * The call's deadline, shared with work before and after it: its `signal` ends the call (as
   * `signal` does), and with several regions one attempt takes at most a share of what is left
   * (what is left over the regions not yet tried, at least 500 ms), so a region that never answers
   * leaves the next its chance. @default none: each attempt takes up to the client's `timeoutMs`
   */
  deadline?: CallDeadline;
}

/** A deadline as a call reads it: the signal that fires when it passes, and the time left. */
export interface CallDeadline {
  /** Aborts (with a `TimeoutError` reason) when the deadline passes. */
  readonly signal: AbortSignal;
  /** Milliseconds left, never below 0, on a monotonic clock. */
  remainingMs(): number;
}

/** What every operation output carries besides its members. */
export interface ResponseMetadata {
  /** The STS `RequestId` of the response. */
  requestId: string;
}
