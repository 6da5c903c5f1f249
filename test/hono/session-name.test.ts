/** The default session name: the token's `sub`, mapped into STS's `[\w+=,.@-]{2,64}`. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { sessionNameFor } from "../../src/hono/index.ts";

const PATTERN = /^[\w+=,.@-]{2,64}$/;

test("a subject that fits is used as is", async () => {
  for (const sub of ["alice", "alice@example.com", "248289761001", "a.b-c_d+e=f,g@h", "x".repeat(64), "ab"]) {
    assert.equal(await sessionNameFor(sub), sub);
  }
});

test("a subject that does not fit gets a readable form and a 20-hex-digit digest", async () => {
  assert.match(await sessionNameFor("auth0|5f7c8ec7c33c6c004bbafe82"), /^auth0-5f7c8ec7c33c6c004bbafe82-[0-9a-f]{20}$/);
  assert.match(await sessionNameFor("Jürgen Müller"), /^Jurgen-Muller-[0-9a-f]{20}$/);
  assert.match(await sessionNameFor("a"), /^a-[0-9a-f]{20}$/, "too short");
  assert.match(await sessionNameFor("日本語"), /^[0-9a-f]{20}$/, "nothing readable left");
  const long = await sessionNameFor("y".repeat(65));
  assert.equal(long.length, 64);
  assert.match(long, /^y{43}-[0-9a-f]{20}$/);
});

test("a subject shaped like another subject's mapped name is mapped too, so the two never share a name", async () => {
  for (const victim of ["auth0|alice", "日本", "a"]) {
    const mapped = await sessionNameFor(victim);
    const impostor = await sessionNameFor(mapped);
    assert.notEqual(impostor, mapped, `${JSON.stringify(mapped)} as a subject must not keep its name`);
    assert.match(impostor, PATTERN);
    assert.match(impostor, /-[0-9a-f]{20}$/);
  }
  assert.equal(await sessionNameFor("build-0123456789abcdef0123x"), "build-0123456789abcdef0123x", "only the exact mapped shape is remapped");
});

test("the mapping is deterministic, always matches the pattern, and never maps two subjects to one name", async () => {
  const subject = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: "grapheme", maxLength: 80 }), fc.constantFrom("a|b", "a-b", "a b", "a/b"));
  await fc.assert(
    fc.asyncProperty(subject, subject, async (a, b) => {
      const [na, nb] = [await sessionNameFor(a), await sessionNameFor(b)];
      assert.match(na, PATTERN);
      assert.equal(await sessionNameFor(a), na);
      if (a !== b) assert.notEqual(na, nb);
    }),
    { numRuns: 500 },
  );
});

test("subjects that differ only in characters the pattern forbids still get different names", async () => {
  const names = await Promise.all(["a|b", "a b", "a/b", "a:b", "a%b", "a-b"].map(sessionNameFor));
  assert.equal(new Set(names).size, names.length);
  assert.equal(names.at(-1), "a-b", "the one that fits keeps its name");
});
