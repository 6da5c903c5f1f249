/**
 * The JWS algorithms a token may be verified with: asymmetric only (never `none`, never HMAC), each
 * mapped onto Web Crypto, and the rule of which published key may carry which algorithm.
 *
 * @module
 */

/** The asymmetric JWS algorithms `verify` accepts. */
export type VerifyAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "EdDSA";

/** A published JSON Web Key, as much of it as verification reads. */
export interface PublicJwk {
  kty?: unknown;
  kid?: unknown;
  alg?: unknown;
  use?: unknown;
  key_ops?: unknown;
  crv?: unknown;
  n?: unknown;
  e?: unknown;
  x?: unknown;
  y?: unknown;
}

interface Params {
  /** The key's `kty`, and `crv` where the algorithm fixes a curve. */
  kty: "RSA" | "EC" | "OKP";
  crv?: string;
  importParams: RsaHashedImportParams | EcKeyImportParams | Algorithm;
  verifyParams: Algorithm | RsaPssParams | EcdsaParams;
}

const rsa = (name: "RSASSA-PKCS1-v1_5" | "RSA-PSS", bits: 256 | 384 | 512): Params => ({
  kty: "RSA",
  importParams: { name, hash: `SHA-${bits}` },
  // RFC 7518 §3.5: the salt is as long as the hash.
  verifyParams: name === "RSA-PSS" ? { name, saltLength: bits / 8 } : { name },
});
const ec = (crv: "P-256" | "P-384", hash: string): Params => ({
  kty: "EC",
  crv,
  importParams: { name: "ECDSA", namedCurve: crv },
  verifyParams: { name: "ECDSA", hash },
});

// A handful of small literals: cheaper than building them on first use.
const PARAMS: Record<VerifyAlgorithm, Params> = {
  RS256: rsa("RSASSA-PKCS1-v1_5", 256),
  RS384: rsa("RSASSA-PKCS1-v1_5", 384),
  RS512: rsa("RSASSA-PKCS1-v1_5", 512),
  PS256: rsa("RSA-PSS", 256),
  PS384: rsa("RSA-PSS", 384),
  PS512: rsa("RSA-PSS", 512),
  ES256: ec("P-256", "SHA-256"),
  ES384: ec("P-384", "SHA-384"),
  EdDSA: { kty: "OKP", crv: "Ed25519", importParams: { name: "Ed25519" }, verifyParams: { name: "Ed25519" } },
};

/** Every algorithm `verify` knows, the default of `algorithms`. EdDSA (Ed25519) needs a runtime that has it. */
export const VERIFY_ALGORITHMS: readonly VerifyAlgorithm[] = Object.keys(PARAMS) as VerifyAlgorithm[];

/** RSA keys shorter than this are refused (RFC 7518 §3.3 requires 2048 bits). */
const MIN_RSA_BITS = 2048;

/** Whether `alg` is one `verify` accepts (so never `none`, never `HS*`). */
export function isVerifyAlgorithm(alg: unknown): alg is VerifyAlgorithm {
  return typeof alg === "string" && Object.hasOwn(PARAMS, alg);
}

/**
 * Whether a published key may verify a token signed with `alg`: its type and curve fit, its `alg`
 * (when given) is `alg`, its `use` (when given) is `sig`, its `key_ops` (when given) allow `verify`.
 */
export function keyFits(jwk: PublicJwk, alg: VerifyAlgorithm): boolean {
  const params = PARAMS[alg];
  if (jwk.kty !== params.kty) return false;
  if (params.crv !== undefined && jwk.crv !== params.crv) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) return false;
  if (params.kty === "RSA" && !(typeof jwk.n === "string" && rsaBits(jwk.n) >= MIN_RSA_BITS)) return false;
  return true;
}

/** The modulus length of a base64url `n`, in bits (leading zero bytes do not count). */
function rsaBits(n: string): number {
  const bytes = Math.floor((n.length * 6) / 8);
  return bytes * 8 - (n.startsWith("AA") ? 8 : 0);
}

/**
 * Imports a published key for `alg`. Only the key material is passed on (not `alg`/`use`/`key_ops`,
 * which `keyFits` already checked and which some runtimes read more strictly than others).
 * @throws whatever Web Crypto throws (a malformed key, an algorithm the runtime lacks).
 */
export function importKey(jwk: PublicJwk, alg: VerifyAlgorithm): Promise<CryptoKey> {
  const { kty, crv, n, e, x, y } = jwk;
  const material = (kty === "RSA" ? { kty, n, e } : kty === "EC" ? { kty, crv, x, y } : { kty, crv, x }) as JsonWebKey;
  return crypto.subtle.importKey("jwk", material, PARAMS[alg].importParams, false, ["verify"]);
}

/** Checks a signature over `signingInput` (JWS signatures for ECDSA are `r‖s`, as Web Crypto reads them). */
export function verifySignature(alg: VerifyAlgorithm, key: CryptoKey, signature: Uint8Array<ArrayBuffer>, signingInput: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return crypto.subtle.verify(PARAMS[alg].verifyParams, key, signature, signingInput);
}
