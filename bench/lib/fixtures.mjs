/**
 * Shared bench fixtures (runtime-neutral: Node, Deno, Bun): canned STS bodies, a realistic
 * RS256-shaped JWT, stubbed transports for edge-sts and the AWS SDK.
 */
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);

export const ROLE_ARN = "arn:aws:iam::123456789012:role/FederatedWebIdentityRole";
export const REGION = "eu-west-1";
export const STATIC_KEYS = ({
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
});

function fixture(path) {
  return readFileSync(new URL(`test/fixtures/${path}`, root), "utf8");
}

/** The recorded AssumeRoleWithWebIdentity body (full result), with an expiration `ttlSeconds` from now. */
export function assumeRoleWithWebIdentityXml(ttlSeconds = 3600) {
  const expiration = new Date(Date.now() + ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return fixture("assume-role-with-web-identity/success.xml").replace(
    /<Expiration>[^<]*<\/Expiration>/,
    `<Expiration>${expiration}</Expiration>`,
  );
}

/** The recorded GetCallerIdentity body. */
export function getCallerIdentityXml() {
  return fixture("get-caller-identity/success.xml");
}

/** The headers STS sends with a 200 (minus Date, added per response by real servers; identical on both sides). */
export function stsHeaders(body) {
  return {
    "content-type": "text/xml",
    "content-length": String(new TextEncoder().encode(body).byteLength),
    "x-amzn-requestid": "ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE",
  };
}

// Deterministic pseudo-random bytes (xorshift32): the same token on every runtime and run.
function bytes(n, seed) {
  const out = new Uint8Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function b64url(input) {
  const data = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let bin = "";
  for (let i = 0; i < data.length; i++) bin += String.fromCharCode(data[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A GitHub-Actions-like RS256 ID token: JSON header and claims, 256-byte signature (not a valid
 * signature: the middleware checks structure and `exp` only, STS checks the signature).
 * About 900 characters.
 */
export function realisticJwt({ sub = "repo:acme/web:ref:refs/heads/main", seed = 42, expInSeconds = 3600, jti } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", kid: "1F2AB83404C08EC9EA0BB99DAED02186B091DBF4", typ: "JWT" };
  const claims = {
    jti: jti ?? `7f3c1b9e-${seed.toString(16).padStart(4, "0")}-4d2a-9b1e-2f6a8c0d1e3f`,
    sub,
    aud: "sts.amazonaws.com",
    ref: "refs/heads/main",
    sha: "d6cd1e2bd19e03a81132a23b2025920577f84e37",
    repository: "acme/web",
    repository_owner: "acme",
    actor: "octocat",
    workflow: "deploy",
    iss: "https://token.actions.githubusercontent.com",
    nbf: now - 5,
    exp: now + expInSeconds,
    iat: now - 5,
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${b64url(bytes(256, seed))}`;
}

/** A fetch that answers every request with the same canned 200 body (a fresh Response each time). */
export function cannedFetch(body) {
  const headers = stsHeaders(body);
  return async () => new Response(body, { status: 200, headers });
}

/**
 * The SDK's equally stubbed request handler. `kind`: "readable" (what NodeHttpHandler hands over:
 * a stream) or "bytes" (a Uint8Array, the SDK's cheapest path).
 */
export async function sdkHandler(body, kind) {
  const { HttpResponse } = await import("@smithy/core/transport");
  const headers = stsHeaders(body);
  const data = new TextEncoder().encode(body);
  let Readable;
  if (kind === "readable") ({ Readable } = await import("node:stream"));
  return {
    handle: async () => ({
      response: new HttpResponse({
        statusCode: 200,
        headers: { ...headers },
        body: kind === "readable" ? Readable.from([data]) : data,
      }),
    }),
  };
}
