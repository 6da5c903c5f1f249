/**
 * readBody's two paths (one-go `text()` for a declared, unencoded length within the limit; the
 * streaming reader otherwise), the form encoder's fast path, and the shared XML parser: each must
 * behave exactly like the general path it shortcuts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StsError } from "../../src/errors.ts";
import { readBody } from "../../src/wire/read-body.ts";
import { encodeForm, encodeRfc3986 } from "../../src/wire/query.ts";
import { DOMParser } from "@xmldom/xmldom";
import { MAX_BODY_BYTES, XmlReadError, loadXmlReader, parseXmlDocument, text } from "../../src/wire/xml.ts";

await loadXmlReader();

const encoder = new TextEncoder();
const live = () => new AbortController().signal;

/** A body served as a stream in pieces, so a test can count how much of it was pulled. */
function pieces(chunks: Uint8Array[], headers: Record<string, string>): { response: Response; pulled: () => number } {
  let i = 0;
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= chunks.length) return controller.close();
      pulled += chunks[i]!.byteLength;
      controller.enqueue(chunks[i++]!);
    },
  });
  return { response: new Response(stream, { status: 200, headers }), pulled: () => pulled };
}

async function tooLarge(p: Promise<unknown>): Promise<StsError> {
  const err = await p.then(
    () => assert.fail("expected ResponseTooLarge"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StsError, String(err));
  assert.equal(err.code, "ResponseTooLarge");
  assert.equal(err.retryable, false);
  return err;
}

describe("readBody", () => {
  test("a declared length reads the same text as the streaming path, multi-byte UTF-8 split across chunks included", async () => {
    const text = "<a>€ ü 𝄞 — ok</a>";
    const bytes = encoder.encode(text);
    const split = [bytes.slice(0, 4), bytes.slice(4, 5), bytes.slice(5)];
    const declared = pieces(split, { "content-length": String(bytes.byteLength) });
    const undeclared = pieces(split, {});
    assert.equal(await readBody(declared.response, "Op", live()), text);
    assert.equal(await readBody(undeclared.response, "Op", live()), text);
  });

  test("a declared length over the limit is refused before a byte is read", async () => {
    const { response, pulled } = pieces([encoder.encode("<a/>")], { "content-length": String(MAX_BODY_BYTES + 1) });
    await tooLarge(readBody(response, "Op", live()));
    assert.equal(pulled(), 0);
  });

  test("a header that understates the body (a custom fetch) is still refused once read", async () => {
    const big = "<x>" + "a".repeat(MAX_BODY_BYTES) + "</x>";
    const response = new Response(big, { status: 200, headers: { "content-length": "10" } });
    await tooLarge(readBody(response, "Op", live()));
  });

  test("an understated header with multi-byte text over the limit in bytes (not in characters) is refused", async () => {
    const big = "€".repeat(Math.ceil(MAX_BODY_BYTES / 3) + 10); // ~350 k characters, > 1 MiB of UTF-8
    assert.ok(big.length < MAX_BODY_BYTES && encoder.encode(big).byteLength > MAX_BODY_BYTES);
    const response = new Response(big, { status: 200, headers: { "content-length": "10" } });
    await tooLarge(readBody(response, "Op", live()));
  });

  test("with a content-encoding the streaming reader counts the bytes and stops at the limit", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x61);
    const chunks = Array.from({ length: 12 }, () => chunk); // 3 MiB on offer
    const { response, pulled } = pieces(chunks, { "content-length": "100", "content-encoding": "identity" });
    await tooLarge(readBody(response, "Op", live()));
    assert.ok(pulled() <= MAX_BODY_BYTES + chunk.byteLength, `pulled ${pulled()} bytes`);
  });

  test("without a length the streaming reader stops at the limit", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x61);
    const { response, pulled } = pieces(Array.from({ length: 12 }, () => chunk), {});
    await tooLarge(readBody(response, "Op", live()));
    assert.ok(pulled() <= MAX_BODY_BYTES + chunk.byteLength, `pulled ${pulled()} bytes`);
  });

  test("a malformed or empty content-length takes the streaming path", async () => {
    for (const value of ["", " ", "abc", "1.5", "-3"]) {
      const { response } = pieces([encoder.encode("<ok/>")], { "content-length": value });
      assert.equal(await readBody(response, "Op", live()), "<ok/>", `content-length ${JSON.stringify(value)}`);
    }
  });

  test("a body-less response is the empty string", async () => {
    assert.equal(await readBody(new Response(null, { status: 200, headers: { "content-length": "0" } }), "Op", live()), "");
  });
});

