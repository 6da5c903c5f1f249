/**
 * Input validation for the emulator: the core's valibot schemas, answered in STS's own words
 * ("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: …"),
 * never echoing the value.
 */
import { StsValidationError } from "../errors.ts";
import type { StsValidationIssue } from "../errors.ts";
import { operations } from "../operations/index.ts";
import { validateInput } from "../wire/validate.ts";
import { EmulatorError, stsErrors } from "./emulator-responses.ts";

/** Validates with the core's schema for `action`, answering STS's ValidationError text. */
export function validate(action: string, input: Record<string, unknown>): Record<string, any> {
  const operation = operations[action];
  if (!operation) throw new EmulatorError("InternalFailure", 500, `The core has no ${action} operation yet.`, "Receiver");
  try {
    return validateInput(operation, input) as Record<string, any>;
  } catch (err) {
    if (!(err instanceof StsValidationError)) throw err;
    const n = err.issues.length;
    const details = err.issues.map((issue) => `Value at '${stsPath(issue.path)}' failed to satisfy constraint: ${constraint(issue)}`);
    throw stsErrors.validation(`${n} validation error${n === 1 ? "" : "s"} detected: ${details.join("; ")}`);
  }
}

// The core's 0-based `tags.0.key` is STS's `tags.1.member.key`.
function stsPath(path: string): string {
  return path.split(".").map((s) => (/^\d+$/.test(s) ? `${Number(s) + 1}.member` : s)).join(".");
}

function constraint({ rule, expected, limit: n }: StsValidationIssue): string {
  switch (rule) {
    case "required":
      return "Member must not be null";
    case "min_length":
      return `Member must have length greater than or equal to ${n}`;
    case "max_length":
      return `Member must have length less than or equal to ${n}`;
    case "min_value":
      return `Member must have value greater than or equal to ${n}`;
    case "max_value":
      return `Member must have value less than or equal to ${n}`;
    case "regex":
      return `Member must satisfy regular expression pattern: ${expected ?? ""}`;
    default:
      return `Member must satisfy ${rule}${expected ? ` (${expected})` : ""}`;
  }
}
