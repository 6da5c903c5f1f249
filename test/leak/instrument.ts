/**
 * The instrumentation both leak collectors install (test/leak/collect.ts for the Node suite,
 * test/leak/portable-collect.ts for the portable suite on every runtime): every secret that passes
 * through the client (tokens, assertions, trade-in tokens, MFA codes in; secret keys and session tokens
 * out) and everything that could leak one (console lines, every error a client call rejects with, every
 * error response of the middleware, headers and body). Web-standard only: workerd loads it too.
 */
import { HTTPException } from "hono/http-exception";
import { StsClient } from "../../src/client.ts";

/** Where a collector keeps what it records. */
export interface LeakSink {
  /** A value to look for (only strings of 8 characters or more are kept). */
  secret(value: string): void;
  /** Something to look in. */
  output(source: string, text: string): void;
  /** All a logger could print of a value (an error with its causes, an object). */
  describe(value: unknown): string;
  /** Keeps an asynchronous recording (a response body) in view until it lands. */
  track?(pending: Promise<unknown>): void;
}

const SECRET_INPUTS = ["webIdentityToken", "samlAssertion", "tradeInToken", "tokenCode"];
const METHODS = [
  "assumeRole", "assumeRoleWithSAML", "assumeRoleWithWebIdentity", "assumeRoot", "decodeAuthorizationMessage",
  "getAccessKeyInfo", "getCallerIdentity", "getDelegatedAccessToken", "getFederationToken", "getSessionToken",
  "getWebIdentityToken",
] as const;

/** Patches console, every StsClient method and HTTPException#getResponse to report to `sink`. */
export function instrument(sink: LeakSink): { secret(value: unknown): void } {
  const secret = (value: unknown) => {
    if (typeof value === "string" && value.length >= 8) sink.secret(value);
  };

  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      sink.output(`console.${level}`, args.map((a) => (typeof a === "string" ? a : sink.describe(a))).join(" "));
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
        sink.output(`StsClient.${name} rejection`, sink.describe(err));
        throw err;
      }
    };
  }

  const getResponse = HTTPException.prototype.getResponse;
  HTTPException.prototype.getResponse = function (this: HTTPException) {
    const res = getResponse.call(this);
    sink.output(`middleware ${res.status} headers`, [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n"));
    const body = res.clone().text().then((text) => sink.output(`middleware ${res.status} body`, text), () => {});
    sink.track?.(body);
    return res;
  };
  return { secret };
}
