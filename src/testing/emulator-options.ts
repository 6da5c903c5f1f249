/**
 * The emulator's options, their defaults, and the normalised form the handlers read.
 */
import type { FetchFunction } from "../types.ts";
import { DEFAULT_MAX_LOGGED_CALLS } from "./emulator-calls.ts";
import type { OidcIssuer } from "./oidc-issuer.ts";
import type { JsonWebKeySet } from "./jwt.ts";

/** A long-term IAM user access key the emulator knows. */
export interface StsEmulatorAccessKey {
  /** e.g. `AKIAIOSFODNN7EXAMPLE`. */
  accessKeyId: string;
  /** The secret (never echoed). */
  secretAccessKey: string;
  /** The IAM user name in `arn:aws:iam::<account>:user/<name>`. Default `edge-sts-test`. */
  userName?: string;
}

/** An OIDC provider trusted by the account, given by URL and keys (or discovered over fetch). */
export interface StsEmulatorTrustedIssuer {
  /** The issuer URL, exactly as in the tokens' `iss`. */
  issuer: string;
  /** The provider's client ids: a token's `aud` must be one of them. Default `["sts.amazonaws.com"]`. */
  audiences?: string[];
  /** The JWKS, or a function returning it. Absent: discovered with `fetch` from the issuer URL on each call. */
  jwks?: JsonWebKeySet | (() => Promise<JsonWebKeySet>);
  /** The fetch used for discovery, called as `fetch(url, init)`. Default `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** Return `false` to make the provider reject the token's claims (`IDPRejectedClaim`). */
  acceptClaims?: (claims: Record<string, unknown>) => boolean;
}

/** Who may assume a role with a web identity token: an issuer, and optionally its audience and subjects. */
export interface StsEmulatorWebIdentityTrust {
  /** The issuer URL. */
  issuer: string;
  /** The `aud` (one of). Absent: any audience the provider accepts. */
  audience?: string | string[];
  /** The `sub`: exact values (a trailing `*` matches a prefix) or a predicate. Absent: any. */
  subject?: string | string[] | ((sub: string, claims: Record<string, unknown>) => boolean);
}

/** A role's trust policy, reduced to what the emulator checks. Absent members trust nobody. */
export interface StsEmulatorRoleTrust {
  /** Web identity federation (AssumeRoleWithWebIdentity). */
  webIdentity?: StsEmulatorWebIdentityTrust[];
  /** Principals allowed `sts:AssumeRole`: user or role ARNs, an account id, or `"*"` (any caller the emulator knows). */
  principals?: string[];
  /** When set, AssumeRole must pass this `ExternalId`. */
  externalId?: string;
  /** SAML provider ARNs allowed `sts:AssumeRoleWithSAML`. */
  saml?: string[];
}

/** A role in the emulated account. */
export interface StsEmulatorRole {
  /** `arn:aws:iam::<account>:role/<path/><name>`. */
  arn: string;
  /** The role's MaxSessionDuration. Default 3600 (IAM's default). */
  maxSessionDurationSeconds?: number;
  /** Who may assume it. Absent: every trusted issuer (with its audiences), every known principal, every SAML provider. */
  trust?: StsEmulatorRoleTrust;
}

/** A SAML identity provider registered in the account. */
export interface StsEmulatorSamlProvider {
  /** `arn:aws:iam::<account>:saml-provider/<name>`. */
  arn: string;
  /** The assertion's `<Issuer>`. */
  issuer: string;
}

/** Default lifetimes, in seconds, when a request names none. */
export interface StsEmulatorDurations {
  /** AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML. Default 3600. */
  role: number;
  /** GetSessionToken. Default 43200. */
  sessionToken: number;
  /** GetFederationToken. Default 43200. */
  federationToken: number;
  /** AssumeRoot. Default 900. */
  root: number;
  /** GetWebIdentityToken. Default 300. */
  webIdentityToken: number;
  /** GetDelegatedAccessToken. Default 3600. */
  delegatedAccess: number;
}

/** Options of `createStsEmulator`. Every member has a default. */
export interface StsEmulatorOptions {
  /** The emulated account. Default `123456789012`. */
  accountId?: string;
  /** When set, the credential scope of signed calls must name this region. Default: any region. */
  region?: string;
  /** Long-term keys. Default: one key, `AKIAIOSFODNN7EXAMPLE` for user `edge-sts-test`. */
  accessKeys?: StsEmulatorAccessKey[];
  /** Trusted OIDC providers: issuers from `createOidcIssuer`, or `{ issuer, jwks }`. Default none. */
  issuers?: Array<OidcIssuer | StsEmulatorTrustedIssuer>;
  /** The roles. Absent: every role ARN of the account exists and trusts every provider and principal (max session 12 h). Present: only these roles exist. */
  roles?: StsEmulatorRole[];
  /** SAML providers. Absent: any `arn:aws:iam::<account>:saml-provider/<name>` with any issuer. */
  samlProviders?: StsEmulatorSamlProvider[];
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Default lifetimes. */
  durations?: Partial<StsEmulatorDurations>;
  /** Leeway for a token's `exp` and `nbf`, in seconds. Default 60. */
  tokenLeewaySeconds?: number;
  /** Whether GetWebIdentityToken is enabled for the account. Default `true`. */
  outboundWebIdentityFederation?: boolean;
  /**
   * Calls kept in `calls.log` (the latest; counts stay exact). Each holds the decoded input, tokens
   * included, so a long-running emulator must not keep them all. Default 1000.
   */
  maxLoggedCalls?: number;
}

