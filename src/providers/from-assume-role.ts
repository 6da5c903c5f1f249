/**
 * `fromAssumeRole`: role credentials from another client's credentials (AssumeRole, signed),
 * cached and refreshed ahead of expiry. Role chaining is a client whose credentials are this provider.
 */
import { cacheKey } from "../cache/cache-key.ts";
import { clientCredentials, isStsClient } from "../client.ts";
import type { StsClient } from "../client.ts";
import { StsConfigurationError } from "../errors.ts";
import { sourceOption, stringOption } from "../options.ts";
import type { AssumeRoleInput } from "../operations/assume-role.ts";
import type { TemporaryCredentials } from "../types.ts";
import { cachedProvider, credentialsOf, defaultSessionName, stableJson } from "./cached-provider.ts";
import type { ProviderCacheOptions } from "./cached-provider.ts";

/** Keeps this provider's store entries apart from the others'. */
const NAMESPACE = "edge-sts/fromAssumeRole";

/** Options of {@link fromAssumeRole}: AssumeRole's input (session name optional, MFA code may be a function). */
export interface FromAssumeRoleOptions
  extends ProviderCacheOptions, Omit<AssumeRoleInput, "roleSessionName" | "tokenCode"> {
  /** The client whose credentials assume the role (the source of the chain). */
  client: StsClient;
  /** The session name. Default: `edge-sts-<ms timestamp>`, new for each call to STS. */
  roleSessionName?: string;
  /** The MFA code, or a function asked for a current one at each call to STS. Secret. */
  tokenCode?: string | (() => Promise<string>);
}

/**
 * A credentials provider that assumes a role with `client`'s credentials, caches the result,
 * refreshes it ahead of expiry, and shares one STS call among concurrent callers.
 *
 * @param options The client and AssumeRole's members.
 * @param {StsClient} options.client The client whose credentials are the source (required).
 * @param {string} options.roleArn The role to assume (required).
 * @param {string} [options.roleSessionName='edge-sts-<ms timestamp>'] The session name.
 * @param {string | Function} [options.tokenCode] The MFA code, or a function returning a current one.
 * @param {number} [options.refreshWindowSeconds=300] Refresh this long before expiry.
 * @param {CredentialStore} [options.store] A store shared with other replicas, sealed with keys derived from the source credentials (not with `tokenCode`).
 * @param {string | Uint8Array} [options.storeSecret] The deployment's secret (≥ 32 characters or bytes) mixed into the store keys; recommended with `store`.
 * @param {number} [options.storeTimeoutMs=50] A store read taking longer goes to STS instead.
 * @param {number} [options.storeWaitMs=2000] On a store that can coordinate, the most a miss waits for another replica's exchange (0: no coordination).
 * @param {Function} [options.onStoreError] Told about store failures (never the key or value).
 * @param {() => number} [options.now=Date.now] The clock (ms).
 * @returns An async provider of temporary credentials (with `expiration`), usable as `StsClient`'s `credentials`.
 * @throws {StsConfigurationError} at once, when `client` or `roleArn` is missing or has the wrong type.
 * Calls of the provider reject with `StsError` (from STS) or `StsValidationError` (bad input).
 * @example
 * ```ts
 * const base = new StsClient({ region: "eu-west-1", credentials: { accessKeyId, secretAccessKey } });
 * const chained = new StsClient({ region: "eu-west-1", credentials: fromAssumeRole({ client: base, roleArn }) });
 * await chained.getCallerIdentity(); // the assumed role
 * ```
 */
export function fromAssumeRole(options: FromAssumeRoleOptions): () => Promise<TemporaryCredentials> {
  const name = "fromAssumeRole";
  if (typeof options !== "object" || options === null) throw new StsConfigurationError(`${name}: options are required`);
  if (!isStsClient(options.client)) throw new StsConfigurationError(`${name}: client must be an StsClient`);
  stringOption(options.roleArn, `${name}: roleArn`);
  sourceOption(options.roleSessionName, `${name}: roleSessionName`);
  sourceOption(options.tokenCode, `${name}: tokenCode`);
  if (options.store !== undefined && options.tokenCode !== undefined) {
    // Stored credentials would reach replicas that never passed the MFA check.
    throw new StsConfigurationError(`${name}: store cannot be combined with tokenCode (MFA-gated sessions are not shared)`);
  }
  const now = options.now ?? Date.now;
  const {
    client, tokenCode, roleSessionName, refreshWindowSeconds: _w, now: _n, store: _s, storeSecret: _ss, storeTimeoutMs: _t,
    storeWaitMs: _wt, onStoreError: _e,
    ...members
  } = options;
  const entry = cacheKey([NAMESPACE, client.cacheScope ?? client.endpoint.url, roleSessionName, stableJson(members)]);

  return cachedProvider(async () => {
    // The store keys derive from the source credentials: whoever can read them could assume the role anyway.
    const source = options.store === undefined ? undefined : await clientCredentials(client)?.();
    return {
      secret: source === undefined ? "" : `${source.accessKeyId}\n${source.secretAccessKey}\n${source.sessionToken ?? ""}`,
      cacheKey: source === undefined ? entry : entry + cacheKey([source.accessKeyId]),
      async exchange() {
        const input: AssumeRoleInput = { ...members, roleSessionName: roleSessionName ?? defaultSessionName(now) };
        if (tokenCode !== undefined) input.tokenCode = typeof tokenCode === "function" ? await tokenCode() : tokenCode;
        const out = await client.assumeRole(input);
        return credentialsOf(out, "AssumeRole");
      },
    };
  }, options, name);
}
