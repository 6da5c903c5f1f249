/** hono's jwk middleware in front of stsCredentials still works (apps moving to `verify` may run both for a while): it verifies tokens before any STS call. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { jwk } from "hono/jwk";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";

test("jwk in front: a forged token is refused locally (no STS call), a genuine one gets credentials", async () => {
  const issuer = createOidcIssuer();
  const forger = createOidcIssuer({ issuer: issuer.issuer }); // same iss and kid, other key
  const emulator = createStsEmulator({ issuers: [issuer] });
  const { keys } = await issuer.jwks();
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", jwk({ keys: keys as never, alg: ["RS256"] }));
  app.use("/api/*", stsCredentials({
    roleArn: "arn:aws:iam::123456789012:role/edge-app",
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    fetch: emulator.fetch,
    cache: new CredentialCache<StsSession>(),
  }));
  app.get("/api/whoami", (c) => c.json(c.var.stsIdentity));
  const get = async (token: string) => app.request("/api/whoami", { headers: { Authorization: `Bearer ${token}` } });

  const forged = await get(await forger.mint({ sub: "mallory" }));
  assert.equal(forged.status, 401);
  assert.equal(emulator.calls.total, 0, "a forged token never reaches STS");

  const genuine = await get(await issuer.mint({ sub: "alice" }));
  assert.equal(genuine.status, 200);
  assert.equal(((await genuine.json()) as { assumedRoleUser: { arn: string } }).assumedRoleUser.arn, "arn:aws:sts::123456789012:assumed-role/edge-app/alice");
  assert.equal(emulator.calls.count("AssumeRoleWithWebIdentity"), 1);
});
