/**
 * The default session name: the token's subject, mapped into STS's `[\w+=,.@-]{2,64}`.
 *
 * @module
 */

const FITS = /^[\w+=,.@-]{2,64}$/;
/** What a mapped name ends with: a subject of that shape is mapped too, so the mapping stays one-to-one. */
const MAPPED_SHAPE = /(?:^|-)[0-9a-f]{20}$/;
const DIGEST_CHARS = 20; // 80 bits of SHA-256
const READABLE_CHARS = 64 - 1 - DIGEST_CHARS;
const encoder = new TextEncoder();

/**
 * Maps a subject to a role session name. A subject that already fits STS's pattern is used as is
 * (unless it ends like a mapped name: `-` and 20 hex digits); any other becomes a readable ASCII form
 * of it, a `-` and 20 hex digits of its SHA-256. So two different subjects never share a session
 * name (and so never share `aws:userid` in a policy), even when one subject is another's mapped name.
 * Runs on a cache miss only, so the digest's cost does not matter.
 *
 * @param subject The token's `sub` claim.
 * @returns A name of 2–64 characters of `[\w+=,.@-]`, the same for the same subject on every runtime.
 * @example
 * ```ts
 * await sessionNameFor("alice@example.com"); // "alice@example.com"
 * await sessionNameFor("auth0|Jürgen");       // "auth0-Jurgen-3f9a…" (20 hex digits)
 * ```
 */
export async function sessionNameFor(subject: string): Promise<string> {
  if (FITS.test(subject) && !MAPPED_SHAPE.test(subject)) return subject;
  const readable = subject
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^\w+=,.@-]+/g, "-")
    .slice(0, READABLE_CHARS)
    .replace(/^-+|-+$/g, "");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(subject)));
  let hex = "";
  for (const byte of digest.subarray(0, DIGEST_CHARS / 2)) hex += byte.toString(16).padStart(2, "0");
  return readable === "" ? hex : `${readable}-${hex}`;
}
