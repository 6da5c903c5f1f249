import assert from "node:assert/strict";
import { test } from "node:test";
import { serve } from "@hono/node-server";

import { createOidcIssuer } from "../../src/testing/index.ts";
import type { Jwk } from "../../src/testing/index.ts";

const GITHUB = "https://token.actions.githubusercontent.com";

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
}

async function verifies(token: string, jwk: Jwk, alg: "RS256" | "ES384" = "RS256"): Promise<boolean> {
  const [h, p, s] = token.split(".") as [string, string, string];
  const params = alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-384" };
  const key = await crypto.subtle.importKey("jwk", jwk, params, false, ["verify"]);
  const sig = Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
  const verifyParams = alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-384" };
  return crypto.subtle.verify(verifyParams, key, sig, new TextEncoder().encode(`${h}.${p}`));
}

test("serves the discovery document and the JWKS it names", async () => {
  const issuer = createOidcIssuer({ issuer: GITHUB, keyId: "gh-2024" });
  const config = await (await issuer.fetch(new Request(`${GITHUB}/.well-known/openid-configuration`))).json();
  assert.equal(config.issuer, GITHUB);
  assert.equal(config.jwks_uri, `${GITHUB}/.well-known/jwks.json`);
  const res = await issuer.fetch(new Request(config.jwks_uri));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const jwks = await res.json();
  assert.deepEqual(jwks, await issuer.jwks());
  const rsa = jwks.keys.find((k: Jwk) => k.kid === "gh-2024")!;
  assert.equal(rsa.kty, "RSA");
  assert.equal(rsa.alg, "RS256");
  assert.equal(rsa.d, undefined, "the private exponent is never published");
  assert.ok(jwks.keys.every((k: Jwk) => k.d === undefined));
});

test("unknown paths are 404 and other methods 405", async () => {
  const issuer = createOidcIssuer();
  assert.equal((await issuer.fetch(new Request("https://issuer.edge-sts.test/authorize"))).status, 404);
  const post = await issuer.fetch(new Request("https://issuer.edge-sts.test/.well-known/jwks.json", { method: "POST" }));
  assert.equal(post.status, 405);
});

test("a minted token carries the defaults and verifies against the published key", async () => {
  const issuer = createOidcIssuer({ issuer: GITHUB, audience: "sts.amazonaws.com", now: () => Date.UTC(2025, 0, 15, 12) });
  const token = await issuer.mint({ sub: "repo:acme/web:ref:refs/heads/main", repository: "acme/web" });
  const [h, p] = token.split(".") as [string, string];
  assert.deepEqual(decodePart(h), { alg: "RS256", typ: "JWT", kid: "edge-sts-test-key-1" });
  const iat = Date.UTC(2025, 0, 15, 12) / 1000;
  assert.deepEqual(decodePart(p), {
    iss: GITHUB,
    aud: "sts.amazonaws.com",
    iat,
    exp: iat + 3600,
    sub: "repo:acme/web:ref:refs/heads/main",
    repository: "acme/web",
  });
  const [jwk] = (await issuer.jwks()).keys;
  assert.equal(await verifies(token, jwk!), true);
  const tampered = token.replace(/\.[^.]+\./, `.${btoa(JSON.stringify({ sub: "admin" })).replace(/=+$/, "")}.`);
  assert.equal(await verifies(tampered, jwk!), false);
});

test("mint takes Dates, explicit claims, undefined to drop a claim, and ES384", async () => {
  const issuer = createOidcIssuer();
  const exp = new Date("2030-01-01T00:00:00Z");
  const token = await issuer.mint({ sub: "user-42", aud: ["a", "b"], exp, nbf: 1_700_000_000, iat: undefined });
  const payload = decodePart(token.split(".")[1]!);
  assert.equal(payload.exp, exp.getTime() / 1000);
  assert.deepEqual(payload.aud, ["a", "b"]);
  assert.equal(payload.nbf, 1_700_000_000);
  assert.equal("iat" in payload, false);
  const es = await issuer.mint({ sub: "user-42" }, { algorithm: "ES384" });
  assert.equal(decodePart(es.split(".")[0]!).kid, "edge-sts-test-key-1-es384");
  const ecKey = (await issuer.jwks()).keys.find((k) => k.kty === "EC")!;
  assert.equal(await verifies(es, ecKey, "ES384"), true);
});

test("two issuers with the same URL and kid never share keys", async () => {
  const a = createOidcIssuer();
  const b = createOidcIssuer();
  const token = await b.mint({ sub: "user-42" });
  assert.equal(await verifies(token, (await a.jwks()).keys[0]!), false);
  assert.equal(await verifies(token, (await b.jwks()).keys[0]!), true);
});

test("can be served on a port by @hono/node-server", async (t) => {
  const issuer = createOidcIssuer({ issuer: "http://127.0.0.1" });
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: issuer.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    t.after(() => server.close());
  });
  const res = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).keys.length, 2);
});
