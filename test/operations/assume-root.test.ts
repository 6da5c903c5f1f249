import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { assumeRoot } from "../../src/operations/assume-root.ts";
import type { AssumeRootInput } from "../../src/operations/assume-root.ts";
import { arnOf, assertFormPost, fixture, fixtureCredentials, pairs, scripted, sized } from "./helpers.ts";
import { errorTests, signedTests, validationTests } from "./suites.ts";

const OK = { body: fixture("assume-root") };
const FULL: AssumeRootInput = {
  targetPrincipal: "111122223333",
  taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" },
  durationSeconds: 900,
};
const BASE = { targetPrincipal: FULL.targetPrincipal, taskPolicyArn: FULL.taskPolicyArn };

describe("AssumeRoot: form body", () => {
  test("every member, in order, exactly", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRoot(FULL);
    assertFormPost(sent[0]!);
    assert.deepEqual(pairs(sent[0]!.body), [
      ["Action", "AssumeRoot"],
      ["Version", "2011-06-15"],
      ["TargetPrincipal", "111122223333"],
      ["TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"],
      ["DurationSeconds", "900"],
    ]);
  });

  test("raw encoding, and a duration of 0 is sent", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRoot({ ...BASE, durationSeconds: 0 });
    assert.equal(
      sent[0]!.body,
      "Action=AssumeRoot&Version=2011-06-15&TargetPrincipal=111122223333" +
        "&TaskPolicyArn.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FS3UnlockBucketPolicy&DurationSeconds=0",
    );
  });

  test("a target principal ARN with Unicode and reserved characters round-trips", async () => {
    const { client, sent } = scripted(OK);
    const targetPrincipal = "arn:aws:iam::111122223333:root?a=b&c+d%e\nΩ";
    await client.assumeRoot({ ...BASE, targetPrincipal });
    assert.ok(sent[0]!.body.includes("TargetPrincipal=arn%3Aaws%3Aiam%3A%3A111122223333%3Aroot%3Fa%3Db%26c%2Bd%25e%0A%CE%A9&"));
    assert.equal(pairs(sent[0]!.body)[2]![1], targetPrincipal);
  });

  test("an empty task policy descriptor sends no TaskPolicyArn member", async () => {
    const { client, sent } = scripted(OK);
    await client.assumeRoot({ targetPrincipal: "111122223333", taskPolicyArn: {} });
    assert.equal(sent[0]!.body, "Action=AssumeRoot&Version=2011-06-15&TargetPrincipal=111122223333");
  });
});

describe("AssumeRoot: output", () => {
  test("every member of a recorded response", async () => {
    const { client } = scripted(OK);
    assert.deepStrictEqual(await client.assumeRoot(BASE), {
      credentials: fixtureCredentials("ASIAQWERTYUIOP123456"),
      sourceIdentity: "root-task-auditor",
      requestId: "2f7b9c1d-4e6a-4b8c-9d0e-1f2a3b4c5d6e",
    });
  });

  test("absent optional members stay absent", async () => {
    const { client } = scripted({ body: fixture("assume-root", "minimal") });
    assert.deepStrictEqual(await client.assumeRoot(BASE), {
      credentials: fixtureCredentials("ASIAQWERTYUIOP123456"),
      requestId: "3e8c0d2f-5a7b-4c9d-0e1f-2a3b4c5d6e7f",
    });
  });
});

describe("AssumeRoot: errors", () => {
  errorTests(assumeRoot, BASE, ["RegionDisabledException", "ExpiredTokenException"]);
});

describe("AssumeRoot: signing", () => {
  signedTests(assumeRoot, BASE, OK);
});

describe("AssumeRoot: validation", () => {
  validationTests(assumeRoot, BASE, OK, [
    { name: "targetPrincipal missing", patch: { targetPrincipal: undefined }, path: "targetPrincipal", rule: "required" },
    { name: "taskPolicyArn missing", patch: { taskPolicyArn: undefined }, path: "taskPolicyArn", rule: "required" },
    { name: "targetPrincipal 12 ok", patch: { targetPrincipal: "111122223333" }, ok: true },
    { name: "targetPrincipal 2048 ok", patch: { targetPrincipal: sized("arn:aws:iam::111122223333:", 2048) }, ok: true },
    { name: "targetPrincipal 11", patch: { targetPrincipal: "11112222333" }, path: "targetPrincipal", rule: "min_length" },
    { name: "targetPrincipal 2049", patch: { targetPrincipal: sized("arn:aws:iam::111122223333:", 2049) }, path: "targetPrincipal", rule: "max_length" },
    { name: "taskPolicyArn.arn 20 ok", patch: { taskPolicyArn: { arn: arnOf(20) } }, ok: true },
    { name: "taskPolicyArn.arn 19", patch: { taskPolicyArn: { arn: arnOf(19) } }, path: "taskPolicyArn.arn", rule: "min_length" },
    { name: "taskPolicyArn.arn 2049", patch: { taskPolicyArn: { arn: arnOf(2049) } }, path: "taskPolicyArn.arn", rule: "max_length" },
    { name: "taskPolicyArn not an object", patch: { taskPolicyArn: "arn:aws:iam::aws:policy/root-task/x" }, path: "taskPolicyArn", rule: "object" },
    { name: "durationSeconds 0 ok", patch: { durationSeconds: 0 }, ok: true },
    { name: "durationSeconds 900 ok", patch: { durationSeconds: 900 }, ok: true },
    { name: "durationSeconds -1", patch: { durationSeconds: -1 }, path: "durationSeconds", rule: "min_value" },
    { name: "durationSeconds 901", patch: { durationSeconds: 901 }, path: "durationSeconds", rule: "max_value" },
    { name: "durationSeconds as text", patch: { durationSeconds: "900" }, path: "durationSeconds", rule: "number" },
  ]);
});
