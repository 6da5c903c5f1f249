/**
 * The guard every observability hook is called through (`onExchange`, `onCacheHit`, `onStoreError`):
 * a hook that throws must not turn a served request into a failed one, nor a store failure into a
 * thrown one.
 *
 * @module
 */

/**
 * Calls `hook` with `info` when there is a hook; anything it throws is dropped.
 * @param hook The user's hook, or `undefined`.
 * @param info What the hook is told (never a token, a key or a secret: the caller builds it so).
 */
export function callHook<T>(hook: ((info: T) => void) | undefined, info: T): void {
  if (hook === undefined) return;
  try {
    hook(info);
  } catch {
    // ignored on purpose: observability must not change the answer
  }
}
