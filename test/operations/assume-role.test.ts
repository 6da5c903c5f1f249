import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assumeRole } from "../../src/operations/assume-role.ts";
import type { AssumeRoleInput } from "../../src/operations/assume-role.ts";
import {
  ASTRAL_LETTER,
  arnOf,
  assertFormPost,
  fixture,
  fixtureCredentials,
  pairs,
  scripted,
  sized,
  tagsOf,
} from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("assume-role") };
const POLICY =
  '{"Version":"2012-10-17","Statement":[{"Sid":"a b&c=d+e%f","Effect":"Allow",\n"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/caf\u00e9/*"}]}';
const CONTEXT_ASSERTION = "AQoDYXdzEJr//////////wEaDEXAMPLE+assertion/signed=encrypted";

const FULL: AssumeRoleInput = {
  roleArn: "arn:aws:iam::123456789012:role/demo",
  roleSessionName: "batch-job-42",
  policyArns: [
    { arn: "arn:aws:iam::123456789012:policy/ReadOnlyS3" },
    { arn: "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess" },
  ],
  policy: POLICY,
  durationSeconds: 3600,
  tags: [
    { key: "Project", value: "Unicorn" },
    { key: "Team", value: `Zürich 東京 ${ASTRAL_LETTER}` },
    { key: "a=b+c", value: "" },
  ],
  transitiveTagKeys: ["Project", "Team"],
  externalId: "123ABC:ext/id",
  serialNumber: "arn:aws:iam::123456789012:mfa/batch",
  tokenCode: "123456",
  sourceIdentity: "DevUser123",
  providedContexts: [{ providerArn: "arn:aws:iam::aws:contextProvider/IdentityCenter", contextAssertion: CONTEXT_ASSERTION }],
};
const BASE = { roleArn: FULL.roleArn, roleSessionName: FULL.roleSessionName };

describe("AssumeRole: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRole(FULL);
    assert.equal(sent.length, 1);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "AssumeRole"],
      ["Version", "2011-06-15"],
      ["RoleArn", "arn:aws:iam::123456789012:role/demo"],
      ["RoleSessionName", "batch-job-42"],
      ["PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/ReadOnlyS3"],
      ["PolicyArns.member.2.arn", "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"],
      ["Policy", POLICY],
      ["DurationSeconds", "3600"],
      ["Tags.member.1.Key", "Project"],
      ["Tags.member.1.Value", "Unicorn"],
      ["Tags.member.2.Key", "Team"],
      ["Tags.member.2.Value", `Zürich 東京 ${ASTRAL_LETTER}`],
      ["Tags.member.3.Key", "a=b+c"],
      ["Tags.member.3.Value", ""],
      ["TransitiveTagKeys.member.1", "Project"],
      ["TransitiveTagKeys.member.2", "Team"],
      ["ExternalId", "123ABC:ext/id"],
      ["SerialNumber", "arn:aws:iam::123456789012:mfa/batch"],
      ["TokenCode", "123456"],
      ["SourceIdentity", "DevUser123"],
      ["ProvidedContexts.member.1.ProviderArn", "arn:aws:iam::aws:contextProvider/IdentityCenter"],
      ["ProvidedContexts.member.1.ContextAssertion", CONTEXT_ASSERTION],
    ]);
  });

  test("raw encoding is RFC 3986 UTF-8", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRole(FULL);
    const body = sent[0]!.body;
    assert.ok(body.startsWith("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&"));
    assert.ok(body.includes("%22Sid%22%3A%22a%20b%26c%3Dd%2Be%25f%22"), "space %20, & %26, = %3D, + %2B, % %25");
    assert.ok(body.includes("%2C%0A%22Action%22"), "newline %0A");
    assert.ok(body.includes("caf%C3%A9"), "Latin-1 as UTF-8");
    assert.ok(body.includes("&Tags.member.2.Value=Z%C3%BCrich%20%E6%9D%B1%E4%BA%AC%20%F0%9D%92%9C&"), "Unicode as UTF-8");
    assert.ok(body.includes("&Tags.member.3.Key=a%3Db%2Bc&Tags.member.3.Value=&"));
    assert.ok(!body.includes("+"), "no + anywhere");
  });

  test("only the required members when nothing else is given", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRole(BASE);
    assert.equal(sent[0]!.body, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=batch-job-42");
  });

  test("empty lists go out as Name=", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRole({ ...BASE, policyArns: [], tags: [], transitiveTagKeys: [] });
    assert.ok(sent[0]!.body.endsWith("&RoleSessionName=batch-job-42&PolicyArns=&Tags=&TransitiveTagKeys="));
  });
});

