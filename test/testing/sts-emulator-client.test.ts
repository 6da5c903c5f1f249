import assert from "node:assert/strict";
import { test } from "node:test";
import { serve } from "@hono/node-server";

import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { ROLE_ARN } from "./helpers.ts";

test("StsClient over the emulator: web identity, then a signed GetCallerIdentity with the issued credentials", async () => {
  const issuer = createOidcIssuer();
  const sts = createStsEmulator({ issuers: [issuer] });
  const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.emulator.test", fetch: sts.fetch });
  const out = await client.assumeRoleWithWebIdentity({
    roleArn: ROLE_ARN,
    roleSessionName: "edge-request-1",
    webIdentityToken: await issuer.mint({ sub: "user-1234" }),
  });
  assert.equal(out.assumedRoleUser?.arn, "arn:aws:sts::123456789012:assumed-role/edge-app/edge-request-1");
  assert.ok(out.credentials!.expiration instanceof Date);
  const signedClient = new StsClient({ region: "eu-west-1", endpoint: "https://sts.emulator.test", fetch: sts.fetch, credentials: out.credentials });
  const me = await signedClient.getCallerIdentity({});
  assert.equal(me.arn, "arn:aws:sts::123456789012:assumed-role/edge-app/edge-request-1");
  assert.equal(me.requestId, sts.calls.last!.requestId);
});

test("StsClient retries the emulator's throttling and surfaces its errors", async () => {
  const issuer = createOidcIssuer();
  const sts = createStsEmulator({ issuers: [issuer] });
  const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.emulator.test", fetch: sts.fetch, maxAttempts: 3 });
  const input = { roleArn: ROLE_ARN, roleSessionName: "retry-1", webIdentityToken: await issuer.mint({ sub: "user-1234" }) };
  sts.faults.next(2, { kind: "throttling" });
  await client.assumeRoleWithWebIdentity(input);
  assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), 3);
  const wrongAud = { ...input, webIdentityToken: await issuer.mint({ sub: "user-1234", aud: "api://other" }) };
  await assert.rejects(client.assumeRoleWithWebIdentity(wrongAud), (err: unknown) =>
    err instanceof StsError && err.code === "InvalidIdentityToken" && err.status === 400 && !err.retryable);
  assert.equal(sts.calls.count("AssumeRoleWithWebIdentity"), 4, "a 400 is not retried");
});

test("the emulator served on a port by @hono/node-server answers a real fetch", async (t) => {
  const issuer = createOidcIssuer();
  const sts = createStsEmulator({ issuers: [issuer] });
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: sts.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    t.after(() => server.close());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new StsClient({ region: "us-east-1", endpoint });
  const out = await client.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "served-1", webIdentityToken: await issuer.mint({ sub: "user-1234" }) });
  const me = await new StsClient({ region: "us-east-1", endpoint, credentials: out.credentials }).getCallerIdentity({});
  assert.equal(me.arn, "arn:aws:sts::123456789012:assumed-role/edge-app/served-1");
});
