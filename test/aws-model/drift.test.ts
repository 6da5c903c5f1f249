/**
 * The model copies the suite carries (test/aws-model/) against the team's reference folder
 * (../shared/aws-model beside the checkout), stripped the same way. A user's clone has no such folder:
 * then the comparison is skipped, said so, and the test passes.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { botocoreCommit, MODEL_FILES, strippedText } from "../../scripts/aws-model.ts";

const reference = fileURLToPath(new URL("../../../shared/aws-model/", import.meta.url));
const copy = (file: string) => readFileSync(new URL(file, import.meta.url), "utf8");

test("the in-repo STS model copies match ../shared/aws-model (stripped the same way)", (t) => {
  if (!existsSync(reference)) {
    const why = `no ${reference} beside this checkout: drift not checked (a clone tests itself with test/aws-model/ alone)`;
    t.diagnostic(why);
    console.log(`aws-model drift: ${why}`);
    return;
  }
  for (const file of MODEL_FILES) {
    const expected = strippedText(readFileSync(`${reference}${file}`, "utf8"));
    assert.ok(copy(file) === expected, `test/aws-model/${file} differs from ../shared/aws-model/${file}: run npm run model:sync -- ../shared/aws-model`);
  }
  const commit = existsSync(`${reference}README.md`) ? botocoreCommit(readFileSync(`${reference}README.md`, "utf8")) : undefined;
  if (commit) assert.ok(copy("README.md").includes(commit), `test/aws-model/README.md does not name botocore commit ${commit}`);
  console.log(`aws-model drift: test/aws-model matches ${reference} (${MODEL_FILES.join(", ")})`);
});

test("the copies carry facts and no documentation text", () => {
  for (const file of MODEL_FILES) assert.doesNotMatch(copy(file), /"documentation(Url)?"\s*:/, file);
  const model = JSON.parse(copy("service-2.json")) as { operations: Record<string, unknown>; shapes: Record<string, { max?: number }> };
  assert.equal(Object.keys(model.operations).length, 11, "all 11 STS operations");
  assert.equal(model.shapes.webIdentitySubjectType?.max, 255, "limits are kept");
  const cases = JSON.parse(copy("endpoint-tests-1.json")) as { testCases: unknown[] };
  assert.equal(cases.testCases.length, 69, "all official endpoint cases");
});
