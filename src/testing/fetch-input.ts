/**
 * The argument rule shared by the emulator's and the issuer's `fetch`: callable like the standard
 * fetch (`fetch(url, init)`, `fetch(request)`, `fetch(request, init)`) and as a server's handler,
 * which passes its own context second (Deno's `info`, Bun's `server`, workerd's `env`, …).
 */

/** The members of a `RequestInit`. */
const REQUEST_INIT_KEYS: ReadonlySet<string> = new Set([
  "body", "cache", "credentials", "duplex", "headers", "integrity", "keepalive", "method", "mode",
  "priority", "redirect", "referrer", "referrerPolicy", "signal", "window",
]);

/**
 * The request a fetch call describes. With a URL, `init` is the `RequestInit`. With a `Request`,
 * `init` is applied only when it looks like one (a non-empty object whose every own key is a
 * `RequestInit` member); anything else is a server's context and is ignored.
 */
export function requestOf(input: Request | string | URL, init?: unknown): Request {
  if (!(input instanceof Request)) return new Request(input, init as RequestInit | undefined);
  return isRequestInit(init) ? new Request(input, init) : input;
}

function isRequestInit(value: unknown): value is RequestInit {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => REQUEST_INIT_KEYS.has(key));
}
