/**
 * Fault injection: queue faults for the next N calls (optionally only calls of one action).
 */
import { EmulatorError } from "./emulator-responses.ts";

/** A fault the emulator can answer with instead of (or on top of) the real answer. */
export type StsFault =
  /** 400 `Throttling` "Rate exceeded", as STS throttles. */
  | { kind: "throttling"; retryAfterSeconds?: number }
  /** 429 `TooManyRequestsException`, with `Retry-After` when given. */
  | { kind: "too-many-requests"; retryAfterSeconds?: number }
  /** 500 `InternalFailure` or 503 `ServiceUnavailable` (Receiver), with an STS error body. */
  | { kind: "server-error"; status?: 500 | 503; retryAfterSeconds?: number }
  /** 400 `IDPCommunicationError`. */
  | { kind: "idp-communication-error" }
  /** An HTML error page from a proxy (default 502, `text/html`). */
  | { kind: "html"; status?: number }
  /** An empty body (default status 500). */
  | { kind: "empty"; status?: number }
  /** Status 200 with the real answer's XML cut off halfway. */
  | { kind: "truncated" }
  /** Never answers; rejects with the abort reason when the request's signal aborts. */
  | { kind: "hang" }
  /** Rejects like fetch does when the network fails (`TypeError`). */
  | { kind: "network-error" }
  /** Handles the call normally but with the emulator's clock moved by `offsetMs`. */
  | { kind: "clock-skew"; offsetMs: number }
  /** Any STS error. */
  | { kind: "error"; status: number; code: string; message?: string; type?: "Sender" | "Receiver"; headers?: Record<string, string> };

/** Which calls a queued fault applies to. */
export interface StsFaultFilter {
  /** Only calls of this action (others pass through and do not use the fault up). */
  action?: string;
}

/** The fault queue of an emulator. */
export interface StsEmulatorFaults {
  /**
   * Makes the next `count` matching calls answer with `fault`. Queued faults apply in order.
   * @param count How many calls (≥ 1).
   * @param fault The fault.
   * @param filter Optional `{ action }`.
   */
  next(count: number, fault: StsFault, filter?: StsFaultFilter): void;
  /** Drops every queued fault. */
  clear(): void;
  /** How many calls are still to be faulted. */
  readonly pending: number;
}

interface QueuedFault {
  remaining: number;
  fault: StsFault;
  action?: string;
}

/** The queue plus the emulator-side `take`. */
export interface FaultQueue extends StsEmulatorFaults {
  /** Takes the fault for a call of `action`, if one is queued. */
  take(action: string | undefined): StsFault | undefined;
}

/** Creates an empty fault queue. */
export function createFaultQueue(): FaultQueue {
  let queue: QueuedFault[] = [];
  return {
    next(count, fault, filter) {
      if (!Number.isInteger(count) || count < 1) throw new Error("faults.next: count must be a positive integer");
      queue.push({ remaining: count, fault, action: filter?.action });
    },
    clear() {
      queue = [];
    },
    get pending() {
      return queue.reduce((n, q) => n + q.remaining, 0);
    },
    take(action) {
      const entry = queue.find((q) => q.action === undefined || q.action === action);
      if (!entry) return undefined;
      if (--entry.remaining === 0) queue = queue.filter((q) => q !== entry);
      return entry.fault;
    },
  };
}

/** The STS error a fault stands for (throttling, 5xx, custom), or undefined for the other kinds. */
export function faultError(fault: StsFault): EmulatorError | undefined {
  const retryAfter = "retryAfterSeconds" in fault && fault.retryAfterSeconds !== undefined
    ? { "retry-after": String(fault.retryAfterSeconds) }
    : undefined;
  switch (fault.kind) {
    case "throttling":
      return new EmulatorError("Throttling", 400, "Rate exceeded", "Sender", retryAfter);
    case "too-many-requests":
      return new EmulatorError("TooManyRequestsException", 429, "Too many requests", "Sender", retryAfter);
    case "server-error":
      return fault.status === 503
        ? new EmulatorError("ServiceUnavailable", 503, "Service is unable to handle request.", "Receiver", retryAfter)
        : new EmulatorError("InternalFailure", 500, "The request processing has failed because of an unknown error.", "Receiver", retryAfter);
    case "idp-communication-error":
      return new EmulatorError("IDPCommunicationError", 400, "The identity provider could not be reached. Try again.");
    case "error":
      return new EmulatorError(fault.code, fault.status, fault.message ?? fault.code, fault.type ?? "Sender", fault.headers);
    default:
      return undefined;
  }
}

/** The HTML page a proxy answers with. */
export function htmlPage(status: number): Response {
  const body = `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n`;
  return new Response(body, { status, headers: { "content-type": "text/html" } });
}

/** A promise that settles only when `signal` aborts (with its reason). */
export function hangUntilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