/** A trusted issuer, normalised. */
export interface ResolvedIssuer {
  issuer: string;
  audiences: string[];
  jwks: () => Promise<JsonWebKeySet>;
  acceptClaims?: (claims: Record<string, unknown>) => boolean;
}

/** The options with defaults applied. */
export interface ResolvedOptions {
  accountId: string;
  region?: string;
  accessKeys: Required<StsEmulatorAccessKey>[];
  issuers: ResolvedIssuer[];
  roles?: StsEmulatorRole[];
  samlProviders?: StsEmulatorSamlProvider[];
  now: () => number;
  durations: StsEmulatorDurations;
  tokenLeewaySeconds: number;
  outboundWebIdentityFederation: boolean;
  maxLoggedCalls: number;
}

/** The key used when none is configured (AWS's documentation example key). */
export const DEFAULT_ACCESS_KEY: Required<StsEmulatorAccessKey> = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  userName: "edge-sts-test",
};

/** Applies the defaults. @throws {Error} for a configuration that cannot work. */
export function resolveOptions(options: StsEmulatorOptions): ResolvedOptions {
  const accountId = options.accountId ?? "123456789012";
  if (!/^\d{12}$/.test(accountId)) throw new Error("createStsEmulator: accountId must be 12 digits");
  const accessKeys = (options.accessKeys ?? [DEFAULT_ACCESS_KEY]).map((key) => {
    if (!/^\w{16,128}$/.test(key.accessKeyId)) throw new Error("createStsEmulator: an accessKeyId must be 16–128 word characters");
    if (!key.secretAccessKey) throw new Error("createStsEmulator: every access key needs a secretAccessKey");
    return { userName: "edge-sts-test", ...key };
  });
  const maxLoggedCalls = options.maxLoggedCalls ?? DEFAULT_MAX_LOGGED_CALLS;
  if (!Number.isInteger(maxLoggedCalls) || maxLoggedCalls < 0) throw new Error("createStsEmulator: maxLoggedCalls must be an integer >= 0");
  for (const role of options.roles ?? []) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(role.arn)) throw new Error("createStsEmulator: a role arn must be an IAM role ARN");
  }
  return {
    accountId,
    region: options.region,
    accessKeys,
    issuers: (options.issuers ?? []).map(resolveIssuer),
    roles: options.roles,
    samlProviders: options.samlProviders,
    now: options.now ?? Date.now,
    durations: {
      role: 3600,
      sessionToken: 43200,
      federationToken: 43200,
      root: 900,
      webIdentityToken: 300,
      delegatedAccess: 3600,
      ...options.durations,
    },
    tokenLeewaySeconds: options.tokenLeewaySeconds ?? 60,
    outboundWebIdentityFederation: options.outboundWebIdentityFederation ?? true,
    maxLoggedCalls,
  };
}

function resolveIssuer(source: OidcIssuer | StsEmulatorTrustedIssuer): ResolvedIssuer {
  const issuer = source.issuer.replace(/\/+$/, "");
  if ("mint" in source) return { issuer, audiences: [source.audience], jwks: source.jwks };
  const { jwks, fetch: fetcher } = source;
  return {
    issuer,
    audiences: source.audiences ?? ["sts.amazonaws.com"],
    jwks: typeof jwks === "function" ? jwks : jwks ? async () => jwks : () => discoverJwks(issuer, fetcher),
    acceptClaims: source.acceptClaims,
  };
}

async function discoverJwks(issuer: string, fetcher?: FetchFunction): Promise<JsonWebKeySet> {
  const get: FetchFunction = fetcher ?? ((input, init) => fetch(input, init));
  const config = await getJson(get, `${issuer}/.well-known/openid-configuration`);
  const jwksUri = (config as { jwks_uri?: unknown }).jwks_uri;
  if (typeof jwksUri !== "string") throw new Error("discovery document has no jwks_uri");
  const jwks = await getJson(get, jwksUri);
  if (!Array.isArray((jwks as { keys?: unknown }).keys)) throw new Error("JWKS has no keys");
  return jwks as JsonWebKeySet;
}

async function getJson(get: FetchFunction, url: string): Promise<unknown> {
  const response = await get(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
