/**
 * Property: for arbitrary VALID inputs of every STS operation (generated from the model's own
 * rules), what `StsClient` puts on the wire decodes — with `decodeStsRequest`, and inside the
 * emulator — to exactly the input it was given: `&`, `=`, `+`, `%`, newlines, NUL, astral code
 * points, U+2028, boundary lengths included. A valid input is never refused by the client, and the
 * call fails, if at all, only with an `StsError`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { StsClient } from "../../src/client.ts";
import { StsError, StsValidationError } from "../../src/errors.ts";
import { operations } from "../../src/operations/index.ts";
import { createStsEmulator, decodeStsRequest, DEFAULT_ACCESS_KEY } from "../../src/testing/index.ts";
import { charsetOf, model, operationsFromModel, stringArb } from "./model-arbitraries.ts";

const NUM_RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 100);

/** `{ a: undefined }` and `{}` are the same input: drop undefined members before comparing. */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, clean(v)]));
  }
  return value;
}

function harness() {
  const emulator = createStsEmulator();
  const bodies: string[] = [];
  const client = new StsClient({
    region: "eu-west-1",
    endpoint: "https://sts.roundtrip.test",
    credentials: { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey },
    maxAttempts: 1,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      bodies.push(await request.clone().text());
      return emulator.fetch(request);
    },
  });
  return { emulator, bodies, client };
}

describe("the model's patterns are what the generator thinks they are", () => {
  test("session names, tags, policies and ARNs accept what the task says and nothing else", () => {
    const has = (pattern: string, ch: string) => charsetOf(pattern).some(([lo, hi]) => ch.codePointAt(0)! >= lo && ch.codePointAt(0)! <= hi);
    const sessionName = model.shapes.roleSessionNameType!.pattern!;
    assert.ok([..."aZ09_+=,.@-"].every((ch) => has(sessionName, ch)));
    assert.ok(![..." &%/:é"].some((ch) => has(sessionName, ch)));
    const tag = model.shapes.tagKeyType!.pattern!;
    assert.ok(["é", "中", " ", "\u00a0", "\u2028", "٣", ":", "/", "=", "+", "-", "@"].every((ch) => has(tag, ch)));
    assert.ok(!["&", "%", "\n", "😀"].some((ch) => has(tag, ch)));
    const policy = model.shapes.sessionPolicyDocumentType!.pattern!;
    assert.ok(["\t", "\n", "\r", " ", "&", "%", "\u00ff"].every((ch) => has(policy, ch)));
    assert.ok(!["\u0000", "\u0100", "€"].some((ch) => has(policy, ch)));
    const arn = model.shapes.arnType!.pattern!;
    assert.ok(["😀", "\u{10ffff}", "\u0085", "\t", "&"].every((ch) => has(arn, ch)));
    assert.ok(!["\u0000", "\u0084", "\ufffe"].some((ch) => has(arn, ch)));
  });

  test("generated strings have their length in code points", () => {
    fc.assert(
      fc.property(stringArb(charsetOf(undefined), 3, 5), (s) => [...s].length >= 3 && [...s].length <= 5),
      { numRuns: 200 },
    );
  });
});

describe("what the client sends is what the server decodes", () => {
  const ops = operationsFromModel();
  test("the model has the 11 operations the core implements", () => {
    assert.deepEqual(ops.map((op) => op.action).sort(), Object.keys(operations).sort());
    for (const op of ops) assert.equal(operations[op.action]!.signed, op.signed, `${op.action}: signed`);
  });

  for (const op of ops) {
    test(`${op.action}: arbitrary valid input round-trips exactly`, async () => {
      const { emulator, bodies, client } = harness();
      const operation = operations[op.action]!;
      await fc.assert(
        fc.asyncProperty(op.input, async (input) => {
          bodies.length = 0;
          try {
            await client.send(operation, structuredClone(input));
          } catch (err) {
            if (err instanceof StsValidationError) {
              assert.fail(`${op.action}: a model-valid input was refused: ${err.issues.map((i) => `${i.path} ${i.rule}`).join("; ")}`);
            }
            assert.ok(err instanceof StsError, `${op.action}: only StsError may escape, got ${String(err)}`);
          }
          assert.equal(bodies.length, 1, "exactly one request");
          const decoded = decodeStsRequest(bodies[0]!);
          assert.equal(decoded.action, op.action);
          assert.equal(decoded.version, "2011-06-15");
          assert.deepStrictEqual(decoded.input, clean(input));
          const call = emulator.calls.last!;
          assert.equal(call.action, op.action);
          assert.deepStrictEqual(call.input, clean(input));
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});

describe("hand-picked nasty values, whatever the generator happens to pick", () => {
  test("form-special characters, newlines and astral code points in every free-text member", async () => {
    const { emulator, client } = harness();
    const nasty = "a&b=c+d%2B e%f\r\n\t\u2028😀𝔘;#?";
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"a&b=c+d%20%\r\n\u00ff"}]}';
    const input = {
      roleArn: `arn:aws:iam::123456789012:role/${nasty}`,
      roleSessionName: "a+b=c,d.e@f-g_h",
      policy,
      tags: [{ key: "k=+:/@-_. é中", value: "" }, { key: "x", value: "v\u2028\u00a0=+" }],
      transitiveTagKeys: ["k=+:/@-_. é中"],
      externalId: "ext+=,.@:/-id",
      providedContexts: [{ providerArn: `arn:aws:iam::aws:contextProvider/${nasty}`, contextAssertion: `${nasty}\u0000\u007f` }],
    };
    await client.assumeRole(input).catch((err) => assert.ok(err instanceof StsError, String(err)));
    assert.deepStrictEqual(emulator.calls.last!.input, input);
  });
});

describe("input that no server could receive", () => {
  // BUG (src/): a lone UTF-16 surrogate in a member without a model pattern (webIdentityToken,
  // samlAssertion, encodedMessage, tradeInToken, audience, providerId, contextAssertion,
  // targetPrincipal) passes validation, then `encodeURIComponent` throws a raw URIError from the
  // client. The client's contract is "every failure is an StsError or StsValidationError".
  test("a lone surrogate is refused with StsValidationError before any network call, never a URIError", async () => {
    let calls = 0;
    const client = new StsClient({
      region: "eu-west-1",
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey },
      maxAttempts: 1,
      fetch: async () => {
        calls++;
        return new Response("", { status: 500 });
      },
    });
    const roleArn = "arn:aws:iam::123456789012:role/app";
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["webIdentityToken", () => client.assumeRoleWithWebIdentity({ roleArn, roleSessionName: "ab", webIdentityToken: "eyJ\uD800x.y.z" })],
      ["encodedMessage", () => client.decodeAuthorizationMessage({ encodedMessage: "\uDC00" })],
      ["tradeInToken", () => client.getDelegatedAccessToken({ tradeInToken: "tit-\uD83D" })],
      ["audience", () => client.getWebIdentityToken({ audience: ["https://api.example.com/\uD800"], signingAlgorithm: "RS256" })],
    ];
    const wrong: string[] = [];
    for (const [member, attempt] of attempts) {
      try {
        await attempt();
        wrong.push(`${member}: resolved`);
      } catch (err) {
        if (!(err instanceof StsValidationError)) wrong.push(`${member}: ${(err as Error).constructor.name}: ${(err as Error).message}`);
      }
    }
    assert.equal(calls, 0, "nothing may be sent");
    assert.deepEqual(wrong, []);
  });
});
