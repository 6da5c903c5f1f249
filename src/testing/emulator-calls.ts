/**
 * The emulator's call log, so tests can assert exact attempt counts and what each call carried.
 */
import type { FormParams } from "../wire/query.ts";
import type { StsFault } from "./emulator-faults.ts";

/** One request the emulator received. */
export interface StsEmulatorCall {
  /** The `Action`, when the body had one. */
  action?: string;
  /** The HTTP status answered; `0` while pending, or when it hung or failed like a network error. */
  status: number;
  /** The STS error code answered, if any. */
  errorCode?: string;
  /** Whether the request carried an `Authorization` header. */
  signed: boolean;
  /** The access key id of the signature, when there was one. */
  accessKeyId?: string;
  /** The fault applied, if any. */
  fault?: StsFault["kind"];
  /** The decoded parameters (without Action/Version), in order. May contain tokens: never log them. */
  params: FormParams;
  /** The decoded camelCase input, before validation. */
  input: Record<string, unknown>;
  /** The request id answered. */
  requestId: string;
  /** The emulator's clock when the call arrived, epoch ms. */
  at: number;
}

/** Counts and log of the calls received. */
export interface StsEmulatorCalls {
  /** Every call received, faulted or not (exact, however many the log kept). */
  readonly total: number;
  /** Calls per action (exact). */
  readonly byAction: Readonly<Record<string, number>>;
  /** The latest calls, oldest first: at most `maxLoggedCalls` (default 1 000) are kept. */
  readonly log: readonly StsEmulatorCall[];
  /** The latest call. */
  readonly last: StsEmulatorCall | undefined;
  /** Calls of `action` (or all calls without an argument), exact. */
  count(action?: string): number;
  /** Forgets every call and resets the counts. */
  reset(): void;
}

/** The log plus the emulator-side `record` and `named`. */
export interface CallLog extends StsEmulatorCalls {
  /** A call arrived (its action is not known yet). */
  record(call: StsEmulatorCall): void;
  /** The call's action is now known (set on `call.action`). */
  named(call: StsEmulatorCall): void;
}

/** Calls kept in the log by default: a long-running emulator (`npm run demo`) must not grow without bound. */
export const DEFAULT_MAX_LOGGED_CALLS = 1000;

/** Creates an empty call log that keeps the latest `maxLogged` calls; the counts are kept apart and stay exact. */
export function createCallLog(maxLogged: number = DEFAULT_MAX_LOGGED_CALLS): CallLog {
  let log: StsEmulatorCall[] = [];
  let total = 0;
  let perAction = new Map<string, number>();
  return {
    get total() {
      return total;
    },
    get byAction() {
      return Object.fromEntries(perAction);
    },
    get log() {
      return log;
    },
    get last() {
      return log[log.length - 1];
    },
    count(action?: string) {
      return action === undefined ? total : (perAction.get(action) ?? 0);
    },
    reset() {
      log = [];
      total = 0;
      perAction = new Map();
    },
    record(call) {
      total++;
      log.push(call);
      if (log.length > maxLogged) log.shift();
    },
    named(call) {
      if (call.action !== undefined) perAction.set(call.action, (perAction.get(call.action) ?? 0) + 1);
    },
  };
}
