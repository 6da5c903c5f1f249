/**
 * The XML reader is built from two modules below xmldom's public entry (src/wire/xml-dom.ts). These
 * tests fail loudly when an xmldom release moves or changes them, and check what they are for: the
 * same documents as xmldom's own `DOMParser`, without evaluating its HTML entity table, and nothing
 * of xmldom evaluated by importing the package.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { loadXmlReader, parseXmlDocument, XmlReadError } from "../../src/wire/xml.ts";

const root = resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);
await loadXmlReader();

describe("xmldom's modules below its entry (pinned in package.json)", () => {
  test("the installed xmldom is in the range package.json and deno.json pin, and that range is one 0.9 line", () => {
    const range = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies["@xmldom/xmldom"];
    assert.equal(range, "~0.9.12", "xmldom's range changed: re-run these tests against the new versions, then update this line");
    assert.match(JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).imports["@xmldom/xmldom/"], /^npm:\/@xmldom\/xmldom@~0\.9\.12\/$/);
    const installed = JSON.parse(readFileSync(require.resolve("@xmldom/xmldom/package.json"), "utf8")).version;
    const m = /^0\.9\.(\d+)$/.exec(installed);
    assert.ok(m && Number(m[1]) >= 12, `xmldom ${installed} is outside ~0.9.12`);
  });

  test("lib/sax.js exports XMLReader and lib/dom.js DOMImplementation, as module.exports members", () => {
    const sax = require("@xmldom/xmldom/lib/sax.js");
    const dom = require("@xmldom/xmldom/lib/dom.js");
    assert.equal(typeof sax.XMLReader, "function", "xmldom moved or renamed lib/sax.js's XMLReader");
    assert.equal(typeof sax.XMLReader.prototype.parse, "function");
    assert.equal(typeof dom.DOMImplementation, "function", "xmldom moved or renamed lib/dom.js's DOMImplementation");
    assert.equal(typeof new dom.DOMImplementation().createDocument, "function");
  });
});

describe("the reader builds what xmldom's DOMParser builds", () => {
  const reference = (text: string) => {
    const doc = new DOMParser({ onError: (level) => { if (level !== "warning") throw new Error(level); } }).parseFromString(text, "text/xml");
    return new XMLSerializer().serializeToString(doc.documentElement!);
  };
  const ours = (text: string) => new XMLSerializer().serializeToString(parseXmlDocument(text) as never);

  const fixtures = readdirSync(join(root, "test/fixtures")).flatMap((dir) =>
    readdirSync(join(root, "test/fixtures", dir)).filter((f) => f.endsWith(".xml")).map((f) => join(dir, f)));
  test(`every recorded STS body (${fixtures.length}) serializes the same`, () => {
    assert.ok(fixtures.length >= 11);
    for (const file of fixtures) {
      const text = readFileSync(join(root, "test/fixtures", file), "utf8");
      assert.equal(ours(text), reference(text), file);
    }
  });

  test("namespaces, prefixed attributes, the five entities, character references, CDATA, comments, PIs", () => {
    const text =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- before --><a:R xmlns:a="urn:a" xmlns="urn:d" xml:lang="en">' +
      '<B c="1 &amp; 2 &lt; 3" a:d="&quot;&apos;&gt;">x &#x20AC; &#8364; y</B><?pi data?><C><![CDATA[<not> & markup]]></C>' +
      "<!-- c --><D/>\n  <E>  text  </E></a:R>";
    assert.equal(ours(text), reference(text));
    const root = parseXmlDocument(text);
    assert.deepEqual([root.localName, root.namespaceURI, root.prefix], ["R", "urn:a", "a"]);
  });

  test("what xmldom refuses as an error, the reader refuses as XmlReadError (an HTML entity among them)", () => {
    for (const bad of ["<R>&nbsp;</R>", "<R>&unknown;</R>", "<R><A></R>", "<R a='1' a='2'/>", "<R/><S/>", "text<R/>", "<R>", "<R>x</R>trailing"]) {
      assert.throws(() => reference(bad), Error, `xmldom accepted ${bad}`);
      assert.throws(() => parseXmlDocument(bad), (e: unknown) => e instanceof XmlReadError && e.reason === "not-xml", bad);
    }
  });
});

describe("what is evaluated when", () => {
  // A fresh process: which of xmldom's CommonJS modules are in require's cache at each step.
  const script = `
    const { createRequire } = await import("node:module");
    const require = createRequire(${JSON.stringify(join(root, "package.json"))});
    const loaded = () => Object.keys(require.cache).filter((k) => k.includes("@xmldom")).map((k) => k.replace(/.*@xmldom\\/xmldom\\//, "")).sort();
    await import(${JSON.stringify(join(root, "src/index.ts"))});
    await import(${JSON.stringify(join(root, "src/hono/index.ts"))});
    await import(${JSON.stringify(join(root, "src/stores/index.ts"))});
    const atImport = loaded();
    const xml = await import(${JSON.stringify(join(root, "src/wire/xml.ts"))});
    await xml.loadXmlReader();
    console.log(JSON.stringify({ atImport, afterLoad: loaded() }));
  `;
  test("importing edge-sts, edge-sts/hono and edge-sts/stores evaluates no xmldom module; the first parse loads sax, dom and their helpers, never entities or dom-parser", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const { atImport, afterLoad } = JSON.parse(out.trim().split("\n").pop()!);
    assert.deepEqual(atImport, []);
    assert.deepEqual(afterLoad, ["lib/conventions.js", "lib/dom.js", "lib/errors.js", "lib/grammar.js", "lib/sax.js"]);
  });
});
