/**
 * The middleware's cache key, in one place. It is built in three steps so the hit path rebuilds
 * nothing: the instance's scope once at start-up, the exchange parameters once per resolution, and
 * the token part once per token (the joined string is then reused, keeping its hash).
 *
 * `scope(client, region) + token(token) + params(values)` is the whole key. It holds the token:
 * it stays in the isolate's memory, and the shared store only ever sees keys derived from it.
 *
 * @module
 */
import { BoundedMap } from "../cache/bounded-map.ts";
import { cacheKey } from "../cache/cache-key.ts";
import type { StsClient } from "../client.ts";

/** Keeps this middleware's entries apart from anyone else's in the shared cache. */
const NAMESPACE = "edge-sts/hono:AssumeRoleWithWebIdentity";

/**
 * The part every key of one middleware instance starts with. Never the endpoint that answered:
 * credentials from any region of the partition serve every request.
 */
export function scopeKey(client: StsClient, region: string | undefined): string {
  return cacheKey([NAMESPACE, client.cacheScope ?? client.endpoint.url, region]);
}

/**
 * The isolate cache's scope of an instance: `scope` and what the instance trusts (from
 * {@link trustKey}), so instances that trust different things never serve each other's entries.
 * The shared store's keys are derived without it ({@link storeCacheKey}): the trust id is local to
 * the isolate, while a store entry must be found by every isolate of the deployment.
 */
export function trustedScope(scope: string, trust: string): string {
  return trust === "" ? scope : scope + cacheKey([trust]);
}

/** The key a store entry is derived from: the entry's key without the isolate-local trust id. */
export function storeCacheKey(key: string, scope: string, trusted: string): string {
  return scope === trusted ? key : scope + key.slice(trusted.length);
}

/** Trust settings seen in this isolate → their short id. Bounded: an evicted one gets a new id (never a reused one). */
let trusts: BoundedMap<string> | undefined;
let functionIds: WeakMap<object, string> | undefined;
let lastId = 0;
const nextId = (): string => `t${++lastId}`;

/**
 * What an instance trusts, as a short id that holds no secret: the same id for the same `verify`
 * settings and store secret (so such instances share entries), another id for anything else. A
 * secret function is told apart by identity (its value is known per request only).
 * @param verify The verifier's fingerprint, or `undefined` without `verify`.
 * @param store `undefined` without a store; else the secret's bytes, the secret function, or `"unkeyed"`.
 * @returns `""` for an instance with neither (the scope of every instance before trust was keyed).
 */
export function trustKey(verify: string | undefined, store: Uint8Array | ((...args: never[]) => unknown) | "unkeyed" | undefined): string {
  if (verify === undefined && store === undefined) return "";
  let storePart: string;
  trusts ??= new BoundedMap<string>(256, 64 * 1024);
  functionIds ??= new WeakMap();
  if (typeof store === "function") {
    storePart = functionIds.get(store) ?? nextId();
    functionIds.set(store, storePart);
  } else if (store instanceof Uint8Array) {
    // The bytes as a string key of a map in this isolate's memory, where the option already is; the
    // id that leaves this function (into every cache key) carries nothing of them.
    storePart = "s";
    for (const byte of store) storePart += String.fromCharCode(byte);
  } else {
    storePart = store ?? "-";
  }
  const settings = `${verify ?? "-"}\u0000${storePart}`;
  let id = trusts.get(settings);
  if (id === undefined) trusts.set(settings, (id = nextId()));
  return id;
}

/** The exchange input that may depend on the request; `undefined` members are left out. */
export interface ExchangeValues {
  roleArn: string;
  roleSessionName?: string;
  durationSeconds?: number;
  policy?: string;
  policyArns?: readonly string[];
  providerId?: string;
}

/** The part that depends on the request's exchange parameters. */
export function paramsKey(params: ExchangeValues): string {
  const arns = params.policyArns === undefined ? undefined : cacheKey(params.policyArns);
  const { roleArn, roleSessionName, durationSeconds, policy, providerId } = params;
  return cacheKey([roleArn, roleSessionName, durationSeconds, policy, arns, providerId]);
}

/** The whole key: the scope, the token, the parameters. */
export function entryKey(scope: string, token: string, params: string): string {
  return scope + cacheKey([token]) + params;
}
