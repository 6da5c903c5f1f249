import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { getSessionToken } from "../../src/operations/get-session-token.ts";
import type { GetSessionTokenInput } from "../../src/operations/get-session-token.ts";
import { assertFormPost, fixture, fixtureCredentials, pairs, scripted, sized } from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("get-session-token") };
const FULL: GetSessionTokenInput = {
  durationSeconds: 3600,
  serialNumber: "arn:aws:iam::123456789012:mfa/ops+oncall=1",
  tokenCode: "123456",
};

describe("GetSessionToken: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.getSessionToken(FULL);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "GetSessionToken"],
      ["Version", "2011-06-15"],
      ["DurationSeconds", "3600"],
      ["SerialNumber", "arn:aws:iam::123456789012:mfa/ops+oncall=1"],
      ["TokenCode", "123456"],
    ]);
    assert.equal(
      sent[0]!.body,
      "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600" +
        "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fops%2Boncall%3D1&TokenCode=123456",
    );
  });

  test("no input: Action and Version only", async () => {
    const { client, sent } = scripted(OK);
    await client.getSessionToken();
    assert.equal(sent[0]!.body, "Action=GetSessionToken&Version=2011-06-15");
  });
});

describe("GetSessionToken: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.getSessionToken(), {
      credentials: fixtureCredentials(),
      requestId: "58c5dbae-abef-11e0-8cfe-09039844ac7d",
    });
  });

  test("absent credentials stay absent", async () => {
    const body = `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult/><ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata></GetSessionTokenResponse>`;
    const { client } = scripted({ body });
    assert.deepStrictEqual(await client.getSessionToken(), { requestId: "r-4" });
  });

  test("credentials without an Expiration are an InvalidResponse", async () => {
    const body = fixture("get-session-token").replace(/\s*<Expiration>[^<]*<\/Expiration>/, "");
    const { client } = scripted({ body });
    await assert.rejects(client.getSessionToken(), { code: "InvalidResponse" });
  });
});

describe("GetSessionToken: errors", () => {
  errorTests(getSessionToken, {}, ["RegionDisabledException"]);
});

describe("GetSessionToken: signing", () => {
  signedTests(getSessionToken, {}, OK);
});

describe("GetSessionToken: validation", () => {
  validationTests(getSessionToken, {}, OK, [
    { name: "durationSeconds 900 ok", patch: { durationSeconds: 900 }, ok: true },
    { name: "durationSeconds 129600 ok", patch: { durationSeconds: 129600 }, ok: true },
    { name: "durationSeconds 899", patch: { durationSeconds: 899 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 129601", patch: { durationSeconds: 129601 }, path: "durationSeconds", rule: "max_value" },
    { name: "durationSeconds NaN", patch: { durationSeconds: Number.NaN }, path: "durationSeconds", rule: "number" },
    { name: "serialNumber 9 ok", patch: { serialNumber: "GAHT12345" }, ok: true },
    { name: "serialNumber 256 ok", patch: { serialNumber: sized("arn:aws:iam::123456789012:mfa/", 256) }, ok: true },
    { name: "serialNumber 8", patch: { serialNumber: "GAHT1234" }, path: "serialNumber", rule: "min_length" },
    { name: "serialNumber 257", patch: { serialNumber: sized("arn:aws:iam::123456789012:mfa/", 257) }, path: "serialNumber", rule: "max_length" },
    { name: "serialNumber with a space", patch: { serialNumber: "GAHT 12345" }, path: "serialNumber", rule: "regex" },
    { name: "tokenCode 6 digits ok", patch: { tokenCode: "000000" }, ok: true },
    { name: "tokenCode 5 digits", patch: { tokenCode: "86420" }, path: "tokenCode", rule: "min_length", secret: "86420" },
    { name: "tokenCode 7 digits", patch: { tokenCode: "8642097" }, path: "tokenCode", rule: "max_length", secret: "8642097" },
    { name: "tokenCode not digits", patch: { tokenCode: "86420x" }, path: "tokenCode", rule: "regex", secret: "86420x" },
    { name: "tokenCode as a number", patch: { tokenCode: 864209 }, path: "tokenCode", rule: "string", secret: "864209" },
  ]);
});
