/**
 * Start-up checks of option values, one function per kind of value, each named for what it returns
 * (and in what unit). Every check throws {@link StsConfigurationError} naming the option; `name`
 * carries the owner's prefix where the message needs one (`"stsCredentials: exchangeTimeoutMs"`).
 * An option that is `undefined` takes its default.
 *
 * @module
 */
import { StsConfigurationError } from "./errors.ts";

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
 * A positive, finite number of milliseconds.
 * @returns The value or the fallback, in milliseconds.
 * @throws {StsConfigurationError} `<name> must be a positive number of milliseconds`.
 */
export function millisecondsOption(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new StsConfigurationError(`${name} must be a positive number of milliseconds`);
  }
  return value;
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
