/** The wire helpers in src/wire on every runtime: form encoding and the XML reader's refusals. */
import { encodeForm, type FormParams } from "../../src/wire/query.ts";
import { decodeForm } from "../../src/testing/form-decode.ts";
import { XmlReadError, loadXmlReader, parseXmlDocument, text } from "../../src/wire/xml.ts";
import { assertEquals, assertMatch, assertThrows, test } from "./harness.ts";

test("wire: encodeForm percent-encodes per RFC 3986 and round-trips exactly", () => {
  const params: FormParams = [
    ["Policy", '{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}\n'],
    ["Tags.member.1.Key", "ключ & =+% ~._-"],
    ["Tags.member.1.Value", "日本語 😀 !'()*"],
    ["Empty", ""],
  ];
  const body = encodeForm("AssumeRole", "2011-06-15", params);
  assertMatch(body, /^Action=AssumeRole&Version=2011-06-15&Policy=/);
  // Only unreserved characters may appear unescaped; `+` would decode as a space.
  for (const [, value] of body.split("&").map((p) => p.split("="))) assertMatch(value ?? "", /^[A-Za-z0-9\-_.~%]*$/);
  assertMatch(body, /Tags\.member\.1\.Key=%D0%BA%D0%BB%D1%8E%D1%87%20%26%20%3D%2B%25%20~\._-/);
  assertMatch(body, /%0A&/);
  assertMatch(body, /%21%27%28%29%2A/);
  assertEquals(decodeForm(body), [["Action", "AssumeRole"], ["Version", "2011-06-15"], ...params]);
});

test("wire: parseXmlDocument reads a namespaced STS response", async () => {
  await loadXmlReader();
  const root = parseXmlDocument(
    '<?xml version="1.0"?><GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
      "<GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult>" +
      "<ResponseMetadata><RequestId>abc</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
  );
  assertEquals(root.localName, "GetCallerIdentityResponse");
  assertEquals(text(root.getElementsByTagName("GetCallerIdentityResult")[0], "Account"), "123456789012");
});

test("wire: parseXmlDocument refuses a DOCTYPE and entity declarations", async () => {
  await loadXmlReader();
  const billionLaughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>';
  const err = assertThrows(() => parseXmlDocument(billionLaughs), XmlReadError, "DOCTYPE");
  assertEquals((err as XmlReadError).reason, "doctype");
  assertThrows(() => parseXmlDocument('<a><!ENTITY x "y"></a>'), XmlReadError);
});

test("wire: parseXmlDocument turns non-XML and empty bodies into XmlReadError", async () => {
  await loadXmlReader();
  assertThrows(() => parseXmlDocument("<html><body>502 Bad Gateway"), XmlReadError);
  assertThrows(() => parseXmlDocument("   "), XmlReadError, "empty");
  assertThrows(() => parseXmlDocument("not xml at all"), XmlReadError);
});
