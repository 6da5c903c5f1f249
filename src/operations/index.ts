/**
 * Every STS operation, keyed by its `Action`, and their input and output types.
 *
 * @module
 */
import type { Operation } from "../wire/operation.ts";
import { assumeRole } from "./assume-role.ts";
import { assumeRoleWithSAML } from "./assume-role-with-saml.ts";
import { assumeRoleWithWebIdentity } from "./assume-role-with-web-identity.ts";
import { assumeRoot } from "./assume-root.ts";
import { decodeAuthorizationMessage } from "./decode-authorization-message.ts";
import { getAccessKeyInfo } from "./get-access-key-info.ts";
import { getCallerIdentity } from "./get-caller-identity.ts";
import { getDelegatedAccessToken } from "./get-delegated-access-token.ts";
import { getFederationToken } from "./get-federation-token.ts";
import { getSessionToken } from "./get-session-token.ts";
import { getWebIdentityToken } from "./get-web-identity-token.ts";

/**
 * All 11 STS operations by `Action`, e.g. for an emulator or a generic dispatcher.
 *
 * @example
 * ```ts
 * const op = operations["AssumeRole"]; // op.signed === true
 * ```
 */
// deno-lint-ignore no-explicit-any
export const operations: Record<string, Operation<any, any>> = {
  AssumeRole: assumeRole,
  AssumeRoleWithSAML: assumeRoleWithSAML,
  AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
  AssumeRoot: assumeRoot,
  DecodeAuthorizationMessage: decodeAuthorizationMessage,
  GetAccessKeyInfo: getAccessKeyInfo,
  GetCallerIdentity: getCallerIdentity,
  GetDelegatedAccessToken: getDelegatedAccessToken,
  GetFederationToken: getFederationToken,
  GetSessionToken: getSessionToken,
  GetWebIdentityToken: getWebIdentityToken,
};

// Each operation file exports its operation and its input and output types, nothing else.
export * from "./assume-role.ts";
export * from "./assume-role-with-saml.ts";
export * from "./assume-role-with-web-identity.ts";
export * from "./assume-root.ts";
export * from "./decode-authorization-message.ts";
export * from "./get-access-key-info.ts";
export * from "./get-caller-identity.ts";
export * from "./get-delegated-access-token.ts";
export * from "./get-federation-token.ts";
export * from "./get-session-token.ts";
export * from "./get-web-identity-token.ts";
export type { AssumedRoleUser, PolicyDescriptor, ProvidedContext, Tag } from "./shapes.ts";
