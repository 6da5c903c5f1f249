/**
 * The STS model facts the test suite carries (test/aws-model/): which botocore files, and how they are
 * stripped. Shared by the sync script (scripts/model-sync.ts) and the drift test (test/aws-model.test.ts),
 * so both strip the same way.
 */

/** The botocore files the tests read, copied with their documentation strings removed. */
export const MODEL_FILES = ["service-2.json", "endpoint-tests-1.json", "partitions.json"] as const;

/** Keys whose values are prose, not facts: dropped wherever they appear. */
const PROSE_KEYS = new Set(["documentation", "documentationUrl"]);

/** A deep copy of a parsed model file without any documentation member (shapes, limits, patterns, cases stay). */
export function stripDocumentation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDocumentation);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (!PROSE_KEYS.has(key)) out[key] = stripDocumentation(member);
  }
  return out;
}

/** The stripped file as it is written to test/aws-model/ (stable formatting, so a model update is a readable diff). */
export function strippedText(sourceText: string): string {
  return `${JSON.stringify(stripDocumentation(JSON.parse(sourceText)), null, 2)}\n`;
}

/** The botocore commit a folder's README names, if any. */
export function botocoreCommit(readme: string): string | undefined {
  return /commit\s+([0-9a-f]{40})/i.exec(readme)?.[1];
}
