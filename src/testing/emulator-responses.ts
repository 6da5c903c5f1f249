/**
 * The emulator's XML: result documents and `ErrorResponse`s in the shapes STS sends, every value
 * escaped, plus the headers STS adds (`x-amzn-RequestId`, `Date`).
 */

/** The XML namespace of STS responses. */
const XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

/** A result tree: element name → text, number, timestamp, or nested elements. `undefined` is left out. */
export interface XmlTree {
  [element: string]: string | number | Date | XmlTree | undefined;
}

/** An STS error the emulator answers with. Its message never contains a secret. */
export class EmulatorError extends Error {
  /**
   * @param code The STS error code, e.g. `AccessDenied`.
   * @param status The HTTP status.
   * @param message A short message (no secrets).
   * @param type `Sender` (default) or `Receiver`.
   */
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: "Sender" | "Receiver" = "Sender",
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "EmulatorError";
  }
}

/** The errors the emulator raises, with STS's codes and statuses. */
export const stsErrors = {
  accessDenied: (message: string) => new EmulatorError("AccessDenied", 403, message),
  validation: (message: string) => new EmulatorError("ValidationError", 400, message),
  invalidAction: (message: string) => new EmulatorError("InvalidAction", 400, message),
  invalidIdentityToken: (message: string) => new EmulatorError("InvalidIdentityToken", 400, message),
  expiredTokenException: (message: string) => new EmulatorError("ExpiredTokenException", 400, message),
  idpRejectedClaim: (message: string) => new EmulatorError("IDPRejectedClaim", 403, message),
  idpCommunicationError: (message: string) => new EmulatorError("IDPCommunicationError", 400, message),
  malformedPolicy: (message: string) => new EmulatorError("MalformedPolicyDocument", 400, message),
  packedPolicyTooLarge: (message: string) => new EmulatorError("PackedPolicyTooLarge", 400, message),
  invalidClientTokenId: () =>
    new EmulatorError("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
  expiredToken: () => new EmulatorError("ExpiredToken", 403, "The security token included in the request is expired"),
} as const;

/** Whether a character may appear in an XML 1.0 document at all (even escaped). */
const INVALID_XML_CHARS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for element content and attribute values. `\r` becomes `&#13;` so that XML's
 * newline normalisation cannot turn it into `\n`; characters XML 1.0 cannot carry become U+FFFD.
 * @param value Any string.
 * @returns The escaped text.
 * @example
 * ```ts
 * escapeXml(`a<b & "c"`); // "a&lt;b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(value: string): string {
  return value.replace(INVALID_XML_CHARS, "\uFFFD").replace(/[&<>"'\r]/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" };

/** STS's timestamp form: ISO 8601 to the second, `Z`. */
export function isoSeconds(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function writeTree(tree: XmlTree, indent: string): string {
  let out = "";
  for (const [name, value] of Object.entries(tree)) {
    if (value === undefined) continue;
    if (value instanceof Date) out += `${indent}<${name}>${isoSeconds(value)}</${name}>\n`;
    else if (typeof value === "object") out += `${indent}<${name}>\n${writeTree(value, indent + "  ")}${indent}</${name}>\n`;
    else out += `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
  }
  return out;
}

/** The `<{Action}Response>` document. */
export function resultDocument(action: string, result: XmlTree, requestId: string): string {
  return (
    `<${action}Response xmlns="${XML_NAMESPACE}">\n` +
    `  <${action}Result>\n${writeTree(result, "    ")}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${escapeXml(requestId)}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

/** The `<ErrorResponse>` document. */
export function errorDocument(error: EmulatorError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${XML_NAMESPACE}">\n` +
    `  <Error>\n    <Type>${error.type}</Type>\n    <Code>${escapeXml(error.code)}</Code>\n` +
    `    <Message>${escapeXml(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${escapeXml(requestId)}</RequestId>\n` +
    `</ErrorResponse>\n`
  );
}

/** The headers every STS answer carries. */
export function stsHeaders(requestId: string, now: number, contentType = "text/xml"): Headers {
  return new Headers({ "content-type": contentType, "x-amzn-RequestId": requestId, date: new Date(now).toUTCString() });
}

/** A 200 result response. */
export function resultResponse(action: string, result: XmlTree, requestId: string, now: number): Response {
  return new Response(resultDocument(action, result, requestId), { status: 200, headers: stsHeaders(requestId, now) });
}

/** An error response with the error's status and extra headers. */
export function errorResponse(error: EmulatorError, requestId: string, now: number): Response {
  const headers = stsHeaders(requestId, now);
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  return new Response(errorDocument(error, requestId), { status: error.status, headers });
}
