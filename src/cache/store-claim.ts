/**
 * Coordinated misses: when the shared store can set a key only if it is absent
 * (`CredentialStore.claim`), one isolate of the fleet claims a missing entry and exchanges; the
 * others poll the store for its entry instead of exchanging too, and give up at a bound (the holder
 * crashed, STS is slow), then exchange themselves, as without coordination. Every call is bounded;
 * a claim that fails or hangs means no coordination, never a failed request.
 *
 * @module
 */
import { callHook } from "../hooks.ts";
import type { CredentialStore, StoreErrorInfo } from "./store.ts";
import { bounded, describe } from "./store-call.ts";

/** The default bound of a wait for another isolate's exchange, in ms (an STS round trip is ~50–500 ms). */
export const DEFAULT_STORE_WAIT_MS = 2000;
/** How often a waiting isolate reads the store, in ms. */
export const POLL_INTERVAL_MS = 20;
/** Polls at most (the deadline ends the wait first; this only bounds the loop). */
const MAX_POLLS = 10_000;

/** What a claim needs of the store level's access. */
export interface ClaimAccess {
  store: CredentialStore;
  timeoutMs: number;
  /** The bound of a wait, and the claim's life, in ms; 0: no coordination. */
  waitMs: number;
  onError: ((info: StoreErrorInfo) => void) | undefined;
}

/**
 * Claims an entry's exchange.
 * @returns `"holder"`: this isolate exchanges (and writes); `"waiter"`: another isolate holds the
 *   claim; `"none"`: the store cannot coordinate, or the claim failed (reported): exchange as usual.
 */
export async function claimExchange(access: ClaimAccess, claimKey: string): Promise<"holder" | "waiter" | "none"> {
  const { store } = access;
  if (typeof store.claim !== "function" || access.waitMs <= 0) return "none";
  const started = performance.now();
  const answer = await bounded(() => store.claim!(claimKey, access.waitMs), access.timeoutMs);
  if (answer.kind === "ok" && typeof answer.value === "boolean") return answer.value ? "holder" : "waiter";
  const reason = answer.kind === "ok" ? "invalid" : answer.kind;
  const extra = answer.kind === "error" ? describe(answer.error, [claimKey]) : {};
  callHook(access.onError, { operation: "claim", reason, ...extra, durationMs: performance.now() - started });
  return "none";
}

/**
 * Releases a claim (the holder's entry is written, or its exchange failed), when the store can delete:
 * a later miss then claims anew rather than waiting for an exchange that will not write. Never rejects.
 */
export async function releaseClaim(access: ClaimAccess, claimKey: string): Promise<void> {
  const { store } = access;
  if (typeof store.delete !== "function") return;
  const started = performance.now();
  const answer = await bounded(() => store.delete!(claimKey), Math.max(1000, access.timeoutMs * 20));
  if (answer.kind === "ok") return;
  const extra = answer.kind === "error" ? describe(answer.error, [claimKey]) : {};
  callHook(access.onError, { operation: "claim", reason: answer.kind, ...extra, durationMs: performance.now() - started });
}

/**
 * Polls every {@link POLL_INTERVAL_MS} until `poll` finds something, or `deadline`
 * (`performance.now()` ms) passes.
 * @param poll One bounded read (given its bound and its number): a result, `undefined` for nothing yet,
 *   or `null` to stop waiting.
 * @returns What `poll` found, or `undefined` at the deadline or on a failed read.
 */
export async function waitForEntry<T>(poll: (timeoutMs: number, round: number) => Promise<T | undefined | null>, deadline: number, readTimeoutMs: number): Promise<T | undefined> {
  for (let round = 0; round < MAX_POLLS; round++) {
    const left = deadline - performance.now();
    if (left <= 1) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, left)));
    const found = await poll(Math.max(1, Math.min(readTimeoutMs, deadline - performance.now())), round);
    if (found === null) return undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}
