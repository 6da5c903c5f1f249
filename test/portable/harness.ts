/**
 * A tiny test harness that runs unchanged on Node, Deno, Bun and inside workerd: web-standard
 * JavaScript only (no `node:` imports, no timers or randomness at module scope).
 *
 * Test files call `test(name, fn)` at module scope, which only registers; `run()` executes them in
 * registration order. In workerd, `run()` must be called inside a fetch handler.
 */

/** Thrown by the assertions; carries the message shown in the summary. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** One failed test: its name and why. */
export interface Failure {
  name: string;
  message: string;
}

/** What `run()` reports. */
export interface RunResult {
  passed: number;
  failed: number;
  failures: Failure[];
  /** Tests registered with {@link skip}: counted and explained, never silently passed. */
  skipped?: number;
  /** Why they were skipped (distinct reasons, in order). */
  skipReasons?: string[];
}

type TestFn = () => void | Promise<void>;

const registered: Array<{ name: string; fn: TestFn; skip?: string }> = [];

/** Registers a test. Names should be unique; a duplicate is itself reported as a failure. */
export function test(name: string, fn: TestFn): void {
  registered.push({ name, fn });
}

/** Registers a test that cannot run here; the summary line counts it and says why. */
export function skip(name: string, reason: string): void {
  registered.push({ name, fn: () => {}, skip: reason });
}

/** Runs every registered test once, in order, and reports the outcome. */
export async function run(): Promise<RunResult> {
  const result: RunResult = { passed: 0, failed: 0, failures: [], skipped: 0, skipReasons: [] };
  const seen = new Set<string>();
  for (const { name, fn, skip: reason } of registered) {
    if (seen.has(name)) {
      result.failed++;
      result.failures.push({ name, message: "duplicate test name" });
      continue;
    }
    seen.add(name);
    if (reason !== undefined) {
      result.skipped!++;
      if (!result.skipReasons!.includes(reason)) result.skipReasons!.push(reason);
      continue;
    }
    try {
      await fn();
      result.passed++;
    } catch (err) {
      result.failed++;
      result.failures.push({ name, message: describe(err) });
    }
  }
  return result;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const stack = typeof err.stack === "string" ? err.stack.split("\n").slice(1, 4).join("\n") : "";
    return `${err.name}: ${err.message}${stack ? "\n" + stack : ""}`;
  }
  return String(err);
}

/** Fails unless `value` is truthy. */
export function assert(value: unknown, message = "expected a truthy value"): asserts value {
  if (!value) throw new AssertionError(message);
}

/** Fails unless `actual` and `expected` are deeply equal (Date, Uint8Array, Map, Set, arrays, plain objects). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  const where = firstDifference(actual, expected, "value", new Set());
  if (where !== undefined) {
    throw new AssertionError(`${message ? message + ": " : ""}${where}`);
  }
}

/** Fails unless `fn` throws (optionally an instance of `ErrorClass` whose message includes `messageIncludes`). */
export function assertThrows(
  fn: () => unknown,
  ErrorClass?: abstract new (...args: never[]) => Error,
  messageIncludes?: string,
): Error {
  let thrown: unknown;
  let didThrow = false;
  try {
    fn();
  } catch (err) {
    didThrow = true;
    thrown = err;
  }
  if (!didThrow) throw new AssertionError("expected the function to throw");
  return checkError(thrown, ErrorClass, messageIncludes);
}

/** Fails unless the promise returned by `fn` rejects (optionally with `ErrorClass` / `messageIncludes`). */
export async function assertRejects(
  fn: () => Promise<unknown>,
  ErrorClass?: abstract new (...args: never[]) => Error,
  messageIncludes?: string,
): Promise<Error> {
  let thrown: unknown;
  let didThrow = false;
  try {
    await fn();
  } catch (err) {
    didThrow = true;
    thrown = err;
  }
  if (!didThrow) throw new AssertionError("expected the promise to reject");
  return checkError(thrown, ErrorClass, messageIncludes);
}

/** Fails unless `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError(message ?? `expected ${JSON.stringify(actual)} to match ${String(pattern)}`);
  }
}

function checkError(
  thrown: unknown,
  ErrorClass: (abstract new (...args: never[]) => Error) | undefined,
  messageIncludes: string | undefined,
): Error {
  if (!(thrown instanceof Error)) throw new AssertionError(`expected an Error, got ${show(thrown)}`);
  if (ErrorClass && !isInstance(thrown, ErrorClass)) {
    throw new AssertionError(`expected ${ErrorClass.name}, got ${thrown.name}: ${thrown.message}`);
  }
  if (messageIncludes !== undefined && !thrown.message.includes(messageIncludes)) {
    throw new AssertionError(`expected the message to include ${JSON.stringify(messageIncludes)}, got ${JSON.stringify(thrown.message)}`);
  }
  return thrown;
}

// Not a type guard on purpose: narrowing through an abstract constructor type yields `never`.
function isInstance(value: unknown, ErrorClass: abstract new (...args: never[]) => Error): boolean {
  return value instanceof ErrorClass;
}

/** Returns a description of the first difference, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path: string, seen: Set<unknown>): string | undefined {
  if (Object.is(a, b)) return undefined;
  const differ = `${path}: ${show(a)} !== ${show(b)}`;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return differ;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different types (${typeName(a)} vs ${typeName(b)})`;
  if (seen.has(a)) return undefined;
  seen.add(a);

  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime()) ? undefined : differ;
  if (a instanceof RegExp) return String(a) === String(b) ? undefined : differ;
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array((b as ArrayBufferView).buffer, (b as ArrayBufferView).byteOffset, (b as ArrayBufferView).byteLength);
    if (x.length !== y.length) return `${path}: byte length ${x.length} !== ${y.length}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${path}[${i}]: ${x[i]} !== ${y[i]}`;
    return undefined;
  }
  if (a instanceof ArrayBuffer) return firstDifference(new Uint8Array(a), new Uint8Array(b as ArrayBuffer), path, seen);
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return `${path}: Map size ${a.size} !== ${m.size}`;
    for (const [key, value] of a) {
      if (!m.has(key)) return `${path}: key ${show(key)} missing`;
      const d = firstDifference(value, m.get(key), `${path}.get(${show(key)})`, seen);
      if (d) return d;
    }
    return undefined;
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return `${path}: Set size ${a.size} !== ${s.size}`;
    for (const value of a) if (!s.has(value)) return `${path}: Set member ${show(value)} missing`;
    return undefined;
  }
  if (a instanceof Error) {
    const e = b as Error;
    if (a.name !== e.name || a.message !== e.message) return differ;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return `${path}: length ${a.length} !== ${(b as unknown[]).length}`;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return `${path}.${key}: present only in actual`;
  }
  for (const key of keysB) {
    if (!Object.prototype.hasOwnProperty.call(a, key)) return `${path}.${key}: present only in expected`;
  }
  for (const key of keysA) {
    const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`, seen);
    if (d) return d;
  }
  return undefined;
}

function typeName(v: object): string {
  return v.constructor?.name ?? "Object";
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? v.slice(0, 80) + "…" : v);
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? "Invalid" : v.toISOString()})`;
  if (typeof v === "object" && v !== null) {
    try {
      const json = JSON.stringify(v);
      if (json !== undefined) return json.length > 80 ? json.slice(0, 80) + "…" : json;
    } catch {
      // circular: fall through
    }
    return typeName(v);
  }
  return String(v);
}
