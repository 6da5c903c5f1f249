/**
 * Runs every Worker described by a `test/workerd/*.spec.ts` file inside workerd, once per compatibility
 * profile (serve.ts: a date before Node compatibility became the default, checked from inside the Worker,
 * and a current date), and prints `workerd: N passed, M failed` (exit code 1 on any failure).
 *
 *   node --import tsx test/workerd/run.ts
 *
 * A spec file runs on Node and default-exports a WorkerSpec (see serve.ts): the Worker's entry,
 * optional text bindings, an optional `setup` that starts what the Worker talks to on 127.0.0.1,
 * and a `check` that drives the served Worker and counts what passed.
 */
import { readdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { type WorkerResult, type WorkerSpec, PROFILES, runWorker } from "./serve.ts";

const dir = import.meta.dirname;
const specFiles = readdirSync(dir).filter((f) => f.endsWith(".spec.ts")).sort();

const total: WorkerResult = { passed: 0, failed: 0, failures: [] };
const fail = (name: string, err: unknown) => {
  total.failed++;
  total.failures.push({ name, message: err instanceof Error ? err.message : String(err) });
};

for (const file of specFiles) {
  let spec: WorkerSpec;
  try {
    spec = ((await import(pathToFileURL(join(dir, file)).href)) as { default: WorkerSpec }).default;
  } catch (err) {
    fail(`${file}: could not be loaded`, err);
    continue;
  }
  for (const profile of PROFILES) {
    const label = `${spec.name} [${profile.name}: compatibility date ${profile.compatibilityDate}, no flags]`;
    try {
      const r = await runWorker(spec, profile);
      const seen = r.runtime ? `; inside: process ${r.runtime.process}, node:buffer ${r.runtime.nodeBuffer ? "loads" : "absent"}` : "";
      console.log(`  workerd/${label}: ${r.passed} passed, ${r.failed} failed${seen}`);
      total.passed += r.passed;
      total.failed += r.failed;
      total.failures.push(...r.failures.map((f) => ({ name: `${label}: ${f.name}`, message: f.message })));
    } catch (err) {
      fail(`${label}: could not run in workerd`, err);
    }
  }
}
if (specFiles.length === 0) fail("(none)", "no test/workerd/*.spec.ts file");

console.log(`workerd: ${total.passed} passed, ${total.failed} failed`);
for (const f of total.failures) console.log(`  ✗ ${f.name}\n    ${f.message.replace(/\n/g, "\n    ")}`);
process.exitCode = total.failed > 0 ? 1 : 0;
