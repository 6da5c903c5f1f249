/**
 * `edge-sts/testing`: a local OIDC issuer and an in-process STS emulator, both plain
 * `(Request) => Promise<Response>` handlers that run on every runtime and can be served on a port.
 *
 * @example
 * ```ts
 * import { createOidcIssuer, createStsEmulator } from "edge-sts/testing";
 * const issuer = createOidcIssuer();
 * const sts = createStsEmulator({ issuers: [issuer] });
 * const token = await issuer.mint({ sub: "user-1234" });
 * ```
 *
 * @module
 */
export { createOidcIssuer } from "./oidc-issuer.ts";
export type { JwksFault, MintAlgorithm, MintClaims, MintOptions, OidcIssuer, OidcIssuerOptions, OpenIdConfiguration } from "./oidc-issuer.ts";
export type { Jwk, JsonWebKeySet, JwtAlgorithm } from "./jwt.ts";
export { createStsEmulator } from "./sts-emulator.ts";
export type { StsEmulator } from "./sts-emulator.ts";
export type {
  StsEmulatorAccessKey,
  StsEmulatorDurations,
  StsEmulatorOptions,
  StsEmulatorRole,
  StsEmulatorRoleTrust,
  StsEmulatorSamlProvider,
  StsEmulatorTrustedIssuer,
  StsEmulatorWebIdentityTrust,
} from "./emulator-options.ts";
export { DEFAULT_ACCESS_KEY } from "./emulator-options.ts";
export type { StsEmulatorPrincipal, StsEmulatorSession } from "./emulator-state.ts";
export type { StsFault, StsFaultFilter, StsEmulatorFaults } from "./emulator-faults.ts";
export type { StsEmulatorCall, StsEmulatorCalls } from "./emulator-calls.ts";
export { createSamlAssertion } from "./emulator-saml.ts";
export type { SamlAssertionOptions } from "./emulator-saml.ts";
export { decodeStsRequest, decodeParams, camelCaseMember } from "./form-decode.ts";
export type { DecodedStsRequest } from "./form-decode.ts";
