import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assumeRoleWithSAML } from "../../src/operations/assume-role-with-saml.ts";
import type { AssumeRoleWithSAMLInput } from "../../src/operations/assume-role-with-saml.ts";
import {
  arnOf,
  assertFormPost,
  errorBody,
  fixture,
  fixtureCredentials,
  pairs,
  scripted,
  sized,
} from "./helpers.ts";
import { errorTests, unsignedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("assume-role-with-saml") };
// A base64 SAML response: `+`, `/` and `=` must survive the form encoding.
const SAML =
  "PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wiIElEPSJfOGU4ZGM1ZjY5YTk4Y2M0YzFmZjM0MjdlNWNlMzQ2MDZmZDY3MmY5MWU2Ij4+/z8=";
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket",\r\n"Resource":"*","Sid":"x&y=z+1%"}]}';

const FULL: AssumeRoleWithSAMLInput = {
  roleArn: "arn:aws:iam::123456789012:role/TestSaml",
  principalArn: "arn:aws:iam::123456789012:saml-provider/SAML-test",
  samlAssertion: SAML,
  policyArns: [{ arn: "arn:aws:iam::123456789012:policy/SamlReadOnly" }],
  policy: POLICY,
  durationSeconds: 3600,
};
const BASE = { roleArn: FULL.roleArn, principalArn: FULL.principalArn, samlAssertion: SAML };

describe("AssumeRoleWithSAML: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK, { credentials: undefined });
    await client.assumeRoleWithSAML(FULL);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "AssumeRoleWithSAML"],
      ["Version", "2011-06-15"],
      ["RoleArn", "arn:aws:iam::123456789012:role/TestSaml"],
      ["PrincipalArn", "arn:aws:iam::123456789012:saml-provider/SAML-test"],
      ["SAMLAssertion", SAML],
      ["PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/SamlReadOnly"],
      ["Policy", POLICY],
      ["DurationSeconds", "3600"],
    ]);
  });

  test("raw encoding is RFC 3986 UTF-8", async () => {
    const { client, sent } = scripted(OK, { credentials: undefined });
    await client.assumeRoleWithSAML(FULL);
    const body = sent[0]!.body;
    assert.ok(body.includes("&SAMLAssertion=PHNhbWxwOlJlc3BvbnNl"));
    assert.ok(body.includes("Ij4%2B%2Fz8%3D&PolicyArns.member.1.arn="), "+ / = of base64");
    assert.ok(body.includes("%2C%0D%0A%22Resource%22"), "CRLF");
    assert.ok(body.includes("%22x%26y%3Dz%2B1%25%22"), "& = + %");
    assert.ok(!body.includes("+"));
  });

  test("an empty policyArns goes out as PolicyArns=", async () => {
    const { client, sent } = scripted(OK, { credentials: undefined });
    await client.assumeRoleWithSAML({ ...BASE, policyArns: [] });
    assert.ok(sent[0]!.body.endsWith("&PolicyArns="));
  });
});

describe("AssumeRoleWithSAML: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK, { credentials: undefined });
    assert.deepStrictEqual(await client.assumeRoleWithSAML(BASE), {
      credentials: fixtureCredentials(),
      assumedRoleUser: {
        assumedRoleId: "AROAV3ZUEFP6EXAMPLE:SamlExample",
        arn: "arn:aws:sts::123456789012:assumed-role/TestSaml/SamlExample",
      },
      packedPolicySize: 6,
      subject: "SamlExample",
      subjectType: "transient",
      issuer: "https://integ.example.com/idp/shibboleth",
      audience: "https://signin.aws.amazon.com/saml",
      nameQualifier: "SbdGOnUkh1i4+EXAMPLExL/jEvs=",
      sourceIdentity: "SamlUser@example.com",
      requestId: "6a1f7b3c-9d2e-4f5a-8b6c-7d8e9f0a1b2c",
    });
  });

  test("absent optional members stay absent", async () => {
    const { client } = scripted({ body: fixture("assume-role-with-saml", "minimal") }, { credentials: undefined });
    assert.deepStrictEqual(await client.assumeRoleWithSAML(BASE), {
      credentials: fixtureCredentials(),
      assumedRoleUser: {
        assumedRoleId: "AROAV3ZUEFP6EXAMPLE:SamlExample",
        arn: "arn:aws:sts::123456789012:assumed-role/TestSaml/SamlExample",
      },
      requestId: "0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e",
    });
  });
});

