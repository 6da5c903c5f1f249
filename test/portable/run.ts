/**
 * Runs the portable suite on whichever runtime loads it and prints `<runtime>: N passed, M failed`.
 *
 *   node --import tsx test/portable/run.ts
 *   deno run -A test/portable/run.ts
 *   bun test/portable/run.ts
 *
 * (workerd runs the same suite through test/workerd/portable-worker.ts.)
 * No `node:` imports: the exit code is set through whatever the runtime offers on globalThis.
 */
// First: it instruments the client and the middleware before any test runs (the leak check).
import { withLeakCheck } from "../leak/portable-collect.ts";
import "./index.ts";
import { run, type RunResult } from "./harness.ts";

/** Which runtime is executing this file. */
export function runtimeName(): "deno" | "bun" | "workerd" | "node" {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.Deno === "object" && g.Deno !== null) return "deno";
  if (typeof g.Bun === "object" && g.Bun !== null) return "bun";
  const ua = (g.navigator as { userAgent?: string } | undefined)?.userAgent ?? "";
  if (ua.includes("Cloudflare-Workers")) return "workerd";
  return "node";
}

/** The summary lines for a result: one `<runtime>: …` line, then each failure. */
export function formatResult(runtime: string, result: RunResult): string[] {
  const skipped = result.skipped ? `, ${result.skipped} skipped: ${result.skipReasons!.join("; ")}` : "";
  const lines = [`${runtime}: ${result.passed} passed, ${result.failed} failed${skipped}`];
  for (const f of result.failures) lines.push(`  ✗ ${f.name}\n    ${f.message.replace(/\n/g, "\n    ")}`);
  return lines;
}

function setExitCode(code: number): void {
  const g = globalThis as Record<string, any>;
  if (g.Deno?.exit) g.Deno.exit(code);
  else if (g.process) g.process.exitCode = code;
}

const runtime = runtimeName();
let result: RunResult;
try {
  result = await run();
} catch (err) {
  result = { passed: 0, failed: 1, failures: [{ name: "(harness)", message: String(err) }] };
}
// The leak check counts as one more test: no secret in any output of the whole portable run.
result = await withLeakCheck(result, runtime);
for (const line of formatResult(runtime, result)) console.log(line);
setExitCode(result.failed > 0 ? 1 : 0);
