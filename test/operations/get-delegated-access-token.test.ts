import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { getDelegatedAccessToken } from "../../src/operations/get-delegated-access-token.ts";
import { assertFormPost, errorBody, fixture, fixtureCredentials, pairs, scripted } from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("get-delegated-access-token") };
const TRADE_IN = "AQICAHh7EXAMPLE+trade/in==token&with=odd%chars\nÅ";
const BASE = { tradeInToken: TRADE_IN };

describe("GetDelegatedAccessToken: form body", () => {
  test("the token, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.getDelegatedAccessToken(BASE);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "GetDelegatedAccessToken"],
      ["Version", "2011-06-15"],
      ["TradeInToken", TRADE_IN],
    ]);
    assert.equal(
      sent[0]!.body,
      "Action=GetDelegatedAccessToken&Version=2011-06-15&TradeInToken=AQICAHh7EXAMPLE%2Btrade%2Fin%3D%3Dtoken%26with%3Dodd%25chars%0A%C3%85",
    );
  });
});

describe("GetDelegatedAccessToken: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.getDelegatedAccessToken(BASE), {
      credentials: fixtureCredentials(),
      packedPolicySize: 12,
      assumedPrincipal: "arn:aws:sts::111122223333:assumed-role/PartnerDelegatedAccess/acme-support",
      requestId: "4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e",
    });
  });

  test("absent optional members stay absent", async () => {
    const { client } = scripted({ body: fixture("get-delegated-access-token", "minimal") });
    assert.deepStrictEqual(await client.getDelegatedAccessToken(BASE), {
      credentials: fixtureCredentials(),
      requestId: "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    });
  });
});

describe("GetDelegatedAccessToken: errors", () => {
  errorTests(getDelegatedAccessToken, BASE, ["ExpiredTradeInTokenException", "RegionDisabledException", "PackedPolicyTooLarge"]);

  test("a trade-in token echoed by STS is cut out of the message", async () => {
    const body = errorBody("ExpiredTradeInTokenException", `Token ${TRADE_IN} has expired`, "e7c1d2b3-0000-4000-8000-000000000002");
    const { client } = scripted({ status: 400, body });
    await assert.rejects(client.getDelegatedAccessToken(BASE), (err: Error) => {
      assert.ok(!err.message.includes(TRADE_IN));
      assert.equal(err.message, "ExpiredTradeInTokenException: Token [redacted] has expired");
      return true;
    });
  });
});

describe("GetDelegatedAccessToken: signing", () => {
  signedTests(getDelegatedAccessToken, BASE, OK);
});

describe("GetDelegatedAccessToken: validation", () => {
  validationTests(getDelegatedAccessToken, BASE, OK, [
    { name: "tradeInToken missing", patch: { tradeInToken: undefined }, path: "tradeInToken", rule: "required" },
    { name: "tradeInToken empty ok (no minimum in the model)", patch: { tradeInToken: "" }, ok: true },
    { name: "tradeInToken of 100000 ok (no maximum in the model)", patch: { tradeInToken: "A".repeat(100000) }, ok: true },
    { name: "tradeInToken not a string", patch: { tradeInToken: ["AQICAHh7EXAMPLE"] }, path: "tradeInToken", rule: "string", secret: "AQICAHh7EXAMPLE" },
  ]);
});
