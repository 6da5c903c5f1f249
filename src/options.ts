/**
 * Start-up checks of option values, one function per kind of value, each named for what it returns
 * (and in what unit). Every check throws {@link StsConfigurationError} naming the option; `name`
 * carries the owner's prefix where the message needs one (`"stsCredentials: exchangeTimeoutMs"`).
 * An option that is `undefined` takes its default.
 *
 * @module
 */
import { StsConfigurationError } from "./errors.ts";

/** The largest delay `setTimeout` keeps (2^31 − 1 ms, ~24.8 days): a larger one fires after ~1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** @throws {StsConfigurationError} `<name> must be at most 2147483647 ms (…)` when `ms` is beyond a timer's range. */
export function checkTimerRange(ms: number, name: string): void {
  if (ms > MAX_TIMER_MS) throw new StsConfigurationError(`${name} must be at most ${MAX_TIMER_MS} ms (2^31 − 1, the largest timer)`);
}

/**
 * A non-negative, finite number of seconds.
 * @returns The value or the fallback, in seconds.
 * @throws {StsConfigurationError} `<name> must be a non-negative number of seconds`.
 */
export function secondsOption(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new StsConfigurationError(`${name} must be a non-negative number of seconds`);
  }
  return value;
}

/**
 * A positive, finite number of milliseconds that a timer can hold (≤ 2^31 − 1).
 * @returns The value or the fallback, in milliseconds.
 * @throws {StsConfigurationError} `<name> must be a positive number of milliseconds`, or beyond a timer's range.
 */
export function millisecondsOption(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new StsConfigurationError(`${name} must be a positive number of milliseconds`);
  }
  checkTimerRange(value, name);
  return value;
}

/**
 * Whole milliseconds of at least `min` that a timer can hold (≤ 2^31 − 1): a time-out or a delay.
 * @returns The value or the fallback, in milliseconds.
 * @throws {StsConfigurationError} `<name> must be an integer >= <min>`, or beyond a timer's range.
 */
export function timerOption(value: unknown, fallback: number, min: number, name: string): number {
  const ms = integerOption(value, fallback, min, name);
  checkTimerRange(ms, name);
  return ms;
}

/**
 * An integer of at least `min` (a count, or whole milliseconds where 0 is allowed).
 * @returns The value or the fallback.
 * @throws {StsConfigurationError} `<name> must be an integer >= <min>`.
 */
export function integerOption(value: unknown, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new StsConfigurationError(`${name} must be an integer >= ${min}`);
  }
  return value as number;
}

/**
 * A required, non-empty string.
 * @throws {StsConfigurationError} `<name> must be a non-empty string`.
 */
export function stringOption(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") {
    throw new StsConfigurationError(`${name} must be a non-empty string`);
  }
  return value;
}

/**
 * An optional value that is either a string or a function returning one (called later, per use).
 * @throws {StsConfigurationError} `<name> must be a string or a function returning one`.
 */
export function sourceOption(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "string" && typeof value !== "function") {
    throw new StsConfigurationError(`${name} must be a string or a function returning one`);
  }
}

/**
 * An optional function (a hook).
 * @throws {StsConfigurationError} `<name> must be a function`.
 */
export function functionOption<F extends (...args: never[]) => unknown>(value: unknown, name: string): F | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new StsConfigurationError(`${name} must be a function`);
  }
  return value as F | undefined;
}
