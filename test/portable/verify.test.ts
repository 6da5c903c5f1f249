/**
 * `verify` on every runtime (Node, Deno, Bun, workerd): Web Crypto differs between them, so the
 * verifier's algorithms are proven on each — RS256, PS256, ES256, ES384 accepted, forgeries refused,
 * EdDSA accepted where the runtime has Ed25519 and refused (never a crash) where it has not. The
 * issuer answers through its fetch handler in process (no sockets in workerd's test Worker).
 */
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { KeySetUnavailableError, TokenVerificationError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables, VerifiedVariables } from "../../src/hono/index.ts";
import { tokenVerifier } from "../../src/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { base64url } from "../hono/fixtures.ts";
import { assert, assertEquals, assertRejects, test } from "./harness.ts";

type KeyGenParams = RsaHashedKeyGenParams | EcKeyGenParams | Algorithm;
const b64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** A one-key issuer of any algorithm Web Crypto can sign with, serving discovery and JWKS from `fetch`. */
async function rawIssuer(alg: string, generate: KeyGenParams, sign: AlgorithmIdentifier | RsaPssParams | EcdsaParams) {
  const issuer = `https://raw-${alg.toLowerCase()}.example.com`;
  const pair = (await crypto.subtle.generateKey(generate, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid: "k1", alg, use: "sig" };
  delete jwk.key_ops;
  delete jwk.ext;
  const fetch = async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    const body = url.endsWith("openid-configuration") ? { issuer, jwks_uri: `${issuer}/jwks` } : { keys: [jwk] };
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  };
  const mint = async (claims: Record<string, unknown>) => {
    const input = `${base64url(JSON.stringify({ alg, kid: "k1", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${b64(await crypto.subtle.sign(sign, pair.privateKey, new TextEncoder().encode(input)))}`;
  };
  return { issuer, fetch, mint };
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (iss: string) => ({ iss, aud: "sts.amazonaws.com", sub: "alice", iat: now(), exp: now() + 600 });
const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };

test("verify: RS256, PS256, ES256 and ES384 tokens verify; a token signed by another key with the same kid does not", async () => {
  const cases: Array<[string, KeyGenParams, AlgorithmIdentifier | RsaPssParams | EcdsaParams]> = [
    ["RS256", { name: "RSASSA-PKCS1-v1_5", ...rsa }, { name: "RSASSA-PKCS1-v1_5" }],
    ["PS256", { name: "RSA-PSS", ...rsa }, { name: "RSA-PSS", saltLength: 32 }],
    ["ES256", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
    ["ES384", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
  ];
  for (const [alg, generate, sign] of cases) {
    const real = await rawIssuer(alg, generate, sign);
    const forger = await rawIssuer(alg, generate, sign);
    const verifier = tokenVerifier({ issuer: real.issuer, audience: "sts.amazonaws.com", fetch: real.fetch });
    assertEquals((await verifier.verify(await real.mint(claims(real.issuer)))).sub, "alice", alg);
    const forged = await forger.mint(claims(real.issuer));
    await assertRejects(() => verifier.verify(forged), TokenVerificationError);
  }
});

test("verify: EdDSA verifies where the runtime has Ed25519, and is refused (not a crash) where it has not", async () => {
  let ed: Awaited<ReturnType<typeof rawIssuer>> | undefined;
  try {
    ed = await rawIssuer("EdDSA", { name: "Ed25519" }, { name: "Ed25519" });
  } catch {
    // No Ed25519 here: a token naming EdDSA must still be refused cleanly.
    const rs = await rawIssuer("RS256", { name: "RSASSA-PKCS1-v1_5", ...rsa }, { name: "RSASSA-PKCS1-v1_5" });
    const verifier = tokenVerifier({ issuer: rs.issuer, audience: "sts.amazonaws.com", fetch: rs.fetch });
    const token = (await rs.mint(claims(rs.issuer))).replace(/^[^.]+/, base64url(JSON.stringify({ alg: "EdDSA", kid: "k1" })));
    await assertRejects(() => verifier.verify(token), TokenVerificationError);
    return;
  }
  const verifier = tokenVerifier({ issuer: ed.issuer, audience: "sts.amazonaws.com", fetch: ed.fetch });
  assertEquals((await verifier.verify(await ed.mint(claims(ed.issuer)))).sub, "alice");
});

test("verify: the middleware with the testing issuer — accepted once per token, forged refused without STS, no key set → 503", async () => {
  const issuer = createOidcIssuer({ algorithms: ["RS256", "ES256"] });
  const emulator = createStsEmulator({ issuers: [issuer] });
  const app = new Hono<{ Variables: StsVariables & VerifiedVariables }>();
  const verify = { issuer: issuer.issuer, audience: issuer.audience, fetch: issuer.fetch };
  app.use("/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/edge-app", endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", fetch: emulator.fetch, cache: new CredentialCache<StsSession>(), verify }));
  app.get("/*", (c) => c.json({ sub: c.var.jwtPayload.sub, frozen: Object.isFrozen(c.var.jwtPayload) }));
  const get = (token: string) => app.request("/", { headers: { Authorization: `Bearer ${token}` } });
  const token = await issuer.mint({ sub: "alice" }, { algorithm: "ES256" });
  for (let i = 0; i < 5; i++) assertEquals(await (await get(token)).json(), { sub: "alice", frozen: true });
  assertEquals(issuer.requests.jwks, 1);
  assertEquals(emulator.calls.count("AssumeRoleWithWebIdentity"), 1);
  const forged = await createOidcIssuer({ issuer: issuer.issuer }).mint({ sub: "mallory" });
  assertEquals((await get(forged)).status, 401);
  assertEquals(emulator.calls.count("AssumeRoleWithWebIdentity"), 1);
  const down = createOidcIssuer({ issuer: "https://down.example.com" });
  down.failJwks("garbage");
  const verifier = tokenVerifier({ issuer: down.issuer, audience: down.audience, fetch: down.fetch });
  const waiting = await down.mint({ sub: "x" });
  await assertRejects(() => verifier.verify(waiting), KeySetUnavailableError);
  assert(down.requests.jwks === 1, "the key set was asked for once");
});
