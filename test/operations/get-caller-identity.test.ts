import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { getCallerIdentity } from "../../src/operations/get-caller-identity.ts";
import { assertFormPost, fixture, scripted } from "./helpers.ts";
import { errorTests, signedTests } from "./suites.ts";

const OK = { body: fixture("get-caller-identity") };

describe("GetCallerIdentity: form body", () => {
  test("Action and Version only", async () => {
    const { client, sent } = scripted(OK);
    await client.getCallerIdentity();
    assertFormPost(sent[0]!);
    assert.equal(sent[0]!.body, "Action=GetCallerIdentity&Version=2011-06-15");
  });

  test("unknown members are not sent", async () => {
    const { client, sent } = scripted(OK);
    await client.send(getCallerIdentity, { roleArn: "arn:aws:iam::123456789012:role/x" } as never);
    assert.equal(sent[0]!.body, "Action=GetCallerIdentity&Version=2011-06-15");
  });
});

describe("GetCallerIdentity: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.getCallerIdentity({}), {
      userId: "AROAJL4EWJRZHJC7CBIK4:my-role-session-name",
      account: "123456789012",
      arn: "arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name",
      requestId: "01234567-89ab-cdef-0123-456789abcdef",
    });
  });

  test("absent members stay absent", async () => {
    const body = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
    const { client } = scripted({ body });
    assert.deepStrictEqual(await client.getCallerIdentity(), { account: "123456789012", requestId: "r-3" });
  });
});

describe("GetCallerIdentity: errors", () => {
  errorTests(getCallerIdentity, {}, []);
});

describe("GetCallerIdentity: signing", () => {
  signedTests(getCallerIdentity, {}, OK);
});
