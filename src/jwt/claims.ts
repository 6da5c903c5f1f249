/**
 * The claim rules of an ID token (OpenID Connect Core §3.1.3.7, RFC 7519 §4.1): `iss`, `aud`/`azp`,
 * `exp`, `nbf`, `iat`, each with the clock tolerance. Checked before the signature: they cost nothing,
 * and a token that fails them needs no key set.
 *
 * @module
 */
import { TokenVerificationError } from "../errors.ts";

/** What the claims are checked against. */
export interface ClaimRules {
  issuer: string;
  audiences: readonly string[];
  toleranceSeconds: number;
}

/**
 * @param payload The decoded payload (not yet trusted).
 * @param nowSeconds The time, in seconds since the epoch.
 * @throws {TokenVerificationError} naming the claim and the rule.
 */
export function checkClaims(payload: Record<string, unknown>, rules: ClaimRules, nowSeconds: number): void {
  const { iss, aud, azp, exp, nbf, iat } = payload;
  const tolerance = rules.toleranceSeconds;
  if (iss !== rules.issuer) throw refuse("iss is not the issuer");
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (audiences === undefined || audiences.length === 0 || !audiences.every((a) => typeof a === "string")) {
    throw refuse("aud must be a string or a list of strings");
  }
  if (!audiences.some((a) => rules.audiences.includes(a))) throw refuse("aud names no accepted audience");
  // OIDC Core: with several audiences, the authorized party must be present and be one of ours.
  if (audiences.length > 1 && !(typeof azp === "string" && rules.audiences.includes(azp))) {
    throw refuse("azp must name an accepted audience when aud has several");
  }
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw refuse("exp must be a number");
  if (nowSeconds >= exp + tolerance) throw refuse("exp is past");
  if (nbf !== undefined) {
    if (typeof nbf !== "number" || !Number.isFinite(nbf)) throw refuse("nbf must be a number");
    if (nowSeconds + tolerance < nbf) throw refuse("nbf is in the future");
  }
  if (iat !== undefined) {
    if (typeof iat !== "number" || !Number.isFinite(iat)) throw refuse("iat must be a number");
    if (iat > nowSeconds + tolerance) throw refuse("iat is in the future");
  }
}

function refuse(rule: string): TokenVerificationError {
  return new TokenVerificationError(`token refused: ${rule}`);
}
