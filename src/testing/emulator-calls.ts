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
  /** Every call received, faulted or not. */
  readonly total: number;
  /** Calls per action. */
  readonly byAction: Readonly<Record<string, number>>;
  /** Every call, oldest first. */
  readonly log: readonly StsEmulatorCall[];
  /** The latest call. */
  readonly last: StsEmulatorCall | undefined;
  /** Calls of `action` (or all calls without an argument). */
  count(action?: string): number;
  /** Forgets every call. */
  reset(): void;
}

/** The log plus the emulator-side `record`. */
export interface CallLog extends StsEmulatorCalls {
  record(call: StsEmulatorCall): void;
}

/** Creates an empty call log. */
export function createCallLog(): CallLog {
  let log: StsEmulatorCall[] = [];
  const count = (action?: string) => (action === undefined ? log.length : log.filter((c) => c.action === action).length);
  return {
    get total() {
      return log.length;
    },
    get byAction() {
      const out: Record<string, number> = {};
      for (const call of log) if (call.action !== undefined) out[call.action] = (out[call.action] ?? 0) + 1;
      return out;
    },
    get log() {
      return log;
    },
    get last() {
      return log[log.length - 1];
    },
    count,
    reset() {
      log = [];
    },
    record(call) {
      log.push(call);
    },
  };
}