describe("form encoding fast path", () => {
  const general = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase());

  test("values of unreserved characters only go out unchanged; everything else exactly as the general encoder", () => {
    const values = [
      "",
      "AssumeRoleWithWebIdentity",
      "2011-06-15",
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl-_~",
      "arn:aws:iam::123456789012:role/web-app",
      "a b+c&d=e%f",
      "!'()*",
      "ü€𝄞",
      "line\nbreak",
      "ends with space ",
      "~.-_",
    ];
    for (const v of values) assert.equal(encodeRfc3986(v), general(v), JSON.stringify(v));
    assert.equal(encodeForm("A", "1", [["Name.member.1", "x y"], ["T", "abc"]]), "Action=A&Version=1&Name.member.1=x%20y&T=abc");
  });

  test("every single BMP code unit outside the surrogates encodes as the general encoder does", () => {
    for (let c = 0; c < 0xd800; c++) {
      const v = `a${String.fromCharCode(c)}b`;
      if (encodeRfc3986(v) !== general(v)) assert.fail(`U+${c.toString(16)}: ${encodeRfc3986(v)} vs ${general(v)}`);
    }
  });
});

describe("shared XML parser", () => {
  test("one parser reads documents one after another, and an error in between leaves the next parse intact", () => {
    const ok = () => parseXmlDocument(`<R xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><A>1</A></R>`);
    assert.equal(ok().localName, "R");
    assert.throws(() => parseXmlDocument("<R><A>1</B></R>"), (e: unknown) => e instanceof XmlReadError && e.reason === "not-xml");
    assert.throws(() => parseXmlDocument("<R><A x='1' x='2'/></R>"), (e: unknown) => e instanceof XmlReadError && e.reason === "not-xml");
    assert.throws(() => parseXmlDocument("<R>"), (e: unknown) => e instanceof XmlReadError && e.reason === "not-xml");
    const root = ok();
    assert.equal(root.firstChild?.textContent, "1");
  });

  test("the parser's error message quotes nothing from the body", () => {
    try {
      parseXmlDocument("<R><secret-value-123></R>");
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof XmlReadError);
      assert.doesNotMatch(e.message, /secret-value-123/);
    }
  });

  test("text() of a single text or CDATA child equals textContent, and mixed content still reads whole", () => {
    const root = parseXmlDocument(
      "<R><Plain>a &amp; b &lt;c&gt; &#x20AC;</Plain><Cdata><![CDATA[x < y & z]]></Cdata><Empty/><Open></Open>" +
        "<Mixed>one<!-- note -->two<![CDATA[three]]></Mixed><Nested><I>in</I>side</Nested><Spaces>  padded  </Spaces></R>",
    );
    const expected: Record<string, string> = { Plain: "a & b <c> €", Cdata: "x < y & z", Empty: "", Open: "", Mixed: "onetwothree", Nested: "inside", Spaces: "  padded  " };
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(text(root, name), value, name);
      let el = root.firstChild;
      while (el && (el as Element).localName !== name) el = el.nextSibling;
      assert.equal(text(root, name), el!.textContent, `${name}: same as textContent`);
    }
    assert.equal(text(root, "Absent"), undefined);
  });

  test("line ends are normalized exactly as xmldom's default parser does, CR, CRLF, NEL, LS and PS included", () => {
    const reference = new DOMParser();
    for (const sep of ["\n", "\r\n", "\r", "\r\u0085", "\u0085", "\u2028", "\u2029", "\n\r"]) {
      const body = `<R>\n<A>one${sep}two</A><B attr="x${sep}y">b</B></R>`;
      const ours = parseXmlDocument(body);
      const theirs = reference.parseFromString(body, "text/xml").documentElement!;
      assert.equal(text(ours, "A"), theirs.getElementsByTagName("A")[0]!.textContent, JSON.stringify(sep));
      let b = ours.firstChild;
      while (b && (b as Element).localName !== "B") b = b.nextSibling;
      assert.equal((b as Element).getAttribute("attr"), theirs.getElementsByTagName("B")[0]!.getAttribute("attr"), `attr ${JSON.stringify(sep)}`);
    }
    assert.equal(text(parseXmlDocument("<R><A>one\r\ntwo</A></R>"), "A"), "one\ntwo");
  });
});
