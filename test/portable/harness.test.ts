/** The harness itself: an assertion that cannot fail would make every other portable test worthless. */
import { AssertionError, assert, assertEquals, assertMatch, assertRejects, assertThrows, test } from "./harness.ts";

test("harness: assertEquals accepts deep-equal values", () => {
  assertEquals(
    { a: [1, "x", { b: new Date(0) }], bytes: new Uint8Array([1, 2, 3]), map: new Map([["k", { v: 1 }]]), set: new Set([1, 2]) },
    { a: [1, "x", { b: new Date(0) }], bytes: new Uint8Array([1, 2, 3]), map: new Map([["k", { v: 1 }]]), set: new Set([1, 2]) },
  );
  assertEquals(Number.NaN, Number.NaN);
});

test("harness: assertEquals rejects each kind of difference", () => {
  const cases: Array<[unknown, unknown]> = [
    [1, 2],
    ["a", "b"],
    [new Date(0), new Date(1)],
    [new Uint8Array([1, 2]), new Uint8Array([1, 3])],
    [new Uint8Array([1]), new Uint8Array([1, 0])],
    [new Map([["k", 1]]), new Map([["k", 2]])],
    [new Map([["k", 1]]), new Map([["j", 1]])],
    [new Set([1]), new Set([2])],
    [[1, 2], [1, 2, 3]],
    [{ a: 1 }, { a: 1, b: undefined }],
    [{ a: { b: 1 } }, { a: { b: "1" } }],
    [[], {}],
    [null, {}],
    [new Date(0), 0],
  ];
  for (const [a, b] of cases) {
    assertThrows(() => assertEquals(a, b), AssertionError);
  }
});

test("harness: assertThrows and assertRejects check class and message", async () => {
  class CustomError extends Error {}
  assertThrows(() => {
    throw new CustomError("boom here");
  }, CustomError, "boom");
  assertThrows(() => assertThrows(() => {}), AssertionError, "expected the function to throw");
  assertThrows(() => assertThrows(() => {
    throw new Error("x");
  }, CustomError), AssertionError, "expected CustomError");
  assertThrows(() => assertThrows(() => {
    throw new CustomError("x");
  }, CustomError, "y"), AssertionError, "to include");

  const err = await assertRejects(() => Promise.reject(new CustomError("nope")), CustomError, "nope");
  assert(err instanceof CustomError);
  await assertRejects(() => assertRejects(() => Promise.resolve(1)), AssertionError, "expected the promise to reject");
});

test("harness: assert and assertMatch", () => {
  assert(true);
  assertThrows(() => assert(0, "zero is falsy"), AssertionError, "zero is falsy");
  assertMatch("AKIA1234", /^AKIA\d+$/);
  assertThrows(() => assertMatch("abc", /^x/), AssertionError);
});
