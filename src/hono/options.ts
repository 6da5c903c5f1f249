/**
 * The middleware's options: their types and documentation, the start-up checks, and the per-request
 * resolution of the values that may depend on the caller.
 *
 * @module
 */
import type { Context, Env } from "hono";
import type { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import type { CredentialCache } from "../cache/credential-cache.ts";
import type { CredentialStore, StoreErrorInfo } from "../cache/store.ts";
import type { StoreSecret } from "../cache/store-level.ts";
import type { StsClient } from "../client.ts";
import type { FetchFunction } from "../types.ts";
import type { VerifyOptions } from "../jwt/verify.ts";
import { StsConfigurationError } from "../errors.ts";
import { arn, roleDurationSeconds, roleSessionName, sessionPolicy, str } from "../operations/shapes.ts";
import { BearerTokenError } from "./errors.ts";
import { paramsKey } from "./exchange-key.ts";
import type { ExchangeValues } from "./exchange-key.ts";
import type { StsRegions } from "./regions.ts";
import type { TokenClaims, TokenCookie } from "./token.ts";
import type { PerRequest, StsCacheHitInfo, StsExchangeInfo, StsSession } from "./types.ts";

/**
 * Options of {@link stsCredentials}. The exchange options (`roleArn` … `providerId`) each take a value
 * or `(c, claims) => value | Promise<value>`; a value is checked at start-up, a function's result
 * on each request (a wrong type answers 500).
 */
export interface StsCredentialsOptions<E extends Env = any> {
  /** The role to assume. A function returning `undefined`/`null` means "no role for these claims" (403). Required. */
  roleArn: PerRequest<string, E>;
  /** The session name. @default the token's `sub`, mapped into `[\w+=,.@-]{2,64}` (see `sessionNameFor`) */
  roleSessionName?: PerRequest<string, E>;
  /** Session lifetime in seconds (900–43200). @default STS's default, 3600 */
  durationSeconds?: PerRequest<number, E>;
  /** An inline session policy (JSON) that narrows the role. @default none */
  policy?: PerRequest<string, E>;
  /** Managed policy ARNs that narrow the role. @default none */
  policyArns?: PerRequest<readonly string[], E>;
  /** For OAuth 2.0 providers (Login with Amazon, Facebook): the provider's domain. @default none */
  providerId?: PerRequest<string, E>;
  /**
   * The region `c.var.aws` signs for, and the STS region when `stsRegions` is absent. Required unless
   * `stsRegions`, `endpoint` or `client` is given. @default with `stsRegions`: the region of each URL signed
   */
  region?: string;
  /**
   * The STS regions the exchange goes to, with failover to the next on a retryable failure: a list,
   * `"nearest"` (from `request.cf`, `DENO_REGION`, `FLY_REGION`, `VERCEL_REGION`, `AWS_REGION`),
   * `{ nearest: [...] }`, or `(c) => region | regions`. Opt-in regions only when listed. @default [region]
   */
  stsRegions?: StsRegions<E>;
  /** A custom STS endpoint URL. Not with `client`. @default resolved from `region` */
  endpoint?: string;
  /** The fetch STS is called with, as `fetch(url, init)`. Not with `client`. @default globalThis.fetch */
  fetch?: FetchFunction;
  /** A ready client (retries, time-outs, FIPS, …), instead of `region`/`endpoint`/`fetch`. */
  client?: StsClient;
  /**
   * The most a request waits for its STS exchange, retries included, in ms; then it is answered 503.
   * Inside a request a `Retry-After` over 1 s (or over the client's `maxRetryAfterMs`, if lower) is
   * never waited for either: 503 with that `Retry-After` at once. @default 8000
   */
  exchangeTimeoutMs?: number;
  /** The header carrying `Bearer <token>`. @default "Authorization" */
  headerName?: string;
  /** Read the token from this cookie when the header is absent (string name, or `{ key, secret?, prefixOptions? }`). @default none */
  cookie?: TokenCookie;
  /** The `realm` of the `WWW-Authenticate` challenge. @default none (no realm parameter is sent) */
  realm?: string;
  /** Seconds a token is still accepted after its `exp` (and, with `verify`, before its `nbf`/`iat`). @default 30 */
  clockToleranceSeconds?: number;
  /**
   * Verify each caller's token locally before either cache level: its signature against the issuer's
   * published keys (cached per isolate), `iss`, `aud`/`azp`, `exp`/`nbf`/`iat`. One trusted issuer, or a
   * list picked by the token's `iss`. A token is verified once per isolate; a refused one is answered
   * 401 without an STS call or a store read; a key set that cannot be had answers 503. Sets
   * `c.var.jwtPayload` (frozen); per-request functions then receive verified claims. See docs/verification.md.
   * @default none (the signature is checked by STS only)
   */
  verify?: VerifyOptions | readonly VerifyOptions[];
  /**
   * The cache of exchanged credentials. @default the isolate's shared cache (`sharedCredentialCache()`),
   * unless one of `refreshWindowSeconds`, `maxEntries`, `negativeTtlSeconds` is set: then a private
   * cache of this middleware instance. Those three cannot be combined with `cache`.
   */
  cache?: CredentialCache<StsSession>;
  /** Refresh this many seconds before the credentials expire (private cache). @default 300 */
  refreshWindowSeconds?: number;
  /** Credentials held, least recently used out first (private cache). @default 1000 */
  maxEntries?: number;
  /** Seconds a rejected token is answered from memory (private cache). @default 30 */
  negativeTtlSeconds?: number;
  /**
   * A shared store behind the isolate's cache (`edge-sts/stores`: Workers KV, Cache API, Deno KV,
   * Redis), or `(c) => store` where bindings exist per request. Read on an isolate miss before STS,
   * written in the background after an exchange; keys and values are sealed with keys derived from
   * the caller's token (and `storeSecret`). `undefined` from the function means "no store for this
   * request". Needs `storeSecret`, or `verify` (refused at start-up otherwise): without either, anyone
   * who can write to the store could mint a session for a forged token (a store hit skips STS).
   * See docs/verification.md, "Security model". @default none
   */
  store?: CredentialStore | ((c: Context<E>) => CredentialStore | undefined);
  /**
   * The deployment's secret (a Workers secret, an environment variable): a string of at least 32
   * characters, or at least 32 bytes. Mixed into the derivation of every store key and value key, so
   * only holders of it (and of the token) can write an entry that opens, or open one. Never logged,
   * reported or stored. Rotating it empties the store (entries under the old one are misses).
   * Or `(c) => c.env.STS_STORE_SECRET` where the secret is a binding: read on each store access; a
   * value that is not a usable secret then fails that request with a configuration error (500), never
   * an unkeyed store. Required with `store` unless `verify` is on. @default none (keys from the token alone)
   */
  storeSecret?: StoreSecret | ((c: Context<E>) => StoreSecret | undefined);
  /** Milliseconds a store read may take before the request goes to STS instead. @default 50 */
  storeTimeoutMs?: number;
  /**
   * On a store that can coordinate (`claim`: Redis, Deno KV, the Durable Object), the most a miss waits
   * for the isolate that claimed the same exchange before exchanging itself, in ms (at most
   * `exchangeTimeoutMs`); also the claim's life. 0 turns coordination off. @default 2000
   */
  storeWaitMs?: number;
  /** Told when the store fails, times out or returns a value that does not open (never the key or value). A hook that throws is ignored. */
  onStoreError?: (info: StoreErrorInfo) => void;
  /** Let requests without a token through, with no variables set. @default false */
  optional?: boolean;
  /** Add `Server-Timing: sts;dur=…;desc="hit|store|miss|refresh|stale"` to responses. @default false */
  serverTiming?: boolean;
  /** Told about every STS exchange (never the token). A hook that throws is ignored. */
  onExchange?: (info: StsExchangeInfo) => void;
  /** Told about every request served from the cache (never the token). A hook that throws is ignored. */
  onCacheHit?: (info: StsCacheHitInfo) => void;
  /** Sees every failure as the `HTTPException` about to be thrown (`status`, `cause`); may return its own Response. */
  onError?: (err: HTTPException, c: Context<E>) => Response | void | Promise<Response | void>;
  /** The clock for the token's `exp` check, in ms since the epoch (tests). @default Date.now */
  now?: () => number;
}

/** The exchange input that may depend on the request, with its part of the cache key. */
export interface ExchangeParams extends ExchangeValues {
  /** `paramsKey` of the values. */
  key: string;
}

type Resolve = (c: Context, claims: Readonly<TokenClaims>) => ExchangeParams | Promise<ExchangeParams>;

const providerId = str(4, 2048);
const CHECKS = {
  roleArn: { schema: arn, type: "string" },
  roleSessionName: { schema: roleSessionName, type: "string" },
  durationSeconds: { schema: roleDurationSeconds, type: "number" },
  policy: { schema: sessionPolicy, type: "string" },
  policyArns: { schema: v.array(arn), type: "object" },
  providerId: { schema: providerId, type: "string" },
} as const;
type Name = keyof typeof CHECKS;
const NAMES = Object.keys(CHECKS) as Name[];

/**
 * Checks the exchange options at start-up and returns the per-request resolver: synchronous and
 * precomputed when no option is a function.
 * @throws {StsConfigurationError} for a missing `roleArn` or a value STS would refuse.
 */
export function exchangeResolver(options: StsCredentialsOptions): Resolve {
  if (options.roleArn === undefined) throw new StsConfigurationError("stsCredentials: roleArn is required");
  for (const name of NAMES) {
    const value = options[name];
    if (value !== undefined && typeof value !== "function" && !v.is(CHECKS[name].schema, value)) {
      throw new StsConfigurationError(`stsCredentials: ${name} is not valid for AssumeRoleWithWebIdentity`);
    }
  }
  if (NAMES.every((name) => typeof options[name] !== "function")) {
    const fixed = build(Object.fromEntries(NAMES.map((name) => [name, options[name]])));
    return () => fixed;
  }
  return async (c, claims) => {
    const values: Partial<Record<Name, unknown>> = {};
    for (const name of NAMES) {
      const option = options[name];
      values[name] = typeof option === "function" ? await option(c, claims) : option;
    }
    return build(values);
  };
}

function build(values: Partial<Record<Name, unknown>>): ExchangeParams {
  if (values.roleArn === undefined || values.roleArn === null) {
    throw new BearerTokenError("insufficient_scope", "no role for these claims");
  }
  for (const name of NAMES) {
    const value = values[name];
    if (value === null) values[name] = undefined;
    else if (value !== undefined && (typeof value !== CHECKS[name].type || (name === "policyArns" && !isStrings(value)))) {
      throw new StsConfigurationError(`stsCredentials: ${name} resolved to a ${typeof value}`);
    }
  }
  const params = values as ExchangeValues;
  return { ...params, key: paramsKey(params) };
}

function isStrings(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
