/**
 * `StsClient`: one method per STS operation over the shared request pipeline.
 */
import { StsConfigurationError } from "./errors.ts";
import { resolveEndpoint } from "./endpoints.ts";
import type { ResolvedEndpoint } from "./endpoints.ts";
import { clientRegions, RegionFailover } from "./failover.ts";
import { integerOption, timerOption } from "./options.ts";
import type {
  AwsCredentials,
  CredentialsProvider,
  CredentialsSource,
  FetchFunction,
  RequestOptions,
  ResponseMetadata,
} from "./types.ts";
import type { Operation } from "./wire/operation.ts";
import { send } from "./wire/pipeline.ts";
import type { PipelineContext } from "./wire/pipeline.ts";
import { createRetryBudget } from "./wire/retry.ts";
import type { RetryBudgetOptions } from "./wire/retry.ts";
import { assumeRole } from "./operations/assume-role.ts";
import type { AssumeRoleInput, AssumeRoleOutput } from "./operations/assume-role.ts";
import { assumeRoleWithSAML } from "./operations/assume-role-with-saml.ts";
import type { AssumeRoleWithSAMLInput, AssumeRoleWithSAMLOutput } from "./operations/assume-role-with-saml.ts";
import { assumeRoleWithWebIdentity } from "./operations/assume-role-with-web-identity.ts";
import type {
  AssumeRoleWithWebIdentityInput,
  AssumeRoleWithWebIdentityOutput,
} from "./operations/assume-role-with-web-identity.ts";
import { assumeRoot } from "./operations/assume-root.ts";
import type { AssumeRootInput, AssumeRootOutput } from "./operations/assume-root.ts";
import { decodeAuthorizationMessage } from "./operations/decode-authorization-message.ts";
import type {
  DecodeAuthorizationMessageInput,
  DecodeAuthorizationMessageOutput,
} from "./operations/decode-authorization-message.ts";
import { getAccessKeyInfo } from "./operations/get-access-key-info.ts";
import type { GetAccessKeyInfoInput, GetAccessKeyInfoOutput } from "./operations/get-access-key-info.ts";
import { getCallerIdentity } from "./operations/get-caller-identity.ts";
import type { GetCallerIdentityInput, GetCallerIdentityOutput } from "./operations/get-caller-identity.ts";
import { getDelegatedAccessToken } from "./operations/get-delegated-access-token.ts";
import type {
  GetDelegatedAccessTokenInput,
  GetDelegatedAccessTokenOutput,
} from "./operations/get-delegated-access-token.ts";
import { getFederationToken } from "./operations/get-federation-token.ts";
import type { GetFederationTokenInput, GetFederationTokenOutput } from "./operations/get-federation-token.ts";
import { getSessionToken } from "./operations/get-session-token.ts";
import type { GetSessionTokenInput, GetSessionTokenOutput } from "./operations/get-session-token.ts";
import { getWebIdentityToken } from "./operations/get-web-identity-token.ts";
import type { GetWebIdentityTokenInput, GetWebIdentityTokenOutput } from "./operations/get-web-identity-token.ts";

let credentialsOf: (client: StsClient) => CredentialsProvider | undefined;

/**
 * The credentials provider a client signs with (not public: `fromAssumeRole` derives its store keys
 * from the source credentials, which only their holder has). `undefined` for a client of another
 * copy of the package, whose private state this copy cannot read: then nothing is stored.
 */
export function clientCredentials(client: StsClient): CredentialsProvider | undefined {
  return credentialsOf(client);
}

/**
 * The one test of "is this a client" for the options that take one (`stsCredentials`, the providers):
 * structural, not `instanceof`, so a client made by another copy of the package (npm and JSR side by
 * side, two versions in one bundle) is accepted as the one it is. It checks what every version has
 * (`cacheScope` is newer: callers fall back to `endpoint.url` without it).
 */
