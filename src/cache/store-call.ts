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
/** Per store object: failed reads in a row, and until when it is paused (ms, the store level's clock). */
const health = new WeakMap<object, { failures: number; pausedUntil: number }>();

/** Whether reads and writes of `store` are skipped now (recent reads all failed). */
export function paused(store: object, now: number): boolean {
  const h = health.get(store);
  return h !== undefined && now < h.pausedUntil;
}

/**
 * Records how a read ended. After {@link FAILURES_TO_PAUSE} failures in a row the store is paused
 * for {@link PAUSE_MS}; the first read after that is a probe: one more failure pauses it again.
 * @returns Whether this failure paused the store.
 */
export function recordRead(store: object, ok: boolean, now: number): boolean {
  let h = health.get(store);
  if (ok) {
    if (h !== undefined) h.failures = 0;
    return false;
  }
  if (h === undefined) health.set(store, (h = { failures: 0, pausedUntil: -Infinity }));
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
  const errorName = error instanceof Error ? error.name : typeof error;
  let message = error instanceof Error ? error.message : typeof error === "string" ? error : undefined;
  if (typeof message !== "string") return { errorName };
  for (const text of cut) if (text !== "") message = message.split(text).join("…");
  message = message.replace(LONG_RUN, "…");
  return { errorName, message: message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) + "…" : message };
}
