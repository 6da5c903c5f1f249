/**
 * The provider tests' STS: the package's own emulator (`createStsEmulator`, with its fault injection)
 * on the test's clock, behind a fetch that can hold answers (to line concurrent callers up) and
 * records what was sent.
 */
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulatorOptions } from "../../src/testing/index.ts";

import { HOUR, T0 } from "./fake-sts.ts";

export { HOUR, T0 };

/**
 * An emulator on `clock`, trusting one local issuer whose tokens (from `mint`) stay valid for a day
 * of test time. `hold()` keeps answers back until `release()`.
 */
export async function emulatedSts(clock: { t: number }, options: StsEmulatorOptions = {}) {
  const issuer = createOidcIssuer({ audience: "sts.amazonaws.com" });
  const emulator = createStsEmulator({ issuers: [issuer], now: () => clock.t, ...options });
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  // The emulator answers (and counts the call) on arrival; a held answer is handed back on release.
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const answer = await emulator.fetch(input, init);
    if (gate) await gate;
    return answer;
  };
  return {
    emulator,
    fetch,
    /** A signed ID token for `sub`, issued at `T0`, expiring at `expSeconds` (default: 24 hours of test time later). */
    mint: (sub = "repo:acme/app:ref:refs/heads/main", expSeconds = (T0 + 24 * HOUR) / 1000) =>
      issuer.mint({ sub, iat: new Date(T0), exp: expSeconds }),
    /** Calls of `action` the emulator received (held ones included). */
    calls: (action: string) => emulator.calls.byAction[action] ?? 0,
    /** The parameters of every call of `action`, oldest first. */
    params: (action: string) => emulator.calls.log.filter((c) => c.action === action).map((c) => new Map(c.params)),
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
  };
}
