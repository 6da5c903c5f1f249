/**
 * The leak check for the portable suite, on whichever runtime runs it (Node, Deno, Bun, workerd).
 * Web-standard only: no `node:` imports, nothing but patching at module scope (workerd allows that).
 *
 * Imported before the tests by test/portable/run.ts and test/workerd/portable-worker.ts, it records in memory what test/leak/collect.ts
 * records for the Node suite: the secrets that pass through the client (tokens, assertions, trade-in
 * tokens, MFA codes in, secret keys and session tokens out) and what could leak them (console lines,
 * every error a client call rejects with — message, stack, every property, the cause chain — and every
 * error response the middleware produces). `leakCheck()` then scans them with test/leak/find.ts.
 */
import type { RunResult } from "../portable/harness.ts";
import { findLeaks } from "./find.ts";
import { instrument } from "./instrument.ts";
import type { Leak } from "./find.ts";

const secrets = new Set<string>();
const outputs: Array<{ source: string; text: string }> = [];
const pending: Promise<unknown>[] = [];

/** The runtime's own inspector where there is one (Deno.inspect, Bun.inspect), for what a logger would print. */
const runtimeInspect: ((value: unknown) => string) | undefined = (() => {
  const g = globalThis as { Deno?: { inspect?: (v: unknown, o?: object) => string }; Bun?: { inspect?: (v: unknown, o?: object) => string } };
  const inspect = g.Deno?.inspect ?? g.Bun?.inspect;
  return inspect ? (value) => inspect(value, { depth: 6 }) : undefined;
})();

/** Message, stack and every own property, down the cause chain: all a logger could print of an error. */
export function describeValue(value: unknown, depth = 0, seen = new Set<object>()): string {
  if (typeof value !== "object" || value === null) return String(value);
  if (seen.has(value) || depth > 6) return "[seen]";
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(`${value.name}: ${value.message}`, value.stack ?? "");
  for (const key of Object.getOwnPropertyNames(value)) {
    let member: unknown;
    try {
      member = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    parts.push(`${key}: ${describeValue(member, depth + 1, seen)}`);
  }
  return parts.join("\n");
}

function describe(value: unknown): string {
  return describeValue(value) + (runtimeInspect ? "\n" + runtimeInspect(value) : "");
}

instrument({
  secret: (value) => void secrets.add(value),
  output: (source, text) => void outputs.push({ source, text }),
  describe,
  track: (recording) => void pending.push(recording),
});

/** What the scan found, and how much it looked at. */
export interface LeakCheck {
  secrets: number;
  outputs: number;
  leaks: Leak[];
}

/** Scans everything recorded so far. Call it after the suite has run. */
export async function leakCheck(): Promise<LeakCheck> {
  await Promise.all(pending);
  return { secrets: secrets.size, outputs: outputs.length, leaks: findLeaks(secrets, outputs) };
}

/** Adds the leak check to a suite's result as one more test (failed when it finds a leak, or recorded nothing). */
export async function withLeakCheck(result: RunResult, runtime: string): Promise<RunResult> {
  const check = await leakCheck();
  console.log(`leak-check (${runtime}): ${check.secrets} secrets, ${check.outputs} outputs scanned`);
  if (check.leaks.length === 0 && check.secrets > 0 && check.outputs > 0) return { ...result, passed: result.passed + 1 };
  const found = check.leaks.slice(0, 10).map((l) => `${l.source}: a secret (${l.secretLength} chars, starts ${JSON.stringify(l.secretStart)}) in …${JSON.stringify(l.context)}…`);
  const message = found.join("\n") || `nothing recorded (${check.secrets} secrets, ${check.outputs} outputs): the collector did not run`;
  return { ...result, failed: result.failed + 1, failures: [...result.failures, { name: "leak check (whole portable suite)", message }] };
}