export function isStsClient(value: unknown): value is StsClient {
  const client = value as Partial<StsClient> | null;
  return typeof client === "object" && client !== null &&
    typeof client.assumeRole === "function" && typeof client.assumeRoleWithWebIdentity === "function" &&
    typeof client.endpoint?.url === "string";
}

/** Options of {@link StsClient}. */
export interface StsClientOptions {
  /** The AWS region, e.g. `eu-west-1`. Required unless `endpoint` or `regions` is given. */
  region?: string;
  /**
   * Candidate STS regions in failover order, instead of `region`: after a retryable failure (5xx,
   * throttling, time-out, network) or `RegionDisabledException` (STS deactivated in the region) the
   * next attempt goes to the next region, within `maxAttempts`.
   * One partition only. A call may pass its own order (`RequestOptions.regions`). @default [region]
   */
  regions?: readonly string[];
  /**
   * A custom endpoint URL per region (VPC interface endpoints, emulators). The client then sends to
   * these only: a region without one (in `region`, `regions` or a call's `regions`) is refused with
   * {@link StsConfigurationError}, never sent to its public endpoint.
   */
  endpoints?: Readonly<Record<string, string>>;
  /**
   * How long a region whose endpoint just failed is tried last, in ms (per client). 0: never. A region
   * where STS is deactivated (`RegionDisabledException`) is tried last for 10 times as long. @default 30000
   */
  failoverCooldownMs?: number;
  /**
   * Credentials for signed operations, or an async provider of them (called once per call; it should
   * cache, as `fromWebIdentity` and `fromAssumeRole` do). Not needed for AssumeRoleWithWebIdentity
   * and AssumeRoleWithSAML, which always go out unsigned.
   */
  credentials?: CredentialsSource;
  /** A custom endpoint URL (VPC endpoint, local emulator). Default: resolved from the region. */
  endpoint?: string;
  /** Use the region's FIPS endpoint. @default false */
  useFipsEndpoint?: boolean;
  /** Use the region's dual-stack endpoint. @default false */
  useDualstackEndpoint?: boolean;
  /** Use the legacy global endpoint `sts.amazonaws.com` where the rule set allows. @default false */
  useGlobalEndpoint?: boolean;
  /**
   * The fetch to send with, called as `fetch(url, init)` with the standard signature (0.x change: it
   * used to get one `Request`). Honour `init.signal`: it aborts when an attempt is abandoned.
   * @default globalThis.fetch (looked up at call time)
   */
  fetch?: FetchFunction;
  /** Attempts per call, the first included. @default 3 */
  maxAttempts?: number;
  /** Time limit of each attempt in milliseconds, body included. @default 5000 */
  timeoutMs?: number;
  /** Base of the exponential backoff between attempts, in milliseconds. @default 100 */
  retryBaseDelayMs?: number;
  /** Cap of one backoff wait, in milliseconds. @default 5000 */
  retryMaxDelayMs?: number;
  /** A `Retry-After` longer than this (ms) ends the call instead of waiting. @default 20000 */
  maxRetryAfterMs?: number;
  /**
   * The client-wide retry budget, a token bucket as in the AWS SDKs' standard retry mode: a retry
   * takes `retryCost` tokens (`timeoutRetryCost` after a time-out or network failure), a successful
   * call puts `successRefund` back; when the bucket cannot pay, a failed attempt is not retried.
   * `false`: no budget. @default { capacity: 500, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 }
   */
  retryBudget?: RetryBudgetOptions | false;
}

/**
 * A fetch-only AWS STS client. Every input is checked against the STS model before any network
 * call; every failure is an {@link StsError} or {@link StsValidationError}.
 *
 * @example
 * ```ts
 * const sts = new StsClient({ region: "eu-west-1" });
 * const { credentials } = await sts.assumeRoleWithWebIdentity({
 *   roleArn: "arn:aws:iam::123456789012:role/app",
 *   roleSessionName: "alice",
 *   webIdentityToken: idToken,
 * });
 * ```
 */
