/**
 * Differential test against the AWS SDK v3 (`@aws-sdk/client-sts`, a devDependency): for the same
 * inputs both clients send the same set of form parameters, and both read the same recorded
 * bodies (successes and every modeled error) to the same values.
 *
 * Differences found (each asserted below, so a change in either client shows up here):
 * - Content type: the SDK sends `application/x-www-form-urlencoded` without `; charset=utf-8`;
 *   the issue's wire rule (with charset) wins.
 * - Request id: the SDK's `$metadata.requestId` comes only from the `x-amzn-requestid` header
 *   (the replies here set it); we read `<RequestId>` from the body.
 * - Error messages: the SDK's `message` is STS's `<Message>`; ours is `<Code>: <Message>`.
 * The same on both sides: the raw encoding (both RFC 3986, `!'()*` escaped too) and an empty list
 * sent as `Name=` (the issue's rule).
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";

import * as sdk from "@aws-sdk/client-sts";
import { HttpResponse } from "@smithy/core/transport";

import { StsError } from "../../src/errors.ts";
import { operations } from "../../src/operations/index.ts";
import { ASTRAL_LETTER, errorBody, fixture, KEYS, modelErrors, scripted } from "./helpers.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const POLICY = '{"Version":"2012-10-17","Statement":[{"Sid":"a b&c=d+e%f","Effect":"Allow",\n"Action":"s3:*",\r\n"Resource":"arn:aws:s3:::caf\u00e9/*"}]}';
const ARN = "arn:aws:iam::123456789012:role/demo";
const TAGS = [
  { key: "Project", value: "Unicorn" },
  { key: "Städte=+", value: `Zürich 東京 ${ASTRAL_LETTER}` },
  { key: "empty", value: "" },
];
const POLICY_ARNS = [{ arn: "arn:aws:iam::123456789012:policy/ReadOnly" }, { arn: "arn:aws:iam::aws:policy/ViewOnlyAccess" }];

/** Every operation with all of its members set; `fixtures` are the recorded bodies both clients read. */
const CASES: Record<string, { input: Record<string, unknown>; fixtures: string[] }> = {
  AssumeRole: {
    input: {
      roleArn: ARN,
      roleSessionName: "batch-job-42",
      policyArns: POLICY_ARNS,
      policy: POLICY,
      durationSeconds: 3600,
      tags: TAGS,
      transitiveTagKeys: ["Project", "Städte=+"],
      externalId: "123ABC:ext/id",
      serialNumber: "arn:aws:iam::123456789012:mfa/batch",
      tokenCode: "123456",
      sourceIdentity: "DevUser123",
      providedContexts: [
        { providerArn: "arn:aws:iam::aws:contextProvider/IdentityCenter", contextAssertion: "AQoD+a/b=c&d%e" },
        { providerArn: "arn:aws:iam::aws:contextProvider/Other", contextAssertion: "ZZZZ" },
      ],
    },
    fixtures: ["success", "minimal"],
  },
  AssumeRoleWithSAML: {
    input: {
      roleArn: ARN,
      principalArn: "arn:aws:iam::123456789012:saml-provider/SAML-test",
      samlAssertion: "PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM+/z8=",
      policyArns: POLICY_ARNS,
      policy: POLICY,
      durationSeconds: 43200,
    },
    fixtures: ["success", "minimal"],
  },
  AssumeRoleWithWebIdentity: {
    input: {
      roleArn: ARN,
      roleSessionName: "gha-deploy",
      webIdentityToken: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvd2ViIn0.c2ln-_x",
      providerId: "www.amazon.com",
      policyArns: POLICY_ARNS,
      policy: POLICY,
      durationSeconds: 900,
    },
    fixtures: ["success", "minimal"],
  },
  AssumeRoot: {
    input: {
      targetPrincipal: "111122223333",
      taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" },
      durationSeconds: 0,
    },
    fixtures: ["success", "minimal"],
  },
  DecodeAuthorizationMessage: {
    input: { encodedMessage: "yEXAMPLEZ3r8A-Dk_6zZ0sT+a/b=c&d%e f\nÅ東𝒜!'()*~" },
    fixtures: ["success"],
  },
  GetAccessKeyInfo: { input: { accessKeyId: "AKIAI44QH8DHBEXAMPLE" }, fixtures: ["success"] },
  GetCallerIdentity: { input: {}, fixtures: ["success"] },
  GetDelegatedAccessToken: {
    input: { tradeInToken: "AQICAHh7EXAMPLE+trade/in==token&with=odd%chars\nÅ" },
    fixtures: ["success", "minimal"],
  },
  GetFederationToken: {
    input: { name: "testFedUserSession", policy: POLICY, policyArns: POLICY_ARNS, durationSeconds: 129600, tags: TAGS },
    fixtures: ["success", "minimal"],
  },
  GetSessionToken: {
    input: { durationSeconds: 3600, serialNumber: "arn:aws:iam::123456789012:mfa/ops+oncall=1", tokenCode: "012345" },
    fixtures: ["success"],
  },
  GetWebIdentityToken: {
    input: {
      audience: ["https://api.example.com", "https://例え.jp/cb?a=1&b=2+3%20x\n"],
      durationSeconds: 3600,
      signingAlgorithm: "RS256",
      tags: TAGS,
    },
    fixtures: ["success"],
  },
};

