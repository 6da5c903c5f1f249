/**
 * An independent SigV4 verifier: `@smithy/signature-v4` (with the SDK's pure-JS SHA-256) recomputes
 * the signature of every signed operation's request, with the same x-amz-date and signed headers,
 * and it must equal ours; with long-term keys and with a session token. Unsigned operations carry
 * no Authorization header.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Sha256Js } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";

import { operations } from "../../src/operations/index.ts";
import type { AwsCredentials } from "../../src/types.ts";
import { KEYS, scripted, SESSION } from "../operations/helpers.ts";
import type { Sent } from "../operations/helpers.ts";

/** A valid input for every operation (signed or not). */
const INPUTS: Record<string, unknown> = {
  AssumeRole: {
    roleArn: "arn:aws:iam::123456789012:role/demo",
    roleSessionName: "batch-job-42",
    policy: '{"Statement":[{"Sid":"a b&c=d+e%f\\n"}]}',
    tags: [{ key: "Team", value: "Zürich 東京" }],
  },
  AssumeRoleWithSAML: {
    roleArn: "arn:aws:iam::123456789012:role/TestSaml",
    principalArn: "arn:aws:iam::123456789012:saml-provider/SAML-test",
    samlAssertion: "PHNhbWxwOlJlc3BvbnNl+/z8=",
  },
  AssumeRoleWithWebIdentity: {
    roleArn: "arn:aws:iam::123456789012:role/web",
    roleSessionName: "alice",
    webIdentityToken: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
  },
  AssumeRoot: { targetPrincipal: "111122223333", taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" } },
  DecodeAuthorizationMessage: { encodedMessage: "yEXAMPLE+/=&%é" },
  GetAccessKeyInfo: { accessKeyId: "AKIAI44QH8DHBEXAMPLE" },
  GetCallerIdentity: {},
  GetDelegatedAccessToken: { tradeInToken: "AQICAHh7EXAMPLE+trade/in==" },
  GetFederationToken: { name: "Bob", durationSeconds: 3600, tags: [{ key: "k", value: "v" }] },
  GetSessionToken: { durationSeconds: 3600, serialNumber: "arn:aws:iam::123456789012:mfa/bob", tokenCode: "123456" },
  GetWebIdentityToken: { audience: ["https://api.example.com"], signingAlgorithm: "RS256" },
};

const SIGNED = Object.values(operations).filter((op) => op.signed).map((op) => op.action);
const UNSIGNED = Object.values(operations).filter((op) => !op.signed).map((op) => op.action);

function resultBody(action: string): string {
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result/><ResponseMetadata><RequestId>0f1e2d3c-4b5a-4697-8877-665544332211</RequestId></ResponseMetadata></${action}Response>`;
}

async function sendOne(action: string, credentials: AwsCredentials | undefined, options: Record<string, unknown> = {}): Promise<Sent> {
  const { client, sent } = scripted({ body: resultBody(action) }, { credentials, ...options });
  await client.send(operations[action]!, INPUTS[action]);
  assert.equal(sent.length, 1);
  return sent[0]!;
}

/** Re-signs our request with smithy's signer, over exactly the headers we signed, at our x-amz-date. */
async function smithySignature(sent: Sent, credentials: AwsCredentials, region: string, body = sent.body): Promise<string> {
  const auth = sent.request.headers.get("authorization") ?? "";
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
  const url = new URL(sent.request.url);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = name === "host" ? url.host : (sent.request.headers.get(name) ?? "");
  const amzDate = sent.request.headers.get("x-amz-date")!;
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const signer = new SignatureV4({ credentials, region, service: "sts", sha256: Sha256Js, applyChecksum: false });
  const request = new HttpRequest({ method: "POST", protocol: url.protocol, hostname: url.hostname, path: url.pathname, headers, body });
  const signed = await signer.sign(request, { signingDate });
  return signed.headers["authorization"]!;
}

// aws4fetch signs host, x-amz-date and x-amz-security-token, not content-type (which it treats as
// unsignable); SigV4 allows that, and smithy, given the same headers, agrees on the signature.
test("the operations split into 9 signed and 2 unsigned", () => {
  assert.deepEqual(UNSIGNED.sort(), ["AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"]);
  assert.equal(SIGNED.length, 9);
  assert.deepEqual(Object.keys(INPUTS).sort(), Object.keys(operations).sort());
});

for (const action of SIGNED) {
  describe(`${action}: SigV4`, () => {
    test("long-term keys: smithy computes the same Authorization", async () => {
      const sent = await sendOne(action, KEYS);
      const ours = sent.request.headers.get("authorization")!;
      assert.match(ours, /SignedHeaders=host;x-amz-date, /);
      assert.equal(await smithySignature(sent, KEYS, "eu-west-1"), ours);
    });

    test("session token: smithy computes the same Authorization", async () => {
      const sent = await sendOne(action, SESSION);
      const ours = sent.request.headers.get("authorization")!;
      assert.match(ours, /SignedHeaders=host;x-amz-date;x-amz-security-token, /);
      assert.equal(sent.request.headers.get("x-amz-security-token"), SESSION.sessionToken);
      assert.equal(await smithySignature(sent, SESSION, "eu-west-1"), ours);
    });
  });
}

describe("SigV4: the verifier can tell", () => {
  test("a different body gives a different signature", async () => {
    const sent = await sendOne("AssumeRole", KEYS);
    const ours = sent.request.headers.get("authorization")!;
    assert.notEqual(await smithySignature(sent, KEYS, "eu-west-1", sent.body.replace("demo", "dem0")), ours);
  });

  test("the global endpoint signs for us-east-1", async () => {
    const sent = await sendOne("GetCallerIdentity", SESSION, { region: "eu-west-1", useGlobalEndpoint: true });
    assert.equal(sent.request.url, "https://sts.amazonaws.com/");
    const ours = sent.request.headers.get("authorization")!;
    assert.match(ours, /\/us-east-1\/sts\/aws4_request/);
    assert.equal(await smithySignature(sent, SESSION, "us-east-1"), ours);
  });
});

for (const action of UNSIGNED) {
  test(`${action}: no Authorization header, even with credentials configured`, async () => {
    const sent = await sendOne(action, SESSION);
    assert.equal(sent.request.headers.get("authorization"), null);
    assert.equal(sent.request.headers.get("x-amz-security-token"), null);
    assert.equal(sent.request.headers.get("x-amz-date"), null);
  });
}
