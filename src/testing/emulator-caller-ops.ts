/**
 * The signed operations about the caller itself: GetCallerIdentity, GetAccessKeyInfo,
 * GetSessionToken, GetFederationToken, DecodeAuthorizationMessage, GetWebIdentityToken.
 */
import { checkMfa, credentialsTree, durationSeconds, packedPolicySize } from "./emulator-context.ts";
import type { Handler } from "./emulator-context.ts";
import { EmulatorError, stsErrors } from "./emulator-responses.ts";
import type { StsEmulatorPrincipal } from "./emulator-state.ts";
import { base64Decode, base64UrlEncode } from "../encoding/base64.ts";

/** The GetCallerIdentity handler. */
export const getCallerIdentity: Handler = async (ctx) => {
  const { principal } = ctx.caller!;
  return { UserId: principal.userId, Account: principal.account, Arn: principal.arn };
};

/** The GetAccessKeyInfo handler: the account of a key (STS answers for any well-formed key). */
export const getAccessKeyInfo: Handler = async (ctx) => {
  const known = ctx.state.find(ctx.input.accessKeyId);
  return { Account: known?.principal.account ?? ctx.options.accountId };
};

function requireLongTermUser(action: string, principal: StsEmulatorPrincipal, temporary: boolean): void {
  if (principal.type !== "user" || temporary) throw stsErrors.accessDenied(`Cannot call ${action} with session credentials`);
}

/** The GetSessionToken handler: temporary credentials for the same IAM user. */
export const getSessionToken: Handler = async (ctx) => {
  const caller = ctx.caller!;
  requireLongTermUser(ctx.action, caller.principal, caller.sessionToken !== undefined);
  checkMfa(ctx.input);
  const seconds = durationSeconds(ctx.input.durationSeconds, ctx.options.durations.sessionToken, 129600, "DurationSeconds exceeds 129600.");
  const session = ctx.state.issue(caller.principal, ctx.action, ctx.now + seconds * 1000);
  return { Credentials: credentialsTree(session) };
};

/** The GetFederationToken handler: credentials for a federated user named by the caller. */
export const getFederationToken: Handler = async (ctx) => {
  const caller = ctx.caller!;
  requireLongTermUser(ctx.action, caller.principal, caller.sessionToken !== undefined);
  const seconds = durationSeconds(ctx.input.durationSeconds, ctx.options.durations.federationToken, 129600, "DurationSeconds exceeds 129600.");
  const packed = packedPolicySize(ctx.input);
  const account = caller.principal.account;
  const principal: StsEmulatorPrincipal = {
    type: "federated-user",
    arn: `arn:aws:sts::${account}:federated-user/${ctx.input.name}`,
    userId: `${account}:${ctx.input.name}`,
    account,
  };
  const session = ctx.state.issue(principal, ctx.action, ctx.now + seconds * 1000);
  return {
    Credentials: credentialsTree(session),
    FederatedUser: { FederatedUserId: principal.userId, Arn: principal.arn },
    PackedPolicySize: packed,
  };
};

/**
 * Encodes an authorization failure the way the emulator's DecodeAuthorizationMessage reads it back.
 * @param message The decoded message (a JSON object, e.g. `{ allowed: false, context: {...} }`).
 * @returns An opaque encoded message.
 */
export function encodeAuthorizationMessage(message: Record<string, unknown>): string {
  return base64UrlEncode(JSON.stringify(message));
}

/** The DecodeAuthorizationMessage handler. */
export const decodeAuthorizationMessage: Handler = async (ctx) => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64Decode(ctx.input.encodedMessage)));
  } catch {
    decoded = undefined;
  }
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) {
    throw new EmulatorError("InvalidAuthorizationMessageException", 400, "The encoded authorization message is not valid.");
  }
  return { DecodedMessage: JSON.stringify(decoded) };
};

// STS refuses tokens whose payload would pass this size.
const MAX_JWT_PAYLOAD = 16 * 1024;

/** The GetWebIdentityToken handler: a JWT about the caller, signed by the emulator's own issuer. */
export const getWebIdentityToken: Handler = async (ctx) => {
  const { input } = ctx;
  const caller = ctx.caller!;
  if (!ctx.options.outboundWebIdentityFederation) {
    throw new EmulatorError("OutboundWebIdentityFederationDisabledException", 403, "Outbound web identity federation is disabled for this account.");
  }
  if (input.signingAlgorithm !== "RS256" && input.signingAlgorithm !== "ES384") {
    throw stsErrors.validation("1 validation error detected: Value at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ES384, RS256]");
  }
  const seconds: number = input.durationSeconds ?? ctx.options.durations.webIdentityToken;
  const expiresAt = ctx.now + seconds * 1000;
  if (caller.expiresAt !== undefined && expiresAt > caller.expiresAt) {
    throw new EmulatorError("SessionDurationEscalationException", 403, "The requested token duration would extend the session beyond its original expiration time.");
  }
  const audience: string[] = input.audience;
  const iat = Math.floor(ctx.now / 1000);
  const tags = Object.fromEntries((input.tags ?? []).map((t: { key: string; value: string }) => [t.key, t.value]));
  const claims = {
    sub: caller.principal.arn,
    aud: audience.length === 1 ? audience[0]! : audience,
    iat,
    exp: iat + seconds,
    jti: crypto.randomUUID(),
    "https://sts.amazonaws.com/": {
      aws_account: caller.principal.account,
      source_region: ctx.region,
      principal_id: caller.principal.arn,
      ...(input.tags ? { request_tags: tags } : {}),
    },
  };
  if (new TextEncoder().encode(JSON.stringify(claims)).length > MAX_JWT_PAYLOAD) {
    throw new EmulatorError("JWTPayloadSizeExceededException", 400, "The JWT payload would exceed the maximum size.");
  }
  const token = await ctx.tokenIssuer.mint(claims, { algorithm: input.signingAlgorithm });
  return { WebIdentityToken: token, Expiration: new Date((iat + seconds) * 1000) };
};
