/**
 * `verify`: tokens checked locally against a real issuer over HTTP on 127.0.0.1, once per token;
 * refused tokens cost no STS call and no store read (a real redis-server behind a counting wrapper).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { countedRedis, countingSignatureChecks, servedIssuer, verifyingApp } from "./verify-fixtures.ts";
import { base64url } from "./fixtures.ts";
import { createOidcIssuer } from "../../src/testing/index.ts";
import type { OidcIssuer } from "../../src/testing/index.ts";

type Served = OidcIssuer & { close(): Promise<void> };
let issuer: Served;
let redis: Awaited<ReturnType<typeof countedRedis>>;
before(async () => {
  issuer = await servedIssuer({ algorithms: ["RS256", "ES256"] });
  redis = await countedRedis();
});
after(async () => {
  await issuer.close();
  if (redis.skip === false) await redis.close();
});

const claimsOf = (token: string) => JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));

for (const algorithm of ["RS256", "ES256"] as const) {
  test(`verify: an ${algorithm} token is accepted; c.var.jwtPayload is its claims, frozen; per-request functions get them`, async () => {
    const seen: unknown[] = [];
    const { request, stsCalls } = verifyingApp(issuer, { roleSessionName: (_c, claims) => (seen.push(claims), `s-${claims.sub}`) });
    const token = await issuer.mint({ sub: `user-${algorithm}`, email: "a@example.com" }, { algorithm });
    const res = await request(token);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { payload: unknown; key: string; frozen: boolean };
    assert.deepEqual(body.payload, claimsOf(token));
    assert.equal(body.frozen, true);
    assert.deepEqual(seen, [claimsOf(token)]);
    assert.equal(stsCalls(), 1);
  });
}

test("verify: 200 concurrent requests with one token → 1 discovery, 1 key-set fetch, 1 signature check of ours, 1 STS call", async () => {
  const fresh = await servedIssuer();
  try {
    const { request, stsCalls } = verifyingApp(fresh);
    const token = await fresh.mint({ sub: "busy" });
    await countingSignatureChecks(async (checks) => {
      const answers = await Promise.all(Array.from({ length: 200 }, () => request(token)));
      assert.deepEqual(new Set(answers.map((r) => r.status)), new Set([200]));
      assert.equal(fresh.requests.discovery, 1);
      assert.equal(fresh.requests.jwks, 1);
      assert.equal(stsCalls(), 1);
      // The emulator checks the signature too, once per STS call: the rest is ours.
      assert.equal(checks() - stsCalls(), 1, "the token was verified more than once");
    });
  } finally {
    await fresh.close();
  }
});

/** Tokens the middleware must refuse, each built from genuine material. */
async function forgeries(): Promise<Array<[string, string]>> {
  const now = Math.floor(Date.now() / 1000);
  const genuine = await issuer.mint({ sub: "alice" });
  const [header, , signature] = genuine.split(".");
  const mallory = (await issuer.mint({ sub: "mallory" })).split(".")[1];
  const forger = createOidcIssuer({ issuer: issuer.issuer }); // same iss and kid, its own key
  const claims = base64url(JSON.stringify({ iss: issuer.issuer, aud: "sts.amazonaws.com", sub: "mallory", iat: now, exp: now + 3600 }));
  const none = `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${claims}.AAAA`;
  // HS256 with the RSA public key (its SPKI bytes) as the HMAC secret: the classic confusion.
  const jwk = (await issuer.jwks()).keys.find((k) => k.kty === "RSA")!;
  const { kid: _k, use: _u, alg: _a, ...material } = jwk;
  const pub = await crypto.subtle.importKey("jwk", material, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
  const spki = await crypto.subtle.exportKey("spki", pub);
  const hmac = await crypto.subtle.importKey("raw", spki, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const hsInput = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid: jwk.kid }))}.${claims}`;
  const hsSig = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(hsInput)));
  const hs256 = `${hsInput}.${btoa(String.fromCharCode(...hsSig)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  return [
    ["another key with the published kid", await forger.mint({ sub: "mallory" })],
    ["a valid signature over a swapped payload", `${header}.${mallory}.${signature}`],
    ["alg none", none],
    ["HS256 keyed with the RSA public key", hs256],
    ["wrong iss (signed by the issuer's key)", await issuer.mint({ sub: "alice", iss: "https://evil.example.com" })],
    ["wrong aud", await issuer.mint({ sub: "alice", aud: "someone-else" })],
    ["several aud without our azp", await issuer.mint({ sub: "alice", aud: ["sts.amazonaws.com", "other"], azp: "other" })],
    ["expired", await issuer.mint({ sub: "alice", iat: now - 7200, exp: now - 3600 })],
    ["nbf in the future", await issuer.mint({ sub: "alice", nbf: now + 3600 })],
    ["iat in the future", await issuer.mint({ sub: "alice", iat: now + 3600, exp: now + 7200 })],
  ];
}

test("verify: forged and out-of-policy tokens → 401 invalid_token, no STS call, no store read; a genuine one reads the store", async (t) => {
  if (redis.skip !== false) return t.skip(redis.skip);
  const { store, counts } = redis;
  const { request, stsCalls } = verifyingApp(issuer, { store });
  for (const [name, token] of await forgeries()) {
    const res = await request(token);
    assert.equal(res.status, 401, name);
    assert.match(res.headers.get("www-authenticate") ?? "", /error="invalid_token"/, name);
    assert.equal(stsCalls(), 0, `${name}: reached STS`);
    assert.equal(counts.reads, 0, `${name}: read the store`);
    // Remembered: the same token again is refused without another check.
    assert.equal((await request(token)).status, 401);
  }
  const ok = await request(await issuer.mint({ sub: "alice" }));
  assert.equal(ok.status, 200);
  assert.equal(counts.reads, 1, "the counting store does count");
  assert.equal(stsCalls(), 1);
});

test("verify: a refusal is remembered — the same forged token 50 times costs one signature check", async () => {
  const { request, stsCalls } = verifyingApp(issuer);
  const forged = await createOidcIssuer({ issuer: issuer.issuer }).mint({ sub: "mallory" });
  await countingSignatureChecks(async (checks) => {
    for (let i = 0; i < 50; i++) assert.equal((await request(forged)).status, 401);
    assert.equal(checks(), 1);
  });
  assert.equal(stsCalls(), 0);
});

test("verify: without verify, c.var.jwtPayload is not set", async () => {
  const { request } = verifyingApp(issuer, { verify: undefined });
  const res = await request(await issuer.mint({ sub: "alice" }));
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { payload?: unknown }).payload, undefined);
});

test("verify: a list of issuers, picked by iss; an issuer not in the list is refused", async () => {
  const second = await servedIssuer();
  try {
    const { request, stsCalls } = verifyingApp(issuer, {
      verify: [{ issuer: issuer.issuer, audience: "sts.amazonaws.com" }, { issuer: second.issuer, audience: ["x", "sts.amazonaws.com"] }],
    });
    assert.equal((await request(await issuer.mint({ sub: "a" }))).status, 200);
    // The emulator trusts only the first issuer: STS refuses the second's token, after our check passed.
    assert.equal((await request(await second.mint({ sub: "b" }))).status, 401);
    assert.equal(second.requests.jwks, 1, "the second issuer's keys were fetched");
    assert.equal(stsCalls(), 2);
    const stranger = createOidcIssuer({ issuer: "https://stranger.example.com" });
    assert.equal((await request(await stranger.mint({ sub: "c" }))).status, 401);
    assert.equal(stsCalls(), 2);
  } finally {
    await second.close();
  }
});
