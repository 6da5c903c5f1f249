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
