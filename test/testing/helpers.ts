/**
 * Shared scaffolding for the emulator tests: form bodies, aws4fetch- and smithy-signed requests,
 * and a small reader for the emulator's XML answers.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsClient } from "aws4fetch";

import type { StsEmulator } from "../../src/testing/index.ts";
import { encodeForm } from "../../src/wire/query.ts";
import { child, loadXmlReader, parseXmlDocument } from "../../src/wire/xml.ts";
import type { XmlElement } from "../../src/wire/xml.ts";

export const ENDPOINT = "https://sts.eu-west-1.amazonaws.com/";
export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";
export const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
export const CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";

/** The emulator's default long-term key. */
export const LONG_TERM = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An STS form body. */
export function body(action: string, params: Record<string, string | number> = {}): string {
  return encodeForm(action, "2011-06-15", Object.entries(params).map(([k, v]) => [k, String(v)]));
}

/** An unsigned POST. */
export function unsigned(sts: StsEmulator, action: string, params: Record<string, string | number> = {}): Promise<Response> {
  return sts.fetch(ENDPOINT, { method: "POST", headers: { "content-type": CONTENT_TYPE }, body: body(action, params) });
}

/** Signs with aws4fetch (optionally at a given `YYYYMMDDTHHMMSSZ`). */
export async function signWithAws4fetch(
  keys: Keys,
  action: string,
  params: Record<string, string | number> = {},
  options: { datetime?: string; region?: string; service?: string } = {},
): Promise<Request> {
  const client = new AwsClient({ ...keys, service: options.service ?? "sts", region: options.region ?? REGION, retries: 0 });
  return client.sign(ENDPOINT, {
    method: "POST",
    headers: { "content-type": CONTENT_TYPE },
    body: body(action, params),
    ...(options.datetime ? { aws: { datetime: options.datetime } } : {}),
  } as RequestInit);
}

/** A Web Crypto SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 asks for. */
class Sha256 {
  private chunks: Uint8Array[] = [];
  constructor(private readonly secret?: string | Uint8Array) {}
  update(data: string | Uint8Array): void {
    this.chunks.push(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }
  async digest(): Promise<Uint8Array> {
    const all = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of this.chunks) all.set(c, (offset += c.length) - c.length);
    if (this.secret === undefined) return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    const raw = typeof this.secret === "string" ? new TextEncoder().encode(this.secret) : this.secret;
    const key = await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, all));
  }
}

/** Signs with @smithy/signature-v4, the AWS SDK's signer. */
export async function signWithSmithy(keys: Keys, action: string, params: Record<string, string | number> = {}): Promise<Request> {
  const signer = new SignatureV4({ credentials: keys, region: REGION, service: "sts", sha256: Sha256 as never });
  const url = new URL(ENDPOINT);
  const text = body(action, params);
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    headers: { host: url.host, "content-type": CONTENT_TYPE },
    body: text,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(signed.headers)) if (name !== "host") headers.set(name, value);
  return new Request(ENDPOINT, { method: "POST", headers, body: text });
}

/** A signed call through the emulator. */
export async function signed(sts: StsEmulator, keys: Keys, action: string, params: Record<string, string | number> = {}): Promise<Answer> {
  return read(await sts.fetch(await signWithAws4fetch(keys, action, params)));
}

/** A parsed answer: status, error code/message/type, and the result's leaf texts by element name. */
export interface Answer {
  status: number;
  code?: string;
  message?: string;
  type?: string;
  requestId?: string;
  result: Record<string, string>;
  headers: Headers;
  text: string;
}

/** Reads an emulator response. */
export async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  await loadXmlReader();
  const root = parseXmlDocument(text);
  const answer: Answer = { status: response.status, result: {}, headers: response.headers, text };
  if (root.localName === "ErrorResponse") {
    const error = child(root, "Error");
    answer.code = child(error, "Code")?.textContent ?? undefined;
    answer.message = child(error, "Message")?.textContent ?? undefined;
    answer.type = child(error, "Type")?.textContent ?? undefined;
    answer.requestId = child(root, "RequestId")?.textContent ?? undefined;
    return answer;
  }
  answer.requestId = child(child(root, "ResponseMetadata"), "RequestId")?.textContent ?? undefined;
  collect(child(root, root.localName.replace(/Response$/, "Result")), answer.result);
  return answer;
}

function collect(el: XmlElement | undefined, out: Record<string, string>): void {
  for (let node = el?.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as XmlElement;
    const hasChildElements = [...Array.from(element.childNodes)].some((c) => c.nodeType === 1);
    if (hasChildElements) collect(element, out);
    else out[element.localName] = element.textContent ?? "";
  }
}

/** The credentials of a result. */
export function keysOf(answer: Answer): Keys {
  return {
    accessKeyId: answer.result.AccessKeyId!,
    secretAccessKey: answer.result.SecretAccessKey!,
    sessionToken: answer.result.SessionToken!,
  };
}

/** `YYYYMMDDTHHMMSSZ` for an epoch-ms time. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
}
