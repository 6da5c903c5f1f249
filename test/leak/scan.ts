/**
 * Reads what test/leak/collect.ts recorded across the Node suite and reports every output that
 * contains a recorded secret (verbatim, URL-encoded, or base64/base64url-encoded). Prints
 * `leak-check: 1 passed, 0 failed` (the whole scan is one check) for scripts/test.mjs to count.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: scan.ts <leak dir>");

const secrets = new Set<string>();
const outputs: Array<{ source: string; text: string }> = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
  for (const line of readFileSync(join(dir, name), "utf8").split("\n")) {
    if (line === "") continue;
    const record = JSON.parse(line) as { secret?: string; source?: string; text?: string };
    if (record.secret !== undefined) secrets.add(record.secret);
    else outputs.push({ source: record.source!, text: record.text! });
  }
}

function forms(s: string): string[] {
  const out = [s];
  try {
    out.push(encodeURIComponent(s));
  } catch {
    // a lone surrogate (a validation test's input) has no URL form
  }
  let binary = "";
  for (const byte of new TextEncoder().encode(s)) binary += String.fromCharCode(byte);
  const b64 = btoa(binary);
  out.push(b64, b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  return out;
}
const needles = [...secrets].flatMap((s) => forms(s).map((form) => ({ form, secret: s })));

let failed = 0;
for (const { source, text } of outputs) {
  const hit = needles.find(({ form }) => text.includes(form));
  if (hit) {
    failed++;
    if (failed <= 20) {
      const at = text.indexOf(hit.form);
      const context = (text.slice(Math.max(0, at - 80), at) + "[SECRET]" + text.slice(at + hit.form.length, at + hit.form.length + 80));
      console.log(`LEAK in ${source}: a recorded secret (${hit.secret.length} chars, starts ${JSON.stringify(hit.secret.slice(0, 4))}) appears in: …${JSON.stringify(context)}…`);
    }
  }
}
if (secrets.size === 0 || outputs.length === 0) {
  console.log(`leak-check: nothing recorded (${secrets.size} secrets, ${outputs.length} outputs) — the collector did not run`);
  failed++;
}
console.log(`leak-check: ${secrets.size} secrets across the Node suite, ${outputs.length} outputs scanned (console lines, client rejections with causes, middleware error responses)`);
console.log(`leak-check: ${failed === 0 ? 1 : 0} passed, ${failed === 0 ? 0 : 1} failed`);
process.exitCode = failed === 0 ? 0 : 1;
