import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assumeRoleWithWebIdentity } from "../../src/operations/assume-role-with-web-identity.ts";
import type { AssumeRoleWithWebIdentityInput } from "../../src/operations/assume-role-with-web-identity.ts";
import { arnOf, assertFormPost, fixture, fixtureCredentials, pairs, scripted, sized } from "./helpers.ts";
import { errorTests, unsignedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("assume-role-with-web-identity") };
const TOKEN =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tIiwic3ViIjoicmVwbzphY21lL3dlYjpyZWY6cmVmcy9oZWFkcy9tYWluIiwiYXVkIjoic3RzLmFtYXpvbmF3cy5jb20ifQ.c2lnbmF0dXJl-_x";
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",\n"Resource":"arn:aws:s3:::b/a b&c=d+e%f"}]}';

const FULL: AssumeRoleWithWebIdentityInput = {
  roleArn: "arn:aws:iam::123456789012:role/FederatedWebIdentityRole",
  roleSessionName: "gha-deploy",
  webIdentityToken: TOKEN,
  providerId: "www.amazon.com",
  policyArns: [{ arn: "arn:aws:iam::123456789012:policy/DeployOnly" }, { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
  policy: POLICY,
  durationSeconds: 3600,
};
const BASE = { roleArn: FULL.roleArn, roleSessionName: FULL.roleSessionName, webIdentityToken: TOKEN };

describe("AssumeRoleWithWebIdentity: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK, { credentials: undefined });
    await client.assumeRoleWithWebIdentity(FULL);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "AssumeRoleWithWebIdentity"],
      ["Version", "2011-06-15"],
      ["RoleArn", "arn:aws:iam::123456789012:role/FederatedWebIdentityRole"],
      ["RoleSessionName", "gha-deploy"],
      ["WebIdentityToken", TOKEN],
      ["ProviderId", "www.amazon.com"],
      ["PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/DeployOnly"],
      ["PolicyArns.member.2.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
      ["Policy", POLICY],
      ["DurationSeconds", "3600"],
    ]);
  });

  test("raw encoding is RFC 3986 UTF-8", async () => {
    const { client, sent } = scripted(OK, { credentials: undefined });
    await client.assumeRoleWithWebIdentity(FULL);
    const body = sent[0]!.body;
    assert.ok(body.includes(`&WebIdentityToken=${TOKEN}&`), "a JWT needs no escaping");
    assert.ok(body.includes("%2C%0A%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2Fa%20b%26c%3Dd%2Be%25f%22"));
    assert.ok(!body.includes("+"));
  });

  test("an empty policyArns goes out as PolicyArns=", async () => {
    const { client, sent } = scripted(OK, { credentials: undefined });
    await client.assumeRoleWithWebIdentity({ ...BASE, policyArns: [] });
    assert.ok(sent[0]!.body.endsWith(`&WebIdentityToken=${TOKEN}&PolicyArns=`));
  });
});

describe("AssumeRoleWithWebIdentity: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK, { credentials: undefined });
    assert.deepStrictEqual(await client.assumeRoleWithWebIdentity(BASE), {
      credentials: fixtureCredentials(),
      subjectFromWebIdentityToken: "repo:acme/web:ref:refs/heads/main",
      assumedRoleUser: {
        assumedRoleId: "AROACLKWSDQRAOEXAMPLE:gha-deploy",
        arn: "arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/gha-deploy",
      },
      packedPolicySize: 123,
      provider: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      audience: "sts.amazonaws.com",
      sourceIdentity: "octocat",
      requestId: "ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE",
    });
  });

  test("absent optional members stay absent", async () => {
    const { client } = scripted({ body: fixture("assume-role-with-web-identity", "minimal") }, { credentials: undefined });
    assert.deepStrictEqual(await client.assumeRoleWithWebIdentity(BASE), {
      credentials: fixtureCredentials(),
      requestId: "5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f",
    });
  });
});

