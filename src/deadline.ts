/**
 * One deadline shared by every step of a piece of work (the middleware's miss: region chooser,
 * store read, key fetch, exchange): made once, passed down, read on a monotonic clock.
 *
 * @module
 */
import { StsError } from "./errors.ts";
import type { CallDeadline } from "./types.ts";

/** A running deadline: a {@link CallDeadline} that can also bound any promise and be stopped. */
export interface Deadline extends CallDeadline {
  /** The limit it was made with, in ms. */
  readonly ms: number;
  /**
   * `work`, or a rejection with the deadline's `TimeoutError` (an {@link StsError}, not retryable)
   * once it passes, whichever comes first. `work` itself is not stopped: pass `signal` to it for that.
   */
  race<T>(work: T | PromiseLike<T>): Promise<T>;
  /** Stops the timer (the work is done); idempotent. */
  clear(): void;
}

/**
 * Starts a deadline of `ms` from now (`performance.now`, so a wall-clock step does not move it).
 * @param ms The limit, in ms (a timer's range: the caller checked it).
 * @param operation The operation named in the `TimeoutError`, e.g. `AssumeRoleWithWebIdentity`.
 * @param what What the limit is called in messages, e.g. `exchangeTimeoutMs`.
 * @returns The deadline; its `signal` aborts with a `TimeoutError` `DOMException` when it passes.
 */
export function startDeadline(ms: number, operation: string, what: string): Deadline {
  const endsAt = performance.now() + ms;
  const controller = new AbortController();
  const message = `no credentials within ${what} (${ms} ms)`;
  const waiters = new Set<() => void>();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(message, "TimeoutError"));
    for (const wake of waiters) wake();
  }, ms);
  const timeoutError = () =>
    new StsError(`${operation}: ${message}`, { code: "TimeoutError", status: 0, operation, retryable: false }, { cause: controller.signal.reason });
  return {
    ms,
    signal: controller.signal,
    remainingMs: () => Math.max(0, endsAt - performance.now()),
    race<T>(work: T | PromiseLike<T>): Promise<T> {
      if (controller.signal.aborted) return Promise.reject(timeoutError());
      return new Promise<T>((resolve, reject) => {
        const wake = () => reject(timeoutError());
        waiters.add(wake);
        Promise.resolve(work).then(resolve, reject).finally(() => waiters.delete(wake));
      });
    },
    clear: () => clearTimeout(timer),
  };
}