describe("AssumeRole: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.assumeRole(BASE), {
      credentials: fixtureCredentials(),
      assumedRoleUser: {
        assumedRoleId: "AROA3XFRBF535PLBIFPI4:batch-job-42",
        arn: "arn:aws:sts::123456789012:assumed-role/demo/batch-job-42",
      },
      packedPolicySize: 8,
      sourceIdentity: "DevUser123",
      requestId: "c6104cbe-af31-11e0-8154-cbc7ccf896c7",
    });
  });

  test("absent optional members stay absent", async () => {
    const { client } = scripted({ body: fixture("assume-role", "minimal") });
    const out = await client.assumeRole(BASE);
    assert.deepStrictEqual(out, {
      credentials: fixtureCredentials(),
      assumedRoleUser: {
        assumedRoleId: "AROA3XFRBF535PLBIFPI4:batch-job-42",
        arn: "arn:aws:sts::123456789012:assumed-role/demo/batch-job-42",
      },
      requestId: "7f1b0c2e-3a4d-4b5e-8f6a-9b0c1d2e3f40",
    });
    assert.ok(!("packedPolicySize" in out) && !("sourceIdentity" in out));
  });
});

describe("AssumeRole: errors", () => {
  errorTests(assumeRole, BASE, ["MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException", "ExpiredTokenException"]);
});

describe("AssumeRole: signing", () => {
  signedTests(assumeRole, BASE, OK);
});

