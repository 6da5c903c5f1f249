/**
 * The public types of `edge-sts/hono`: what the handler gets, what the hooks see.
 *
 * @module
 */
import type { AwsClient } from "aws4fetch";
import type { Context, Env } from "hono";
import type { AssumedRoleUser } from "../operations/shapes.ts";
import type { TemporaryCredentials } from "../types.ts";
import type { TokenClaims } from "./token.ts";

/** What STS says about the session: who assumed which role, on whose token. Frozen. */
export interface StsIdentity {
  /** The assumed-role id (`AROA…:session`) and ARN (`arn:aws:sts::…:assumed-role/role/session`). */
  readonly assumedRoleUser: Readonly<AssumedRoleUser>;
  /** The token's `sub` as STS read it. */
  readonly subjectFromWebIdentityToken: string;
  /** The token's audience (`aud`, or `azp` when present). */
  readonly audience?: string;
  /** The issuer (`iss`), or the `providerId` for OAuth providers. */
  readonly provider?: string;
  /** The token's source identity, when it carries one. */
  readonly sourceIdentity?: string;
  /** When the credentials stop working. */
  readonly expiration: Date;
}

/**
 * The variables the middleware sets, for `new Hono<{ Variables: StsVariables }>()`.
 * With `optional: true`, a request without a token reaches the handler with none of them set.
 */
export interface StsVariables {
  /** Temporary credentials for the role. Frozen; shared by the requests that share them. */
  awsCredentials: Readonly<TemporaryCredentials>;
  /** The assumed-role user and the token's subject, audience and provider. */
  stsIdentity: StsIdentity;
  /** An aws4fetch client for these credentials: one instance per credentials, so its signing-key cache is reused. */
  aws: AwsClient;
}

/**
 * The variable the middleware adds with `verify`: the token's verified claims, under the name hono's
 * `jwt` and `jwk` middlewares use, so handlers written for them move over unchanged. Deeply frozen.
 */
export interface VerifiedVariables {
  /** The verified payload of the caller's token (`iss`, `sub`, `aud`, `exp`, … and every other claim). */
  jwtPayload: Readonly<TokenClaims>;
}

/** The cached value: everything a request needs, built once per STS exchange. */
export interface StsSession {
  /** The credentials (frozen). */
  readonly credentials: Readonly<TemporaryCredentials>;
  /** The identity (frozen). */
  readonly identity: StsIdentity;
  /** The aws4fetch client for the credentials. */
  readonly aws: AwsClient;
  /** When the credentials expire; the cache reads it. */
  readonly expiration: Date;
}

/** A value, or a function of the request and the token's claims (verified with `verify`; otherwise as decoded) that returns it. */
export type PerRequest<T, E extends Env = any> =
  | T
  | ((c: Context<E>, claims: Readonly<TokenClaims>) => T | null | undefined | Promise<T | null | undefined>);

/** Told about every STS exchange: a request's miss, or a background refresh. Never carries the token. */
export interface StsExchangeInfo {
  /** The STS action. */
  operation: "AssumeRoleWithWebIdentity";
  /** `"miss"`: a request waited for it; `"refresh"`: it ran ahead of expiry while cached credentials were served. */
  outcome: "miss" | "refresh";
  /** Whether STS returned credentials. */
  ok: boolean;
  /** The failure's code (`InvalidIdentityToken`, `TimeoutError`, …) when not ok. */
  errorCode?: string;
  /** STS's request id, when there is one. */
  requestId?: string;
  /** Milliseconds the exchange took. */
  durationMs: number;
  /** The STS region the exchange's last attempt went to: the one that answered (or failed last). Absent for a custom endpoint. */
  stsRegion?: string;
  /** The role asked for. */
  roleArn: string;
  /** The token's `sub` claim. */
  subject: string | undefined;
}

/** Told when a request is served from the cache. Never carries the token. */
export interface StsCacheHitInfo {
  /** The STS action the credentials came from. */
  operation: "AssumeRoleWithWebIdentity";
  /**
   * `"hit"`: from the isolate's cache; `"store"`: from the shared store (no STS call); `"refresh"`:
   * served while a background refresh runs; `"stale"`: served after a refresh failed.
   */
  outcome: "hit" | "store" | "refresh" | "stale";
  /** Milliseconds the middleware spent on this request. */
  durationMs: number;
  /**
   * `"store"` after a coordinated miss only: milliseconds this isolate waited for the isolate that
   * claimed the exchange to write its entry (part of `durationMs`).
   */
  waitedMs?: number;
  /** The role. */
  roleArn: string;
  /** The token's `sub` claim. */
  subject: string | undefined;
}
