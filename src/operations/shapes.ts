/**
 * The model's shared member shapes as valibot schemas, and the shared result readers.
 * Patterns are the model's, anchored (STS matches the whole value) and compiled with the `u` flag.
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import { rule } from "../wire/validate.ts";
import { child, requiredText, requiredTimestamp, XmlReadError } from "../wire/xml.ts";
import type { XmlElement } from "../wire/xml.ts";

const SURROGATE = /[\uD800-\uDFFF]/;

/** Length in Unicode code points, as the model counts it. */
function codePoints(value: string): number {
  if (!SURROGATE.test(value)) return value.length;
  let n = 0;
  for (const _ of value) n++;
  return n;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No unpaired surrogate: such a string has no UTF-8 form, so it cannot be sent at all. */
function wellFormed(value: string): boolean {
  return !SURROGATE.test(value) || !LONE_SURROGATE.test(value);
}

/**
 * A string of `min`..`max` code points (max optional) matching an anchored pattern (optional).
 * Every string member must also be well-formed Unicode, or it could not be encoded for the wire.
 */
export function str(min: number, max?: number, pattern?: RegExp) {
  const rules: v.PipeItem<string, string, v.BaseIssue<unknown>>[] = [
    rule({ rule: "well_formed", expected: "well-formed Unicode (no unpaired surrogate)" }, wellFormed),
    rule({ rule: "min_length", expected: `>=${min}`, limit: min }, (s: string) => codePoints(s) >= min),
  ];
  if (max !== undefined) rules.push(rule({ rule: "max_length", expected: `<=${max}`, limit: max }, (s: string) => codePoints(s) <= max));
  if (pattern) rules.push(v.regex(pattern));
  return v.pipe(v.string(), ...rules);
}

/** An integer in `[min, max]`. */
export function int(min: number, max?: number) {
  const rules: v.PipeItem<number, number, v.BaseIssue<unknown>>[] = [v.integer(), v.minValue(min)];
  if (max !== undefined) rules.push(v.maxValue(max));
  return v.pipe(v.number(), ...rules);
}

/** A list of at most `max` (and at least `min`) items. */
export function list<T extends v.GenericSchema>(item: T, min?: number, max?: number) {
  const rules: v.PipeItem<v.InferOutput<T>[], v.InferOutput<T>[], v.BaseIssue<unknown>>[] = [];
  if (min !== undefined) rules.push(v.minLength(min));
  if (max !== undefined) rules.push(v.maxLength(max));
  return v.pipe(v.array(item), ...rules);
}

// The model's patterns (`arnType`, `roleSessionNameType`, …), anchored.
const ARN = /^[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
const SESSION_NAME = /^[\w+=,.@-]*$/;
const TAG = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const POLICY = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

/** `arnType`: 20–2048 printable characters. */
export const arn = str(20, 2048, ARN);
/** `roleSessionNameType`. */
export const roleSessionName = str(2, 64, SESSION_NAME);
/** `sessionPolicyDocumentType`: at most 2048 characters. */
export const sessionPolicy = str(1, 2048, POLICY);
/** `unrestrictedSessionPolicyDocumentType` (AssumeRole): no maximum in the model; STS checks the packed size. */
export const unrestrictedSessionPolicy = str(1, undefined, POLICY);
/** `roleDurationSecondsType`. */
export const roleDurationSeconds = int(900, 43200);
/** `durationSecondsType` (GetFederationToken, GetSessionToken). */
export const durationSeconds = int(900, 129600);
/** `serialNumberType`. */
export const serialNumber = str(9, 256, /^[\w+=/:,.@-]*$/);
/** `tokenCodeType`: six digits. */
export const tokenCode = str(6, 6, /^\d*$/);
/** `sourceIdentityType`, which may not start with `aws:`. */
export const sourceIdentity = v.pipe(
  v.string(),
  // Checked first so the reserved prefix, not the pattern's missing `:`, is what the caller is told.
  rule({ rule: "not_reserved_prefix", expected: 'must not start with "aws:"' }, (s: string) => !/^aws:/i.test(s)),
  str(2, 64, SESSION_NAME),
);
/** `tagKeyType`. */
export const tagKey = str(1, 128, TAG);

/** `PolicyDescriptorType`: `{ arn }`. */
export const policyDescriptor = v.object({ arn: v.optional(arn) });
/** `policyDescriptorListType` (no size limit in the model; STS checks the packed size). */
export const policyArns = list(policyDescriptor);
/** `Tag`. */
export const tag = v.object({ key: tagKey, value: str(0, 256, TAG) });
/** `tagListType`: at most 50. */
export const tags = list(tag, undefined, 50);
/** `tagKeyListType`: at most 50. */
export const transitiveTagKeys = list(tagKey, undefined, 50);

/** `ProvidedContext`: `{ providerArn, contextAssertion }`. */
export const providedContext = v.object({
  providerArn: v.optional(arn),
  contextAssertion: v.optional(str(4, 2048)),
});
/** `ProvidedContextsListType`: 1–5 items. */
export const providedContexts = list(providedContext, 1, 5);

// The public member types are written out (not inferred from the schemas) so the public API has no
// slow types for JSR, and editors show plain interfaces.

/** `PolicyDescriptorType`: a managed policy, by ARN. */
export interface PolicyDescriptor {
  /** The policy's ARN (20–2048 characters). */
  arn?: string;
}

/** `Tag`: a session tag. */
export interface Tag {
  /** 1–128 characters of letters, digits, spaces and `_ . : / = + - @`. */
  key: string;
  /** 0–256 characters, same alphabet as the key. */
  value: string;
}

/** `ProvidedContext`: a trusted context assertion from a context provider. */
export interface ProvidedContext {
  /** The context provider's ARN (20–2048 characters). */
  providerArn?: string;
  /** The signed, encrypted assertion (4–2048 characters). */
  contextAssertion?: string;
}

/** Reads `<Credentials>`; every member is required when the element is there. */
export function readCredentials(parent: XmlElement | undefined): TemporaryCredentials | undefined {
  const el = child(parent, "Credentials");
  if (!el) return undefined;
  return {
    accessKeyId: requiredMember(el, "AccessKeyId", 16),
    secretAccessKey: requiredMember(el, "SecretAccessKey", 1),
    sessionToken: requiredMember(el, "SessionToken", 1),
    expiration: requiredTimestamp(el, "Expiration"),
  };
}

/** STS's `AssumedRoleUser`. */
export interface AssumedRoleUser {
  /** `AROA…:session-name`. */
  assumedRoleId: string;
  /** `arn:aws:sts::123456789012:assumed-role/role-name/session-name`. */
  arn: string;
}

/** Reads `<AssumedRoleUser>`. */
export function readAssumedRoleUser(parent: XmlElement | undefined): AssumedRoleUser | undefined {
  const el = child(parent, "AssumedRoleUser");
  if (!el) return undefined;
  return { assumedRoleId: requiredMember(el, "AssumedRoleId", 2), arn: requiredMember(el, "Arn", 20) };
}

/**
 * A required member of a response, at least the model's minimum length (at least 1 where the model
 * sets none): an empty `<AccessKeyId>` is a broken answer, not credentials.
 * @throws {XmlReadError} naming the member.
 */
export function requiredMember(parent: XmlElement, localName: string, min: number): string {
  const value = requiredText(parent, localName);
  if (codePoints(value) < min) {
    throw new XmlReadError(`response has <${localName}> shorter than the model's ${min} character${min === 1 ? "" : "s"}`, "shape");
  }
  return value;
}

/** `build()`'s value, built on the first call and kept: the one way a schema is built on first use (STYLE 14). */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** Deletes the members that are `undefined` (in place, and returns the object), so absent optional members stay absent: the one way the package omits them. */
export function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