describe("AssumeRole: validation", () => {
  test("messages count code points and name the member and the rule", async () => {
    const { client, sent } = scripted(OK);
    const tags = [{ key: "k", value: ASTRAL_LETTER.repeat(257) }];
    await assert.rejects(client.assumeRole({ ...BASE, tags }), {
      name: "StsValidationError",
      message: "AssumeRole: tags.0.value must have a length <=256 (max_length; it has 257)",
    });
    assert.equal(sent.length, 0);
  });

  const letters = (n: number) => ASTRAL_LETTER.repeat(n);
  validationTests(assumeRole, BASE, OK, [
    { name: "roleArn missing", patch: { roleArn: undefined }, path: "roleArn", rule: "required" },
    { name: "roleSessionName missing", patch: { roleSessionName: undefined }, path: "roleSessionName", rule: "required" },
    { name: "roleArn 20 ok", patch: { roleArn: arnOf(20) }, ok: true },
    { name: "roleArn 2048 ok", patch: { roleArn: arnOf(2048) }, ok: true },
    { name: "roleArn 19", patch: { roleArn: arnOf(19) }, path: "roleArn", rule: "min_length" },
    { name: "roleArn 2049", patch: { roleArn: arnOf(2049) }, path: "roleArn", rule: "max_length" },
    { name: "roleArn with a control character", patch: { roleArn: arnOf(30) + "\u0001" }, path: "roleArn", rule: "regex" },
    { name: "roleArn not a string", patch: { roleArn: 42 }, path: "roleArn", rule: "string" },
    { name: "roleSessionName 2 ok", patch: { roleSessionName: "ab" }, ok: true },
    { name: "roleSessionName 64 ok", patch: { roleSessionName: sized("s", 64) }, ok: true },
    { name: "roleSessionName 1", patch: { roleSessionName: "a" }, path: "roleSessionName", rule: "min_length" },
    { name: "roleSessionName 65", patch: { roleSessionName: sized("s", 65) }, path: "roleSessionName", rule: "max_length" },
    { name: "roleSessionName with a space", patch: { roleSessionName: "bad name" }, path: "roleSessionName", rule: "regex" },
    { name: "policy of 1 ok", patch: { policy: "{" }, ok: true },
    { name: "policy of 100000 ok (no maximum in the model)", patch: { policy: sized("{", 100000, " ") }, ok: true },
    { name: "policy empty", patch: { policy: "" }, path: "policy", rule: "min_length" },
    { name: "policy beyond U+00FF", patch: { policy: '{"Sid":"€"}' }, path: "policy", rule: "regex" },
    { name: "policyArns of 200 ok (no list limit in the model)", patch: { policyArns: Array.from({ length: 200 }, () => ({ arn: arnOf(40) })) }, ok: true },
    { name: "policyArns arn 19", patch: { policyArns: [{ arn: arnOf(40) }, { arn: arnOf(19) }] }, path: "policyArns.1.arn", rule: "min_length" },
    { name: "durationSeconds 900 ok", patch: { durationSeconds: 900 }, ok: true },
    { name: "durationSeconds 43200 ok", patch: { durationSeconds: 43200 }, ok: true },
    { name: "durationSeconds 899", patch: { durationSeconds: 899 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 43201", patch: { durationSeconds: 43201 }, path: "durationSeconds", rule: "max_value" },
    { name: "durationSeconds 900.5", patch: { durationSeconds: 900.5 }, path: "durationSeconds", rule: "integer" },
    { name: "50 tags ok", patch: { tags: tagsOf(50) }, ok: true },
    { name: "51 tags", patch: { tags: tagsOf(51) }, path: "tags", rule: "max_length" },
    { name: "tag key 128 ok", patch: { tags: [{ key: sized("k", 128), value: "v" }] }, ok: true },
    { name: "tag key 128 astral letters ok", patch: { tags: [{ key: letters(128), value: "v" }] }, ok: true },
    { name: "tag key 129", patch: { tags: [{ key: sized("k", 129), value: "v" }] }, path: "tags.0.key", rule: "max_length" },
    { name: "tag key empty", patch: { tags: [{ key: "", value: "v" }] }, path: "tags.0.key", rule: "min_length" },
    { name: "tag key with &", patch: { tags: [{ key: "a&b", value: "v" }] }, path: "tags.0.key", rule: "regex" },
    { name: "tag value empty ok", patch: { tags: [{ key: "k", value: "" }] }, ok: true },
    { name: "tag value 256 astral letters ok", patch: { tags: [{ key: "k", value: letters(256) }] }, ok: true },
    { name: "tag value 257 astral letters", patch: { tags: [{ key: "k", value: letters(257) }] }, path: "tags.0.value", rule: "max_length" },
    { name: "tag value 257", patch: { tags: [{ key: "k", value: sized("v", 257) }] }, path: "tags.0.value", rule: "max_length" },
    { name: "tag value with %", patch: { tags: [{ key: "k", value: "100%" }] }, path: "tags.0.value", rule: "regex" },
    { name: "tag without value", patch: { tags: [{ key: "k" }] }, path: "tags.0.value", rule: "required" },
    { name: "50 transitive tag keys ok", patch: { transitiveTagKeys: tagsOf(50).map((t) => t.key) }, ok: true },
    { name: "51 transitive tag keys", patch: { transitiveTagKeys: tagsOf(51).map((t) => t.key) }, path: "transitiveTagKeys", rule: "max_length" },
    { name: "transitive tag key 129", patch: { transitiveTagKeys: [sized("k", 129)] }, path: "transitiveTagKeys.0", rule: "max_length" },
    { name: "externalId 2 ok", patch: { externalId: "ab" }, ok: true },
    { name: "externalId 1224 ok", patch: { externalId: sized("x", 1224) }, ok: true },
    { name: "externalId 1", patch: { externalId: "a" }, path: "externalId", rule: "min_length" },
    { name: "externalId 1225", patch: { externalId: sized("x", 1225) }, path: "externalId", rule: "max_length" },
    { name: "externalId with a space", patch: { externalId: "ab cd" }, path: "externalId", rule: "regex" },
    { name: "serialNumber 9 ok", patch: { serialNumber: "GAHT12345" }, ok: true },
    { name: "serialNumber 256 ok", patch: { serialNumber: sized("arn:aws:iam::123456789012:mfa/", 256) }, ok: true },
    { name: "serialNumber 8", patch: { serialNumber: "GAHT1234" }, path: "serialNumber", rule: "min_length" },
    { name: "serialNumber 257", patch: { serialNumber: sized("arn:aws:iam::123456789012:mfa/", 257) }, path: "serialNumber", rule: "max_length" },
    { name: "tokenCode 6 digits ok", patch: { tokenCode: "012345" }, ok: true },
    { name: "tokenCode 5 digits", patch: { tokenCode: "01234" }, path: "tokenCode", rule: "min_length", secret: "01234" },
    { name: "tokenCode 7 digits", patch: { tokenCode: "0123456" }, path: "tokenCode", rule: "max_length", secret: "0123456" },
    { name: "tokenCode not digits", patch: { tokenCode: "98765x" }, path: "tokenCode", rule: "regex", secret: "98765x" },
    { name: "sourceIdentity 2 ok", patch: { sourceIdentity: "ab" }, ok: true },
    { name: "sourceIdentity 64 ok", patch: { sourceIdentity: sized("u", 64) }, ok: true },
    { name: "sourceIdentity 1", patch: { sourceIdentity: "a" }, path: "sourceIdentity", rule: "min_length" },
    { name: "sourceIdentity 65", patch: { sourceIdentity: sized("u", 65) }, path: "sourceIdentity", rule: "max_length" },
    { name: "sourceIdentity aws:…", patch: { sourceIdentity: "aws:admin" }, path: "sourceIdentity", rule: "not_reserved_prefix" },
    { name: "sourceIdentity AWS:…", patch: { sourceIdentity: "AWS:admin" }, path: "sourceIdentity", rule: "not_reserved_prefix" },
    { name: "sourceIdentity awsadmin ok (prefix is aws: only)", patch: { sourceIdentity: "awsadmin" }, ok: true },
    { name: "1 provided context ok", patch: { providedContexts: FULL.providedContexts }, ok: true },
    { name: "5 provided contexts ok", patch: { providedContexts: Array(5).fill(FULL.providedContexts![0]) }, ok: true },
    { name: "0 provided contexts", patch: { providedContexts: [] }, path: "providedContexts", rule: "min_length" },
    { name: "6 provided contexts", patch: { providedContexts: Array(6).fill(FULL.providedContexts![0]) }, path: "providedContexts", rule: "max_length" },
    { name: "contextAssertion 4 ok", patch: { providedContexts: [{ contextAssertion: "AQoD" }] }, ok: true },
    { name: "contextAssertion 2048 ok", patch: { providedContexts: [{ contextAssertion: sized("AQoD", 2048) }] }, ok: true },
    { name: "contextAssertion 3", patch: { providedContexts: [{ contextAssertion: "AQo" }] }, path: "providedContexts.0.contextAssertion", rule: "min_length" },
    { name: "contextAssertion 2049", patch: { providedContexts: [{ contextAssertion: sized("AQoD", 2049) }] }, path: "providedContexts.0.contextAssertion", rule: "max_length" },
    { name: "providerArn 2048 ok", patch: { providedContexts: [{ providerArn: arnOf(2048), contextAssertion: "AQoD" }] }, ok: true },
    { name: "providerArn 2049", patch: { providedContexts: [{ providerArn: arnOf(2049) }] }, path: "providedContexts.0.providerArn", rule: "max_length" },
    { name: "transitive tag key empty", patch: { transitiveTagKeys: ["Project", ""] }, path: "transitiveTagKeys.1", rule: "min_length" },
    { name: "providerArn 19", patch: { providedContexts: [{ providerArn: arnOf(19) }] }, path: "providedContexts.0.providerArn", rule: "min_length" },
  ]);
});
