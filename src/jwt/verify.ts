/**
 * Local verification of OIDC ID tokens with Web Crypto: the token's issuer picks one of the trusted
 * configurations, its claims are checked, then its signature against the issuer's published keys
 * (cached per isolate, see key-set.ts). Nothing is built at import; the first token builds nothing
 * but its issuer's key set.
 *
 * @module
 */
import { base64Decode } from "../encoding/base64.ts";
import { StsConfigurationError, TokenVerificationError } from "../errors.ts";
import { millisecondsOption, secondsOption } from "../options.ts";
import type { FetchFunction } from "../types.ts";
import { VERIFY_ALGORITHMS, importKey, isVerifyAlgorithm, verifySignature } from "./algorithms.ts";
import type { PublicJwk, VerifyAlgorithm } from "./algorithms.ts";
import { checkClaims } from "./claims.ts";
import type { ClaimRules } from "./claims.ts";
import { isKeyUrl, keySetFor } from "./key-set.ts";
import type { RemoteKeySet } from "./key-set.ts";

export type { VerifyAlgorithm } from "./algorithms.ts";

/** One trusted issuer: whose tokens are accepted, for which audience, signed how. */
export interface VerifyOptions {
  /** The issuer, exactly as the tokens' `iss` (https; http only on 127.0.0.1/localhost). Required. */
  issuer: string;
  /** The accepted audience(s): a token's `aud` must name one (and its `azp` too when `aud` names several). Required. */
  audience: string | readonly string[];
  /** Where the keys are published. @default from OIDC discovery: `<issuer>/.well-known/openid-configuration` → `jwks_uri` */
  jwksUri?: string;
  /** The accepted algorithms; asymmetric only. @default RS256/384/512, PS256/384/512, ES256/384, EdDSA (where the runtime has Ed25519) */
  algorithms?: readonly VerifyAlgorithm[];
  /** The fetch discovery and the key set are fetched with. @default globalThis.fetch */
  fetch?: FetchFunction;
  /** The bound of one key-set fetch (discovery included), in ms; never more than the caller's deadline. @default 3000 */
  timeoutMs?: number;
}

/** How a verifier is run. */
export interface TokenVerifierOptions {
  /** Seconds of leeway on `exp`, `nbf` and `iat`. @default 30 */
  clockToleranceSeconds?: number;
  /** The clock, in ms since the epoch; also measures the key set's durations when given. @default Date.now */
  now?: () => number;
  /** The most a key-set fetch may take whatever `timeoutMs` says (the caller's own deadline). @default Infinity */
  maxTimeoutMs?: number;
  /** The prefix of configuration errors. @default "verify" */
  name?: string;
}

/** Checks tokens against trusted issuers. */
export interface TokenVerifier {
  /**
   * @returns The token's verified payload.
   * @throws {TokenVerificationError} when the token is refused (the message names the rule).
   * @throws {KeySetUnavailableError} when its issuer's keys cannot be had.
   */
  verify(token: string): Promise<Record<string, unknown>>;
  /** The settings that decide what is accepted, as one string (no secret in it). */
  readonly fingerprint: string;
}

