/**
 * edge-sts: a fetch-only AWS STS client for edge runtimes (Workers, Deno, Bun, Node ≥ 20).
 *
 * @example
 * ```ts
 * import { StsClient } from "edge-sts";
 *
 * const sts = new StsClient({ region: "eu-west-1" });
 * const { credentials } = await sts.assumeRoleWithWebIdentity({
 *   roleArn: "arn:aws:iam::123456789012:role/app",
 *   roleSessionName: "alice",
 *   webIdentityToken: idToken,
 * });
 * ```
 *
 * @module
 */

// The client.
export { StsClient } from "./client.ts";
export type { StsClientOptions } from "./client.ts";
export type { RetryBudgetOptions } from "./wire/retry.ts";

// Errors.
export * from "./errors.ts";

// Endpoints.
export { resolveEndpoint } from "./endpoints.ts";
export type { EndpointParams, ResolvedEndpoint } from "./endpoints.ts";

// STS regions: the nearest one from platform hints, and the table behind it.
export { byDistance, DEFAULT_STS_REGIONS, distanceKm, locate, nearestRegions, regionCoordinates } from "./regions.ts";
export type { Coordinates, PlatformHints, PlatformLocation } from "./regions.ts";
export { awsRegionInfo } from "./region-table.ts";
export type { AwsRegionInfo } from "./region-table.ts";

// Credentials and per-call options.
export type * from "./types.ts";

// Operations: the objects `StsClient.send` accepts, and every input and output type.
export type { Operation } from "./wire/operation.ts";
export * from "./operations/index.ts";

// Local verification of OIDC ID tokens (the middleware's `verify`).
export { tokenVerifier } from "./jwt/verify.ts";
export type { TokenVerifier, TokenVerifierOptions, VerifyAlgorithm, VerifyOptions } from "./jwt/verify.ts";

// The shared credential store (adapters: `edge-sts/stores`).
export type { CredentialStore, StoreErrorInfo } from "./cache/store.ts";
export type { StoreSecret } from "./cache/store-level.ts";

// ── Credential providers ──────────────────────────────────────────────────────────────────────
// Async, caching providers for `StsClient`'s `credentials` (src/providers/, maintained separately).
export { fromWebIdentity } from "./providers/from-web-identity.ts";
export type { FromWebIdentityOptions } from "./providers/from-web-identity.ts";
export { fromAssumeRole } from "./providers/from-assume-role.ts";
export type { FromAssumeRoleOptions } from "./providers/from-assume-role.ts";
export type { ProviderCacheOptions } from "./providers/cached-provider.ts";
