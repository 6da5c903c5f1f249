/**
 * Credential providers: async sources of temporary credentials that cache and refresh themselves.
 *
 * @module
 */
export { fromAssumeRole } from "./from-assume-role.ts";
export type { FromAssumeRoleOptions } from "./from-assume-role.ts";
export { fromWebIdentity } from "./from-web-identity.ts";
export type { FromWebIdentityOptions } from "./from-web-identity.ts";
export type { ProviderCacheOptions } from "./cached-provider.ts";
