/**
 * Types of the two xmldom modules below its public entry that `xml-dom.ts` uses (xmldom ships
 * types for its entry only), as far as they are used. Both are CommonJS, imported by their default
 * export (`module.exports`): the named-export detection of Node's ESM loader does not see
 * `lib/dom.js`'s exports. `xml-dom.ts` references this file.
 */

declare module "@xmldom/xmldom/lib/sax.js" {
  /** The attributes of one start tag, as the reader hands them to `startElement`. */
  interface SaxAttributes {
    readonly length: number;
    getURI(index: number): string | null;
    getQName(index: number): string;
    getValue(index: number): string;
  }
  /** xmldom's SAX-style reader. */
  class XMLReader {
    domBuilder: unknown;
    errorHandler: unknown;
    parse(source: string, defaultNSMap: Record<string, string | null>, entityMap: Readonly<Record<string, string>>): void;
  }
  const sax: { readonly XMLReader: typeof XMLReader };
  export type { SaxAttributes };
  export default sax;
}

declare module "@xmldom/xmldom/lib/dom.js" {
  /** xmldom's DOM implementation. */
  class DOMImplementation {
    createDocument(namespaceURI: string | null, qualifiedName: string, doctype: null): Document;
  }
  const dom: { readonly DOMImplementation: typeof DOMImplementation };
  export default dom;
}
