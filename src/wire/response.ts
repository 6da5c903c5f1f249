/**
 * Reads STS answers: a `<{Action}Response>` with its result, or an `<ErrorResponse>`.
 * Anything else becomes an {@link StsError} with the status and a clear message.
 */
import { StsError } from "../errors.ts";
import type { StsFaultType } from "../errors.ts";
import { isRetryable } from "./retry.ts";
import { child, parseXmlDocument, text, XmlReadError } from "./xml.ts";
import type { XmlElement } from "./xml.ts";

const MAX_MESSAGE_CHARS = 512;

/** A successful answer's result element, or the error it turned out to be. */
export type ResultOrError = { result: XmlElement | undefined; requestId: string } | { error: StsError };

/** Reads a 2xx body. A 2xx that carries an `<ErrorResponse>` is an error all the same. */
export function readResult(body: string, response: Response, action: string, secrets: string[]): ResultOrError {
  const root = parseOrFail(body, response, action);
  if (root.localName === "ErrorResponse") return { error: fromErrorDocument(root, response, action, secrets) };
  if (root.localName !== `${action}Response`) {
    throw invalid(`${action}: expected <${action}Response> but the response is ${nameOf(root, secrets)}`, response, action);
  }
  const requestId = text(child(root, "ResponseMetadata"), "RequestId") ?? headerRequestId(response) ?? "";
  return { result: child(root, `${action}Result`), requestId };
}

/** Reads a non-2xx body into an {@link StsError} (never throws anything else). */
export function readErrorResponse(body: string, response: Response, action: string, secrets: string[]): StsError {
  let root: XmlElement;
  try {
    root = parseOrFail(body, response, action);
  } catch (err) {
    return err as StsError;
  }
  if (root.localName !== "ErrorResponse" && !child(root, "Error")) {
    return invalid(`${action}: HTTP ${response.status} with an unexpected ${nameOf(root, secrets)} body`, response, action);
  }
  return fromErrorDocument(root, response, action, secrets);
}

function fromErrorDocument(root: XmlElement, response: Response, action: string, secrets: string[]): StsError {
  const error = child(root, "Error");
  const code = text(error, "Code")?.trim();
  if (!code) return invalid(`${action}: HTTP ${response.status} error response without a <Code>`, response, action);
  const type = text(error, "Type")?.trim();
  const stsMessage = scrub(text(error, "Message")?.trim() ?? "", secrets);
  const status = response.ok ? 400 : response.status;
  return new StsError(stsMessage ? `${code}: ${stsMessage}` : code, {
    code,
    type: type === "Sender" || type === "Receiver" ? (type as StsFaultType) : undefined,
    status,
    requestId: text(root, "RequestId")?.trim() || headerRequestId(response),
    operation: action,
    retryable: isRetryable(code, status),
  });
}

function parseOrFail(body: string, response: Response, action: string): XmlElement {
  try {
    return parseXmlDocument(body);
  } catch (err) {
    const reason = err instanceof XmlReadError ? err.message : "response could not be read";
    const kind = describeBody(body, response);
    throw invalid(`${action}: HTTP ${response.status}, ${kind}: ${reason}`, response, action, err);
  }
}

function describeBody(body: string, response: Response): string {
  if (body.trim() === "") return "empty body";
  const type = response.headers.get("content-type") ?? "no content-type";
  return /html/i.test(type) || /^\s*<(!doctype\s+html|html)/i.test(body) ? "HTML body" : `${type} body`;
}

/**
 * The one way to build an `InvalidResponse` {@link StsError}: an answer arrived but cannot be used
 * (unreadable, the wrong document, no credentials in it). Not retryable unless `details` says so.
 * @param message Short, naming the operation; never the body (it may echo secrets).
 * @param details The operation, the HTTP status and, when known, the request id.
 * @param cause The underlying failure (an XML reader error, say).
 */
export function invalidResponse(
  message: string,
  details: { operation: string; status: number; requestId?: string | undefined; retryable?: boolean },
  cause?: unknown,
): StsError {
  return new StsError(message, { code: "InvalidResponse", retryable: false, ...details }, cause === undefined ? undefined : { cause });
}

function invalid(message: string, response: Response, action: string, cause?: unknown): StsError {
  return invalidResponse(message, {
    status: response.status,
    requestId: headerRequestId(response),
    operation: action,
    // A cut-off or garbled body is a transport fault: another attempt may well get a whole one.
    retryable: response.ok || isRetryable("", response.status),
  }, cause);
}

/** The root element's name for a message: short names only, with secrets cut out (bodies may echo input). */
function nameOf(root: XmlElement, secrets: string[]): string {
  const name = root.localName ?? "";
  return /^[A-Za-z_][\w.-]{0,63}$/.test(name) ? `<${scrub(name, secrets)}>` : "root element";
}

function headerRequestId(response: Response): string | undefined {
  return response.headers.get("x-amzn-requestid") ?? response.headers.get("x-amz-request-id") ?? undefined;
}

/** STS sometimes echoes input values in messages; secrets are cut out, long text is cut short. */
function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  }
  return out.length > MAX_MESSAGE_CHARS ? out.slice(0, MAX_MESSAGE_CHARS) + "…" : out;
}
