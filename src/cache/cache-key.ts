/**
 * Cache keys: plain strings, joined without hashing so the hit path stays a Map lookup.
 *
 * @module
 */

/**
 * Joins key parts unambiguously and cheaply (no hashing): each string is length-prefixed, numbers and
 * `undefined` are tagged, so `["a:b", "c"]`, `["a", "b:c"]`, `["1"]` and `[1]` give different keys.
 *
 * @param parts Everything that changes the cached value (token, role, session name, policy, region, …).
 * @returns A key for {@link CredentialCache.get}. It may contain secrets: keep it in memory, never log it.
 * @example
 * ```ts
 * cacheKey(["awwi", token, roleArn, durationSeconds, policy]); // "s4:awwi|s…"
 * ```
 */
export function cacheKey(parts: readonly (string | number | undefined)[]): string {
  let key = "";
  for (const part of parts) {
    if (part === undefined) key += "u|";
    else if (typeof part === "number") key += "n" + part + "|";
    else key += "s" + part.length + ":" + part + "|";
  }
  return key;
}
