/**
 * The only place responses are read. Everything that can go wrong with a body (too large, not XML,
 * truncated, a DOCTYPE) becomes a typed failure here, never a raw TypeError or DOM exception.
 */
import { StsConfigurationError } from "../errors.ts";

/** Bodies larger than this are refused (STS responses are a few KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Why a body could not be read. */
export class XmlReadError extends Error {
  constructor(
    message: string,
    readonly reason: "too-large" | "not-xml" | "doctype" | "shape",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "XmlReadError";
  }
}

/** A minimal element view (xmldom's and the browser's Element both satisfy it). */
export type XmlElement = Element;

const DOCTYPE_OR_ENTITY = /<!(?:DOCTYPE|ENTITY)/i;

// The reader (xmldom's, see xml-dom.ts) is loaded on the first parse, never at import: most
// requests of a Worker are served from a cache and never read XML.
let reader: typeof import("./xml-dom.ts") | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the XML reader once; `parseXmlDocument` needs it. Cheap after the first call.
 * @throws {StsConfigurationError} when the module cannot be loaded (a broken bundle or install).
 */
export function loadXmlReader(): Promise<void> {
  return (loading ??= import("./xml-dom.ts").then(
    (module) => {
      reader = module;
    },
    (err: unknown) => {
      loading = undefined;
      throw new StsConfigurationError("the XML reader (@xmldom/xmldom lib/sax.js and lib/dom.js) could not be loaded", { cause: err });
    },
  ));
}

/**
 * XML 1.0 §2.11 line-end normalization as xmldom does it (U+0085/U+2028/U+2029 too), skipped when
 * there is nothing to normalize — STS answers have no CR: four `indexOf` scans instead of two
 * regular-expression replacements over the whole body.
 */
function normalizeLineEndings(input: string): string {
  return input.indexOf("\r") === -1 && input.indexOf("\u0085") === -1 && input.indexOf("\u2028") === -1 && input.indexOf("\u2029") === -1
    ? input
    : input.replace(/\r[\n\u0085]/g, "\n").replace(/[\r\u0085\u2028\u2029]/g, "\n");
}

/**
 * Parses a whole response body into its root element. `await loadXmlReader()` first.
 * @throws {XmlReadError} on a DOCTYPE/entity declaration, a malformed or empty document.
 * @throws {Error} when the reader was not loaded (a programming error, never the body's fault).
 */
export function parseXmlDocument(text: string): XmlElement {
  if (DOCTYPE_OR_ENTITY.test(text)) {
    throw new XmlReadError("response contains a DOCTYPE or entity declaration, which is refused", "doctype");
  }
  if (text.trim() === "") throw new XmlReadError("response body is empty", "not-xml");
  if (!reader) throw new Error("parseXmlDocument: the XML reader is not loaded (await loadXmlReader() first)");
  let doc: Document;
  try {
    doc = reader.parseDocument(normalizeLineEndings(text));
  } catch {
    // xmldom's own message quotes pieces of the body (which may echo what we sent): not kept.
    throw new XmlReadError("response is not well-formed XML", "not-xml");
  }
  const root = doc?.documentElement;
  if (!root) throw new XmlReadError("response has no root element", "not-xml");
  return root as XmlElement;
}

/** The first child element with this local name, or undefined. */
export function child(parent: XmlElement | undefined, localName: string): XmlElement | undefined {
  if (!parent) return undefined;
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as XmlElement).localName === localName) return node as XmlElement;
  }
  return undefined;
}

/** All child elements with this local name. */
export function children(parent: XmlElement | undefined, localName: string): XmlElement[] {
  const out: XmlElement[] = [];
  if (!parent) return out;
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as XmlElement).localName === localName) out.push(node as XmlElement);
  }
  return out;
}

/** Text content of the named child, or undefined when the child is absent. */
export function text(parent: XmlElement | undefined, localName: string): string | undefined {
  const el = child(parent, localName);
  if (!el) return undefined;
  // An element holding one text or CDATA node (every STS value): its data is the text content,
  // without xmldom's tree walk. Anything else (mixed content, comments, nesting) takes the walk.
  const only = el.firstChild;
  if (only && only.nextSibling === null && (only.nodeType === 3 || only.nodeType === 4)) return (only as CharacterData).data;
  return el.textContent ?? "";
}

/**
 * Text of a child that must be there.
 * @throws {XmlReadError} naming the missing element.
 */
export function requiredText(parent: XmlElement | undefined, localName: string): string {
  const value = text(parent, localName);
  if (value === undefined) throw new XmlReadError(`response is missing <${localName}>`, "shape");
  return value;
}

/** An integer child, or undefined when absent. @throws {XmlReadError} when present but not an integer. */
export function integer(parent: XmlElement | undefined, localName: string): number | undefined {
  const value = text(parent, localName);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new XmlReadError(`response has a non-integer <${localName}>`, "shape");
  return Number(trimmed);
}

/** A timestamp child as a Date, or undefined when absent. @throws {XmlReadError} when unparseable. */
export function timestamp(parent: XmlElement | undefined, localName: string): Date | undefined {
  const value = text(parent, localName);
  if (value === undefined) return undefined;
  return parseTimestamp(value.trim(), localName);
}

/** A timestamp child that must be there. */
export function requiredTimestamp(parent: XmlElement | undefined, localName: string): Date {
  const value = timestamp(parent, localName);
  if (value === undefined) throw new XmlReadError(`response is missing <${localName}>`, "shape");
  return value;
}

/** ISO 8601 (what STS sends), or epoch seconds. */
export function parseTimestamp(value: string, name = "timestamp"): Date {
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new XmlReadError(`response has an invalid <${name}>`, "shape");
  return date;
}
