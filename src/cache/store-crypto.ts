/**
 * What makes a shared store safe to read: keys and values only the caller's token (and, with a
 * `storeSecret`, only the deployment) can produce.
 *
 * From the secret (the OIDC token, or the source credentials of an AssumeRole) HKDF-SHA-256 derives
 * two keys: an HMAC-SHA-256 key that turns the isolate's cache key into the store key, and an
 * AES-256-GCM key that seals the value. The store key is the additional data of the seal, so a value
 * copied to another key, or altered, does not open. Web Crypto only; every key is non-extractable.
 *
 * The deployment's `storeSecret`, when given, is the HKDF salt. Without it, anyone holding a token —
 * even a forged one, whose signature only STS checks — can derive that token's keys and seal an
 * entry for it, so a writer of the store could mint a session that a hit serves without asking STS.
 *
 * @module
 */

import { base64Decode, base64UrlEncode } from "../encoding/base64.ts";

/**
 * The format version: in the key prefix, the HKDF labels, the additional data and the value. 2 since
 * the `storeSecret` salt: a value of version 1 lives under another key and does not open (a miss).
 */
const VERSION = "2";
const PREFIX = `edge-sts:${VERSION}:`;
const utf8 = new TextEncoder();
/*
 * Why the deployment secret is the salt rather than part of the input key material: HKDF-Extract is
 * HMAC-SHA-256(salt, IKM), so with the secret as the salt the pseudorandom key is an HMAC of the token
 * keyed by the secret — a PRF nobody can evaluate without the secret, whatever tokens they hold, and
 * RFC 5869 §3.1 allows a secret salt. Concatenating secret and token into the IKM would need an
 * unambiguous encoding (a separator or length prefix) for the same effect; the salt needs none.
 * Without a secret the salt is fixed and public, a domain separator only (the token carries the
 * entropy). The labels name the mode too, so keyed and unkeyed derivations never share keys.
 */
const PUBLIC_SALT = utf8.encode(`edge-sts/store/v${VERSION} salt`);
const label = (keyed: boolean, what: string): Uint8Array<ArrayBuffer> => utf8.encode(`edge-sts/store/v${VERSION} ${keyed ? "keyed" : "unkeyed"} ${what}`);
const KEY_INFO = [label(false, "store key (HMAC-SHA-256)"), label(true, "store key (HMAC-SHA-256)")] as const;
const VALUE_INFO = [label(false, "value (AES-256-GCM)"), label(true, "value (AES-256-GCM)")] as const;
/** The shortest `storeSecret` accepted: 32 characters or 32 bytes (256 bits at most of entropy, as the keys). */
export const MIN_STORE_SECRET_LENGTH = 32;
const CLAIM_LABEL = "\u0000claim\u0000";
const AAD_PREFIX = `edge-sts/store/v${VERSION}|`;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A sealed value is a few hundred bytes; anything far larger is not ours and is not decoded. */
const MAX_SEALED_CHARS = 64 * 1024;

/** The store key of one cache entry and the key its value is sealed with. */
export interface StoreKeys {
  /** `edge-sts:2:` + base64url(HMAC-SHA-256(derived key, cache key)): 54 characters. */
  readonly storeKey: string;
  /**
   * `edge-sts:2:c:` + base64url(HMAC-SHA-256(derived key, NUL "claim" NUL cache key)): the key of the
   * entry's claim (see `CredentialStore.claim`), as opaque as the store key and unlinkable to the token.
   */
  readonly claimKey: string;
  /** The AES-256-GCM key (non-extractable). */
  readonly valueKey: CryptoKey;
}

/** What sealing and opening need: the store key (the additional data) and the value key. */
export type SealKeys = Pick<StoreKeys, "storeKey" | "valueKey">;

/**
 * Derives the store key and the value key of one cache entry.
 * @param secret What only the legitimate caller holds (the token); never stored, never logged.
 * @param cacheKey Everything that distinguishes the entry (the isolate's cache key, token included).
 * @param storeSecret The deployment's secret (see {@link storeSecretBytes}); without it, the keys depend on the token alone.
 */
export async function deriveStoreKeys(secret: string, cacheKey: string, storeSecret?: Uint8Array<ArrayBuffer>): Promise<StoreKeys> {
  const subtle = crypto.subtle;
  const keyed = storeSecret !== undefined;
  const ikm = await subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"]);
  const salt = storeSecret ?? PUBLIC_SALT;
  const hkdf = (info: Uint8Array<ArrayBuffer>) => ({ name: "HKDF", hash: "SHA-256", salt, info });
  const [macKey, valueKey] = await Promise.all([
    subtle.deriveKey(hkdf(KEY_INFO[keyed ? 1 : 0]), ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]),
    subtle.deriveKey(hkdf(VALUE_INFO[keyed ? 1 : 0]), ikm, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]),
  ]);
  // A cache key never starts with NUL (cacheKey() parts begin with s, n or u; providers' with a letter
  // or a brace), so the claim's message can never be another entry's store-key message.
  const [mac, claim] = await Promise.all([
    subtle.sign("HMAC", macKey, utf8.encode(cacheKey)),
    subtle.sign("HMAC", macKey, utf8.encode(CLAIM_LABEL + cacheKey)),
  ]);
  return { storeKey: PREFIX + base64UrlEncode(new Uint8Array(mac)), claimKey: `${PREFIX}c:` + base64UrlEncode(new Uint8Array(claim)), valueKey };
}

/**
 * Seals a JSON value: `2.` + base64url(96-bit random nonce ‖ AES-256-GCM ciphertext and tag).
 * @param keys The entry's keys.
 * @param payload Any JSON-serialisable value.
 */
export async function seal(keys: SealKeys, payload: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plain = utf8.encode(JSON.stringify(payload));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(keys) }, keys.valueKey, plain);
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return `${VERSION}.${base64UrlEncode(out)}`;
}

/**
 * Opens what {@link seal} produced for the same keys.
 * @returns The parsed JSON, or `undefined` when `sealed` is not a value sealed under these keys
 *   (wrong version, malformed, altered, or copied from another key).
 */
export async function open(keys: SealKeys, sealed: unknown): Promise<unknown> {
  if (typeof sealed !== "string" || sealed.length > MAX_SEALED_CHARS || !sealed.startsWith(`${VERSION}.`)) return undefined;
  const bytes = fromBase64url(sealed.slice(VERSION.length + 1));
  if (bytes === undefined || bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: aad(keys) },
      keys.valueKey,
      bytes.subarray(IV_BYTES),
    );
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    return undefined; // authentication failed: not ours
  }
}

/**
 * A `storeSecret` option as bytes: a string of at least 32 characters (UTF-8) or at least 32 bytes
 * (copied, so later changes to the caller's buffer change nothing).
 * @returns `undefined` when `value` is not one; the caller throws (without quoting it).
 */
export function storeSecretBytes(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof value === "string") return value.length >= MIN_STORE_SECRET_LENGTH ? utf8.encode(value) : undefined;
  let bytes: Uint8Array | undefined;
  if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return bytes !== undefined && bytes.byteLength >= MIN_STORE_SECRET_LENGTH ? new Uint8Array(bytes) : undefined;
}

function aad(keys: SealKeys): Uint8Array<ArrayBuffer> {
  return utf8.encode(AAD_PREFIX + keys.storeKey);
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return new Uint8Array(base64Decode(text));
  } catch {
    return undefined;
  }
}
