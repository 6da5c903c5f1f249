import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { getFederationToken } from "../../src/operations/get-federation-token.ts";
import type { GetFederationTokenInput } from "../../src/operations/get-federation-token.ts";
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

const OK = { body: fixture("get-federation-token") };
const POLICY = '{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow",\n"Action":"s3:ListAllMyBuckets","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a b&c=d+e%f/ü"}}}]}';
const FULL: GetFederationTokenInput = {
  name: "testFedUserSession",
  policy: POLICY,
  policyArns: [{ arn: "arn:aws:iam::123456789012:policy/FederatedReadOnly" }],
  durationSeconds: 3600,
  tags: [
    { key: "Project", value: "Pegasus" },
    { key: "Cost-Center", value: "98765" },
    { key: "Städte", value: `Köln/東京 ${ASTRAL_LETTER}` },
  ],
};
const BASE = { name: FULL.name };

describe("GetFederationToken: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.getFederationToken(FULL);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "GetFederationToken"],
      ["Version", "2011-06-15"],
      ["Name", "testFedUserSession"],
      ["Policy", POLICY],
      ["PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/FederatedReadOnly"],
      ["DurationSeconds", "3600"],
      ["Tags.member.1.Key", "Project"],
      ["Tags.member.1.Value", "Pegasus"],
      ["Tags.member.2.Key", "Cost-Center"],
      ["Tags.member.2.Value", "98765"],
      ["Tags.member.3.Key", "Städte"],
      ["Tags.member.3.Value", `Köln/東京 ${ASTRAL_LETTER}`],
    ]);
  });

  test("raw encoding is RFC 3986 UTF-8", async () => {
    const { client, sent } = scripted(OK);
    await client.getFederationToken(FULL);
    const body = sent[0]!.body;
    assert.ok(body.includes("%22a%20b%26c%3Dd%2Be%25f%2F%C3%BC%22"));
    assert.ok(body.includes("%2C%0A%22Action%22"));
    assert.ok(body.includes("&Tags.member.3.Key=St%C3%A4dte&Tags.member.3.Value=K%C3%B6ln%2F%E6%9D%B1%E4%BA%AC%20%F0%9D%92%9C"));
    assert.ok(!body.includes("+"));
  });

  test("empty lists go out as Name=", async () => {
    const { client, sent } = scripted(OK);
    await client.getFederationToken({ ...BASE, policyArns: [], tags: [] });
    assert.equal(sent[0]!.body, "Action=GetFederationToken&Version=2011-06-15&Name=testFedUserSession&PolicyArns=&Tags=");
  });
});

describe("GetFederationToken: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.getFederationToken(BASE), {
      credentials: fixtureCredentials(),
      federatedUser: { federatedUserId: "123456789012:Bob", arn: "arn:aws:sts::123456789012:federated-user/Bob" },
      packedPolicySize: 8,
      requestId: "c6104cbe-af31-11e0-8154-cbc7ccf896c8",
    });
  });

  test("absent optional members stay absent", async () => {
    const { client } = scripted({ body: fixture("get-federation-token", "minimal") });
    assert.deepStrictEqual(await client.getFederationToken(BASE), {
      credentials: fixtureCredentials(),
      federatedUser: { federatedUserId: "123456789012:Bob", arn: "arn:aws:sts::123456789012:federated-user/Bob" },
      requestId: "d7215dcf-b042-11e0-9265-dcd8ddf907d9",
    });
  });

  test("a FederatedUser without its Arn is an InvalidResponse", async () => {
    const body = fixture("get-federation-token").replace(/\s*<Arn>[^<]*<\/Arn>/, "");
    const { client } = scripted({ body });
    await assert.rejects(client.getFederationToken(BASE), { code: "InvalidResponse" });
  });
});

describe("GetFederationToken: errors", () => {
  errorTests(getFederationToken, BASE, ["MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException"]);
});

describe("GetFederationToken: signing", () => {
  signedTests(getFederationToken, BASE, OK);
});

describe("GetFederationToken: validation", () => {
  validationTests(getFederationToken, BASE, OK, [
    { name: "name missing", patch: { name: undefined }, path: "name", rule: "required" },
    { name: "name 2 ok", patch: { name: "Bo" }, ok: true },
    { name: "name 32 ok", patch: { name: sized("user@example.com", 32, "x") }, ok: true },
    { name: "name 1", patch: { name: "B" }, path: "name", rule: "min_length" },
    { name: "name 33", patch: { name: sized("user@example.com", 33, "x") }, path: "name", rule: "max_length" },
    { name: "name with a space", patch: { name: "Bob Smith" }, path: "name", rule: "regex" },
    { name: "policy 2048 ok", patch: { policy: sized("{", 2048, " ") }, ok: true },
    { name: "policy 2049", patch: { policy: sized("{", 2049, " ") }, path: "policy", rule: "max_length" },
    { name: "policy empty", patch: { policy: "" }, path: "policy", rule: "min_length" },
    { name: "policyArns arn 19", patch: { policyArns: [{ arn: arnOf(19) }] }, path: "policyArns.0.arn", rule: "min_length" },
    { name: "durationSeconds 900 ok", patch: { durationSeconds: 900 }, ok: true },
    { name: "durationSeconds 129600 ok", patch: { durationSeconds: 129600 }, ok: true },
    { name: "durationSeconds 899", patch: { durationSeconds: 899 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 129601", patch: { durationSeconds: 129601 }, path: "durationSeconds", rule: "max_value" },
    { name: "50 tags ok", patch: { tags: tagsOf(50) }, ok: true },
    { name: "51 tags", patch: { tags: tagsOf(51) }, path: "tags", rule: "max_length" },
    { name: "tag value 256 astral letters ok", patch: { tags: [{ key: "k", value: ASTRAL_LETTER.repeat(256) }] }, ok: true },
    { name: "tag value 257", patch: { tags: [{ key: "k", value: sized("v", 257) }] }, path: "tags.0.value", rule: "max_length" },
    { name: "tag key 129", patch: { tags: [{ key: sized("k", 129), value: "v" }] }, path: "tags.0.key", rule: "max_length" },
  ]);
});
