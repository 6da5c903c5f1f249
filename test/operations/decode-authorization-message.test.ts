import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { decodeAuthorizationMessage } from "../../src/operations/decode-authorization-message.ts";
import { assertFormPost, fixture, pairs, scripted, sized } from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("decode-authorization-message") };
// Encoded messages are opaque text; this one carries every character that needs escaping.
const ENCODED = "yEXAMPLEZ3r8A-Dk_6zZ0sT+a/b=c&d%e f\nÅ東𝒜";
const BASE = { encodedMessage: ENCODED };

describe("DecodeAuthorizationMessage: form body", () => {
  test("the message, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.decodeAuthorizationMessage(BASE);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "DecodeAuthorizationMessage"],
      ["Version", "2011-06-15"],
      ["EncodedMessage", ENCODED],
    ]);
    assert.equal(
      sent[0]!.body,
      "Action=DecodeAuthorizationMessage&Version=2011-06-15" +
        "&EncodedMessage=yEXAMPLEZ3r8A-Dk_6zZ0sT%2Ba%2Fb%3Dc%26d%25e%20f%0A%C3%85%E6%9D%B1%F0%9D%92%9C",
    );
  });
});

describe("DecodeAuthorizationMessage: output", () => {
  test("the decoded message, entities resolved", async () => {
    const { client } = scripted(OK);
    const out = await client.decodeAuthorizationMessage(BASE);
    assert.deepStrictEqual(Object.keys(out).sort(), ["decodedMessage", "requestId"]);
    assert.equal(out.requestId, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d");
    assert.deepStrictEqual(JSON.parse(out.decodedMessage!), {
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: { id: "AIDACKCEVSQ6C2EXAMPLE", name: "Bob", arn: "arn:aws:iam::123456789012:user/Bob" },
        action: "ec2:StopInstances",
        resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-dd01c9bd",
        conditions: {
          items: [
            { key: "ec2:Tenancy", values: { items: [{ value: "default" }] } },
            { key: "aws:Referer", values: { items: [{ value: "https://example.com/?a=1&b=2" }] } },
          ],
        },
      },
    });
  });

  test("an empty result has no decodedMessage", async () => {
    const body = `<DecodeAuthorizationMessageResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><DecodeAuthorizationMessageResult/><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DecodeAuthorizationMessageResponse>`;
    const { client } = scripted({ body });
    assert.deepStrictEqual(await client.decodeAuthorizationMessage(BASE), { requestId: "r-1" });
  });
});

describe("DecodeAuthorizationMessage: errors", () => {
  errorTests(decodeAuthorizationMessage, BASE, ["InvalidAuthorizationMessageException"]);
});

describe("DecodeAuthorizationMessage: signing", () => {
  signedTests(decodeAuthorizationMessage, BASE, OK);
});

describe("DecodeAuthorizationMessage: validation", () => {
  validationTests(decodeAuthorizationMessage, BASE, OK, [
    { name: "encodedMessage missing", patch: { encodedMessage: undefined }, path: "encodedMessage", rule: "required" },
    { name: "encodedMessage 1 ok", patch: { encodedMessage: "x" }, ok: true },
    { name: "encodedMessage 10240 ok", patch: { encodedMessage: sized("yEXAMPLE", 10240) }, ok: true },
    { name: "encodedMessage 10240 astral ok", patch: { encodedMessage: "\u{1D49C}".repeat(10240) }, ok: true },
    { name: "encodedMessage empty", patch: { encodedMessage: "" }, path: "encodedMessage", rule: "min_length" },
    { name: "encodedMessage 10241", patch: { encodedMessage: sized("yEXAMPLE", 10241) }, path: "encodedMessage", rule: "max_length" },
  ]);
});
