/**
 * Reads an awsQuery form body back into the camelCase input objects the core's operations take,
 * so a test can assert that what the client sends is exactly what a server decodes.
 */
import type { FormParams } from "../wire/query.ts";

/** Decodes a form body back into ordered pairs (what a server receives). */
export function decodeForm(body: string): FormParams {
  const out: FormParams = [];
  if (body === "") return out;
  for (const part of body.split("&")) {
    const eq = part.indexOf("=");
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? "" : part.slice(eq + 1);
    out.push([decodeComponent(rawName), decodeComponent(rawValue)]);
  }
  return out;
}

function decodeComponent(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, " "));
}

/** A decoded STS request body. */
export interface DecodedStsRequest {
  /** The `Action` parameter, when present. */
  action?: string;
  /** The `Version` parameter, when present. */
  version?: string;
  /** The input in the core's camelCase shape, e.g. `{ roleArn, tags: [{ key, value }] }`. */
  input: Record<string, unknown>;
  /** Every parameter except `Action` and `Version`, decoded, in the order received. */
  params: FormParams;
}

// Members whose wire form is a list, so that an empty `Name=` reads as `[]`, not `""`.
const LIST_MEMBERS = new Set(["PolicyArns", "Tags", "TransitiveTagKeys", "ProvidedContexts", "Audience"]);
// Members that are integers in every operation that has them.
const INTEGER_MEMBERS = new Set(["DurationSeconds"]);

/**
 * `RoleArn` → `roleArn`, `SAMLAssertion` → `samlAssertion`, `arn` → `arn`: a leading run of
 * capitals is lowered, except the one that starts the next word.
 */
export function camelCaseMember(name: string): string {
  const run = /^[A-Z]+/.exec(name)?.[0] ?? "";
  if (run.length <= 1) return name.charAt(0).toLowerCase() + name.slice(1);
  const lowerCount = run.length === name.length ? run.length : run.length - 1;
  return name.slice(0, lowerCount).toLowerCase() + name.slice(lowerCount);
}

/**
 * Decodes a form body (`Action=…&Version=…&RoleArn=…`) into `{ action, version, input, params }`.
 * Lists `Name.member.N` become arrays (ordered by N), structures `Name.Field` become objects,
 * `DurationSeconds` becomes a number when it is a decimal integer, an empty list `Name=` becomes `[]`.
 *
 * @param body The `application/x-www-form-urlencoded` body.
 * @returns The action, version, camelCase input and raw parameters.
 * @throws {URIError} when the body has a malformed percent escape.
 * @example
 * ```ts
 * decodeStsRequest("Action=AssumeRole&Version=2011-06-15&Tags.member.1.Key=team&Tags.member.1.Value=edge");
 * // { action: "AssumeRole", version: "2011-06-15", input: { tags: [{ key: "team", value: "edge" }] }, params: [...] }
 * ```
 */
export function decodeStsRequest(body: string): DecodedStsRequest {
  const all = decodeForm(body);
  let action: string | undefined;
  let version: string | undefined;
  const params: FormParams = [];
  for (const pair of all) {
    if (pair[0] === "Action") action ??= pair[1];
    else if (pair[0] === "Version") version ??= pair[1];
    else params.push(pair);
  }
  return { action, version, input: decodeParams(params), params };
}

/**
 * Builds the nested camelCase input from decoded parameters (without `Action`/`Version`).
 * @param params Name/value pairs.
 * @returns The input object.
 * @example
 * ```ts
 * decodeParams([["PolicyArns.member.1.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"]]);
 * // { policyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] }
 * ```
 */
export function decodeParams(params: FormParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of params) {
    const path = name.split(".");
    const top = path[0]!;
    if (path.length === 1) {
      const key = camelCaseMember(top);
      if (LIST_MEMBERS.has(top) && value === "") {
        if (own(root, key) === undefined) put(root, key, []);
      } else put(root, key, scalar(top, value));
      continue;
    }
    assign(root, path, value);
  }
  return finishLists(root) as Record<string, unknown>;
}

// Lists are collected as { [index]: item } objects tagged with LIST, then turned into arrays.
const LIST = Symbol("list");
type Node = Record<string | symbol, unknown>;

function assign(root: Node, path: string[], value: string): void {
  let node: Node = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (segment === "member" && i > 0 && /^\d+$/.test(path[i + 1] ?? "")) {
      node[LIST] = true;
      const index = path[i + 1]!;
      if (i + 1 === path.length - 1) {
        put(node, index, value);
        return;
      }
      node = child(node, index);
      i++;
      continue;
    }
    const key = camelCaseMember(segment);
    if (last) {
      put(node, key, scalar(segment, value));
      return;
    }
    node = child(node, key);
  }
}

function child(node: Node, key: string): Node {
  const existing = own(node, key);
  if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) return existing as Node;
  // An earlier `Name=` (empty list) is replaced by the members that follow it.
  const created: Node = {};
  put(node, key, created);
  return created;
}

// Parameter names come from the network: `__proto__` or `constructor` must be plain keys.
function own(node: Node, key: string): unknown {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function put(node: Node, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

function scalar(member: string, value: string): unknown {
  if (INTEGER_MEMBERS.has(member) && /^-?\d{1,15}$/.test(value)) return Number(value);
  return value;
}

function finishLists(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(finishLists);
  const node = value as Node;
  if (node[LIST]) {
    return Object.keys(node)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => finishLists(node[k]));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) put(out, key, finishLists(node[key]));
  return out;
}
