/**
 * Turns valibot's issues into {@link StsValidationError}s that name the member and the rule and
 * never echo the received value (it may be a token or an assertion).
 */
import { safeParse } from "valibot";
import type { BaseIssue } from "valibot";
import { StsValidationError } from "../errors.ts";
import type { StsValidationIssue } from "../errors.ts";
import type { Operation } from "./operation.ts";

/**
 * Checks an input against its operation's schema.
 * @returns the validated input (unknown keys dropped).
 * @throws {StsValidationError} naming every failing member and rule.
 */
export function validateInput<I>(operation: Operation<I, unknown>, input: unknown): I {
  const result = safeParse(operation.schema, input ?? {});
  if (result.success) return result.output;
  throw new StsValidationError(operation.action, result.issues.map(toIssue));
}

function toIssue(issue: BaseIssue<unknown>): StsValidationIssue {
  const path = issue.path?.map((item) => String(item.key)).join(".") || "(input)";
  const missing = issue.kind === "schema" && issue.input === undefined;
  // Our own checks (code-point lengths, reserved prefixes) carry "rule:expected" as their message.
  const own = issue.type === "check" ? /^([a-z_]+):(.*)$/.exec(issue.message) : null;
  const rule = missing ? "required" : own ? own[1]! : issue.type;
  const expected = missing ? undefined : own ? own[2]! : (issue.expected ?? undefined);
  return { path, rule, expected, message: describe(path, rule, expected, issue) };
}

function describe(path: string, rule: string, expected: string | null | undefined, issue: BaseIssue<unknown>): string {
  switch (rule) {
    case "required":
      return `${path} is required`;
    case "min_length":
    case "max_length":
    case "length":
      return `${path} must have a length ${expected} (${rule}; it has ${lengthOf(issue.input)})`;
    case "min_value":
    case "max_value":
      return `${path} must be ${expected} (${rule})`;
    case "regex":
      return `${path} must match ${expected} (regex)`;
    case "integer":
      return `${path} must be an integer (integer)`;
    case "well_formed":
      return `${path} must be ${expected} (${rule})`;
    case "not_reserved_prefix":
      return `${path} ${expected} (${rule})`;
    default:
      return `${path} must be ${expected ?? rule} (${rule})`;
  }
}

/** Code points for strings (as the limits are counted), items for lists. */
function lengthOf(value: unknown): string {
  if (typeof value === "string") return String([...value].length);
  return Array.isArray(value) ? String(value.length) : "?";
}