/** Our camelCase members → the SDK's (the model's) names. */
function toSdk(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSdk);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [sdkName(k), toSdk(v)]));
}
function sdkName(key: string): string {
  if (key === "arn") return "arn"; // PolicyDescriptorType's member is lower-case in the model
  if (key === "samlAssertion") return "SAMLAssertion";
  return key[0]!.toUpperCase() + key.slice(1);
}

/** The SDK's output → ours (camelCase, no `$metadata`). */
function fromSdk(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromSdk);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => k !== "$metadata" && v !== undefined)
      .map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), fromSdk(v)]),
  );
}

function kebab(action: string): string {
  return action.replace(/SAML/, "Saml").replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());
}

/** Sends a command through a real STSClient whose request handler records the body and replies. */
async function sdkSend(action: string, input: unknown, status: number, body: string) {
  const Command = (sdk as unknown as Record<string, new (input: unknown) => unknown>)[`${action}Command`]!;
  let sent: { body: string; headers: Record<string, string> } | undefined;
  const client = new sdk.STSClient({
    region: "eu-west-1",
    credentials: KEYS,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body: string; headers: Record<string, string> }) => {
        sent = { body: request.body, headers: request.headers };
        const response = new HttpResponse({
          statusCode: status,
          headers: { "content-type": "text/xml", "x-amzn-requestid": /<RequestId>([^<]*)</.exec(body)![1]! },
          body: Readable.from([Buffer.from(body, "utf8")]),
        });
        return { response };
      },
    } as never,
  });
  try {
    const output = await client.send(new Command(input) as never);
    return { sent: sent!, output, error: undefined };
  } catch (error) {
    if (!sent) throw error;
    return { sent, output: undefined, error: error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } } };
  }
}

async function oursSend(action: string, input: unknown, status: number, body: string) {
  const { client, sent } = scripted({ status, body });
  try {
    const output = await client.send(operations[action]!, input);
    return { sent: sent[0]!, output, error: undefined };
  } catch (error) {
    if (!sent[0]) throw error;
    return { sent: sent[0], output: undefined, error: error as StsError };
  }
}

function sortedParams(body: string): string[] {
  return [...new URLSearchParams(body)].map(([k, v]) => JSON.stringify([k, v])).sort();
}

test("every operation of the client is covered", () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(operations).sort());
});

for (const [action, { input, fixtures }] of Object.entries(CASES)) {
  describe(`${action} vs @aws-sdk/client-sts`, () => {
    const dir = kebab(action);

    test("the same set of form parameters", async () => {
      const ours = await oursSend(action, input, 200, fixture(dir));
      const theirs = await sdkSend(action, toSdk(input), 200, fixture(dir));
      assert.deepEqual(sortedParams(ours.sent.body), sortedParams(theirs.sent.body));
      assert.ok(sortedParams(ours.sent.body).length >= 2);
      // Byte for byte, too: both escape the same characters the same way.
      assert.deepEqual(ours.sent.body.split("&").sort(), theirs.sent.body.split("&").sort());
      // The one header difference: the SDK names no charset.
      assert.equal(ours.sent.request.headers.get("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
      assert.equal(theirs.sent.headers["content-type"], "application/x-www-form-urlencoded");
    });

    const lists = ["policyArns", "tags", "transitiveTagKeys"].filter((key) => key in input);
    if (lists.length > 0) {
      test(`empty lists (${lists.join(", ")}): both send Name=`, async () => {
        const empties = Object.fromEntries(lists.map((key) => [key, []]));
        const withEmpties = { ...input, ...empties };
        const ours = await oursSend(action, withEmpties, 200, fixture(dir));
        const theirs = await sdkSend(action, toSdk(withEmpties), 200, fixture(dir));
        assert.deepEqual(sortedParams(ours.sent.body), sortedParams(theirs.sent.body));
        for (const key of Object.keys(empties)) assert.ok(ours.sent.body.includes(`&${sdkName(key)}=&`) || ours.sent.body.endsWith(`&${sdkName(key)}=`));
      });
    }

    for (const name of fixtures) {
      test(`the same values from ${dir}/${name}.xml`, async () => {
        const ours = await oursSend(action, input, 200, fixture(dir, name));
        const theirs = await sdkSend(action, toSdk(input), 200, fixture(dir, name));
        const { requestId, ...output } = ours.output as Record<string, unknown>;
        assert.deepStrictEqual(output, fromSdk(theirs.output));
        assert.equal(requestId, (theirs.output as { $metadata: { requestId?: string } }).$metadata.requestId);
      });
    }

    for (const { code, status } of modelErrors(action)) {
      test(`the same error from a ${code} response`, async () => {
        const body = errorBody(code, `${code}: details & more`, "0d6b5a4c-3b2a-4190-8f7e-6d5c4b3a2910");
        const ours = await oursSend(action, input, status, body);
        const theirs = await sdkSend(action, toSdk(input), status, body);
        assert.ok(ours.error instanceof StsError && theirs.error);
        assert.equal(ours.error.code, code);
        assert.equal(theirs.error.$metadata?.httpStatusCode, ours.error.status);
        assert.equal(theirs.error.$fault, ours.error.type === "Sender" ? "client" : "server");
        assert.equal(theirs.error.message, `${code}: details & more`);
        assert.equal(ours.error.message, `${code}: ${code}: details & more`);
        // The SDK names the modeled exception class; the model maps it to the wire code we report.
        const shape = theirs.error.name;
        assert.ok(shape === code || shape === `${code}Exception`, `${shape} ↔ ${code}`);
      });
    }
  });
}
