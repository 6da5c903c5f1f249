/**
 * AssumeRoleWithWebIdentity: the token's signature against the trusted issuers' JWKS, then `iss`,
 * `aud`, `exp`, `nbf`, then the role's trust, in the order STS reports failures.
 */
import { assumedRole, credentialsTree, durationSeconds, findRole, packedPolicySize } from "./emulator-context.ts";
import type { Handler, HandlerContext, ResolvedRole } from "./emulator-context.ts";
import type { ResolvedIssuer, StsEmulatorWebIdentityTrust } from "./emulator-options.ts";
import { isoSeconds, stsErrors } from "./emulator-responses.ts";
import { decodeJwt, isJwtAlgorithm, keyFitsAlgorithm, verifyJwtSignature } from "./jwt.ts";
import type { DecodedJwt, JwtAlgorithm } from "./jwt.ts";

const NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

/** The verified claims of a web identity token and the provider that vouched for them. */
export interface VerifiedWebIdentity {
  claims: Record<string, unknown>;
  provider: ResolvedIssuer;
  /** The audience STS reports: `azp` when present, else the matching `aud`. */
  audience: string;
  subject: string;
}

/**
 * Verifies a web identity token as STS does.
 * @throws {EmulatorError} `InvalidIdentityToken`, `ExpiredTokenException`, `IDPCommunicationError`, `IDPRejectedClaim`.
 */
export async function verifyWebIdentityToken(ctx: HandlerContext, token: string): Promise<VerifiedWebIdentity> {
  let jwt: DecodedJwt;
  try {
    jwt = decodeJwt(token);
  } catch {
    throw stsErrors.invalidIdentityToken("The web identity token is not a well-formed JWT.");
  }
  const alg = jwt.header.alg;
  if (!isJwtAlgorithm(alg)) throw stsErrors.invalidIdentityToken("The web identity token's signing algorithm is not supported.");
  const { payload: claims } = jwt;
  const iss = typeof claims.iss === "string" ? claims.iss.replace(/\/+$/, "") : undefined;
  const provider = iss === undefined ? undefined : ctx.options.issuers.find((p) => p.issuer === iss);
  if (!provider) {
    throw stsErrors.invalidIdentityToken(`No OpenIDConnect provider found in your account for ${String(iss ?? "(no iss)").slice(0, 256)}`);
  }
  await checkSignature(jwt, alg, provider);

  const audiences = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const aud = audiences.find((a): a is string => typeof a === "string" && provider.audiences.includes(a));
  if (aud === undefined) throw stsErrors.invalidIdentityToken("Incorrect token audience");

  const leeway = ctx.options.tokenLeewaySeconds * 1000;
  if (typeof claims.exp !== "number") throw stsErrors.invalidIdentityToken("The web identity token has no exp claim.");
  if (claims.exp * 1000 + leeway <= ctx.now) {
    throw stsErrors.expiredTokenException(
      `Token expired: current date/time ${isoSeconds(ctx.now)} must be before the expiration date/time ${isoSeconds(claims.exp * 1000)}`,
    );
  }
  if (typeof claims.nbf === "number" && claims.nbf * 1000 - leeway > ctx.now) {
    throw stsErrors.invalidIdentityToken("The web identity token is not valid yet (nbf).");
  }
  if (typeof claims.iat === "number" && claims.iat * 1000 - leeway > ctx.now) {
    throw stsErrors.invalidIdentityToken("The web identity token was issued in the future (iat).");
  }
  if (typeof claims.sub !== "string" || claims.sub === "") throw stsErrors.invalidIdentityToken("The web identity token has no sub claim.");
  if (provider.acceptClaims && !provider.acceptClaims(claims)) {
    throw stsErrors.idpRejectedClaim("The identity provider rejected the claims of the web identity token.");
  }
  const audience = typeof claims.azp === "string" ? claims.azp : aud;
  return { claims, provider, audience, subject: claims.sub };
}

async function checkSignature(jwt: DecodedJwt, alg: JwtAlgorithm, provider: ResolvedIssuer): Promise<void> {
  let keys;
  try {
    keys = (await provider.jwks()).keys;
  } catch (cause) {
    const error = stsErrors.idpCommunicationError("Couldn't retrieve verification key from your identity provider.");
    throw Object.assign(error, { cause });
  }
  const kid = jwt.header.kid;
  const candidates = keys.filter((k) => (kid === undefined || k.kid === kid) && keyFitsAlgorithm(k, alg));
  if (candidates.length === 0) {
    throw stsErrors.invalidIdentityToken("No key in the identity provider's JWKS matches the web identity token's kid.");
  }
  for (const key of candidates) if (await verifyJwtSignature(jwt, alg, key)) return;
  throw stsErrors.invalidIdentityToken("The web identity token's signature could not be verified.");
}

function trusts(rule: StsEmulatorWebIdentityTrust, identity: VerifiedWebIdentity): boolean {
  if (rule.issuer.replace(/\/+$/, "") !== identity.provider.issuer) return false;
  const auds = rule.audience === undefined ? undefined : [rule.audience].flat();
  const tokenAuds = [identity.claims.aud, identity.audience].flat();
  if (auds && !auds.some((a) => tokenAuds.includes(a))) return false;
  const { subject } = rule;
  if (subject === undefined) return true;
  if (typeof subject === "function") return subject(identity.subject, identity.claims);
  return [subject].flat().some((s) => (s.endsWith("*") ? identity.subject.startsWith(s.slice(0, -1)) : s === identity.subject));
}

/** Whether `role` lets this web identity in. */
export function roleTrustsWebIdentity(role: ResolvedRole, identity: VerifiedWebIdentity): boolean {
  if (!role.trust) return true;
  return (role.trust.webIdentity ?? []).some((rule) => trusts(rule, identity));
}

/** `https://token.actions.githubusercontent.com` → `token.actions.githubusercontent.com`, as STS reports a Provider. */
export function providerName(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "").replace(/\/+$/, "");
}

/** The AssumeRoleWithWebIdentity handler. */
export const assumeRoleWithWebIdentity: Handler = async (ctx) => {
  const { input } = ctx;
  const identity = await verifyWebIdentityToken(ctx, input.webIdentityToken);
  const role = findRole(ctx, input.roleArn);
  if (!role || !roleTrustsWebIdentity(role, identity)) throw stsErrors.accessDenied(NOT_AUTHORIZED);
  const seconds = durationSeconds(
    input.durationSeconds,
    ctx.options.durations.role,
    role.maxSessionDurationSeconds,
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
  );
  const packed = packedPolicySize(input);
  const principal = assumedRole(ctx, role, input.roleSessionName);
  const session = ctx.state.issue(principal, ctx.action, ctx.now + seconds * 1000);
  const sourceIdentity = identity.claims["https://aws.amazon.com/source_identity"];
  return {
    Credentials: credentialsTree(session),
    SubjectFromWebIdentityToken: identity.subject,
    AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
    PackedPolicySize: packed,
    Provider: providerName(identity.provider.issuer),
    Audience: identity.audience,
    SourceIdentity: typeof sourceIdentity === "string" ? sourceIdentity : undefined,
  };
};
