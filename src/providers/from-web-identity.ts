/**
 * `fromWebIdentity`: role credentials from an OIDC token (AssumeRoleWithWebIdentity, unsigned),
 * cached and refreshed ahead of expiry.
 */
import { isStsClient, StsClient } from "../client.ts";
import type { StsClientOptions } from "../client.ts";
import { StsConfigurationError } from "../errors.ts";
import { sourceOption, stringOption } from "../options.ts";
import type { AssumeRoleWithWebIdentityInput } from "../operations/assume-role-with-web-identity.ts";
import { defined } from "../operations/shapes.ts";
import type { TemporaryCredentials } from "../types.ts";
import { cacheKey } from "../cache/cache-key.ts";
import {
  cachedProvider,
  credentialsOf,
  defaultSessionName,
  stableJson,
  tokenExpiry,
} from "./cached-provider.ts";
import type { ProviderCacheOptions } from "./cached-provider.ts";

/** Keeps this provider's store entries apart from the middleware's. */
const NAMESPACE = "edge-sts/fromWebIdentity";

/** Options of {@link fromWebIdentity}: AssumeRoleWithWebIdentity's input (session name optional, token may be a function). */
export interface FromWebIdentityOptions
  extends ProviderCacheOptions, Omit<AssumeRoleWithWebIdentityInput, "roleSessionName" | "webIdentityToken"> {
  /** The client to call STS with. Default: a new `StsClient` from `region`, `endpoint` and `fetch`. */
  client?: StsClient;
  /** Region of the client built when `client` is absent. */
  region?: string;
  /** Endpoint of the client built when `client` is absent. */
  endpoint?: string;
  /** fetch of the client built when `client` is absent. */
  fetch?: StsClientOptions["fetch"];
  /** The session name. Default: `edge-sts-<ms timestamp>`, new for each call to STS. */
  roleSessionName?: string;
  /** The token, or a function returning it (called for every call to STS, so a rotated token is picked up). Secret. */
  webIdentityToken: string | (() => string | Promise<string>);
}

/**
 * A credentials provider that exchanges a web identity token for role credentials, caches them,
 * refreshes them ahead of expiry, and shares one STS call among concurrent callers.
 *
 * @param options What to assume and how.
 * @param {string} options.roleArn The role to assume (required).
 * @param {string | Function} options.webIdentityToken The token or a function returning it (required).
 * @param {string} [options.roleSessionName='edge-sts-<ms timestamp>'] The session name.
 * @param {StsClient} [options.client=new StsClient({ region, endpoint, fetch })] The client.
 * @param {number} [options.refreshWindowSeconds=300] Refresh this long before expiry.
 * @param {CredentialStore} [options.store] A store shared with other replicas, sealed with keys derived from the token.
 * @param {string | Uint8Array} [options.storeSecret] The deployment's secret (≥ 32 characters or bytes) mixed into the store keys; recommended with `store`.
 * @param {number} [options.storeTimeoutMs=50] A store read taking longer goes to STS instead.
 * @param {number} [options.storeWaitMs=2000] On a store that can coordinate, the most a miss waits for another replica's exchange (0: no coordination).
 * @param {Function} [options.onStoreError] Told about store failures (never the key or value).
 * @param {() => number} [options.now=Date.now] The clock (ms).
 * @returns An async provider of temporary credentials (with `expiration`), usable as `StsClient`'s `credentials`.
 * @throws {StsConfigurationError} at once, when a required option is missing or has the wrong type.
 * Calls of the provider reject with `StsError` (from STS) or `StsValidationError` (bad input).
 * @example
 * ```ts
 * const credentials = fromWebIdentity({ region: "eu-west-1", roleArn, webIdentityToken: () => env.OIDC_TOKEN });
 * const s3 = new AwsClient(await credentials());
 * ```
 */
export function fromWebIdentity(options: FromWebIdentityOptions): () => Promise<TemporaryCredentials> {
  const name = "fromWebIdentity";
  if (typeof options !== "object" || options === null) throw new StsConfigurationError(`${name}: options are required`);
  stringOption(options.roleArn, `${name}: roleArn`);
  if (options.webIdentityToken === undefined) throw new StsConfigurationError(`${name}: webIdentityToken is required`);
  sourceOption(options.webIdentityToken, `${name}: webIdentityToken`);
  sourceOption(options.roleSessionName, `${name}: roleSessionName`);
  if (options.client !== undefined && !isStsClient(options.client)) {
    throw new StsConfigurationError(`${name}: client must be an StsClient`);
  }
  const client =
    options.client ?? new StsClient({ region: options.region, endpoint: options.endpoint, fetch: options.fetch });
  const now = options.now ?? Date.now;
  const { webIdentityToken, roleArn, roleSessionName, durationSeconds, policy, policyArns, providerId } = options;
  const entry = cacheKey([NAMESPACE, client.cacheScope ?? client.endpoint.url, roleArn, roleSessionName, durationSeconds, policy, stableJson(policyArns), providerId]);

  return cachedProvider(async () => {
    const token = typeof webIdentityToken === "function" ? await webIdentityToken() : webIdentityToken;
    return {
      secret: token,
      cacheKey: entry,
      notAfter: tokenExpiry(token),
      async exchange() {
        const out = await client.assumeRoleWithWebIdentity(defined({
          roleArn,
          roleSessionName: roleSessionName ?? defaultSessionName(now),
          webIdentityToken: token,
          durationSeconds,
          policy,
          policyArns,
          providerId,
        }));
        return credentialsOf(out, "AssumeRoleWithWebIdentity");
      },
    };
  }, options, name);
}
