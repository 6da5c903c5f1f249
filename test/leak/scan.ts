/**
 * Reads what test/leak/collect.ts recorded across the Node suite and reports every output that
 * contains a recorded secret (verbatim, URL-encoded, or base64/base64url-encoded). Prints
 * `leak-check: 1 passed, 0 failed` (the whole scan is one check) for scripts/test.mjs to count.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findLeaks } from "./find.ts";

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

const leaks = findLeaks(secrets, outputs);
let failed = leaks.length;
for (const leak of leaks.slice(0, 20)) {
  console.log(`LEAK in ${leak.source}: a recorded secret (${leak.secretLength} chars, starts ${JSON.stringify(leak.secretStart)}) appears in: …${JSON.stringify(leak.context)}…`);
}
if (secrets.size === 0 || outputs.length === 0) {
  console.log(`leak-check: nothing recorded (${secrets.size} secrets, ${outputs.length} outputs) — the collector did not run`);
  failed++;
}
console.log(`leak-check: ${secrets.size} secrets across the Node suite, ${outputs.length} outputs scanned (console lines, client rejections with causes, middleware error responses)`);
console.log(`leak-check: ${failed === 0 ? 1 : 0} passed, ${failed === 0 ? 0 : 1} failed`);
process.exitCode = failed === 0 ? 0 : 1;
