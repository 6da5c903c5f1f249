/**
 * The `stsCredentials` middleware: the caller's OIDC token becomes role credentials, cached per isolate.
 *
 * @module
 */
import type { Context, Env, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { CredentialCache } from "../cache/credential-cache.ts";
import type { CacheOutcome } from "../cache/credential-cache.ts";
import { sharedCredentialCache } from "../cache/shared.ts";
import { loadThroughStore } from "../cache/store-level.ts";
import type { KeyMemo } from "../cache/store-level.ts";
import { isStsClient, StsClient } from "../client.ts";
import { startDeadline } from "../deadline.ts";
import type { Deadline } from "../deadline.ts";
import { StsConfigurationError } from "../errors.ts";
import { callHook } from "../hooks.ts";
import { BearerTokenError, challengePrefix, isRejection, storeRefusal, toHttpException } from "./errors.ts";
import { entryKey, scopeKey, storeCacheKey, trustKey, trustedScope } from "./exchange-key.ts";
import { millisecondsOption, secondsOption } from "../options.ts";
import { exchangeResolver } from "./options.ts";
import type { ExchangeParams, StsCredentialsOptions } from "./options.ts";
import { clientRegionsOf, regionsResolver } from "./regions.ts";
import { exchange, requestView } from "./session.ts";
import { sharedStore } from "./store-option.ts";
import { inspectToken, readToken } from "./token.ts";
import type { InspectedToken } from "./token.ts";
import type { StsCacheHitInfo, StsSession, StsVariables, VerifiedVariables } from "./types.ts";
import { verification } from "./verification.ts";

/** How a request was answered: the cache's outcomes, and `"store"` for an isolate miss the shared store answered. */
type Outcome = CacheOutcome | "store";

/**
 * STS credentials middleware for Hono: exchanges the request's bearer token (an OIDC ID token) for
 * temporary role credentials with AssumeRoleWithWebIdentity, and sets `c.var.awsCredentials`,
 * `c.var.stsIdentity` and `c.var.aws`. The token's structure and `exp` are checked locally; its
 * signature is checked by STS, or first locally with `verify` (which also sets `c.var.jwtPayload`).
 * Exchanges are cached per isolate and shared by concurrent requests.
 *
 * @param {StsCredentialsOptions} options - The options.
 * @param {string | Function} options.roleArn - The role, or `(c, claims) => role` (`undefined` → 403).
 * @param {string | Function} [options.roleSessionName] - Default: the token's `sub`, mapped into STS's pattern.
 * @param {number | Function} [options.durationSeconds] - Default: STS's (3600).
 * @param {string | Function} [options.policy] - An inline session policy. Default: none.
 * @param {string[] | Function} [options.policyArns] - Managed session policies. Default: none.
 * @param {string | Function} [options.providerId] - OAuth provider domain. Default: none.
 * @param {string} [options.region] - The region `c.var.aws` signs for; also the STS region without `stsRegions`.
 * @param {string[] | string | object | Function} [options.stsRegions] - STS regions with failover: a list, `"nearest"`,
 *   `{ nearest: [...] }` or `(c) => region`. Default: `[region]`.
 * @param {string} [options.endpoint] - Custom STS endpoint URL.
 * @param {Function} [options.fetch=globalThis.fetch] - The fetch STS is called with.
 * @param {StsClient} [options.client] - A ready client, instead of `region`/`endpoint`/`fetch`.
 * @param {number} [options.exchangeTimeoutMs=8000] - The most a request waits for STS, retries included (then 503).
 * @param {string} [options.headerName='Authorization'] - The header carrying `Bearer <token>`.
 * @param {string | object} [options.cookie] - Cookie to read the token from when the header is absent.
 * @param {string} [options.realm] - `realm` of the `WWW-Authenticate` challenge. Default: none sent.
 * @param {number} [options.clockToleranceSeconds=30] - Accept a token this long after its `exp` (before its `nbf`/`iat` with `verify`).
 * @param {object | object[]} [options.verify] - Verify tokens locally: `{ issuer, audience, jwksUri?, algorithms?, fetch?, timeoutMs? }`, or a list picked by `iss`. Default: none.
 * @param {CredentialCache} [options.cache=sharedCredentialCache()] - Where credentials are cached.
 * @param {number} [options.refreshWindowSeconds=300] - Private cache: refresh this long before expiry.
 * @param {number} [options.maxEntries=1000] - Private cache: entries held, LRU out first.
 * @param {number} [options.negativeTtlSeconds=30] - Private cache: how long a rejected token is remembered.
 * @param {boolean} [options.optional=false] - Let requests without a token through, with no variables set.
 * @param {CredentialStore | Function} [options.store] - A shared store behind the isolate's cache, or `(c) => store`. Default: none.
 * @param {string | Uint8Array | Function} [options.storeSecret] - The deployment's secret (≥ 32 characters or bytes) mixed into the store keys, or `(c) => secret`; required with `store` unless `verify` is on.
 * @param {number} [options.storeTimeoutMs=50] - A store read taking longer goes to STS instead.
 * @param {number} [options.storeWaitMs=2000] - On a store that can coordinate, the most a miss waits for another isolate's exchange.
 * @param {Function} [options.onStoreError] - Told about store failures (never the key or value).
 * @param {boolean} [options.serverTiming=false] - Add `Server-Timing: sts;dur=…;desc="hit|store|miss|refresh|stale"`
 *   (and `sts-wait;dur=…` after a wait for another isolate's exchange).
 * @param {Function} [options.onExchange] - Told about every STS exchange (never the token).
 * @param {Function} [options.onCacheHit] - Told about every request served from the cache (never the token).
 * @param {Function} [options.onError] - `(err: HTTPException, c)`; may return its own Response.
 * @returns {MiddlewareHandler} The middleware.
 * @throws {StsConfigurationError} at once, for options that cannot work.
 * @throws {HTTPException} per request: 401, 400, 403 (RFC 6750 `WWW-Authenticate`), 503 with `Retry-After`, 500.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Bindings: Env; Variables: StsVariables }>();
 * app.use("/api/*", stsCredentials({ roleArn: (c) => c.env.ROLE_ARN, region: "eu-west-1" }));
 * app.get("/api/report", (c) => c.var.aws.fetch("https://my-bucket.s3.eu-west-1.amazonaws.com/report.csv"));
 * ```
 */
export function stsCredentials<E extends Env = any>(
  options: StsCredentialsOptions<E> & { optional: true; verify: NonNullable<StsCredentialsOptions["verify"]> },
): MiddlewareHandler<{ Variables: Partial<StsVariables & VerifiedVariables> }>;
export function stsCredentials<E extends Env = any>(
  options: StsCredentialsOptions<E> & { verify: NonNullable<StsCredentialsOptions["verify"]> },
): MiddlewareHandler<{ Variables: StsVariables & VerifiedVariables }>;
export function stsCredentials<E extends Env = any>(
  options: StsCredentialsOptions<E> & { optional: true },
): MiddlewareHandler<{ Variables: Partial<StsVariables> }>;
export function stsCredentials<E extends Env = any>(
  options: StsCredentialsOptions<E>,
): MiddlewareHandler<{ Variables: StsVariables }>;
export function stsCredentials(options: StsCredentialsOptions): MiddlewareHandler {
  if (typeof options !== "object" || options === null) throw new StsConfigurationError("stsCredentials: options are required");
  const resolve = exchangeResolver(options);
  const client = stsClient(options);
  const regionsFor = regionsResolver(options.stsRegions, client, options.client === undefined);
  // With several STS regions, c.var.aws signs for `region`, or for the region of each URL it is given.
  const region = options.region ?? (options.stsRegions === undefined ? client.endpoint.signingRegion : undefined);
  const cache = credentialCache(options);
  const challenge = challengePrefix(options.realm);
  const headerName = options.headerName ?? "Authorization";
  if (typeof headerName !== "string" || headerName === "") throw new StsConfigurationError("stsCredentials: headerName must be a header name");
  const toleranceSeconds = secondsOption(options.clockToleranceSeconds, 30, "stsCredentials: clockToleranceSeconds");
  const toleranceMs = toleranceSeconds * 1000;
  const now = options.now ?? Date.now;
  const { cookie, optional = false, serverTiming = false, onCacheHit, onError } = options;
  const timed = serverTiming || onCacheHit !== undefined;
  const exchangeTimeoutMs = millisecondsOption(options.exchangeTimeoutMs, 8000, "stsCredentials: exchangeTimeoutMs");
  const context = { client, region, onExchange: options.onExchange, exchangeTimeoutMs, now };
  const verified = verification(options, { toleranceSeconds, exchangeTimeoutMs, now });
  const shared = sharedStore(options, cache, region);
  // Instances that trust different issuers or store secrets never serve each other's entries.
  const storeScope = scopeKey(client, region);
  const scope = trustedScope(storeScope, trustKey(verified?.fingerprint, shared?.trust));
  // The full key (~1 KB with the token) is built once per token and parameters, then reused: the same
  // string object keeps its hash, so a cache hit does not rehash it. The store keys derived from it
  // (on a miss only) are kept beside it.
  const keys = new WeakMap<InspectedToken, KnownKey>();
  const keyOf = (inspected: InspectedToken, token: string, params: string): string => {
    const known = keys.get(inspected);
    if (known !== undefined && known.params === params) return known.key;
    const key = entryKey(scope, token, params);
    keys.set(inspected, { params, key, store: {} });
    return key;
  };
  /**
   * Sessions that came from the shared store rather than STS (their waiters answer `"store"` too), and
   * how long the isolate waited for another isolate's exchange (a coordinated miss), if it did.
   */
  const throughStore = new WeakMap<StsSession, { stored: boolean; waitedMs: number | undefined }>();
  /** The store level (when this request has a store) around `run`; may throw synchronously. */
  const loadWithin = (c: Context, token: string, inspected: InspectedToken, key: string, current: StsSession | undefined, run: () => Promise<StsSession>): Promise<StsSession> => {
    const access = shared?.access(c);
    return access === undefined ? run() : loadThroughStore(access, {
      secret: token,
      cacheKey: storeCacheKey(key, storeScope, scope),
      // The memo of the token's latest parameters: it checks itself against `key` before use.
      keys: storeKeyMemo(keys.get(inspected), access.secret),
      codec: shared!.codec,
      windowMs: shared!.windowMs,
      notAfter: inspected.expMs + toleranceMs,
      current,
      exchange: run,
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      refusal: storeRefusal,
    }).then(({ value, fromStore: stored, waitedMs }) => {
      if (stored || waitedMs !== undefined) throughStore.set(value, { stored, waitedMs });
      return value;
    });
  };
  /** The one deadline of a request's miss (`exchangeTimeoutMs`): key fetch, chooser, store read, exchange. */
  const missDeadline = (): Deadline => startDeadline(exchangeTimeoutMs, "AssumeRoleWithWebIdentity", "exchangeTimeoutMs");
  const load = (c: Context, token: string, inspected: InspectedToken, params: ExchangeParams, key: string, started?: Deadline): Promise<StsSession> => {
    const current = cache.peek(key);
    const how = current === undefined ? "miss" : "refresh";
    // One deadline over everything this miss does (key fetch, chooser, store read, exchange): the flight
    // always settles by then. A request that verified the token first hands over the deadline it started.
    const deadline = started ?? missDeadline();
    const run = () =>
      regionsFor === undefined
        ? exchange(context, token, inspected, params, how, undefined, deadline)
        : deadline.race(regionsFor(c)).then((regions) => exchange(context, token, inspected, params, how, regions, deadline));
    let loaded: Promise<StsSession>;
    try {
      loaded = loadWithin(c, token, inspected, key, current, run);
    } catch (err) {
      deadline.clear(); // a synchronous throw (a storeSecret function, a chooser) leaves no timer behind
      throw err;
    }
    const settled = deadline.race(loaded);
    settled.then(deadline.clear, deadline.clear);
    return settled;
  };

  return createMiddleware<{ Variables: StsVariables }>(async function stsCredentials(c, next) {
    const started = timed ? performance.now() : 0;
    let outcome: Outcome;
    let waitedMs: number | undefined;
    /** Started by a first verification; handed to the miss it leads to, else stopped here. */
    let deadline: Deadline | undefined;
    try {
      const read = readToken(c, headerName, cookie);
      const token = typeof read === "object" ? await read : read;
      if (token === undefined) {
        if (optional) return next();
        throw new BearerTokenError("missing", "no bearer token");
      }
      const inspected = inspectToken(token);
      // Before the cache: cached credentials are never served to an expired token.
      // Served as long as the token itself is accepted: until exp + clockToleranceSeconds.
      const notAfter = inspected.expMs + toleranceMs;
      if (now() >= notAfter) throw new BearerTokenError("invalid_token", "token expired");
      // Before either cache level, once per token: a refused token reaches neither the store nor STS.
      const claims = verified === undefined ? inspected.claims : verified.claimsOf(token, inspected);
      if (claims instanceof Promise) {
        // A first sight of this token: the key fetch and the miss that may follow share one deadline.
        deadline = missDeadline();
        await deadline.race(claims);
      }
      const resolved = resolve(c, inspected.claims);
      const params = resolved instanceof Promise ? await resolved : resolved;
      if (params.roleSessionName === undefined && inspected.subject === undefined) {
        throw new BearerTokenError("invalid_token", "token has no sub claim to name the session");
      }
      const key = keyOf(inspected, token, params.key);
      // A fresh entry is served synchronously: no closures, no promise on the hot path.
      const fresh = cache.fresh?.(key, notAfter);
      const { value, outcome: cached } = fresh !== undefined ? { value: fresh, outcome: "hit" as const } : await cache.get(
        key,
        () => {
          const handed = deadline;
          deadline = undefined;
          return load(c, token, inspected, params, key, handed);
        },
        { notAfter, isRejection, waitUntil: (promise) => c.executionCtx.waitUntil(promise) },
      );
      deadline?.clear(); // verified, then served without a miss of its own
      const view = requestView(value);
      c.set("awsCredentials", view.credentials);
      c.set("stsIdentity", view.identity);
      c.set("aws", value.aws);
      if (verified !== undefined) (c as Context).set("jwtPayload", inspected.claims);
      const via = cached === "miss" ? throughStore.get(value) : undefined;
      const how: Outcome = via?.stored ? "store" : cached;
      outcome = how;
      waitedMs = via?.waitedMs;
      if (onCacheHit && how !== "miss" && how !== "negative") {
        const { roleArn } = params;
        const info: StsCacheHitInfo = { operation: "AssumeRoleWithWebIdentity", outcome: how, durationMs: performance.now() - started, roleArn, subject: inspected.subject };
        if (waitedMs !== undefined) info.waitedMs = waitedMs;
        callHook(onCacheHit, info);
      }
    } catch (err) {
      deadline?.clear();
      if (err instanceof HTTPException) throw err; // a per-request function chose its own answer
      const exception = toHttpException(err, challenge);
      const own = onError ? await onError(exception, c) : undefined;
      if (own instanceof Response) return own;
      throw exception;
    }
    const duration = timed ? performance.now() - started : 0;
    await next();
    if (serverTiming) {
      // A coordinated miss also tells its wait for another isolate's exchange: `sts-wait;dur=…`.
      const wait = waitedMs === undefined ? "" : `, sts-wait;dur=${waitedMs.toFixed(1)}`;
      c.header("Server-Timing", `sts;dur=${duration.toFixed(1)};desc="${outcome}"${wait}`, { append: true });
    }
  });
}

interface KnownKey {
  params: string;
  key: string;
  /** The derived store keys of this entry, once a miss asked for them. */
  store: KeyMemo;
  /** The store secret `store` was derived with (a `storeSecret` function may change it). */
  secret?: Uint8Array;
}

/** The entry's memo of derived store keys, emptied when the store secret is not the one it was derived with. */
function storeKeyMemo(known: KnownKey | undefined, secret: Uint8Array | undefined): KeyMemo | undefined {
  if (known === undefined) return undefined;
  if (known.secret !== secret) {
    known.store = {};
    known.secret = secret;
  }
  return known.store;
}

function stsClient(options: StsCredentialsOptions): StsClient {
  if (options.client === undefined) {
    const regions = clientRegionsOf(options.stsRegions);
    if (regions === undefined) return new StsClient({ region: options.region, endpoint: options.endpoint, fetch: options.fetch });
    if (options.endpoint !== undefined) {
      throw new StsConfigurationError("stsCredentials: endpoint names one STS endpoint; with stsRegions, pass a client made with regions and endpoints");
    }
    return new StsClient({ regions, fetch: options.fetch });
  }
  if (options.endpoint !== undefined || options.fetch !== undefined) {
    throw new StsConfigurationError("stsCredentials: give either client or endpoint/fetch, not both");
  }
  if (!isStsClient(options.client)) {
    throw new StsConfigurationError("stsCredentials: client must be an StsClient");
  }
  return options.client;
}

/** The shared cache, unless this instance asks for settings of its own (which the shared one cannot take). */
function credentialCache(options: StsCredentialsOptions): CredentialCache<StsSession> {
  const { refreshWindowSeconds, maxEntries, negativeTtlSeconds } = options;
  const own = refreshWindowSeconds !== undefined || maxEntries !== undefined || negativeTtlSeconds !== undefined;
  if (options.cache === undefined) {
    return own
      ? new CredentialCache<StsSession>({ refreshWindowSeconds, maxEntries, negativeTtlSeconds, now: options.now })
      : sharedCredentialCache<StsSession>();
  }
  if (own) {
    throw new StsConfigurationError(
      "stsCredentials: refreshWindowSeconds, maxEntries and negativeTtlSeconds configure a private cache; set them on the cache you pass instead",
    );
  }
  if (typeof options.cache.get !== "function" || typeof options.cache.peek !== "function") {
    throw new StsConfigurationError("stsCredentials: cache must be a CredentialCache");
  }
  return options.cache;
}
