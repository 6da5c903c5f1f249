import { StsError } from "../errors.ts";
import { MAX_BODY_BYTES } from "./xml.ts";

/**
 * Reads a whole response body as UTF-8 text, refusing anything over {@link MAX_BODY_BYTES}:
 * a larger declared length before reading, an undeclared or encoded body while streaming it
 * (without buffering more than the limit). Streaming stops when `signal` aborts.
 * @throws {StsError} `ResponseTooLarge`; a stream failure is rethrown for the caller to classify.
 */
export async function readBody(response: Response, action: string, signal: AbortSignal): Promise<string> {
  const lengthHeader = response.headers.get("content-length");
  const declared = Number(lengthHeader);
  if (declared > MAX_BODY_BYTES) throw tooLarge(response, action);
  // Fast path: a declared length within the limit and no content-encoding (so the declared bytes
  // are the bytes read) lets the runtime read the body in one go, cheaper than a reader loop.
  // `response.body` is not touched here: on Deno that alone turns a buffered body into a stream.
  // Abandonment still ends it: fetch aborts the body with the attempt's signal, and the pipeline
  // stops waiting for it. The length is checked again after reading, in case a custom fetch hands
  // over a Response whose header does not match its body.
  const fast = lengthHeader !== null && lengthHeader.trim() !== "" && Number.isInteger(declared) && declared >= 0;
  if (fast && !response.headers.has("content-encoding")) {
    const text = await response.text();
    if (text.length > MAX_BODY_BYTES / 3 && utf8Length(text) > MAX_BODY_BYTES) throw tooLarge(response, action);
    return text;
  }
  if (!response.body) return "";
  return readStream(response.body, MAX_BODY_BYTES, signal, () => tooLarge(response, action));
}

/**
 * Reads a byte stream as UTF-8 text without buffering more than `maxBytes`; stops pulling as soon as
 * `signal` aborts, whatever the stream does with signals.
 * @param tooLarge The error thrown once more than `maxBytes` arrived (the stream is cancelled first).
 */
export async function readStream(body: ReadableStream<Uint8Array>, maxBytes: number, signal: AbortSignal, tooLarge: () => Error): Promise<string> {
  const reader = body.getReader();
  const stop = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", stop);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(all);
}

const decoder = new TextDecoder();

function utf8Length(text: string): number {
  return text.length > MAX_BODY_BYTES ? Infinity : new TextEncoder().encode(text).byteLength;
}

function tooLarge(response: Response, action: string): StsError {
  response.body?.cancel().catch(() => {});
  return new StsError(`${action}: response body is larger than ${MAX_BODY_BYTES} bytes and was refused`, {
    code: "ResponseTooLarge",
    status: response.status,
    operation: action,
    retryable: false,
  });
}
