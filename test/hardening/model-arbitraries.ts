/**
 * fast-check arbitraries built from the STS model itself (read at run time, never copied): every
 * operation's input shape becomes an arbitrary of VALID inputs — lengths in code points, the model's
 * patterns (Java syntax, `\u10000` meaning the code point), list bounds, required members.
 */
import { readModel } from "../aws-model/load.ts";
import fc from "fast-check";
import { camelCaseMember } from "../../src/testing/index.ts";

interface ShapeRef {
  shape: string;
}
interface Shape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  member?: ShapeRef;
  members?: Record<string, ShapeRef>;
  required?: string[];
}
interface Model {
  operations: Record<string, { name: string; input?: ShapeRef; authtype?: string }>;
  shapes: Record<string, Shape>;
}

export const model: Model = readModel<Model>("service-2.json");

/** Inclusive code-point intervals. */
type Intervals = Array<[number, number]>;

/** Every Unicode scalar value (no surrogate halves: they cannot be UTF-8, so no server can receive them). */
const ANY: Intervals = [[0, 0xd7ff], [0xe000, 0x10ffff]];

/** Characters that break naive form encoders, XML writers or length counters. */
const NASTY = [..."&=+%\n\r\t ;#?/:@\"'<>\\,.-_~*!()[]{}|^`$"]
  .concat(["é", "ß", "€", "中", "😀", "𝔘", "\u2028", "\u2029", "\u00a0", "\u0085", "\ufffd", "\u{10ffff}", "\u00ff", "\u0000", "\u007f", "\u200b", "\ufeff", "ﬁ", "Ω", "İ"])
  .map((ch) => ch.codePointAt(0)!);

const intervalCache = new Map<string, Intervals>();

/** `[\u0009…\u10000-\u10FFFF]+` (Java) → the set of code points its character class accepts. */
export function charsetOf(pattern: string | undefined): Intervals {
  if (pattern === undefined) return ANY;
  const cached = intervalCache.get(pattern);
  if (cached) return cached;
  const m = /^(\[.*\])[*+]$/.exec(pattern);
  if (!m) throw new Error(`model pattern not understood by the test generator: ${pattern}`);
  const source = m[1]!
    .replace(/\\u([0-9A-Fa-f]{4,6})/g, (_, hex: string) => `\\u{${hex}}`)
    .replace(/\\:/g, ":");
  const re = new RegExp(`^${source}$`, "u");
  const out: Intervals = [];
  let start = -1;
  for (let cp = 0; cp <= 0x110000; cp++) {
    const ok = cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) && re.test(String.fromCodePoint(cp));
    if (ok && start < 0) start = cp;
    if (!ok && start >= 0) {
      out.push([start, cp - 1]);
      start = -1;
    }
  }
  intervalCache.set(pattern, out);
  return out;
}

function inSet(set: Intervals, cp: number): boolean {
  return set.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** One code point of the set: often a nasty one, often ASCII, else from a uniformly chosen interval. */
function codePointArb(set: Intervals): fc.Arbitrary<number> {
  const nasty = NASTY.filter((cp) => inSet(set, cp));
  const ascii = set.filter(([lo]) => lo < 0x80).map(([lo, hi]) => [lo, Math.min(hi, 0x7f)] as [number, number]);
  const anywhere = fc.nat(set.length - 1).chain((i) => fc.integer({ min: set[i]![0], max: set[i]![1] }));
  const choices: Array<{ weight: number; arbitrary: fc.Arbitrary<number> }> = [{ weight: 3, arbitrary: anywhere }];
  if (nasty.length > 0) choices.push({ weight: 3, arbitrary: fc.constantFrom(...nasty) });
  if (ascii.length > 0) {
    choices.push({ weight: 3, arbitrary: fc.nat(ascii.length - 1).chain((i) => fc.integer({ min: ascii[i]![0], max: ascii[i]![1] })) });
  }
  return fc.oneof(...choices);
}

/** A string of exactly `min..max` code points from `set`; long ones are a repeated chunk (cheap to shrink). */
export function stringArb(set: Intervals, min: number, max: number): fc.Arbitrary<string> {
  const cp = codePointArb(set);
  const length = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min, max: Math.min(max, min + 40) }) },
    { weight: 1, arbitrary: fc.constant(min) },
    { weight: 1, arbitrary: fc.constant(max) },
    { weight: 1, arbitrary: fc.integer({ min, max }) },
  );
  return length.chain((n) => {
    if (n === 0) return fc.constant("");
    const chunk = Math.min(n, 64);
    return fc.array(cp, { minLength: chunk, maxLength: chunk }).map((cps) => {
      const out: number[] = [];
      while (out.length < n) out.push(...cps.slice(0, n - out.length));
      return String.fromCodePoint(...out);
    });
  });
}

/** Strings with no pattern and no max get this many code points at most. */
const UNBOUNDED_MAX = 3000;
/** Lists without (or with a large) max get at most this many items, except at the boundary. */
const LIST_CAP = 4;

/** The arbitrary of valid values of a model shape. */
export function shapeArb(name: string, options: { nonEmptyStructures?: boolean } = {}): fc.Arbitrary<unknown> {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`no shape ${name}`);
  switch (shape.type) {
    case "string": {
      const min = shape.min ?? 0;
      // The model says `+` = at least one: the min is max(min, 1) then.
      const floor = shape.pattern?.endsWith("+") ? Math.max(min, 1) : min;
      return stringArb(charsetOf(shape.pattern), floor, shape.max ?? Math.max(floor + 1, UNBOUNDED_MAX));
    }
    case "integer":
    case "long":
      return fc.integer({ min: shape.min ?? -(2 ** 31), max: shape.max ?? 2 ** 31 - 1 });
    case "list": {
      const item = shapeArb(shape.member!.shape, { nonEmptyStructures: true });
      const min = shape.min ?? 0;
      const max = shape.max ?? LIST_CAP;
      return fc.oneof(
        { weight: 8, arbitrary: fc.array(item, { minLength: min, maxLength: Math.max(min, Math.min(max, LIST_CAP)) }) },
        { weight: 1, arbitrary: fc.array(item, { minLength: max, maxLength: max }) },
      );
    }
    case "structure": {
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        const key = camelCaseMember(member);
        record[key] = shapeArb(ref.shape, options);
        if (shape.required?.includes(member)) requiredKeys.push(key);
      }
      const arb = fc.record(record, { requiredKeys });
      // awsQuery cannot carry a structure with no member set (it sends nothing for it, as the AWS SDKs
      // do), so nested structures always carry at least one member.
      return options.nonEmptyStructures || name === "PolicyDescriptorType"
        ? arb.filter((value) => Object.keys(value).length > 0)
        : arb;
    }
    default:
      throw new Error(`shape type ${shape.type} (${name}) not handled by the test generator`);
  }
}

/** Every operation with its input shape's arbitrary and whether it is signed. */
export function operationsFromModel(): Array<{ action: string; signed: boolean; input: fc.Arbitrary<Record<string, unknown>> }> {
  return Object.values(model.operations).map((op) => ({
    action: op.name,
    signed: op.authtype !== "none",
    input: (op.input ? shapeArb(op.input.shape) : fc.constant({})) as fc.Arbitrary<Record<string, unknown>>,
  }));
}
