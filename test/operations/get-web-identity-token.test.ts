import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { getWebIdentityToken } from "../../src/operations/get-web-identity-token.ts";
import type { GetWebIdentityTokenInput } from "../../src/operations/get-web-identity-token.ts";
import { ASTRAL_LETTER, assertFormPost, fixture, pairs, scripted, sized, tagsOf } from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("get-web-identity-token") };
const FULL: GetWebIdentityTokenInput = {
  audience: ["https://api.example.com", "https://例え.jp/cb?a=1&b=2+3%20x\n"],
  durationSeconds: 300,
  signingAlgorithm: "RS256",
  tags: [
    { key: "team", value: "platform" },
    { key: "région", value: `Île-de-France ${ASTRAL_LETTER}` },
  ],
};
const BASE = { audience: ["https://api.example.com"], signingAlgorithm: "ES384" };

describe("GetWebIdentityToken: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.getWebIdentityToken(FULL);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "GetWebIdentityToken"],
      ["Version", "2011-06-15"],
      ["Audience.member.1", "https://api.example.com"],
      ["Audience.member.2", "https://例え.jp/cb?a=1&b=2+3%20x\n"],
      ["DurationSeconds", "300"],
      ["SigningAlgorithm", "RS256"],
      ["Tags.member.1.Key", "team"],
      ["Tags.member.1.Value", "platform"],
      ["Tags.member.2.Key", "région"],
      ["Tags.member.2.Value", `Île-de-France ${ASTRAL_LETTER}`],
    ]);
  });

  test("raw encoding is RFC 3986 UTF-8", async () => {
    const { client, sent } = scripted(OK);
    await client.getWebIdentityToken(FULL);
    const body = sent[0]!.body;
    assert.ok(body.startsWith("Action=GetWebIdentityToken&Version=2011-06-15&Audience.member.1=https%3A%2F%2Fapi.example.com&"));
    assert.ok(body.includes("&Audience.member.2=https%3A%2F%2F%E4%BE%8B%E3%81%88.jp%2Fcb%3Fa%3D1%26b%3D2%2B3%2520x%0A&"));
    assert.ok(body.includes("&Tags.member.2.Key=r%C3%A9gion&Tags.member.2.Value=%C3%8Ele-de-France%20%F0%9D%92%9C"));
    assert.ok(!body.includes("+"));
  });

  test("an empty tag list goes out as Tags=", async () => {
    const { client, sent } = scripted(OK);
    await client.getWebIdentityToken({ ...BASE, tags: [] });
    assert.equal(
      sent[0]!.body,
      "Action=GetWebIdentityToken&Version=2011-06-15&Audience.member.1=https%3A%2F%2Fapi.example.com&SigningAlgorithm=ES384&Tags=",
    );
  });
});

describe("GetWebIdentityToken: output", () => {
  test("the token and its expiration", async () => {
    const { client } = scripted(OK);
    const out = await client.getWebIdentityToken(BASE);
    assert.deepStrictEqual(out, {
      webIdentityToken:
        "eyJraWQiOiJzdHMtZXUtd2VzdC0xLTIwMjYiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOlsiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iXSwic3ViIjoiYXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjpyb2xlL2FwcCIsImlzcyI6Imh0dHBzOi8vc3RzLmV1LXdlc3QtMS5hbWF6b25hd3MuY29tIiwiZXhwIjoxNzk1NDQ2OTAwfQ.Q2hhbmdlTWVfc2lnbmF0dXJlX2V4YW1wbGVfb25seV9ub3RfcmVhbF9kYXRhX2Zvcl90ZXN0cw",
      expiration: new Date("2026-11-22T20:15:00Z"),
      requestId: "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
    });
    assert.ok(out.expiration instanceof Date);
  });

  test("absent members stay absent", async () => {
    const body = `<GetWebIdentityTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetWebIdentityTokenResult/><ResponseMetadata><RequestId>r-5</RequestId></ResponseMetadata></GetWebIdentityTokenResponse>`;
    const { client } = scripted({ body });
    assert.deepStrictEqual(await client.getWebIdentityToken(BASE), { requestId: "r-5" });
  });
});

describe("GetWebIdentityToken: errors", () => {
  errorTests(getWebIdentityToken, BASE, [
    "SessionDurationEscalationException",
    "OutboundWebIdentityFederationDisabledException",
    "JWTPayloadSizeExceededException",
  ]);
});

describe("GetWebIdentityToken: signing", () => {
  signedTests(getWebIdentityToken, BASE, OK);
});

describe("GetWebIdentityToken: validation", () => {
  const audiences = (n: number) => Array.from({ length: n }, (_, i) => `https://aud${i}.example.com`);
  validationTests(getWebIdentityToken, BASE, OK, [
    { name: "audience missing", patch: { audience: undefined }, path: "audience", rule: "required" },
    { name: "signingAlgorithm missing", patch: { signingAlgorithm: undefined }, path: "signingAlgorithm", rule: "required" },
    { name: "1 audience ok", patch: { audience: audiences(1) }, ok: true },
    { name: "10 audiences ok", patch: { audience: audiences(10) }, ok: true },
    { name: "0 audiences", patch: { audience: [] }, path: "audience", rule: "min_length" },
    { name: "11 audiences", patch: { audience: audiences(11) }, path: "audience", rule: "max_length" },
    { name: "audience of 1 ok", patch: { audience: ["a"] }, ok: true },
    { name: "audience of 1000 ok", patch: { audience: [sized("https://", 1000, "a")] }, ok: true },
    { name: "audience empty", patch: { audience: ["x", ""] }, path: "audience.1", rule: "min_length" },
    { name: "audience of 1001", patch: { audience: [sized("https://", 1001, "a")] }, path: "audience.0", rule: "max_length" },
    { name: "audience not a list", patch: { audience: "https://api.example.com" }, path: "audience", rule: "array" },
    { name: "signingAlgorithm RS256 ok", patch: { signingAlgorithm: "RS256" }, ok: true },
    { name: "signingAlgorithm of 4", patch: { signingAlgorithm: "RS25" }, path: "signingAlgorithm", rule: "min_length" },
    { name: "signingAlgorithm of 6", patch: { signingAlgorithm: "RS2566" }, path: "signingAlgorithm", rule: "max_length" },
    { name: "durationSeconds 60 ok", patch: { durationSeconds: 60 }, ok: true },
    { name: "durationSeconds 3600 ok", patch: { durationSeconds: 3600 }, ok: true },
    { name: "durationSeconds 59", patch: { durationSeconds: 59 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 3601", patch: { durationSeconds: 3601 }, path: "durationSeconds", rule: "max_value" },
    { name: "50 tags ok", patch: { tags: tagsOf(50) }, ok: true },
    { name: "51 tags", patch: { tags: tagsOf(51) }, path: "tags", rule: "max_length" },
    { name: "tag value 256 astral letters ok", patch: { tags: [{ key: "k", value: ASTRAL_LETTER.repeat(256) }] }, ok: true },
    { name: "tag value 257 astral letters", patch: { tags: [{ key: "k", value: ASTRAL_LETTER.repeat(257) }] }, path: "tags.0.value", rule: "max_length" },
  ]);
});
