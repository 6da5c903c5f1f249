/**
 * One store call as the store level makes it: bounded in time, never rejecting, and reported without
 * the key or the value.
 *
 * @module
 */
import type { StoreAccess } from "./store-level.ts";
import type { StoreErrorInfo } from "./store.ts";

const MAX_MESSAGE_CHARS = 200;
const LONG_RUN = /[A-Za-z0-9_-]{32,}/g;

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

/** Tells `onError`; a hook that throws is ignored. */
export function report(access: Pick<StoreAccess, "onError">, info: StoreErrorInfo): void {
  if (access.onError === undefined) return;
  try {
    access.onError(info);
  } catch {
    // a hook must not change the answer
  }
}
