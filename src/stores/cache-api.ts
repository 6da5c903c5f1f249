/**
 * `cacheApiStore`: a {@link CredentialStore} on the Cache API (`caches.default` on Workers,
 * `await caches.open(…)` on Deno and in browsers' workers).
 *
 * @module
 */
import type { CredentialStore } from "../cache/store.ts";
import { StsConfigurationError } from "../errors.ts";

/** The part of a Cache API `Cache` this adapter uses. */
export interface CacheLike {
  /** `cache.match(request)`. */
  match(request: Request): Promise<Response | undefined>;
  /** `cache.put(request, response)`. */
  put(request: Request, response: Response): Promise<unknown>;
  /** `cache.delete(request)`. */
  delete(request: Request): Promise<boolean>;
}

/** Options of {@link cacheApiStore}. */
export interface CacheApiStoreOptions {
  /** The origin of the synthetic URLs entries are cached under. @default "https://edge-sts.invalid" */
  origin?: string;
}

/**
 * A credential store on the Cache API. On Workers, `caches.default` is per data centre, free and
 * fast, but not shared between locations; an entry may be evicted at any time (a miss: one STS
 * exchange), and on `*.workers.dev` hostnames nothing is cached at all. Entries are cached under `<origin>/edge-sts/<key>` with `Cache-Control: max-age`.
 *
 * @param cache `caches.default` (Workers) or `await caches.open("edge-sts")`.
 * @param options The origin of the cache URLs.
 * @param {string} [options.origin='https://edge-sts.invalid'] An `https:` origin; on Workers, one of your zone's hostnames keeps entries in your zone's cache.
 * @returns A {@link CredentialStore}.
 * @throws {StsConfigurationError} when `cache` is not a Cache or `origin` is not an http(s) origin.
 * @example
 * ```ts
 * app.use("/api/*", stsCredentials({ roleArn, region, store: cacheApiStore(caches.default) }));
 * ```
 */
export function cacheApiStore(cache: CacheLike, options: CacheApiStoreOptions = {}): CredentialStore {
  const c = cache as Partial<CacheLike> | null;
  if (typeof c !== "object" || c === null || typeof c.match !== "function" || typeof c.put !== "function") {
    throw new StsConfigurationError("cacheApiStore: cache must be a Cache (match, put)");
  }
  const base = originOf(options.origin ?? "https://edge-sts.invalid") + "/edge-sts/";
  const request = (key: string) => new Request(base + encodeURIComponent(key));
  return {
    async get(key) {
      const response = await cache.match(request(key));
      return response === undefined ? undefined : response.text();
    },
    set(key, value, ttlSeconds) {
      const headers = { "content-type": "text/plain;charset=utf-8", "cache-control": `max-age=${Math.max(1, Math.ceil(ttlSeconds))}` };
      return cache.put(request(key), new Response(value, { headers }));
    },
    delete: (key) => cache.delete(request(key)),
  };
}

function originOf(origin: string): string {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin === "null") {
    throw new StsConfigurationError("cacheApiStore: origin must be an http(s) origin such as https://example.com");
  }
  return url.origin;
}