export class StsClient {
  /** The endpoint and signing region of the first candidate region (every call's, with one region). */
  readonly endpoint: ResolvedEndpoint;
  /** The candidate STS regions, in failover order; empty for a client of one custom `endpoint`. */
  readonly regions: readonly string[];
  /**
   * What this client's credentials are valid in, whichever region issued them: the partition (`aws`, …),
   * or the custom endpoint. Keys caches, so an answer from any region serves every request.
   */
  readonly cacheScope: string;
  /** With `endpoints`: their regions, the only ones this client sends to; `undefined`: endpoints resolve by the rules. */
  readonly endpointRegions: readonly string[] | undefined;
  readonly #ctx: PipelineContext;
  readonly #failover: RegionFailover;

  static {
    credentialsOf = (client) => (#ctx in client ? client.#ctx.credentials : undefined);
  }

  /**
   * @param options Region, credentials, endpoint and transport settings.
   * @throws {StsConfigurationError} when the options cannot work (no region, FIPS with a custom endpoint, …).
   */
  constructor(options: StsClientOptions = {}) {
    const setup = clientRegions(options, resolveEndpoint);
    this.regions = setup.regions;
    this.cacheScope = setup.scope;
    this.endpointRegions = setup.endpointRegions;
    this.endpoint = setup.regions.length > 0 ? setup.endpointOf(setup.regions[0]!) : setup.endpointOf("");
    const fetchFn = options.fetch;
    if (fetchFn !== undefined && typeof fetchFn !== "function") throw new StsConfigurationError("fetch must be a function");
    this.#ctx = {
      endpoint: this.endpoint,
      credentials: toProvider(options.credentials),
      fetch: fetchFn ? (input, init) => fetchFn(input, init) : (input, init) => fetch(input, init),
      maxAttempts: integerOption(options.maxAttempts, 3, 1, "maxAttempts"),
      timeoutMs: timerOption(options.timeoutMs, 5000, 1, "timeoutMs"),
      retryBaseDelayMs: timerOption(options.retryBaseDelayMs, 100, 0, "retryBaseDelayMs"),
      retryMaxDelayMs: timerOption(options.retryMaxDelayMs, 5000, 0, "retryMaxDelayMs"),
      maxRetryAfterMs: timerOption(options.maxRetryAfterMs, 20000, 0, "maxRetryAfterMs"),
      retryBudget: createRetryBudget(options.retryBudget),
      clockOffsetMs: 0,
      signingKeyCache: new Map(),
    };
    const cooldownMs = integerOption(options.failoverCooldownMs, 30_000, 0, "failoverCooldownMs");
    this.#failover = new RegionFailover(setup.regions, setup.endpointOf, cooldownMs, this.#ctx.timeoutMs);
  }

  /** The longest `Retry-After` (ms) this client waits for before failing the call (the `maxRetryAfterMs` option). */
  get maxRetryAfterMs(): number {
    return this.#ctx.maxRetryAfterMs;
  }

  /** Milliseconds this client adds to the local clock when signing, learned from clock-skew errors. */
  get clockOffsetMs(): number {
    return this.#ctx.clockOffsetMs;
  }

  /**
   * Sends any operation object (e.g. one of `src/operations/*`) through this client's pipeline.
   * @throws {StsValidationError} before any network call when the input breaks the model's rules.
   * @throws {StsError} when the call fails.
   */
  send<I, O>(operation: Operation<I, O>, input: I, options?: RequestOptions): Promise<O & ResponseMetadata> {
    return this.#send(operation, input, options);
  }

