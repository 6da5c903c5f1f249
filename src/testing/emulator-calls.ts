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

/** The log plus the emulator-side `record`. */
export interface CallLog extends StsEmulatorCalls {
  record(call: StsEmulatorCall): void;
}

/** Calls kept in the log by default: a long-running emulator (`npm run demo`) must not grow without bound. */
export const DEFAULT_MAX_LOGGED_CALLS = 1000;

/**
 * Creates an empty call log that keeps the latest `maxLogged` calls; counts stay exact (a call's
 * action is filled in after it is recorded, so counts are summed when asked: kept calls plus dropped ones).
 */
export function createCallLog(maxLogged: number = DEFAULT_MAX_LOGGED_CALLS): CallLog {
  let log: StsEmulatorCall[] = [];
  /** Calls dropped from the log, per action ("" for none). */
  let dropped = new Map<string, number>();
  let droppedTotal = 0;
  const byAction = () => {
    const out: Record<string, number> = {};
    for (const [action, n] of dropped) if (action !== "") out[action] = n;
    for (const call of log) if (call.action !== undefined) out[call.action] = (out[call.action] ?? 0) + 1;
    return out;
  };
  return {
    get total() {
      return droppedTotal + log.length;
    },
    get byAction() {
      return byAction();
    },
    get log() {
      return log;
    },
    get last() {
      return log[log.length - 1];
    },
    count(action?: string) {
      if (action === undefined) return droppedTotal + log.length;
      return (dropped.get(action) ?? 0) + log.filter((c) => c.action === action).length;
    },
    reset() {
      log = [];
      dropped = new Map();
      droppedTotal = 0;
    },
    record(call) {
      log.push(call);
      while (log.length > maxLogged) {
        const key = log.shift()!.action ?? "";
        dropped.set(key, (dropped.get(key) ?? 0) + 1);
        droppedTotal++;
      }
    },
  };
}