describe("AssumeRoleWithWebIdentity: errors", () => {
  errorTests(assumeRoleWithWebIdentity, BASE, [
    "MalformedPolicyDocument",
    "PackedPolicyTooLarge",
    "IDPRejectedClaim",
    "IDPCommunicationError",
    "InvalidIdentityToken",
    "ExpiredTokenException",
    "RegionDisabledException",
  ], { credentials: undefined });
});

describe("AssumeRoleWithWebIdentity: no signing", () => {
  unsignedTests(assumeRoleWithWebIdentity, BASE, OK);
});

describe("AssumeRoleWithWebIdentity: validation", () => {
  validationTests(assumeRoleWithWebIdentity, BASE, OK, [
    { name: "roleArn missing", patch: { roleArn: undefined }, path: "roleArn", rule: "required" },
    { name: "roleSessionName missing", patch: { roleSessionName: undefined }, path: "roleSessionName", rule: "required" },
    { name: "webIdentityToken missing", patch: { webIdentityToken: undefined }, path: "webIdentityToken", rule: "required" },
    { name: "roleArn 20 ok", patch: { roleArn: arnOf(20) }, ok: true },
    { name: "roleArn 2048 ok", patch: { roleArn: arnOf(2048) }, ok: true },
    { name: "roleArn 19", patch: { roleArn: arnOf(19) }, path: "roleArn", rule: "min_length" },
    { name: "roleArn 2049", patch: { roleArn: arnOf(2049) }, path: "roleArn", rule: "max_length" },
    { name: "roleSessionName 2 ok", patch: { roleSessionName: "ab" }, ok: true },
    { name: "roleSessionName 64 ok", patch: { roleSessionName: sized("s", 64) }, ok: true },
    { name: "roleSessionName 1", patch: { roleSessionName: "a" }, path: "roleSessionName", rule: "min_length" },
    { name: "roleSessionName 65", patch: { roleSessionName: sized("s", 65) }, path: "roleSessionName", rule: "max_length" },
    { name: "roleSessionName with /", patch: { roleSessionName: "a/b" }, path: "roleSessionName", rule: "regex" },
    { name: "webIdentityToken 4 ok", patch: { webIdentityToken: "eyJh" }, ok: true },
    { name: "webIdentityToken 20000 ok", patch: { webIdentityToken: sized(TOKEN, 20000, "x") }, ok: true },
    { name: "webIdentityToken 3", patch: { webIdentityToken: "eyJ" }, path: "webIdentityToken", rule: "min_length", secret: "eyJ" },
    { name: "webIdentityToken 20001", patch: { webIdentityToken: sized(TOKEN, 20001, "x") }, path: "webIdentityToken", rule: "max_length", secret: TOKEN },
    { name: "providerId 4 ok", patch: { providerId: "a.io" }, ok: true },
    { name: "providerId 2048 ok", patch: { providerId: sized("graph.", 2048) }, ok: true },
    { name: "providerId 3", patch: { providerId: "a.i" }, path: "providerId", rule: "min_length" },
    { name: "providerId 2049", patch: { providerId: sized("graph.", 2049) }, path: "providerId", rule: "max_length" },
    { name: "policy 2048 ok", patch: { policy: sized("{", 2048, " ") }, ok: true },
    { name: "policy 2049", patch: { policy: sized("{", 2049, " ") }, path: "policy", rule: "max_length" },
    { name: "policy empty", patch: { policy: "" }, path: "policy", rule: "min_length" },
    { name: "policyArns arn 2048 ok", patch: { policyArns: [{ arn: arnOf(2048) }] }, ok: true },
    { name: "policyArns arn 2049", patch: { policyArns: [{ arn: arnOf(2049) }] }, path: "policyArns.0.arn", rule: "max_length" },
    { name: "durationSeconds 900 ok", patch: { durationSeconds: 900 }, ok: true },
    { name: "durationSeconds 43200 ok", patch: { durationSeconds: 43200 }, ok: true },
    { name: "durationSeconds 899", patch: { durationSeconds: 899 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 43201", patch: { durationSeconds: 43201 }, path: "durationSeconds", rule: "max_value" },
  ]);
});