  #send<I, O>(operation: Operation<I, O>, input: I, options: RequestOptions | undefined): Promise<O & ResponseMetadata> {
    let route;
    try {
      route = this.#failover.route(options?.regions);
    } catch (err) {
      return Promise.reject(err);
    }
    if (route === undefined) return send(this.#ctx, operation, input, options);
    return route.settle(send(this.#ctx, operation, input, { ...options, route }));
  }

  /**
   * Assumes a role with the client's credentials (signed). Role chaining starts here.
   * @param input The role, session name and optional session policy, tags, MFA and context.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary credentials and the assumed-role user.
   * @throws {StsValidationError} when the input breaks the model's rules.
   * @throws {StsError} e.g. `AccessDenied`, `MalformedPolicyDocument`, `RegionDisabledException`.
   * @example
   * ```ts
   * const { credentials } = await sts.assumeRole({ roleArn, roleSessionName: "batch" });
   * ```
   */
  assumeRole(input: AssumeRoleInput, options?: RequestOptions): Promise<AssumeRoleOutput & ResponseMetadata> {
    return this.#send(assumeRole, input, options);
  }

  /**
   * Assumes a role with a SAML assertion (unsigned: no AWS credentials needed).
   * @param input The role, the SAML provider and the base64 assertion.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary credentials and the SAML subject details.
   * @throws {StsValidationError} when the input breaks the model's rules (the assertion is never echoed).
   * @throws {StsError} e.g. `InvalidIdentityToken`, `IDPRejectedClaim`, `ExpiredTokenException`.
   * @example
   * ```ts
   * const out = await sts.assumeRoleWithSAML({ roleArn, principalArn, samlAssertion });
   * ```
   */
  assumeRoleWithSAML(
    input: AssumeRoleWithSAMLInput,
    options?: RequestOptions,
  ): Promise<AssumeRoleWithSAMLOutput & ResponseMetadata> {
    return this.#send(assumeRoleWithSAML, input, options);
  }

  /**
   * Assumes a role with an OIDC token (unsigned: no AWS credentials needed).
   * @param input The role, the session name and the token.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary credentials, the assumed-role user, the token's subject, audience and provider.
   * @throws {StsValidationError} when the input breaks the model's rules (the token is never echoed).
   * @throws {StsError} e.g. `InvalidIdentityToken`, `ExpiredTokenException`, `IDPRejectedClaim`, `AccessDenied`.
   * @example
   * ```ts
   * const out = await sts.assumeRoleWithWebIdentity({ roleArn, roleSessionName: "alice", webIdentityToken });
   * ```
   */
  assumeRoleWithWebIdentity(
    input: AssumeRoleWithWebIdentityInput,
    options?: RequestOptions,
  ): Promise<AssumeRoleWithWebIdentityOutput & ResponseMetadata> {
    return this.#send(assumeRoleWithWebIdentity, input, options);
  }

  /**
   * Gets short-term root credentials for a member account of an organization (signed).
   * @param input The member account and the task policy.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary root credentials.
   * @throws {StsValidationError} when the input breaks the model's rules.
   * @throws {StsError} e.g. `RegionDisabledException`, `ExpiredTokenException`.
   * @example
   * ```ts
   * await sts.assumeRoot({ targetPrincipal: "111122223333", taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" } });
   * ```
   */
  assumeRoot(input: AssumeRootInput, options?: RequestOptions): Promise<AssumeRootOutput & ResponseMetadata> {
    return this.#send(assumeRoot, input, options);
  }

  /**
   * Decodes an encoded authorization-failure message (signed).
   * @param input The encoded message.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns The decoded message (JSON text).
   * @throws {StsError} e.g. `InvalidAuthorizationMessageException`.
   * @example
   * ```ts
   * const { decodedMessage } = await sts.decodeAuthorizationMessage({ encodedMessage });
   * ```
   */
  decodeAuthorizationMessage(
    input: DecodeAuthorizationMessageInput,
    options?: RequestOptions,
  ): Promise<DecodeAuthorizationMessageOutput & ResponseMetadata> {
    return this.#send(decodeAuthorizationMessage, input, options);
  }

  /**
   * Finds the account an access key id belongs to (signed).
   * @param input The access key id.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns The account id.
   * @throws {StsError} when the call fails.
   * @example
   * ```ts
   * const { account } = await sts.getAccessKeyInfo({ accessKeyId: "AKIAIOSFODNN7EXAMPLE" });
   * ```
   */
  getAccessKeyInfo(
    input: GetAccessKeyInfoInput,
    options?: RequestOptions,
  ): Promise<GetAccessKeyInfoOutput & ResponseMetadata> {
    return this.#send(getAccessKeyInfo, input, options);
  }

  /**
   * Tells who the client's credentials belong to (signed).
   * @param input No members: pass `{}` or nothing.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns The user id, account and ARN.
   * @throws {StsError} e.g. `InvalidClientTokenId`, `ExpiredToken`.
   * @example
   * ```ts
   * const { arn } = await sts.getCallerIdentity();
   * ```
   */
  getCallerIdentity(
    input: GetCallerIdentityInput = {},
    options?: RequestOptions,
  ): Promise<GetCallerIdentityOutput & ResponseMetadata> {
    return this.#send(getCallerIdentity, input, options);
  }

  /**
   * Trades a trade-in token for delegated access credentials (signed).
   * @param input The trade-in token (secret: never echoed).
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary credentials and the assumed principal.
   * @throws {StsError} e.g. `ExpiredTradeInTokenException`.
   * @example
   * ```ts
   * const { credentials } = await sts.getDelegatedAccessToken({ tradeInToken });
   * ```
   */
  getDelegatedAccessToken(
    input: GetDelegatedAccessTokenInput,
    options?: RequestOptions,
  ): Promise<GetDelegatedAccessTokenOutput & ResponseMetadata> {
    return this.#send(getDelegatedAccessToken, input, options);
  }

  /**
   * Gets credentials for a federated user (signed, with long-term IAM user keys).
   * @param input The federated user's name and the session policy.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary credentials and the federated user.
   * @throws {StsError} e.g. `MalformedPolicyDocument`, `PackedPolicyTooLarge`.
   * @example
   * ```ts
   * const out = await sts.getFederationToken({ name: "bob", policy });
   * ```
   */
  getFederationToken(
    input: GetFederationTokenInput,
    options?: RequestOptions,
  ): Promise<GetFederationTokenOutput & ResponseMetadata> {
    return this.#send(getFederationToken, input, options);
  }

  /**
   * Gets session credentials for the client's IAM user, optionally with MFA (signed).
   * @param input Optional duration and MFA device/code.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns Temporary credentials.
   * @throws {StsError} e.g. `AccessDenied` for a wrong MFA code.
   * @example
   * ```ts
   * const { credentials } = await sts.getSessionToken({ serialNumber, tokenCode: "123456" });
   * ```
   */
  getSessionToken(
    input: GetSessionTokenInput = {},
    options?: RequestOptions,
  ): Promise<GetSessionTokenOutput & ResponseMetadata> {
    return this.#send(getSessionToken, input, options);
  }

  /**
   * Gets a JWT asserting the caller's AWS identity, for outbound web identity federation (signed).
   * @param input Audiences, signing algorithm, optional duration and tags.
   * @param options `signal` aborts the whole call; `maxRetryAfterMs` caps how long a `Retry-After` is waited for.
   * @returns The token (secret) and its expiration.
   * @throws {StsError} e.g. `OutboundWebIdentityFederationDisabledException`.
   * @example
   * ```ts
   * const { webIdentityToken } = await sts.getWebIdentityToken({ audience: ["https://api.example.com"], signingAlgorithm: "RS256" });
   * ```
   */
  getWebIdentityToken(
    input: GetWebIdentityTokenInput,
    options?: RequestOptions,
  ): Promise<GetWebIdentityTokenOutput & ResponseMetadata> {
    return this.#send(getWebIdentityToken, input, options);
  }
}

function toProvider(source: CredentialsSource | undefined): CredentialsProvider | undefined {
  if (source === undefined) return undefined;
  if (typeof source === "function") return source;
  if (typeof source.accessKeyId !== "string" || typeof source.secretAccessKey !== "string") {
    throw new StsConfigurationError("credentials need an accessKeyId and a secretAccessKey");
  }
  const fixed: AwsCredentials = source;
  return () => Promise.resolve(fixed);
}
