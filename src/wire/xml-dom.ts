/**
 * The XML reader proper, loaded by `xml.ts` on the first parse (never at import: a Worker that
 * serves from its caches never evaluates it).
 *
 * It is xmldom's own reader (`lib/sax.js`) building xmldom's own DOM (`lib/dom.js`), driven the way
 * xmldom's `DOMParser.parseFromString(text, "text/xml")` drives them, with the five XML entities.
 * What it leaves out is xmldom's public entry, whose `lib/dom-parser.js` evaluates `lib/entities.js`
 * (the 2 231-entry HTML entity table, used only for `text/html`): two thirds of xmldom's start-up.
 * These are modules below xmldom's public entry, so package.json pins the tested range and
 * test/wire/xml-dom.test.ts fails loudly when an xmldom release moves or changes them.
 */
/// <reference path="./xmldom-lib.d.ts" />
import sax from "@xmldom/xmldom/lib/sax.js";
import type { SaxAttributes } from "@xmldom/xmldom/lib/sax.js";
import dom from "@xmldom/xmldom/lib/dom.js";

const { XMLReader } = sax;
const { DOMImplementation } = dom;

/** The five predefined XML entities (xmldom's `XML_ENTITIES`); nothing else is expanded. */
const XML_ENTITIES: Readonly<Record<string, string>> = Object.freeze({ amp: "&", apos: "'", gt: ">", lt: "<", quot: '"' });
const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";

/** Thrown for every `error` and `fatalError` the reader reports (warnings are ignored, as before). */
export class XmlSyntaxError extends Error {
  override name = "XmlSyntaxError";
}

/**
 * Builds the document from the reader's events: xmldom's `DOMHandler` for `text/xml` without a
 * locator, minus what a DOCTYPE would need (`xml.ts` refuses those before parsing).
 */
class DocumentBuilder {
  readonly mimeType = "text/xml";
  readonly locator = undefined;
  doc!: Document;
  currentElement: Node | undefined;
  private cdata = false;

  startDocument(): void {
    this.doc = new DOMImplementation().createDocument(null, "", null);
  }
  startElement(namespaceURI: string | null, localName: string, qName: string, attrs: SaxAttributes): void {
    const el = this.doc.createElementNS(namespaceURI, qName || localName);
    this.append(el);
    this.currentElement = el;
    for (let i = 0; i < attrs.length; i++) {
      const attr = this.doc.createAttributeNS(attrs.getURI(i), attrs.getQName(i));
      attr.value = attrs.getValue(i);
      (attr as { nodeValue: string }).nodeValue = attr.value;
      el.setAttributeNode(attr);
    }
  }
  endElement(): void {
    this.currentElement = this.currentElement?.parentNode ?? undefined;
  }
  characters(chars: string, start: number, length: number): void {
    const data = chars.slice(start, start + length);
    if (!data) return;
    const node = this.cdata ? this.doc.createCDATASection(data) : this.doc.createTextNode(data);
    if (this.currentElement) this.currentElement.appendChild(node);
    else if (/^\s*$/.test(data)) this.doc.appendChild(node);
  }
  comment(chars: string, start: number, length: number): void {
    this.append(this.doc.createComment(chars.slice(start, start + length)));
  }
  processingInstruction(target: string, data: string): void {
    this.append(this.doc.createProcessingInstruction(target, data));
  }
  startCDATA(): void {
    this.cdata = true;
  }
  endCDATA(): void {
    this.cdata = false;
  }
  endDocument(): void {
    this.doc.normalize();
  }
  startDTD(): void {
    throw new XmlSyntaxError("DOCTYPE");
  }
  startPrefixMapping(): void {}
  endPrefixMapping(): void {}
  ignorableWhitespace(): void {}
  skippedEntity(): void {}
  endDTD(): void {}
  warning(): void {}
  error(message: string): never {
    throw new XmlSyntaxError(message);
  }
  fatalError(message: string): never {
    throw new XmlSyntaxError(message);
  }
  private append(node: Node): void {
    (this.currentElement ?? this.doc).appendChild(node);
  }
}

/**
 * Parses `source` (line ends already normalized) as `text/xml`.
 * @throws {XmlSyntaxError} (its message may quote the body: callers must not pass it on) when the
 * reader reports an error, or the document has no root element; anything xmldom's DOM throws.
 */
export function parseDocument(source: string): Document {
  const builder = new DocumentBuilder();
  const reader = new XMLReader();
  reader.domBuilder = builder;
  reader.errorHandler = builder;
  const namespaces: Record<string, string | null> = Object.create(null);
  namespaces[""] = null;
  namespaces.xml = XML_NAMESPACE;
  reader.parse(source, namespaces, XML_ENTITIES);
  if (!builder.doc.documentElement) throw new XmlSyntaxError("missing root element");
  return builder.doc;
}
