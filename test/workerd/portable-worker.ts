/**
 * The portable suite as a Worker: every test runs inside the fetch handler (workerd forbids
 * timers, randomness and crypto at global scope, and Date.now() only moves on I/O).
 */
// First: it instruments the client and the middleware before any test runs (the leak check).
import { withLeakCheck } from "../leak/portable-collect.ts";
import "../portable/index.ts";
import { run } from "../portable/harness.ts";

export default {
  async fetch(): Promise<Response> {
    const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "";
    try {
      return Response.json({ ...(await withLeakCheck(await run(), "workerd")), userAgent });
    } catch (err) {
      return Response.json({ passed: 0, failed: 1, failures: [{ name: "(harness)", message: String(err) }], userAgent });
    }
  },
};
