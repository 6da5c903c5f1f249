/**
 * Runs every Worker described by a `test/workerd/*.spec.ts` file inside workerd and prints
 * `workerd: N passed, M failed` (exit code 1 on any failure).
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
import { type WorkerResult, type WorkerSpec, runWorker } from "./serve.ts";

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
  try {
    const r = await runWorker(spec);
    console.log(`  workerd/${spec.name}: ${r.passed} passed, ${r.failed} failed`);
    total.passed += r.passed;
    total.failed += r.failed;
    total.failures.push(...r.failures.map((f) => ({ name: `${spec.name}: ${f.name}`, message: f.message })));
  } catch (err) {
    fail(`${spec.name}: could not run in workerd`, err);
  }
}
if (specFiles.length === 0) fail("(none)", "no test/workerd/*.spec.ts file");

console.log(`workerd: ${total.passed} passed, ${total.failed} failed`);
for (const f of total.failures) console.log(`  ✗ ${f.name}\n    ${f.message.replace(/\n/g, "\n    ")}`);
process.exitCode = total.failed > 0 ? 1 : 0;
