/**
 * Review finding (issue 18): the key set's URL is checked (https, or http on loopback) before it is
 * fetched, so an answer that redirects elsewhere must not be followed: the redirect target was never
 * checked. A discovery document whose `jwks_uri` redirects to the real key set → 503, fail closed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { serveFetch } from "../hardening/servers.ts";
import { AUDIENCE, servedIssuer, verifyingApp } from "./verify-fixtures.ts";

test("verify: a JWKS URL that redirects (even to the issuer's real keys) is not followed → 503, no STS call", async () => {
  const issuer = await servedIssuer();
  const jwksUrl = `${issuer.issuer}/.well-known/jwks.json`;
  let redirected = 0;
  const redirector = await serveFetch(() => {
    redirected++;
    return new Response(null, { status: 302, headers: { location: jwksUrl } });
  });
  const { request, stsCalls } = verifyingApp(issuer, {
    exchangeTimeoutMs: 2000,
    verify: { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: `${redirector.url}/keys` },
  });
  try {
    const jwksBefore = issuer.requests.jwks;
    const res = await request(await issuer.mint({ sub: "redirected" }));
    assert.equal(res.status, 503);
    assert.equal(redirected, 1, "the JWKS URL was asked");
    assert.equal(issuer.requests.jwks, jwksBefore, "the redirect target was not fetched");
    assert.equal(stsCalls(), 0);
  } finally {
    await redirector.close();
    await issuer.close();
  }
});
