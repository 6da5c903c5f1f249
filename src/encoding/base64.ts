/**
 * base64 and base64url with web standards only (`btoa`/`atob`, no `Buffer`): the one place the package
 * encodes or decodes either, for the middleware's token reader, the shared store's values and the testing kit.
 */

const encoder = new TextEncoder();

/** Standard base64 (with padding) of bytes; built in chunks so large inputs do not overflow the call stack. */
export function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** base64url without padding, of bytes or of a string's UTF-8. */
export function base64UrlEncode(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return base64Encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes standard or url-safe base64, padded or not (white space ignored).
 * @throws {DOMException} `InvalidCharacterError` when the text is not base64.
 */
export function base64Decode(text: string): Uint8Array {
  const normalized = text.replace(/-/g, "+").replace(/_/g, "/").replace(/\s+/g, "");
  const padded = normalized + "=".repeat((4 - (normalized.length % 4)) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
