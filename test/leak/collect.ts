/**
 * Loaded with `--import` into every process of the Node suite (scripts/test.mjs): records, across the
 * whole suite, the secrets that pass through the client (bearer/web identity tokens, SAML assertions,
 * trade-in tokens, secret keys, session tokens) and what could leak them (every console line, every
 * error a client call rejects with — message, stack and causes — and every error response the
 * middleware produces, headers and body). scripts/test.mjs then scans all of it: test/leak/scan.ts.
 * Records are appended as JSON lines to `$EDGE_STS_LEAK_DIR/<pid>.jsonl`; without that variable this
 * module does nothing.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { instrument } from "./instrument.ts";

const dir = process.env.EDGE_STS_LEAK_DIR;
const file = dir ? join(dir, `${process.pid}.jsonl`) : undefined;

/** One line: a secret to look for, or an output to look in. */
type Line = { secret: string } | { source: string; text: string };

function write(record: Line): void {
  if (file) appendFileSync(file, JSON.stringify(record) + "\n");
}

const sink = file
  ? instrument({
    secret: (value) => write({ secret: value }),
    output: (source, text) => write({ source, text }),
    // inspect() prints message, stack and the whole cause chain.
    describe: (value) => inspect(value, { depth: 6 }),
  })
  : undefined;

/**
 * Records a secret the client never sees (a `storeSecret`) so the scan looks for it too. A test
 * importing this module shares the instance `--import` loaded; without `EDGE_STS_LEAK_DIR` it does nothing.
 */
export function recordSecret(value: string): void {
  sink?.secret(value);
}
