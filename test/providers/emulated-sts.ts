/**
 * The provider tests' STS: the package's own emulator (`createStsEmulator`, with its fault injection)
 * on the test's clock, behind a fetch that can hold answers (to line concurrent callers up) and
 * records what was sent.
 */
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulatorOptions } from "../../src/testing/index.ts";

export const T0 = Date.UTC(2025, 0, 1);
export const HOUR = 3_600_000;

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
    /** A signed ID token for `sub`, valid from `T0` for 24 hours. */
    mint: (sub = "repo:acme/app:ref:refs/heads/main") =>
      issuer.mint({ sub, iat: new Date(T0), exp: new Date(T0 + 24 * HOUR) }),
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
