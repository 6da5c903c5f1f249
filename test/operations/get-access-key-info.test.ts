import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { getAccessKeyInfo } from "../../src/operations/get-access-key-info.ts";
import { assertFormPost, fixture, pairs, scripted, sized } from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("get-access-key-info") };
const BASE = { accessKeyId: "AKIAI44QH8DHBEXAMPLE" };

describe("GetAccessKeyInfo: form body", () => {
  test("the access key id, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.getAccessKeyInfo(BASE);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "GetAccessKeyInfo"],
      ["Version", "2011-06-15"],
      ["AccessKeyId", "AKIAI44QH8DHBEXAMPLE"],
    ]);
    assert.equal(sent[0]!.body, "Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=AKIAI44QH8DHBEXAMPLE");
  });
});

describe("GetAccessKeyInfo: output", () => {
  test("the account of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.getAccessKeyInfo(BASE), {
      account: "111122223333",
      requestId: "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a",
    });
  });

  test("an empty result has no account", async () => {
    const body = `<GetAccessKeyInfoResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetAccessKeyInfoResult></GetAccessKeyInfoResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></GetAccessKeyInfoResponse>`;
    const { client } = scripted({ body });
    assert.deepStrictEqual(await client.getAccessKeyInfo(BASE), { requestId: "r-2" });
  });
});

describe("GetAccessKeyInfo: errors", () => {
  errorTests(getAccessKeyInfo, BASE, []);
});

describe("GetAccessKeyInfo: signing", () => {
  signedTests(getAccessKeyInfo, BASE, OK);
});

describe("GetAccessKeyInfo: validation", () => {
  validationTests(getAccessKeyInfo, BASE, OK, [
    { name: "accessKeyId missing", patch: { accessKeyId: undefined }, path: "accessKeyId", rule: "required" },
    { name: "accessKeyId 16 ok", patch: { accessKeyId: "AKIAI44QH8DHBEXA" }, ok: true },
    { name: "accessKeyId 128 ok", patch: { accessKeyId: sized("ASIA", 128, "Z") }, ok: true },
    { name: "accessKeyId 15", patch: { accessKeyId: "AKIAI44QH8DHBEX" }, path: "accessKeyId", rule: "min_length" },
    { name: "accessKeyId 129", patch: { accessKeyId: sized("ASIA", 129, "Z") }, path: "accessKeyId", rule: "max_length" },
    { name: "accessKeyId with -", patch: { accessKeyId: "AKIA-I44QH8DHBEXAMPLE" }, path: "accessKeyId", rule: "regex" },
    { name: "accessKeyId with a non-ASCII letter", patch: { accessKeyId: "AKIAÉ44QH8DHBEXAMPLE" }, path: "accessKeyId", rule: "regex" },
  ]);
});
