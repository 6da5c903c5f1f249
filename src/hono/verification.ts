/**
 * The middleware's `verify` option: each token is verified once per instance per isolate, and the
 * verdict is remembered beside the token memo (bounded the same way). A token verified before is
 * answered synchronously from the memo: no promise, no closure, no crypto on a hit.
 *
 * @module
 */
import { TokenVerificationError } from "../errors.ts";
import { tokenVerifier } from "../jwt/verify.ts";
import type { StsCredentialsOptions } from "./options.ts";
import { tokenVerdicts } from "./token.ts";
import type { InspectedToken, TokenClaims } from "./token.ts";

/** What the middleware asks of `verify`. */
export interface Verification {
  /**
   * The token's verified claims (the memoized, frozen `inspected.claims`).
   * @throws {TokenVerificationError} (possibly remembered) when the token is refused.
   * @throws {KeySetUnavailableError} when the issuer's keys cannot be had (never remembered).
   */
  claimsOf(token: string, inspected: InspectedToken): Readonly<TokenClaims> | Promise<Readonly<TokenClaims>>;
  /** What this instance trusts, as a string without secrets: part of its cache scope. */
  readonly fingerprint: string;
}

/** A decision about one token: its claims, or its refusal and until when it is replayed (ms epoch). */
interface Verdict {
  claims?: Readonly<TokenClaims>;
  error?: TokenVerificationError;
  until?: number;
}

/** How the factory runs verification. */
export interface VerificationSettings {
  toleranceSeconds: number;
  /** The request's deadline: a key-set fetch never takes longer. */
  exchangeTimeoutMs: number;
  /** The clock of `exp` and of remembered refusals (ms epoch). */
  now: () => number;
}

/**
 * Checks the `verify` option at start-up.
 * @returns `undefined` without `verify`.
 * @throws {StsConfigurationError} naming the member (`stsCredentials: verify.audience is required`, …).
 */
export function verification(options: StsCredentialsOptions, settings: VerificationSettings): Verification | undefined {
  if (options.verify === undefined) return undefined;
  const verifier = tokenVerifier(options.verify, {
    clockToleranceSeconds: settings.toleranceSeconds,
    now: options.now,
    maxTimeoutMs: settings.exchangeTimeoutMs,
    name: "stsCredentials: verify",
  });
  // A refusal is replayed like the cache's negative entries: a flood of one forged token costs one check.
  const refusalMs = (options.negativeTtlSeconds ?? 30) * 1000;
  const { now } = settings;
  const verdicts = tokenVerdicts<Verdict | Promise<Verdict>>();
  const settle = (verdict: Verdict): Readonly<TokenClaims> => {
    if (verdict.claims !== undefined) return verdict.claims;
    throw verdict.error;
  };
  return {
    fingerprint: verifier.fingerprint,
    claimsOf(token, inspected) {
      const known = verdicts.get(token);
      if (known !== undefined) {
        if (known instanceof Promise) return known.then(settle);
        if (known.claims !== undefined) return known.claims;
        if (now() < known.until!) throw known.error;
      }
      const pending: Promise<Verdict> = verifier.verify(token).then(
        () => remember({ claims: inspected.claims }),
        (err: unknown) => {
          if (!(err instanceof TokenVerificationError)) {
            if (verdicts.get(token) === pending) verdicts.delete(token);
            throw err; // the key set, not the token: asked again next time
          }
          return remember({ error: err, until: now() + refusalMs });
        },
      );
      const remember = (verdict: Verdict): Verdict => {
        if (verdicts.get(token) === pending) verdicts.set(token, verdict);
        return verdict;
      };
      verdicts.set(token, pending);
      return pending.then(settle);
    },
  };
}
