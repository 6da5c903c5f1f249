/**
 * The credentials edge-sts returns, and its providers, are handed unchanged to aws4fetch's AwsClient
 * and to an AWS SDK v3 client; the emulator verifies the SigV4 signatures they make with them.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { HttpResponse } from "@smithy/core/transport";
import { AwsClient } from "aws4fetch";
import { StsClient, fromAssumeRole, fromWebIdentity } from "../src/index.ts";
import { DEFAULT_ACCESS_KEY, createOidcIssuer, createStsEmulator } from "../src/testing/index.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ENDPOINT = "https://sts.eu-west-1.amazonaws.com";
const ROLE = "arn:aws:iam::123456789012:role/edge-app";
const CHAINED = "arn:aws:iam::123456789012:role/reports";

async function setup() {
  const issuer = createOidcIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const sts = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: emulator.fetch });
  const token = await issuer.mint({ sub: "alice" });
  return { issuer, emulator, sts, token };
}

/** An SDK v3 STS client whose transport is the emulator. */
function sdkClient(emulator: { fetch(r: Request): Promise<Response> }, credentials: unknown) {
  return new STSClient({
    region: "eu-west-1",
    endpoint: ENDPOINT,
    credentials: credentials as never,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { method: string; hostname: string; path: string; headers: Record<string, string>; body: string }) => {
        const res = await emulator.fetch(
          new Request(`https://${request.hostname}${request.path}`, { method: request.method, headers: request.headers, body: request.body }),
        );
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => (headers[k] = v));
        const body = Buffer.from(await res.arrayBuffer());
        return { response: new HttpResponse({ statusCode: res.status, headers, body: Readable.from([body]) }) };
      },
    } as never,
  });
}

test("AssumeRoleWithWebIdentity credentials work unchanged in aws4fetch's AwsClient", async () => {
  const { emulator, sts, token } = await setup();
  const { credentials } = await sts.assumeRoleWithWebIdentity({ roleArn: ROLE, roleSessionName: "alice", webIdentityToken: token });
  const aws = new AwsClient({ ...credentials!, service: "sts", region: "eu-west-1", retries: 0 });
  const signed = await aws.sign(`${ENDPOINT}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  });
  const res = await emulator.fetch(signed);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<Arn>arn:aws:sts::123456789012:assumed-role\/edge-app\/alice<\/Arn>/);
});

test("AssumeRoleWithWebIdentity credentials work unchanged as an AWS SDK v3 client's credentials", async () => {
  const { emulator, sts, token } = await setup();
  const { credentials } = await sts.assumeRoleWithWebIdentity({ roleArn: ROLE, roleSessionName: "alice", webIdentityToken: token });
  const out = await sdkClient(emulator, credentials).send(new GetCallerIdentityCommand({}));
  assert.equal(out.Arn, "arn:aws:sts::123456789012:assumed-role/edge-app/alice");
});

test("fromWebIdentity and fromAssumeRole work unchanged as AWS SDK v3 credential providers", async () => {
  const { emulator, token } = await setup();
  const base = fromWebIdentity({ roleArn: ROLE, roleSessionName: "alice", webIdentityToken: token, endpoint: ENDPOINT, region: "eu-west-1", fetch: emulator.fetch });
  const viaWebIdentity = await sdkClient(emulator, base).send(new GetCallerIdentityCommand({}));
  assert.equal(viaWebIdentity.Arn, "arn:aws:sts::123456789012:assumed-role/edge-app/alice");

  const longTerm = new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: emulator.fetch, credentials: DEFAULT_ACCESS_KEY });
  const chained = fromAssumeRole({ client: longTerm, roleArn: CHAINED, roleSessionName: "nightly" });
  const viaAssumeRole = await sdkClient(emulator, chained).send(new GetCallerIdentityCommand({}));
  assert.equal(viaAssumeRole.Arn, "arn:aws:sts::123456789012:assumed-role/reports/nightly");
  assert.equal(emulator.calls.count("AssumeRole"), 1);
});

test("a tampered secret from our credentials is refused by the emulator through the SDK too (the check is real)", async () => {
  const { emulator, sts, token } = await setup();
  const { credentials } = await sts.assumeRoleWithWebIdentity({ roleArn: ROLE, roleSessionName: "alice", webIdentityToken: token });
  const tampered = { ...credentials!, secretAccessKey: credentials!.secretAccessKey.slice(0, -1) + "x" };
  await assert.rejects(sdkClient(emulator, tampered).send(new GetCallerIdentityCommand({})), (err: Error & { name: string }) => err.name === "SignatureDoesNotMatch");
});
