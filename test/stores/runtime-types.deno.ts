/// <reference lib="deno.unstable" />
/**
 * Type test, checked by `deno check` in `npm test`'s typecheck step (never executed): the adapters take
 * Deno's own `Deno.Kv` and `Cache` as they are, with no cast.
 */
import { cacheApiStore, denoKvStore } from "../../src/stores/index.ts";
import type { CredentialStore } from "../../src/index.ts";

export async function stores(): Promise<CredentialStore[]> {
  const kv: Deno.Kv = await Deno.openKv();
  const cache: Cache = await caches.open("edge-sts");
  return [denoKvStore(kv), denoKvStore(kv, { prefix: ["app", 1n, true] }), cacheApiStore(cache, { origin: "https://example.com" })];
}