interface Trusted {
  rules: ClaimRules;
  algorithms: readonly VerifyAlgorithm[];
  keySet: RemoteKeySet;
  timeoutMs: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DEFAULT_TIMEOUT_MS = 3000;
const monotonic = (): number => performance.now();
// Made by the first token: nothing is built at import (a Worker's start-up is paid by every isolate).
let encoder: TextEncoder | undefined;
let utf8: TextDecoder | undefined;
let imported: WeakMap<PublicJwk, Map<VerifyAlgorithm, Promise<CryptoKey>>> | undefined;

/**
 * Builds a verifier for one trusted issuer or several (picked by the token's `iss`).
 * @param {VerifyOptions | VerifyOptions[]} verify The trusted issuer(s).
 * @param {TokenVerifierOptions} [options] Clock, tolerance, deadline.
 * @returns The verifier; it fetches nothing until its first token.
 * @throws {StsConfigurationError} naming the member: no `issuer` or `audience`, a URL that is not https, an algorithm that is not asymmetric, two configurations of one issuer.
 * @example
 * ```ts
 * const verifier = tokenVerifier({ issuer: "https://token.actions.githubusercontent.com", audience: "sts.amazonaws.com" });
 * const claims = await verifier.verify(token);
 * ```
 */
export function tokenVerifier(verify: VerifyOptions | readonly VerifyOptions[], options: TokenVerifierOptions = {}): TokenVerifier {
  const name = options.name ?? "verify";
  const toleranceSeconds = secondsOption(options.clockToleranceSeconds, 30, `${name}: clockToleranceSeconds`);
  const now = options.now ?? Date.now;
  const clock = options.now ?? monotonic;
  const list: readonly VerifyOptions[] = Array.isArray(verify) ? verify : [verify as VerifyOptions];
  if (list.length === 0) throw new StsConfigurationError(`${name} must name at least one issuer`);
  const byIssuer = new Map<string, Trusted>();
  const fingerprint: unknown[] = [toleranceSeconds];
  list.forEach((config, i) => {
    const where = Array.isArray(verify) ? `${name}[${i}]` : name;
    const trusted = trustedIssuer(config, where, toleranceSeconds, clock, options.maxTimeoutMs ?? Infinity);
    if (byIssuer.has(trusted.rules.issuer)) throw new StsConfigurationError(`${where}.issuer is configured twice`);
    byIssuer.set(trusted.rules.issuer, trusted);
    fingerprint.push([trusted.rules.issuer, [...trusted.rules.audiences].sort(), config.jwksUri ?? null, [...trusted.algorithms].sort()]);
  });
  return {
    fingerprint: JSON.stringify(fingerprint),
    verify: (token) => verifyToken(token, byIssuer, now),
  };
}

function trustedIssuer(config: VerifyOptions, where: string, toleranceSeconds: number, clock: () => number, maxTimeoutMs: number): Trusted {
  if (typeof config !== "object" || config === null) throw new StsConfigurationError(`${where} must be an object`);
  const { issuer, audience, jwksUri, algorithms = VERIFY_ALGORITHMS, fetch } = config;
  if (typeof issuer !== "string" || issuer === "") throw new StsConfigurationError(`${where}.issuer is required`);
  if (jwksUri === undefined ? !isKeyUrl(issuer) : typeof jwksUri !== "string" || !isKeyUrl(jwksUri)) {
    const member = jwksUri === undefined ? "issuer" : "jwksUri";
    throw new StsConfigurationError(`${where}.${member} must be an https URL (http only on 127.0.0.1 or localhost)`);
  }
  const audiences = typeof audience === "string" ? [audience] : audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === "string" && a !== "")) {
    throw new StsConfigurationError(`${where}.audience is required: a non-empty string or list of strings`);
  }
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isVerifyAlgorithm)) {
    throw new StsConfigurationError(`${where}.algorithms must list asymmetric JWS algorithms (${VERIFY_ALGORITHMS.join(", ")}); never none or HMAC`);
  }
  if (fetch !== undefined && typeof fetch !== "function") throw new StsConfigurationError(`${where}.fetch must be a function`);
  const timeoutMs = Math.min(millisecondsOption(config.timeoutMs, DEFAULT_TIMEOUT_MS, `${where}.timeoutMs`), maxTimeoutMs);
  return {
    rules: { issuer, audiences: Object.freeze([...audiences]), toleranceSeconds },
    algorithms: Object.freeze([...algorithms]),
    keySet: keySetFor({ issuer, jwksUri, fetch, clock }),
    timeoutMs,
  };
}

async function verifyToken(token: string, byIssuer: ReadonlyMap<string, Trusted>, now: () => number): Promise<Record<string, unknown>> {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw refuse("not a JWS in compact form");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  const trusted = typeof payload.iss === "string" ? byIssuer.get(payload.iss) : undefined;
  if (trusted === undefined) throw refuse("iss is not a trusted issuer");
  const { alg, kid } = header;
  if (!isVerifyAlgorithm(alg) || !trusted.algorithms.includes(alg)) throw refuse("alg is not an accepted algorithm");
  if (header.crit !== undefined) throw refuse("crit extensions are not supported");
  if (kid !== undefined && typeof kid !== "string") throw refuse("kid must be a string");
  checkClaims(payload, trusted.rules, now() / 1000);
  const keys = await trusted.keySet.keysFor(kid, alg, trusted.timeoutMs);
  if (keys.length === 0) throw refuse(kid === undefined ? "no published key fits alg" : "kid is not a published key for alg");
  if (kid === undefined && keys.length > 1) throw refuse("no kid, and several published keys fit alg");
  const signature = base64Decode(signaturePart) as Uint8Array<ArrayBuffer>;
  const signingInput = (encoder ??= new TextEncoder()).encode(`${headerPart}.${payloadPart}`);
  for (const jwk of keys) {
    const key = await keyFor(jwk, alg).catch(() => undefined);
    if (key !== undefined && (await verifySignature(alg, key, signature, signingInput).catch(() => false))) return payload;
  }
  throw refuse("signature does not verify");
}

/** A published key imported once per key set per algorithm (a failed import is tried again next time). */
function keyFor(jwk: PublicJwk, alg: VerifyAlgorithm): Promise<CryptoKey> {
  imported ??= new WeakMap();
  let byAlg = imported.get(jwk);
  if (byAlg === undefined) imported.set(jwk, (byAlg = new Map()));
  let key = byAlg.get(alg);
  if (key === undefined) {
    byAlg.set(alg, (key = importKey(jwk, alg)));
    key.catch(() => byAlg!.delete(alg));
  }
  return key;
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse((utf8 ??= new TextDecoder("utf-8", { fatal: true })).decode(base64Decode(part)));
  } catch {
    throw refuse("a part is not base64url JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw refuse("a part is not a JSON object");
  return value as Record<string, unknown>;
}

function refuse(rule: string): TokenVerificationError {
  return new TokenVerificationError(`token refused: ${rule}`);
}
