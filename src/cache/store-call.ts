/**
 * One store call as the store level makes it: bounded in time, never rejecting, and reported without
 * the key or the value.
 *
 * @module
 */

const MAX_MESSAGE_CHARS = 200;
const LONG_RUN = /[A-Za-z0-9_-]{32,}/g;
/** Reads that failed or timed out in a row after which a store is taken for down. */
const FAILURES_TO_PAUSE = 3;
/** How long a store taken for down is left alone: misses go straight to STS instead of waiting out its time-out. */
export const PAUSE_MS = 5000;
/**
 * Per health key (the store object, or the middleware's key for a store function): failed reads in a
 * row, until when it is paused (ms, the store level's clock), and whether the probe after a pause is
 * in flight. Times are on the store level's health clock (monotonic unless a test injects one).
 */
interface Health {
  failures: number;
  pausedUntil: number;
  /** Set while the one read after a pause runs: every other miss skips the store meanwhile. */
  probing: boolean;
}
const health = new WeakMap<object, Health>();

/** Whether reads and writes are skipped now: recent reads all failed, or the probe after a pause is still running. */
export function paused(key: object, now: number): boolean {
  const h = health.get(key);
  return h !== undefined && (now < h.pausedUntil || h.probing);
}

/**
 * Asks to read now, right before the read. After a pause, the first caller is the probe (it must
 * then call {@link recordRead}); everyone else is refused until the probe has ended.
 * @returns `"read"` or `"probe"` when the read may go ahead (pass it to {@link recordRead}), `undefined` when not.
 */
export function admitRead(key: object, now: number): "read" | "probe" | undefined {
  const h = health.get(key);
  if (h === undefined || h.pausedUntil === -Infinity) return "read"; // not paused since the last success
  if (now < h.pausedUntil || h.probing) return undefined;
  h.probing = true;
  return "probe";
}

/**
 * Records how a read ended. After {@link FAILURES_TO_PAUSE} failures in a row the store is paused
 * for {@link PAUSE_MS}; the one read admitted after that is a probe: success ends the pause for
 * good, one more failure pauses it again.
 * @returns Whether this failure paused the store.
 */
export function recordRead(key: object, ok: boolean, now: number, admitted: "read" | "probe"): boolean {
  let h = health.get(key);
  if (ok) {
    if (h !== undefined) Object.assign(h, { failures: 0, pausedUntil: -Infinity, probing: false });
    return false;
  }
  if (h === undefined) health.set(key, (h = { failures: 0, pausedUntil: -Infinity, probing: false }));
  // Only the probe ends the probe: a read admitted before the pause may still be answering late.
  if (admitted === "probe") h.probing = false;
  if (++h.failures < FAILURES_TO_PAUSE) return false;
  h.failures = FAILURES_TO_PAUSE - 1;
  h.pausedUntil = now + PAUSE_MS;
  return true;
}

/** How a bounded store call ended. */
export type Answer = { kind: "ok"; value: unknown } | { kind: "error"; error: unknown } | { kind: "timeout" };

/** Runs a store call with a time limit; never rejects. A late answer or failure is dropped. */
export function bounded(call: () => unknown, timeoutMs: number): Promise<Answer> {
  let pending: Promise<unknown>;
  try {
    pending = Promise.resolve(call());
  } catch (error) {
    return Promise.resolve({ kind: "error", error });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs);
  });
  const settled = pending.then(
    (value): Answer => ({ kind: "ok", value }),
    (error): Answer => ({ kind: "error", error }),
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The error's name and message, with the key and the value cut out, and any long base64url run too
 * (a fragment of either, e.g. a client that quotes the first 100 bytes of a value it refused).
 */
export function describe(error: unknown, cut: string[]): { errorName: string; message?: string } {
  let errorName: string;
  let message: unknown;
  // A hostile error (getters that throw, a revoked Proxy) is still only a failed store call.
  try {
    const isError = error instanceof Error;
    const name: unknown = isError ? error.name : typeof error;
    errorName = typeof name === "string" ? name : "Error";
    message = isError ? error.message : typeof error === "string" ? error : undefined;
  } catch {
    return { errorName: "unreadable error" };
  }
  if (typeof message !== "string") return { errorName };
  let text = message;
  for (const part of cut) if (part !== "") text = text.split(part).join("…");
  text = text.replace(LONG_RUN, "…");
  return { errorName, message: text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) + "…" : text };
}
