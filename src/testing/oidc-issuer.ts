/**
 * A local OpenID Connect issuer for tests and demos: an RS256 (and ES384) key pair made with Web
 * Crypto, discovery and JWKS served by a plain fetch handler, and ID tokens minted on demand.
 */
import { requestOf } from "./fetch-input.ts";
import { generateSigningKey, signJwt } from "./jwt.ts";
import type { Jwk, JsonWebKeySet, JwtAlgorithm } from "./jwt.ts";

/** Options of {@link createOidcIssuer}. */
export interface OidcIssuerOptions {
  /** The issuer URL (`iss`), without a trailing slash. Default `https://issuer.edge-sts.test`. */
  issuer?: string;
  /** The default `aud` of minted tokens (the OIDC client id). Default `sts.amazonaws.com`. */
  audience?: string;
  /** The `kid` of the RS256 key. Default `edge-sts-test-key-1`; the ES384 key is `<keyId>-es384`. */
  keyId?: string;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Claims of a token to mint. Times are epoch seconds or `Date`s; a claim set to `undefined` is left out. */
export interface MintClaims {
  /** The subject. */
  sub: string;
  /** Default: the issuer's `audience`. */
  aud?: string | string[];
  /** Default: `iat` + 3600. */
  exp?: number | Date;
  /** Default: now. */
  iat?: number | Date;
  /** Not before; absent by default. */
  nbf?: number | Date;
  /** Default: the issuer's URL. */
  iss?: string;
  /** Any other claim, e.g. `email` or `https://aws.amazon.com/source_identity`. */
  [claim: string]: unknown;
}

/** Options of {@link OidcIssuer.mint}. */
export interface MintOptions {
  /** `RS256` (default) or `ES384`. */
  algorithm?: "RS256" | "ES384";
  /** Overrides the header's `kid` (e.g. to test an unknown key id). */
  keyId?: string;
  /** Extra or replaced header members. */
  header?: Record<string, unknown>;
}

/** The OpenID Provider metadata the issuer serves. */
export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  claims_supported: string[];
}

/** A local OIDC issuer. Every member is a plain function: destructure or pass them around freely. */
export interface OidcIssuer {
  /** The issuer URL (`iss`). */
  readonly issuer: string;
  /** The default audience of minted tokens. */
  readonly audience: string;
  /** The `kid` of the RS256 key. */
  readonly keyId: string;
  /** `<issuer>/.well-known/jwks.json`. */
  readonly jwksUri: string;
  /**
   * Serves `GET …/.well-known/openid-configuration` and `GET …/.well-known/jwks.json` (any host, any
   * prefix). Called like the standard fetch (`fetch(url, init)` or `fetch(request)`), or as a server's
   * handler (a second argument that is not a `RequestInit` is ignored).
   */
  fetch(input: Request | string | URL, init?: RequestInit | object): Promise<Response>;
  /** The public keys, as published. */
  jwks(): Promise<JsonWebKeySet>;
  /** The discovery document, as published. */
  configuration(): OpenIdConfiguration;
  /** Mints a signed ID token. */
  mint(claims: MintClaims, options?: MintOptions): Promise<string>;
}

interface Keys {
  pairs: Record<"RS256" | "ES384", CryptoKeyPair>;
  jwks: JsonWebKeySet;
}

/**
 * Creates a local OIDC issuer. Keys are made on first use (so it can be created at module scope,
 * even in a Worker); two issuers never share keys, even with the same URL and `kid`.
 *
 * @param options Issuer URL, default audience, key id, clock.
 * @param {string} [options.issuer='https://issuer.edge-sts.test'] The `iss`.
 * @param {string} [options.audience='sts.amazonaws.com'] The default `aud`.
 * @param {string} [options.keyId='edge-sts-test-key-1'] The RS256 key's `kid`.
 * @returns The issuer: a fetch handler plus `mint` and `jwks`.
 * @example
 * ```ts
 * const issuer = createOidcIssuer({ issuer: "https://token.actions.githubusercontent.com" });
 * const token = await issuer.mint({ sub: "repo:acme/web:ref:refs/heads/main" });
 * Deno.serve({ port: 8001 }, issuer.fetch);
 * ```
 */
export function createOidcIssuer(options: OidcIssuerOptions = {}): OidcIssuer {
  const issuer = (options.issuer ?? "https://issuer.edge-sts.test").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(issuer)) throw new Error("createOidcIssuer: issuer must be an http(s) URL");
  const audience = options.audience ?? "sts.amazonaws.com";
  const keyId = options.keyId ?? "edge-sts-test-key-1";
  const now = options.now ?? Date.now;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  let keys: Promise<Keys> | undefined;

  const loadKeys = (): Promise<Keys> => (keys ??= makeKeys(keyId));

  const configuration = (): OpenIdConfiguration => ({
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256", "ES384"],
    claims_supported: ["sub", "aud", "exp", "iat", "iss", "nbf", "jti"],
  });

  async function jwks(): Promise<JsonWebKeySet> {
    const { jwks } = await loadKeys();
    return { keys: jwks.keys.map((key) => ({ ...key })) };
  }

  async function mint(claims: MintClaims, mintOptions: MintOptions = {}): Promise<string> {
    const alg = mintOptions.algorithm ?? "RS256";
    const { pairs } = await loadKeys();
    const iat = Math.floor(now() / 1000);
    const payload: Record<string, unknown> = { iss: issuer, aud: audience, iat, exp: iat + 3600 };
    for (const [name, value] of Object.entries(claims)) {
      if (value === undefined) delete payload[name];
      else payload[name] = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
    }
    if (!("exp" in claims) && typeof payload.iat === "number") payload.exp = payload.iat + 3600;
    const header = { alg, typ: "JWT", kid: mintOptions.keyId ?? kidFor(keyId, alg), ...mintOptions.header };
    return signJwt(header, payload, pairs[alg].privateKey, alg as JwtAlgorithm);
  }

  async function fetch(input: Request | string | URL, init?: RequestInit | object): Promise<Response> {
    const request = requestOf(input, init);
    const { pathname } = new URL(request.url);
    const headers = { "content-type": "application/json", "cache-control": "public, max-age=300" };
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (pathname.endsWith("/.well-known/openid-configuration")) {
      return new Response(JSON.stringify(configuration()), { headers });
    }
    if (pathname.endsWith("/.well-known/jwks.json")) {
      return new Response(JSON.stringify(await jwks()), { headers });
    }
    return new Response(JSON.stringify({ error: "not_found" }), { status: 404, headers: { "content-type": "application/json" } });
  }

  return { issuer, audience, keyId, jwksUri, fetch, jwks, configuration, mint };
}

function kidFor(keyId: string, alg: string): string {
  return alg === "RS256" ? keyId : `${keyId}-${alg.toLowerCase()}`;
}

async function makeKeys(keyId: string): Promise<Keys> {
  const [rs, es] = await Promise.all([generateSigningKey("RS256"), generateSigningKey("ES384")]);
  const publish = async (pair: CryptoKeyPair, alg: string): Promise<Jwk> => {
    const { kty, n, e, crv, x, y } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as Jwk;
    const material = kty === "RSA" ? { kty, n, e } : { kty, crv, x, y };
    return { ...material, kid: kidFor(keyId, alg), use: "sig", alg } as Jwk;
  };
  return {
    pairs: { RS256: rs, ES384: es },
    jwks: { keys: [await publish(rs, "RS256"), await publish(es, "ES384")] },
  };
}
