/**
 * Shared test scaffolding for test/operations: a real StsClient over a scripted fetch, recorded
 * fixtures, the model's error list (read at run time). The suites built on them are in suites.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readModel } from "../aws-model/load.ts";

import { StsClient } from "../../src/client.ts";
import type { StsClientOptions } from "../../src/client.ts";
import type { AwsCredentials } from "../../src/types.ts";

/** Long-term keys (AWS's documented example pair). */
export const KEYS: AwsCredentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
};
/** Temporary keys with a session token. */
export const SESSION: AwsCredentials = {
  accessKeyId: "ASIAV3ZUEFP6EXAMPLE",
  secretAccessKey: "8P+SQvWIuLnKhh8d++jpw0nNmQRBZvNEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDgEXAMPLE+token/with+plus==",
};
export const ENDPOINT = "https://sts.eu-west-1.amazonaws.com/";
export const CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";

/** The session token every fixture carries. */
export const FIXTURE_SESSION_TOKEN =
  "IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==";

/** The credentials every fixture carries (with the given access key id). */
export function fixtureCredentials(accessKeyId = "ASIAV3ZUEFP6EXAMPLE") {
  return {
    accessKeyId,
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    sessionToken: FIXTURE_SESSION_TOKEN,
    expiration: new Date("2026-11-22T20:15:00Z"),
  };
}

/** A recorded body from test/fixtures/<dir>/<name>.xml. */
export function fixture(dir: string, name = "success"): string {
  return readFileSync(new URL(`../fixtures/${dir}/${name}.xml`, import.meta.url), "utf8");
}

/** One request the client sent, with its body read. */
export interface Sent {
  request: Request;
  body: string;
}

/** What the scripted fetch answers. */
export interface Reply {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A real StsClient whose fetch records each request and answers with `reply` (a fresh Response each time).
 * Defaults: region eu-west-1, long-term keys, one attempt.
 */
export function scripted(reply: Reply | (() => Reply), options: Partial<StsClientOptions> = {}) {
  const sent: Sent[] = [];
  const client = new StsClient({
    region: "eu-west-1",
    credentials: KEYS,
    maxAttempts: 1,
    ...options,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      sent.push({ request, body: await request.clone().text() });
      const r = typeof reply === "function" ? reply() : reply;
      return new Response(r.body, {
        status: r.status ?? 200,
        headers: { "content-type": "text/xml", ...r.headers },
      });
    },
  });
  return { client, sent };
}

/** The body decoded (by the platform, not our decoder) into ordered pairs. */
export function pairs(body: string): Array<[string, string]> {
  return [...new URLSearchParams(body)];
}

/** Asserts the request shape every STS call shares: POST to `/`, the form content type. */
export function assertFormPost(sent: Sent): void {
  assert.equal(sent.request.method, "POST");
  assert.equal(sent.request.url, ENDPOINT);
  assert.equal(new URL(sent.request.url).pathname, "/");
  assert.equal(sent.request.headers.get("content-type"), CONTENT_TYPE);
  // Every byte outside RFC 3986's unreserved set is escaped: no `+` for a space, no raw `&` inside values.
  for (const part of sent.body.split("&")) assert.match(part, /^[A-Za-z0-9._~%-]+=[A-Za-z0-9._~%-]*$/);
}

/** An STS `<ErrorResponse>` as STS sends it. */
export function errorBody(code: string, message: string, requestId: string, type = "Sender"): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>${type}</Type>
    <Code>${code}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

interface ModelError {
  code: string;
  status: number;
}

const model = readModel<{
  operations: Record<string, { errors?: { shape: string }[] }>;
  shapes: Record<string, { error?: { code?: string; httpStatusCode?: number } }>;
}>("service-2.json");

/** The error codes and statuses the model lists for an action. */
export function modelErrors(action: string): ModelError[] {
  const op = model.operations[action];
  assert.ok(op, `${action} is in the model`);
  return (op.errors ?? []).map(({ shape }) => {
    const error = model.shapes[shape]?.error;
    assert.ok(error?.code && error.httpStatusCode, `${shape} has an error code and status`);
    return { code: error.code, status: error.httpStatusCode };
  });
}

/** `prefix` padded with `fill` (or cut) to exactly `n` UTF-16 code units. */
export function sized(prefix: string, n: number, fill = "a"): string {
  return (prefix + fill.repeat(Math.max(0, n - prefix.length))).slice(0, n);
}

/** An IAM role ARN of exactly `n` characters (n ≥ 20). */
export function arnOf(n: number): string {
  return sized("arn:aws:iam::123456789012:role/", n, "r");
}

/** `n` tags `{ key: "k<i>", value: "v<i>" }`. */
export function tagsOf(n: number) {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
}

/** A letter outside the BMP (U+1D49C), two UTF-16 code units but one code point. */
export const ASTRAL_LETTER = "\u{1D49C}";
