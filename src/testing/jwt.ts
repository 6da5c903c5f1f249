/**
 * The little JWT toolkit the issuer and the emulator share: JWS signing and checking with Web Crypto
 * (base64url from ../encoding/base64.ts). Only what ID tokens need; not a general JOSE library.
 */

import { base64Decode, base64UrlEncode } from "../encoding/base64.ts";

/** The JWS algorithms the testing helpers sign and verify. */
export type JwtAlgorithm = "RS256" | "RS384" | "RS512" | "ES256" | "ES384";

/** A JSON Web Key as published in a JWKS (the DOM type plus `kid` and `use`). */
export type Jwk = JsonWebKey & { kid?: string; use?: string };

/** A JSON Web Key Set: `{ keys: [...] }`. */
export interface JsonWebKeySet {
  keys: Jwk[];
}

interface AlgorithmParams {
  key: RsaHashedImportParams | EcKeyImportParams;
  sign: AlgorithmIdentifier | EcdsaParams;
  generate: RsaHashedKeyGenParams | EcKeyGenParams;
}

const rsa = (hash: string): AlgorithmParams => ({
  key: { name: "RSASSA-PKCS1-v1_5", hash },
  sign: { name: "RSASSA-PKCS1-v1_5" },
  generate: { name: "RSASSA-PKCS1-v1_5", hash, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
});
const ec = (namedCurve: string, hash: string): AlgorithmParams => ({
  key: { name: "ECDSA", namedCurve },
  sign: { name: "ECDSA", hash },
  generate: { name: "ECDSA", namedCurve },
});

const ALGORITHMS: Record<JwtAlgorithm, AlgorithmParams> = {
  RS256: rsa("SHA-256"),
  RS384: rsa("SHA-384"),
  RS512: rsa("SHA-512"),
  ES256: ec("P-256", "SHA-256"),
  ES384: ec("P-384", "SHA-384"),
};

/** Whether `alg` is one this module can verify. */
export function isJwtAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return typeof alg === "string" && Object.hasOwn(ALGORITHMS, alg);
}

const encoder = new TextEncoder();

/** Makes a key pair for `alg` (extractable, so the public half can be published). */
export async function generateSigningKey(alg: JwtAlgorithm): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALGORITHMS[alg].generate, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** Signs a compact JWS. */
export async function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: CryptoKey,
  alg: JwtAlgorithm,
): Promise<string> {
  const signingInput = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(ALGORITHMS[alg].sign, privateKey, encoder.encode(signingInput));
  return `${signingInput}.${base64UrlEncode(new Uint8Array(signature))}`;
}

/** A compact JWS split into its parts; nothing is trusted yet. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Uint8Array;
}

/** Splits and decodes a compact JWS. @throws {Error} when it is not three base64url JSON parts. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("not a compact JWS");
  const [h, p, s] = parts as [string, string, string];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const header: unknown = JSON.parse(decoder.decode(base64Decode(h)));
  const payload: unknown = JSON.parse(decoder.decode(base64Decode(p)));
  if (!isObject(header) || !isObject(payload)) throw new Error("JWS parts are not JSON objects");
  return { header, payload, signingInput: `${h}.${p}`, signature: base64Decode(s) };
}

/** Checks a decoded JWS's signature against one public JWK. Never throws for a bad key: returns false. */
export async function verifyJwtSignature(jwt: DecodedJwt, alg: JwtAlgorithm, jwk: Jwk): Promise<boolean> {
  try {
    const { kid: _kid, use: _use, key_ops: _ops, alg: _alg, ...material } = jwk;
    const key = await crypto.subtle.importKey("jwk", material, ALGORITHMS[alg].key, false, ["verify"]);
    return await crypto.subtle.verify(ALGORITHMS[alg].sign, key, jwt.signature as Uint8Array<ArrayBuffer>, encoder.encode(jwt.signingInput));
  } catch {
    return false;
  }
}

/** Whether a JWK can carry `alg` (RSA for RS*, EC on the right curve for ES*). */
export function keyFitsAlgorithm(jwk: Jwk, alg: JwtAlgorithm): boolean {
  const params = ALGORITHMS[alg].key;
  if (params.name === "ECDSA") return jwk.kty === "EC" && jwk.crv === (params as EcKeyImportParams).namedCurve;
  return jwk.kty === "RSA";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