describe("AssumeRoleWithSAML: errors", () => {
  errorTests(assumeRoleWithSAML, BASE, [
    "MalformedPolicyDocument",
    "PackedPolicyTooLarge",
    "IDPRejectedClaim",
    "InvalidIdentityToken",
    "ExpiredTokenException",
    "RegionDisabledException",
  ], { credentials: undefined });

  test("an assertion echoed by STS is cut out of the message", async () => {
    const body = errorBody("InvalidIdentityToken", `Invalid SAML assertion ${SAML}`, "e7c1d2b3-0000-4000-8000-000000000001");
    const { client } = scripted({ status: 400, body }, { credentials: undefined });
    await assert.rejects(client.assumeRoleWithSAML(BASE), (err: Error) => {
      assert.ok(!err.message.includes(SAML));
      assert.equal(err.message, "InvalidIdentityToken: Invalid SAML assertion [redacted]");
      return true;
    });
  });
});

describe("AssumeRoleWithSAML: no signing", () => {
  unsignedTests(assumeRoleWithSAML, BASE, OK);
});

describe("AssumeRoleWithSAML: validation", () => {
  validationTests(assumeRoleWithSAML, BASE, OK, [
    { name: "roleArn missing", patch: { roleArn: undefined }, path: "roleArn", rule: "required" },
    { name: "principalArn missing", patch: { principalArn: undefined }, path: "principalArn", rule: "required" },
    { name: "samlAssertion missing", patch: { samlAssertion: undefined }, path: "samlAssertion", rule: "required" },
    { name: "roleArn 20 ok", patch: { roleArn: arnOf(20) }, ok: true },
    { name: "roleArn 2048 ok", patch: { roleArn: arnOf(2048) }, ok: true },
    { name: "roleArn 19", patch: { roleArn: arnOf(19) }, path: "roleArn", rule: "min_length" },
    { name: "roleArn 2049", patch: { roleArn: arnOf(2049) }, path: "roleArn", rule: "max_length" },
    { name: "principalArn 20 ok", patch: { principalArn: arnOf(20) }, ok: true },
    { name: "principalArn 2048 ok", patch: { principalArn: arnOf(2048) }, ok: true },
    { name: "principalArn 19", patch: { principalArn: arnOf(19) }, path: "principalArn", rule: "min_length" },
    { name: "principalArn 2049", patch: { principalArn: arnOf(2049) }, path: "principalArn", rule: "max_length" },
    { name: "principalArn with a control character", patch: { principalArn: arnOf(30) + "\u0000" }, path: "principalArn", rule: "regex" },
    { name: "samlAssertion 4 ok", patch: { samlAssertion: "PHNh" }, ok: true },
    { name: "samlAssertion 100000 ok", patch: { samlAssertion: sized(SAML, 100000, "Q") }, ok: true },
    { name: "samlAssertion 3", patch: { samlAssertion: "PHN" }, path: "samlAssertion", rule: "min_length", secret: "PHN" },
    { name: "samlAssertion 100001", patch: { samlAssertion: sized(SAML, 100001, "Q") }, path: "samlAssertion", rule: "max_length", secret: SAML },
    { name: "policy 2048 ok", patch: { policy: sized("{", 2048, " ") }, ok: true },
    { name: "policy 2049", patch: { policy: sized("{", 2049, " ") }, path: "policy", rule: "max_length" },
    { name: "policy empty", patch: { policy: "" }, path: "policy", rule: "min_length" },
    { name: "policy beyond U+00FF", patch: { policy: "{\u0100}" }, path: "policy", rule: "regex" },
    { name: "durationSeconds 900 ok", patch: { durationSeconds: 900 }, ok: true },
    { name: "durationSeconds 43200 ok", patch: { durationSeconds: 43200 }, ok: true },
    { name: "durationSeconds 899", patch: { durationSeconds: 899 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 43201", patch: { durationSeconds: 43201 }, path: "durationSeconds", rule: "max_value" },
    { name: "policyArns arn 2049", patch: { policyArns: [{ arn: arnOf(2049) }] }, path: "policyArns.0.arn", rule: "max_length" },
  ]);
});
