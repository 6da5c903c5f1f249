import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";

import { operations } from "../../src/operations/index.ts";
import { camelCaseMember, decodeStsRequest } from "../../src/testing/index.ts";
import { encodeForm } from "../../src/wire/query.ts";

test("member names become the core's camelCase", () => {
  assert.deepEqual(
    ["RoleArn", "SAMLAssertion", "PolicyArns", "arn", "ProviderArn", "TaskPolicyArn", "DurationSeconds", "ID"].map(camelCaseMember),
    ["roleArn", "samlAssertion", "policyArns", "arn", "providerArn", "taskPolicyArn", "durationSeconds", "id"],
  );
});

test("lists, structures, integers and empty lists decode into the input shape", () => {
  const body =
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fedge-app&RoleSessionName=s1" +
    "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FB&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA" +
    "&Tags.member.1.Key=team&Tags.member.1.Value=edge%20%26%20co&TransitiveTagKeys=" +
    "&ProvidedContexts.member.1.ProviderArn=arn%3Aaws%3Aiam%3A%3Aaws%3Acontextprovider%2FIdentityCenter&ProvidedContexts.member.1.ContextAssertion=abcd" +
    "&DurationSeconds=3600&Policy=";
  assert.deepEqual(decodeStsRequest(body), {
    action: "AssumeRole",
    version: "2011-06-15",
    input: {
      roleArn: "arn:aws:iam::123456789012:role/edge-app",
      roleSessionName: "s1",
      policyArns: [{ arn: "arn:aws:iam::aws:policy/A" }, { arn: "arn:aws:iam::aws:policy/B" }],
      tags: [{ key: "team", value: "edge & co" }],
      transitiveTagKeys: [],
      providedContexts: [{ providerArn: "arn:aws:iam::aws:contextprovider/IdentityCenter", contextAssertion: "abcd" }],
      durationSeconds: 3600,
      policy: "",
    },
    params: decodeStsRequest(body).params,
  });
  assert.deepEqual(decodeStsRequest("Action=AssumeRoot&TaskPolicyArn.arn=x&Audience.member.1=a&Audience.member.2=b").input, {
    taskPolicyArn: { arn: "x" },
    audience: ["a", "b"],
  });
});

test("hostile parameter names stay plain data", () => {
  const { input } = decodeStsRequest("__proto__.polluted=1&constructor.prototype.x=2&Tags.member.1.__proto__=3");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(input), Object.prototype);
  assert.deepEqual(Object.keys(input), ["__proto__", "constructor", "tags"]);
});

// Any string the model's patterns allow in a tag, plus arbitrary text in a policy.
const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 });

test("what the core's operations serialize, the decoder reads back exactly", () => {
  fc.assert(
    fc.property(
      fc.record({
        roleArn: fc.constant("arn:aws:iam::123456789012:role/edge-app"),
        roleSessionName: fc.stringMatching(/^[\w+=,.@-]{2,64}$/),
        policy: fc.option(text.map((s) => s + "&=+%\n"), { nil: undefined }),
        tags: fc.option(fc.array(fc.record({ key: text, value: fc.string({ unit: "grapheme", maxLength: 20 }) }), { maxLength: 4 }), { nil: undefined }),
        transitiveTagKeys: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
        policyArns: fc.option(fc.array(fc.record({ arn: text }), { maxLength: 3 }), { nil: undefined }),
        durationSeconds: fc.option(fc.integer({ min: 900, max: 43200 }), { nil: undefined }),
        externalId: fc.option(fc.string({ unit: "binary", minLength: 2, maxLength: 30 }), { nil: undefined }),
      }),
      (input) => {
        // JSON drops the undefined members and gives fast-check's null-prototype records a plain prototype.
        const clean = JSON.parse(JSON.stringify(input));
        const op = operations.AssumeRole!;
        const decoded = decodeStsRequest(encodeForm(op.action, "2011-06-15", op.serialize(clean)));
        assert.equal(decoded.action, "AssumeRole");
        assert.deepEqual(decoded.input, clean);
      },
    ),
    { numRuns: 300 },
  );
});
