/**
 * Server-side SigV4 (header form) for the emulator: parse the `Authorization` header and recompute
 * the signature with Web Crypto, independently of the signing code the client uses.
 */

/** The parts of an `AWS4-HMAC-SHA256` Authorization header. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** `YYYYMMDD` from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** `x-amz-date` as sent (`YYYYMMDDTHHMMSSZ`). */
  amzDate: string;
  /** `x-amz-date` in epoch milliseconds. */
  time: number;
}

/** Why a request could not even be checked. */
export interface SigV4Problem {
  code: "MissingAuthenticationToken" | "IncompleteSignature" | "SignatureDoesNotMatch";
  message: string;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Parses the Authorization header and `x-amz-date`.
 * @returns the parts, or the STS error that a malformed header earns.
 */
export function parseAuthorization(headers: Headers): SigV4Authorization | SigV4Problem {
  const header = headers.get("authorization");
  if (header === null || header.trim() === "") {
    return { code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" };
  }
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim());
  if (!match) {
    return { code: "IncompleteSignature", message: "Unsupported AWS 'algorithm': the Authorization header must start with AWS4-HMAC-SHA256" };
  }
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!fields.get(name)) {
      return { code: "IncompleteSignature", message: `Authorization header requires '${name}' parameter.` };
    }
  }
  const scope = fields.get("Credential")!.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request" || !scope[0]) {
    return { code: "IncompleteSignature", message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term" };
  }
  const [accessKeyId, scopeDate, region, service] = scope as [string, string, string, string];
  const signedHeaders = fields.get("SignedHeaders")!.split(";").map((h) => h.trim().toLowerCase());
  if (!signedHeaders.includes("host")) {
    return { code: "IncompleteSignature", message: "'Host' must be a 'SignedHeader' in the AWS Authorization." };
  }
  const amzDate = headers.get("x-amz-date") ?? "";
  const d = AMZ_DATE.exec(amzDate);
  if (!d) {
    return { code: "IncompleteSignature", message: "Authorization header requires existence of a valid 'X-Amz-Date' header." };
  }
  const time = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!);
  if (scopeDate !== amzDate.slice(0, 8)) {
    return {
      code: "SignatureDoesNotMatch",
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate.slice(0, 8)}' != '${amzDate.slice(0, 8)}'`,
    };
  }
  const signature = fields.get("Signature")!;
  return { accessKeyId, scopeDate, region, service, signedHeaders, signature, amzDate, time };
}

/** Whether a value is a parse problem rather than parsed parts. */
export function isSigV4Problem(value: SigV4Authorization | SigV4Problem): value is SigV4Problem {
  return "code" in value;
}

const encoder = new TextEncoder();

/**
 * Recomputes the signature the client should have sent, over the request as received.
 * @param request The request (headers and URL).
 * @param body The body bytes as received.
 * @param auth The parsed Authorization header.
 * @param secretAccessKey The secret of `auth.accessKeyId`.
 * @returns The expected signature, lower-case hex.
 */
export async function expectedSignature(
  request: Request,
  body: Uint8Array,
  auth: SigV4Authorization,
  secretAccessKey: string,
): Promise<string> {
  const canonical = await canonicalRequest(request, body, auth.signedHeaders);
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    auth.amzDate,
    `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`,
    hex(await sha256(encoder.encode(canonical))),
  ].join("\n");
  let key: ArrayBuffer | Uint8Array = encoder.encode(`AWS4${secretAccessKey}`);
  for (const part of [auth.scopeDate, auth.region, auth.service, "aws4_request"]) key = await hmac(key, part);
  return hex(await hmac(key, stringToSign));
}

/** Compares two signatures without an early exit. */
export function signaturesMatch(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

async function canonicalRequest(request: Request, body: Uint8Array, signedHeaders: string[]): Promise<string> {
  const url = new URL(request.url);
  const headerLines = signedHeaders.map((name) => {
    const value = name === "host" ? (request.headers.get("host") ?? url.host) : (request.headers.get(name) ?? "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}`;
  });
  const payloadHash = hex(await sha256(body));
  return [
    request.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    headerLines.join("\n") + "\n",
    signedHeaders.join(";"),
    // Always the hash of the bytes received: a false `x-amz-content-sha256` cannot match.
    payloadHash,
  ].join("\n");
}

// Non-S3 services normalise the path and encode each segment twice (the URL already holds it once).
function canonicalPath(pathname: string): string {
  const normalized = pathname.replace(/\/+/g, "/") || "/";
  return normalized
    .split("/")
    .map((segment) => rfc3986(encodeURIComponent(segment)))
    .join("/");
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .filter(([k]) => k !== "")
    .map(([k, v]) => [rfc3986(encodeURIComponent(k)), rfc3986(encodeURIComponent(v))] as const)
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function rfc3986(encoded: string): string {
  return encoded.replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

async function sha256(data: Uint8Array): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data));
}

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
