/**
 * Turns valibot's issues into {@link StsValidationError}s that name the member and the rule and
 * never echo the received value (it may be a token or an assertion).
 */
import { check, safeParse } from "valibot";
import type { BaseIssue, CheckAction } from "valibot";
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

/** A rule of our own (code-point lengths, a reserved prefix) as the issue it reports. */
export interface RuleInfo {
  rule: string;
  expected: string;
  limit?: number;
}

const OWN_RULES = new WeakMap<object, RuleInfo>();

/** A valibot `check` whose failure is reported as `info` (rule name, expectation, bound), not as a bare "check". */
export function rule<T>(info: RuleInfo, requirement: (input: T) => boolean): CheckAction<T, string> {
  OWN_RULES.set(requirement, info);
  return check(requirement, info.expected);
}

function toIssue(issue: BaseIssue<unknown>): StsValidationIssue {
  const path = issue.path?.map((item) => String(item.key)).join(".") || "(input)";
  if (issue.kind === "schema" && issue.input === undefined) {
    return { path, rule: "required", message: describe(path, "required", undefined, issue) };
  }
  const own = typeof issue.requirement === "function" ? OWN_RULES.get(issue.requirement) : undefined;
  const rule = own?.rule ?? issue.type;
  const expected = own ? own.expected : (issue.expected ?? undefined);
  // valibot's own length and value actions carry their bound as the requirement.
  const limit = own ? own.limit : typeof issue.requirement === "number" ? issue.requirement : undefined;
  const out: StsValidationIssue = { path, rule, expected, message: describe(path, rule, expected, issue) };
  if (limit !== undefined) out.limit = limit;
  return out;
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
