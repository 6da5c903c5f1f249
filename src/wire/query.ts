/**
 * The awsQuery wire format: a flat list of `name=value` pairs, form-encoded.
 * Lists are `Name.member.N` (1-based), structures `Name.Field`, an empty list `Name=`.
 */

/** Form parameters in the order they are sent, without `Action` and `Version`. */
export type FormParams = Array<[name: string, value: string]>;

/**
 * Percent-encodes per RFC 3986: everything but `A–Z a–z 0–9 - _ . ~` is escaped as UTF-8 bytes,
 * so `&`, `=`, `+`, `%`, newlines and any Unicode round-trip exactly.
 */
export function encodeRfc3986(value: string): string {
  // Fast path: most values (actions, ARNs' letters, session names, JWTs: base64url and dots) are
  // already unreserved characters only, so they go out as they are, with no copy and no escaping.
  if (UNRESERVED_ONLY.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase());
}

const UNRESERVED_ONLY = /^[A-Za-z0-9\-_.~]*$/;

/** Builds the request body: `Action`, `Version`, then the parameters. */
export function encodeForm(action: string, version: string, params: FormParams): string {
  let body = `Action=${encodeRfc3986(action)}&Version=${encodeRfc3986(version)}`;
  for (const [name, value] of params) body += `&${encodeRfc3986(name)}=${encodeRfc3986(value)}`;
  return body;
}

/** Adds `name=value` when the value is present. Numbers go out as decimal text. */
export function addScalar(params: FormParams, name: string, value: string | number | undefined): void {
  if (value === undefined) return;
  params.push([name, typeof value === "number" ? String(value) : value]);
}

/**
 * Adds a list: `Name.member.N` for scalars, or `Name.member.N.Field` through `each` for structures.
 * An empty list is sent as `Name=` (how STS is told "explicitly none").
 */
export function addList<T>(
  params: FormParams,
  name: string,
  items: readonly T[] | undefined,
  each?: (prefix: string, item: T) => void,
): void {
  if (items === undefined) return;
  if (items.length === 0) {
    params.push([name, ""]);
    return;
  }
  items.forEach((item, i) => {
    const prefix = `${name}.member.${i + 1}`;
    if (each) each(prefix, item);
    else params.push([prefix, String(item)]);
  });
}

/** Adds `PolicyArns.member.N.arn` entries. */
export function addPolicyArns(params: FormParams, name: string, arns: readonly { arn?: string }[] | undefined): void {
  addList(params, name, arns, (prefix, item) => addScalar(params, `${prefix}.arn`, item.arn));
}

/** Adds `Tags.member.N.Key` / `.Value` entries. */
export function addTags(params: FormParams, name: string, tags: readonly { key: string; value: string }[] | undefined): void {
  addList(params, name, tags, (prefix, tag) => {
    params.push([`${prefix}.Key`, tag.key]);
    params.push([`${prefix}.Value`, tag.value]);
  });
}
