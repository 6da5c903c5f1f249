/**
 * Property: whatever comes back — arbitrary bytes, arbitrary text, mutated STS documents (truncated,
 * spliced with random tags, entities, CDATA, DOCTYPEs), deep nesting, any status a Response can
 * carry, odd headers, bodies that arrive in pieces or break off, a fetch that rejects with anything —
 * the client resolves (a valid body) or rejects with an `StsError`. Never another exception type,
 * never a hang (each call is raced against a hard limit), never an unhandled rejection.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { operations } from "../../src/operations/index.ts";
import { errorBody, fixtures, VALID_INPUTS } from "./sts-inputs.ts";

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const HARD_LIMIT_MS = 5000;
const ACTIONS = Object.keys(operations);
const FIXTURES = fixtures();

// ── unhandled rejections and uncaught exceptions anywhere in this process fail the file ───────────
const stray: unknown[] = [];
const onStray = (err: unknown) => void stray.push(err);
before(() => {
  process.on("unhandledRejection", onStray);
  process.on("uncaughtException", onStray);
});
after(async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off("unhandledRejection", onStray);
  process.off("uncaughtException", onStray);
  assert.deepEqual(stray.map(String), [], "no unhandled rejection or uncaught exception");
});

// ── what the fake STS answers with ────────────────────────────────────────────────────────────────
type Delivery =
  | { kind: "whole" }
  | { kind: "chunks"; sizes: number[] }
  | { kind: "breaks"; after: number; reason: unknown }
  | { kind: "reject"; reason: unknown }
  | { kind: "throw"; reason: unknown };

interface Answer {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
  delivery: Delivery;
}

const NULL_BODY = new Set([204, 205, 304]);

function respond(answer: Answer): Promise<Response> {
  const { status, headers, body, delivery } = answer;
  if (delivery.kind === "reject") return Promise.reject(delivery.reason);
  if (delivery.kind === "throw") throw delivery.reason;
  let stream: ReadableStream<Uint8Array> | Uint8Array | null = body;
  if (delivery.kind === "chunks") {
    const pieces: Uint8Array[] = [];
    let at = 0;
    for (const size of delivery.sizes) {
      if (at >= body.length) break;
      pieces.push(body.subarray(at, (at += size)));
    }
    if (at < body.length) pieces.push(body.subarray(at));
    stream = new ReadableStream({
      pull(controller) {
        const next = pieces.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
  } else if (delivery.kind === "breaks") {
    const head = body.subarray(0, delivery.after);
    let sent = false;
    stream = new ReadableStream({
      pull(controller) {
        if (!sent) {
          sent = true;
          if (head.length > 0) controller.enqueue(head);
          return;
        }
        controller.error(delivery.reason);
      },
    });
  }
  const h = new Headers();
  for (const [name, value] of headers) h.append(name, value);
  return Promise.resolve(new Response(NULL_BODY.has(status) ? null : (stream as BodyInit), { status, headers: h }));
}

// ── arbitraries ───────────────────────────────────────────────────────────────────────────────────
const NAMES = [
  "ErrorResponse", "Error", "Code", "Message", "Type", "RequestId", "ResponseMetadata", "Credentials", "AccessKeyId",
  "SecretAccessKey", "SessionToken", "Expiration", "AssumedRoleUser", "Arn", "AssumedRoleId", "PackedPolicySize",
  "SourceIdentity", "Account", "UserId", "DecodedMessage", "WebIdentityToken", "FederatedUser", "FederatedUserId",
  ...ACTIONS.flatMap((a) => [`${a}Response`, `${a}Result`]), "html", "body", "a", "x:Error", "sts:Code",
];
const SNIPPETS = [
  "<", ">", "&", "&amp;", "&lt;", "&#0;", "&#x0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&bogus;", "&", "<![CDATA[", "]]>",
  "<![CDATA[<Code>Injected</Code>]]>", "<!DOCTYPE ErrorResponse>", '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', "<!ENTITY b SYSTEM \"file:///etc/passwd\">",
  "&a;", '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.1"?>', "<!-- c -->", "<!--", "-->", "<?pi x?>", "\uFEFF", "\u0000",
  "\uFFFE", "\uD800", "</>", "<a/>", '<a b="c" b="d">', "<a:b xmlns:a=\"urn:x\">", 'xmlns=""', "</Error>", "<Error>", "<Code></Code>",
  "<Code> </Code>", "<Expiration>not-a-date</Expiration>", "<Expiration>99999999999999999999</Expiration>", "<PackedPolicySize>1e3</PackedPolicySize>",
  "<Credentials/>", "<Credentials></Credentials>", "\r\n", "<html><body>502</body></html>", "{\"message\":\"json\"}",
];
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(...SNIPPETS),
  fc.constantFrom("2026-11-22T20:15:00Z", "0", "-1", "1.5", "", " ", "ASIAEXAMPLE", "arn:aws:sts::123456789012:assumed-role/r/s"),
);

type Tree = { name: string; attrs: string; children: Array<Tree | string> };
const { tree } = fc.letrec<{ tree: Tree; node: Tree | string }>((tie) => ({
  tree: fc.record({
    name: fc.constantFrom(...NAMES),
    attrs: fc.constantFrom("", ' xmlns="https://sts.amazonaws.com/doc/2011-06-15/"', ' a="1"', " xmlns:x=\"urn:x\"", ' a="<"'),
    children: fc.array(tie("node"), { maxLength: 5 }),
  }),
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, text, tie("tree")),
}));
const render = (node: Tree | string): string =>
  typeof node === "string" ? node : `<${node.name}${node.attrs}>${node.children.map(render).join("")}</${node.name.split(" ")[0]}>`;

type Mutation = { at: number; op: "cut" | "insert" | "delete" | "duplicate"; snippet: string; length: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  op: fc.constantFrom("cut", "insert", "delete", "duplicate"),
  snippet: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ unit: "binary", maxLength: 8 }), tree.map(render)),
  length: fc.integer({ min: 1, max: 200 }),
});
function mutate(doc: string, mutations: Mutation[]): string {
  let out = doc;
  for (const m of mutations) {
    const at = Math.floor(m.at * out.length);
    if (m.op === "cut") out = out.slice(0, at);
    else if (m.op === "insert") out = out.slice(0, at) + m.snippet + out.slice(at);
    else if (m.op === "delete") out = out.slice(0, at) + out.slice(at + m.length);
    else out = out.slice(0, at) + out.slice(at, at + m.length) + out.slice(at);
  }
  return out;
}
const realBodies = [
  ...FIXTURES.map((f) => f.xml),
  errorBody("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider"),
  errorBody("Throttling", "Rate exceeded"),
  errorBody("InternalFailure", "oops", "Receiver"),
  errorBody("RequestTimeTooSkewed", "Signature expired"),
];
const mutatedReal = fc.tuple(fc.constantFrom(...realBodies), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([doc, ms]) => mutate(doc, ms));
const deep = fc.record({
  depth: fc.integer({ min: 1, max: 20_000 }),
  where: fc.constantFrom("message", "result", "root", "unclosed"),
  action: fc.constantFrom(...ACTIONS),
}).map(({ depth, where, action }) => {
  const nest = "<a>".repeat(depth) + "x" + (where === "unclosed" ? "" : "</a>".repeat(depth));
  if (where === "message") return errorBody("Foo", nest);
  if (where === "result") return `<${action}Response><${action}Result>${nest}</${action}Result></${action}Response>`;
  return `<${action}Response>${nest}</${action}Response>`;
});
const xmlish = fc.oneof(
  { weight: 4, arbitrary: mutatedReal },
  { weight: 3, arbitrary: tree.map(render) },
  { weight: 2, arbitrary: fc.constantFrom(...realBodies) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...SNIPPETS), { maxLength: 30 }).map((xs) => xs.join("")) },
);
const encoder = new TextEncoder();
const bodyArb = fc.oneof(
  { weight: 5, arbitrary: xmlish.map((s) => encoder.encode(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 300 }).map((s) => encoder.encode(s)) },
  // An XML document whose bytes are not UTF-8 (Latin-1, UTF-16).
  { weight: 1, arbitrary: fc.constantFrom(...realBodies).map((s) => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff)) },
  { weight: 1, arbitrary: fc.constantFrom(...realBodies).map((s) => new Uint8Array(new Uint16Array([0xfeff, ...Array.from(s, (ch) => ch.charCodeAt(0))]).buffer)) },
);
const headerValue = fc.oneof(
  fc.constantFrom("text/xml", "text/xml; charset=utf-8", "text/html", "application/json", "", "x", "0", "1", "2", "3600", "99999999999", "-1",
    "Thu, 01 Jan 1970 00:00:00 GMT", new Date(Date.now() + 600_000).toUTCString(), new Date(Date.now() - 3_600_000).toUTCString(), "garbage date"),
  fc.string({ unit: "binary-ascii", maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e\t]/g, "").trim()),
);
const headers = fc.array(
  fc.tuple(fc.constantFrom("content-type", "retry-after", "date", "x-amzn-requestid", "x-amz-request-id", "content-length", "x-other"), headerValue),
  { maxLength: 5 },
);
const anyReason = fc.oneof(
  fc.constantFrom<unknown>(new TypeError("fetch failed"), new Error("socket hang up"), new DOMException("aborted", "AbortError"),
    new RangeError("x"), "a string", undefined, null, 42, { toString: () => { throw new Error("evil"); } }),
  fc.anything(),
);
const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: "whole" as const }) },
  { weight: 2, arbitrary: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }).map((sizes) => ({ kind: "chunks" as const, sizes })) },
  { weight: 2, arbitrary: fc.record({ after: fc.nat(400), reason: anyReason }).map((r) => ({ kind: "breaks" as const, ...r })) },
  { weight: 1, arbitrary: anyReason.map((reason) => ({ kind: "reject" as const, reason })) },
  { weight: 1, arbitrary: anyReason.map((reason) => ({ kind: "throw" as const, reason })) },
);
const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 200, 400, 403, 429, 500, 502, 503, 204, 304)),
  headers,
  body: bodyArb,
  delivery,
});

// ── the property ──────────────────────────────────────────────────────────────────────────────────
async function callWith(action: string, answers: Answer[]): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  let n = 0;
  const client = new StsClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 2,
    timeoutMs: 1000,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    maxRetryAfterMs: 20,
    fetch: () => {
      return respond(answers[Math.min(n++, answers.length - 1)]!);
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${action} did not settle within ${HARD_LIMIT_MS} ms`)), HARD_LIMIT_MS);
  });
  try {
    const value = await Promise.race([client.send(operations[action]!, structuredClone(VALID_INPUTS[action])), hang]);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function check(action: string, outcome: Awaited<ReturnType<typeof callWith>>): void {
  if (outcome.ok) {
    assert.equal(typeof (outcome.value as { requestId?: unknown }).requestId, "string", "a result carries a requestId");
    return;
  }
  const err = outcome.error;
  assert.ok(err instanceof StsError, `only StsError may escape; got ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`);
  assert.equal(err.operation, action);
  assert.equal(typeof err.code, "string");
  assert.ok(err.code.length > 0);
  assert.equal(typeof err.status, "number");
  assert.equal(typeof err.retryable, "boolean");
  assert.ok(err.attempts === undefined || (err.attempts >= 1 && err.attempts <= 2), `attempts ${err.attempts}`);
}

describe("any response → a value or an StsError", () => {
  test("arbitrary bytes, text and XML-ish bodies with any status, headers and delivery", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ACTIONS), fc.array(answer, { minLength: 1, maxLength: 2 }), async (action, answers) => {
        check(action, await callWith(action, answers));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("mutated real documents of the operation itself, as a 200", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (fixture, ms) => {
        const body = encoder.encode(mutate(fixture.xml, ms));
        check(fixture.action, await callWith(fixture.action, [{ status: 200, headers: [], body, delivery: { kind: "whole" } }]));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("the unmodified recorded bodies parse; the same bodies with a 5xx are errors", async () => {
    for (const fixture of FIXTURES) {
      const body = encoder.encode(fixture.xml);
      const ok = await callWith(fixture.action, [{ status: 200, headers: [], body, delivery: { kind: "whole" } }]);
      assert.ok(ok.ok, `${fixture.name}: ${ok.ok ? "" : String(ok.error)}`);
      const bad = await callWith(fixture.action, [{ status: 503, headers: [], body, delivery: { kind: "whole" } }]);
      check(fixture.action, bad);
      assert.ok(!bad.ok && (bad.error as StsError).code === "InvalidResponse", `${fixture.name} at 503`);
    }
  });

  test("the error paths the generator should reach are reached", async () => {
    // A guard against a generator that only ever produces one kind of failure.
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ACTIONS), answer, async (action, a) => {
        const outcome = await callWith(action, [a]);
        check(action, outcome);
        if (!outcome.ok) codes.add((outcome.error as StsError).code);
      }),
      { numRuns: 150 },
    );
    for (const code of ["InvalidResponse", "NetworkError"]) assert.ok(codes.has(code), `never saw ${code}: ${[...codes].join(", ")}`);
  });
});
