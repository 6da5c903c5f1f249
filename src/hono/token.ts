/**
 * Reading the bearer token (header, then cookie, as hono's `jwk` does) and checking its structure
 * locally: no signature check (STS does that), no network. A parsed token is memoized, so a cache
 * hit decodes nothing.
 *
 * @module
 */
import type { Context } from "hono";
import { getCookie, getSignedCookie } from "hono/cookie";
import { BearerTokenError } from "./errors.ts";
import { BoundedMap } from "../cache/bounded-map.ts";
import { base64Decode } from "../encoding/base64.ts";

/** Where to look for the token when the header is absent: a cookie name, or a (signed) cookie's settings. */
export type TokenCookie =
  | string
  | {
    /** The cookie's name. */
    key: string;
    /** Verify the cookie's HMAC signature with this secret (hono's `setSignedCookie`). */
    secret?: string | BufferSource;
    /** Require the `__Host-` (`"host"`) or `__Secure-` (`"secure"`) prefix. */
    prefixOptions?: "host" | "secure";
  };

/** The token's claims, as decoded (unverified: STS verifies the signature). Frozen; shared between requests. */
export interface TokenClaims {
  /** Issuer. */
  iss?: string;
  /** Subject: the default session name comes from it. */
  sub?: string;
  /** Audience. */
  aud?: string | string[];
  /** Expiry, seconds since the epoch. Required. */
  exp: number;
  /** Any other claim. */
  [claim: string]: unknown;
}

/** A structurally valid token: its claims and its expiry. */
export interface InspectedToken {
  /** The payload, deeply frozen. */
  readonly claims: Readonly<TokenClaims>;
  /** `exp` in ms since the epoch. */
  readonly expMs: number;
  /** The `sub` claim when it is a string. */
  readonly subject: string | undefined;
  /** The default session name, computed on the first miss and kept. */
  sessionName?: Promise<string>;
}

/** The STS limit on `WebIdentityToken`. */
export const MAX_TOKEN_LENGTH = 20_000;
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** 1 024 tokens, and at most 2 Mi characters of them (a real ID token is 1–2 KB). */
const MEMO_ENTRIES = 1024;
const MEMO_KEY_CHARS = 2 * 1024 * 1024;
const memo = new BoundedMap<InspectedToken>(MEMO_ENTRIES, MEMO_KEY_CHARS);
/** Authorization header value → its token, for headers that were well-formed. Bounded like `memo`. */
const headers = new BoundedMap<string>(MEMO_ENTRIES, MEMO_KEY_CHARS);

/**
 * A memo of what one middleware instance decided about each token it verified (`verify`), bounded
 * like the token memo: one per instance, because instances may trust different issuers.
 */
export function tokenVerdicts<V>(): BoundedMap<V> {
  return new BoundedMap<V>(MEMO_ENTRIES, MEMO_KEY_CHARS);
}
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The token of this request, or `undefined` when there is none.
 * @returns A string, `undefined`, or (signed cookies only) a promise of either.
 * @throws {BearerTokenError} `invalid_request` for a header that is not exactly `Bearer <token>`.
 */
export function readToken(
  c: Context,
  headerName: string,
  cookie: TokenCookie | undefined,
): string | undefined | Promise<string | undefined> {
  const header = c.req.raw.headers.get(headerName);
  if (header !== null && header !== "") {
    // A header seen before gives back the very token string it gave then: its hash is cached, so
    // the memo and cache lookups that follow don't rehash ~1 KB per request.
    const known = headers.get(header);
    if (known !== undefined) return known;
    if (header.trim() === "") return readCookie(c, cookie);
    if (header.length > MAX_TOKEN_LENGTH + 64) throw new BearerTokenError("invalid_request", "token too long");
    // Repeated headers arrive joined with ", ", so two tokens fail here too.
    const match = BEARER.exec(header);
    if (match === null) throw new BearerTokenError("invalid_request", "expected exactly one Bearer token");
    headers.set(header, match[1]!);
    return match[1];
  }
  return readCookie(c, cookie);
}

function readCookie(c: Context, cookie: TokenCookie | undefined): string | undefined | Promise<string | undefined> {
  if (cookie === undefined) return undefined;
  if (typeof cookie === "string") return getCookie(c, cookie) || undefined;
  if (cookie.secret === undefined) return getCookie(c, cookie.key, cookie.prefixOptions) || undefined;
  return getSignedCookie(c, cookie.secret, cookie.key, cookie.prefixOptions).then((value) => {
    if (value === false) throw new BearerTokenError("invalid_token", "cookie signature does not verify");
    return value || undefined;
  });
}

/**
 * Checks the token's structure and returns its claims; the result is memoized per token.
 * @throws {BearerTokenError} `invalid_request` when it is not a JWS (three base64url parts, JSON
 * header and payload, at most 20 000 characters); `invalid_token` when it has no numeric `exp`.
 */
export function inspectToken(token: string): InspectedToken {
  const known = memo.get(token);
  if (known !== undefined) return known;
  let inspected: InspectedToken;
  try {
    inspected = parse(token);
  } catch (err) {
    if (err instanceof BearerTokenError) throw err;
    // Anything else (a RangeError from a pathological payload, say) means it cannot be read: 400, not 500.
    throw new BearerTokenError("invalid_request", "token payload cannot be read");
  }
  memo.set(token, inspected);
  return inspected;
}

function parse(token: string): InspectedToken {
  if (token.length > MAX_TOKEN_LENGTH) throw new BearerTokenError("invalid_request", "token too long");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new BearerTokenError("invalid_request", "token is not a JWS in compact form");
  }
  const header = decodeJson(parts[0]!);
  const claims = decodeJson(parts[1]!);
  if (typeof header.alg !== "string") throw new BearerTokenError("invalid_request", "token header has no alg");
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) {
    throw new BearerTokenError("invalid_token", "token has no numeric exp claim");
  }
  return {
    claims: deepFreeze(claims) as Readonly<TokenClaims>,
    expMs: claims.exp * 1000,
    subject: typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : undefined,
  };
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(base64Decode(part)));
  } catch {
    throw new BearerTokenError("invalid_request", "token part is not base64url JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BearerTokenError("invalid_request", "token part is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Freezes a parsed JSON value all the way down, without recursion: a payload may nest thousands deep. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== "object" || item === null || Object.isFrozen(item)) continue;
    Object.freeze(item);
    for (const member of Object.values(item)) if (typeof member === "object" && member !== null) pending.push(member);
  }
  return value;
}
