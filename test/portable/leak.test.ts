/**
 * The leak scanner the portable run ends with (test/leak/portable-collect.ts) finds a planted secret in
 * every form it looks for, and the collector describes an error down its cause chain.
 */
import { findLeaks, secretForms } from "../leak/find.ts";
import { describeValue } from "../leak/portable-collect.ts";
import { assert, test } from "./harness.ts";

test("leak scanner: a planted secret is found verbatim, URL-, base64- and base64url-encoded", () => {
  const secret = `planted-${crypto.randomUUID()}+/=&`;
  const forms = secretForms(secret);
  assert(forms.length === 4, `${forms.length} forms`);
  for (const form of forms) {
    const leaks = findLeaks([secret], [{ source: "self-test", text: `before ${form} after` }]);
    assert(leaks.length === 1 && !leaks[0]!.context.includes(secret), `found in ${form}`);
  }
  assert(findLeaks([secret], [{ source: "clean", text: "nothing here" }]).length === 0, "no false positive");
});

test("leak collector: an error is described with its properties and its whole cause chain", () => {
  const inner = Object.assign(new Error("inner"), { detail: "deep-value" });
  const outer = new Error("outer", { cause: new Error("middle", { cause: inner }) });
  const text = describeValue(outer);
  for (const part of ["outer", "middle", "inner", "deep-value"]) assert(text.includes(part), `${part} in the description`);
});
