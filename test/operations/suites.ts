/**
 * Test suites every operation file registers: the model's errors, validation cases, signing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import type { StsClientOptions } from "../../src/client.ts";
import { StsConfigurationError, StsError, StsValidationError } from "../../src/errors.ts";
import type { Operation } from "../../src/wire/operation.ts";
import { errorBody, modelErrors, scripted, SESSION } from "./helpers.ts";
import type { Reply } from "./helpers.ts";

/**
 * Registers one test per error the model lists for the operation (plus a common AccessDenied):
 * each becomes an StsError with the code, type, status, request id, operation and retryability.
 */
export function errorTests(
  operation: Operation<any, any>,
  input: unknown,
  expectedCodes: string[],
  options: Partial<StsClientOptions> = {},
): void {
  const errors = modelErrors(operation.action);
  test("the model's error list is the one this operation is tested against", () => {
    assert.deepEqual(errors.map((e) => e.code).sort(), [...expectedCodes].sort());
  });
  for (const { code, status } of [...errors, { code: "AccessDenied", status: 403 }]) {
    test(`${code} (HTTP ${status}) → StsError`, async () => {
      const requestId = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
      const { client, sent } = scripted({ status, body: errorBody(code, `${code} happened`, requestId) }, options);
      await assert.rejects(client.send(operation, input), (err: unknown) => {
        assert.ok(err instanceof StsError, String(err));
        assert.equal(err.code, code);
        assert.equal(err.type, "Sender");
        assert.equal(err.status, status);
        assert.equal(err.requestId, requestId);
        assert.equal(err.operation, operation.action);
        assert.equal(err.retryable, code === "IDPCommunicationError");
        assert.equal(err.message, `${code}: ${code} happened`);
        return true;
      });
      assert.equal(sent.length, 1);
    });
  }
}

/** One validation case: a patch over the base input, and either `ok` or the first issue expected. */
export type Case =
  | { name: string; patch: Record<string, unknown>; ok: true }
  | { name: string; patch: Record<string, unknown>; path: string; rule: string; secret?: string };

/**
 * Registers one test per case. Accepted inputs reach fetch; rejected ones throw StsValidationError
 * naming the member and the rule, never echo `secret`, and never fetch. A patch value of
 * `undefined` deletes the member.
 */
export function validationTests(
  operation: Operation<any, any>,
  base: Record<string, unknown>,
  reply: Reply,
  cases: Case[],
): void {
  for (const c of cases) {
    test(c.name, async () => {
      const input: Record<string, unknown> = { ...base, ...c.patch };
      for (const [key, value] of Object.entries(c.patch)) if (value === undefined) delete input[key];
      const { client, sent } = scripted(reply);
      if ("ok" in c) {
        await client.send(operation, input);
        assert.equal(sent.length, 1);
        return;
      }
      await assert.rejects(client.send(operation, input), (err: unknown) => {
        assert.ok(err instanceof StsValidationError, String(err));
        assert.equal(err.operation, operation.action);
        assert.equal(err.issues[0]!.path, c.path);
        assert.equal(err.issues[0]!.rule, c.rule);
        assert.ok(err.message.includes(c.path), err.message);
        if (c.secret) {
          const probe = c.secret.slice(0, 24);
          assert.ok(!err.message.includes(probe), "the message echoes the secret");
          assert.ok(!JSON.stringify(err.issues).includes(probe), "the issues echo the secret");
        }
        return true;
      });
      assert.equal(sent.length, 0, "no fetch on a validation failure");
    });
  }
}

/** Registers the signing tests of a signed operation. */
export function signedTests(operation: Operation<any, any>, input: unknown, reply: Reply): void {
  test("signed: SigV4 Authorization for sts in the endpoint's region", async () => {
    const { client, sent } = scripted(reply);
    await client.send(operation, input);
    const auth = sent[0]!.request.headers.get("authorization") ?? "";
    assert.match(auth, /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    assert.equal(sent[0]!.request.headers.get("x-amz-security-token"), null);
  });
  test("signed: temporary credentials add x-amz-security-token", async () => {
    const { client, sent } = scripted(reply, { credentials: SESSION });
    await client.send(operation, input);
    assert.equal(sent[0]!.request.headers.get("x-amz-security-token"), SESSION.sessionToken);
    assert.match(sent[0]!.request.headers.get("authorization") ?? "", /SignedHeaders=[^,]*x-amz-security-token/);
  });
  test("signed: without credentials → StsConfigurationError and no fetch", async () => {
    const { client, sent } = scripted(reply, { credentials: undefined });
    await assert.rejects(client.send(operation, input), StsConfigurationError);
    assert.equal(sent.length, 0);
  });
}

/** Registers the tests of an unsigned (`noAuth`) operation. */
export function unsignedTests(operation: Operation<any, any>, input: unknown, reply: Reply): void {
  test("unsigned: no Authorization even when the client has credentials", async () => {
    const { client, sent } = scripted(reply, { credentials: SESSION });
    await client.send(operation, input);
    const headers = sent[0]!.request.headers;
    assert.equal(headers.get("authorization"), null);
    assert.equal(headers.get("x-amz-security-token"), null);
    assert.equal(headers.get("x-amz-date"), null);
  });
  test("unsigned: works with no credentials configured", async () => {
    const { client, sent } = scripted(reply, { credentials: undefined });
    const out = await client.send(operation, input);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.request.headers.get("authorization"), null);
    assert.ok(out.requestId);
  });
}
