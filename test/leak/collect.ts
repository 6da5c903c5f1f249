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
import { HTTPException } from "hono/http-exception";
import { StsClient } from "../../src/client.ts";

const dir = process.env.EDGE_STS_LEAK_DIR;
const file = dir ? join(dir, `${process.pid}.jsonl`) : undefined;

/** One line: a secret to look for, or an output to look in. */
type Line = { secret: string } | { source: string; text: string };

function write(record: Line): void {
  if (file) appendFileSync(file, JSON.stringify(record) + "\n");
}

const SECRET_INPUTS = ["webIdentityToken", "samlAssertion", "tradeInToken", "tokenCode"];
const METHODS = [
  "assumeRole", "assumeRoleWithSAML", "assumeRoleWithWebIdentity", "assumeRoot", "decodeAuthorizationMessage",
  "getAccessKeyInfo", "getCallerIdentity", "getDelegatedAccessToken", "getFederationToken", "getSessionToken",
  "getWebIdentityToken",
] as const;

function secret(value: unknown): void {
  if (typeof value === "string" && value.length >= 8) write({ secret: value });
}

/**
 * Records a secret the client never sees (a `storeSecret`) so the scan looks for it too. A test
 * importing this module shares the instance `--import` loaded; without `EDGE_STS_LEAK_DIR` it does nothing.
 */
export function recordSecret(value: string): void {
  secret(value);
}

if (file) {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      write({ source: `console.${level}`, text: args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 6 }))).join(" ") });
      original(...args);
    };
  }

  const proto = StsClient.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of METHODS) {
    const original = proto[name]!;
    proto[name] = async function (this: StsClient, ...args: unknown[]) {
      const input = (args[0] ?? {}) as { [key: string]: unknown };
      for (const member of SECRET_INPUTS) secret(input[member]);
      try {
        const out = (await original.apply(this, args)) as { credentials?: { secretAccessKey?: string; sessionToken?: string }; webIdentityToken?: string };
        secret(out?.credentials?.secretAccessKey);
        secret(out?.credentials?.sessionToken);
        secret(out?.webIdentityToken);
        return out;
      } catch (err) {
        // inspect() prints message, stack and the whole cause chain.
        write({ source: `StsClient.${name} rejection`, text: inspect(err, { depth: 6 }) });
        throw err;
      }
    };
  }

  const getResponse = HTTPException.prototype.getResponse;
  HTTPException.prototype.getResponse = function (this: HTTPException) {
    const res = getResponse.call(this);
    const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
    write({ source: `middleware ${res.status} headers`, text: headers });
    res.clone().text().then((body) => write({ source: `middleware ${res.status} body`, text: body }), () => {});
    return res;
  };
}
