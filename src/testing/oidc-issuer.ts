/**
 * A local OpenID Connect issuer for tests and demos: RS256 and ES384 (or the algorithms asked for)
 * key pairs made with Web Crypto, discovery and JWKS served by a plain fetch handler, ID tokens
 * minted on demand; key rotation, request counts and JWKS faults for verification tests.
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
  /** The `kid` of the RS256 key. Default `edge-sts-test-key-1`; the others are `<keyId>-es256`, `<keyId>-es384`. */
  keyId?: string;
  /** The algorithms of the keys made at first use (one key each). Default `["RS256", "ES384"]`. */
  algorithms?: readonly MintAlgorithm[];
  /** The `max-age` of the discovery and JWKS answers' `Cache-Control`. Default 300. */
  maxAgeSeconds?: number;
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

/** The algorithms the issuer signs with. */
export type MintAlgorithm = "RS256" | "ES256" | "ES384";

/** What the JWKS endpoint does instead of answering: 500, never answer, or answer something that is not a key set. */
export type JwksFault = "error" | "hang" | "garbage";

/** Options of {@link OidcIssuer.mint}. */
export interface MintOptions {
  /** `RS256` (default), `ES256` or `ES384`: signs with the issuer's first key of that algorithm. */
  algorithm?: MintAlgorithm;
  /** Sign with this key (a `kid` from `addKey`, or a retired one) instead; its algorithm is the key's. */
  key?: string;
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
  /** Rotation, step one: makes a new key and publishes it. @returns its `kid` (default `<keyId>-<n>`). */
  addKey(algorithm?: MintAlgorithm, keyId?: string): Promise<string>;
  /** Rotation, step two: stops publishing a key (tokens can still be minted with it, to test refusal). */
  retireKey(keyId: string): Promise<void>;
  /** Requests served: discovery documents and key sets (faulty answers included). */
  readonly requests: { readonly discovery: number; readonly jwks: number };
  /**
   * Makes the JWKS endpoint fail (`"error"`: 500; `"hang"`: no answer until the request is aborted or
   * the fault is cleared; `"garbage"`: 200 with a body that is not a key set), or answer again (`undefined`).
   */
  failJwks(fault: JwksFault | undefined): void;
}

interface Key {
  alg: MintAlgorithm;
  pair: CryptoKeyPair;
  jwk: Jwk;
  published: boolean;
}

/**
 * Creates a local OIDC issuer. Keys are made on first use (so it can be created at module scope,
 * even in a Worker); two issuers never share keys, even with the same URL and `kid`.
 *
 * @param options Issuer URL, default audience, key id, clock.
 * @param {string} [options.issuer='https://issuer.edge-sts.test'] The `iss`.
 * @param {string} [options.audience='sts.amazonaws.com'] The default `aud`.
 * @param {string} [options.keyId='edge-sts-test-key-1'] The RS256 key's `kid`.
 * @param {string[]} [options.algorithms=['RS256', 'ES384']] One key of each is made at first use.
 * @param {number} [options.maxAgeSeconds=300] `Cache-Control: max-age` of discovery and JWKS.
 * @returns The issuer: a fetch handler plus `mint`, `jwks`, key rotation, counts and faults.
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
  const algorithms = options.algorithms ?? ["RS256", "ES384"];
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  let keys: Promise<Map<string, Key>> | undefined;
  const requests = { discovery: 0, jwks: 0 };
  let fault: JwksFault | undefined;
  /** Hanging answers, released when the fault changes. */
  const hanging = new Set<() => void>();
  let added = 0;

  const loadKeys = (): Promise<Map<string, Key>> =>
    (keys ??= Promise.all(algorithms.map((alg) => makeKey(alg, kidFor(keyId, alg)))).then((made) => new Map(made.map((key) => [key.jwk.kid!, key]))));

  const configuration = (): OpenIdConfiguration => ({
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [...new Set(algorithms)],
    claims_supported: ["sub", "aud", "exp", "iat", "iss", "nbf", "jti"],
  });

  async function jwks(): Promise<JsonWebKeySet> {
    const all = await loadKeys();
    return { keys: [...all.values()].filter((key) => key.published).map((key) => ({ ...key.jwk })) };
  }

  async function addKey(algorithm: MintAlgorithm = "RS256", kid = `${keyId}-${++added + 1}`): Promise<string> {
    const all = await loadKeys();
    all.set(kid, await makeKey(algorithm, kid));
    return kid;
  }

  async function retireKey(kid: string): Promise<void> {
    const key = (await loadKeys()).get(kid);
    if (key !== undefined) key.published = false;
  }

  function failJwks(next: JwksFault | undefined): void {
    fault = next;
    for (const release of hanging) release();
    hanging.clear();
  }

  async function mint(claims: MintClaims, mintOptions: MintOptions = {}): Promise<string> {
    const all = await loadKeys();
    const chosen = mintOptions.key === undefined
      ? [...all.values()].find((key) => key.alg === (mintOptions.algorithm ?? "RS256"))
      : all.get(mintOptions.key);
    if (chosen === undefined) throw new Error("createOidcIssuer: no such key; make one with addKey or the algorithms option");
    const alg = chosen.alg;
    const iat = Math.floor(now() / 1000);
    const payload: Record<string, unknown> = { iss: issuer, aud: audience, iat, exp: iat + 3600 };
    for (const [name, value] of Object.entries(claims)) {
      if (value === undefined) delete payload[name];
      else payload[name] = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
    }
    if (!("exp" in claims) && typeof payload.iat === "number") payload.exp = payload.iat + 3600;
    const header = { alg, typ: "JWT", kid: mintOptions.keyId ?? chosen.jwk.kid, ...mintOptions.header };
    return signJwt(header, payload, chosen.pair.privateKey, alg as JwtAlgorithm);
  }

  async function fetch(input: Request | string | URL, init?: RequestInit | object): Promise<Response> {
    const request = requestOf(input, init);
    const { pathname } = new URL(request.url);
    const headers = { "content-type": "application/json", "cache-control": `public, max-age=${maxAgeSeconds}` };
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (pathname.endsWith("/.well-known/openid-configuration")) {
      requests.discovery++;
      return new Response(JSON.stringify(configuration()), { headers });
    }
    if (pathname.endsWith("/.well-known/jwks.json")) {
      requests.jwks++;
      if (fault === "error") return new Response("internal error", { status: 500 });
      if (fault === "garbage") return new Response("<html>not a key set</html>", { headers });
      if (fault === "hang") {
        // Bounded: released by an abort of the request or by the next failJwks call.
        await new Promise<void>((resolve) => {
          hanging.add(resolve);
          request.signal?.addEventListener("abort", () => resolve(), { once: true });
        });
        return new Response("released", { status: 503 });
      }
      return new Response(JSON.stringify(await jwks()), { headers });
    }
    return new Response(JSON.stringify({ error: "not_found" }), { status: 404, headers: { "content-type": "application/json" } });
  }

  return { issuer, audience, keyId, jwksUri, fetch, jwks, configuration, mint, addKey, retireKey, requests, failJwks };
}

function kidFor(keyId: string, alg: string): string {
  return alg === "RS256" ? keyId : `${keyId}-${alg.toLowerCase()}`;
}

async function makeKey(alg: MintAlgorithm, kid: string): Promise<Key> {
  const pair = await generateSigningKey(alg);
  const { kty, n, e, crv, x, y } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as Jwk;
  const material = kty === "RSA" ? { kty, n, e } : { kty, crv, x, y };
  return { alg, pair, jwk: { ...material, kid, use: "sig", alg } as Jwk, published: true };
}
