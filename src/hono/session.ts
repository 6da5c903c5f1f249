/**
 * One STS exchange and the cached value it becomes: frozen credentials, frozen identity and one
 * aws4fetch client per credentials.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import type { StoreCodec } from "../cache/store-level.ts";
import type { StsClient } from "../client.ts";
import type { Deadline } from "../deadline.ts";
import { startDeadline } from "../deadline.ts";
import { EdgeStsError, StsError } from "../errors.ts";
import { answeredBy } from "../failover.ts";
import { defined } from "../operations/shapes.ts";
import { callHook } from "../hooks.ts";
import { invalidResponse } from "../wire/response.ts";
import type { AssumeRoleWithWebIdentityOutput } from "../operations/assume-role-with-web-identity.ts";
import type { TemporaryCredentials } from "../types.ts";
import type { ExchangeParams } from "./options.ts";
import { sessionNameFor } from "./session-name.ts";
import type { InspectedToken } from "./token.ts";
import type { StsExchangeInfo, StsIdentity, StsSession } from "./types.ts";

const OPERATION = "AssumeRoleWithWebIdentity";

/** What an exchange needs besides the request's own values. */
export interface ExchangeContext {
  client: StsClient;
  /** The region `c.var.aws` signs for; `undefined`: the region of each URL (aws4fetch's guess). */
  region: string | undefined;
  onExchange: ((info: StsExchangeInfo) => void) | undefined;
  /** The deadline of one exchange, retries included. */
  exchangeTimeoutMs: number;
  /** The clock credentials are checked against, ms since the epoch. */
  now: () => number;
}

/**
 * Inside a request, a longer `Retry-After` is answered (503 with it) rather than waited for; a client
 * with a stricter `maxRetryAfterMs` keeps its own.
 */
const MAX_RETRY_AFTER_IN_REQUEST_MS = 1000;

/** The client's own cap when lower; a client of an older copy of the package (no getter) gets 1 s. */
function retryAfterCap(client: StsClient): number {
  const own: unknown = client.maxRetryAfterMs;
  return typeof own === "number" && own >= 0 ? Math.min(own, MAX_RETRY_AFTER_IN_REQUEST_MS) : MAX_RETRY_AFTER_IN_REQUEST_MS;
}

/**
 * Calls STS and builds the value to cache. Reports to `onExchange`, success or failure.
 * @param outcome `"miss"` when a request waits for it, `"refresh"` when cached credentials are being served meanwhile.
 * @param regions The STS regions of this exchange, in order. Default: the client's.
 * @param deadline The deadline of the whole miss this exchange is part of. Default: `exchangeTimeoutMs` from now.
 * @throws {StsError} as the client throws it, or `InvalidResponse` when the answer has no credentials.
 */
export async function exchange(
  ctx: ExchangeContext,
  token: string,
  inspected: InspectedToken,
  params: ExchangeParams,
  outcome: "miss" | "refresh",
  regions?: readonly string[],
  deadline?: Deadline,
): Promise<StsSession> {
  const started = performance.now();
  let error: unknown;
  let requestId: string | undefined;
  let stsRegion: string | undefined = ctx.client.regions?.[0];
  const own = deadline === undefined ? startDeadline(ctx.exchangeTimeoutMs, OPERATION, "exchangeTimeoutMs") : undefined;
  const limit = (deadline ?? own)!;
  try {
    // A fitting `sub` is used as is; otherwise the digest runs here, once per token, on a miss only.
    const roleSessionName = params.roleSessionName ?? (await (inspected.sessionName ??= sessionNameFor(inspected.subject!)));
    const out = await ctx.client.assumeRoleWithWebIdentity({
      roleArn: params.roleArn,
      roleSessionName,
      webIdentityToken: token,
      providerId: params.providerId,
      policyArns: params.policyArns?.map((arn) => ({ arn })),
      policy: params.policy,
      durationSeconds: params.durationSeconds,
    }, defined({ signal: limit.signal, deadline: limit, maxRetryAfterMs: retryAfterCap(ctx.client), regions }));
    requestId = out.requestId;
    stsRegion = answeredBy(out) ?? stsRegion;
    return toSession(out, ctx.region, inspected.subject, ctx.now());
  } catch (err) {
    error = err;
    stsRegion = answeredBy(err) ?? stsRegion;
    if (err instanceof StsError) requestId = err.requestId;
    throw err;
  } finally {
    own?.clear();
    if (ctx.onExchange) {
      callHook(ctx.onExchange, defined({
        operation: OPERATION,
        outcome,
        ok: error === undefined,
        errorCode: error === undefined ? undefined : error instanceof EdgeStsError ? error.code : "Error",
        requestId,
        durationMs: performance.now() - started,
        stsRegion,
        roleArn: params.roleArn,
        subject: inspected.subject,
      }));
    }
  }
}

function toSession(
  out: AssumeRoleWithWebIdentityOutput & { requestId: string },
  region: string | undefined,
  subject: string | undefined,
  nowMs: number,
): StsSession {
  const { credentials: creds, assumedRoleUser } = out;
  if (creds === undefined || assumedRoleUser === undefined) throw unusable("the response has no credentials", out.requestId);
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = creds;
  // Served, they would fail at AWS; cached, never (so every request would call STS). A local clock
  // running fast is the usual cause.
  if (expiration.getTime() <= nowMs) {
    throw unusable(`the credentials expired on arrival (${expiration.toISOString()}; check the local clock)`, out.requestId);
  }
  return buildSession({ accessKeyId, secretAccessKey, sessionToken, expiration }, defined({
    assumedRoleUser: { assumedRoleId: assumedRoleUser.assumedRoleId, arn: assumedRoleUser.arn },
    subjectFromWebIdentityToken: out.subjectFromWebIdentityToken ?? subject ?? "",
    audience: out.audience,
    provider: out.provider,
    sourceIdentity: out.sourceIdentity,
  }), region);
}

type IdentityFields = Omit<StsIdentity, "expiration">;

function buildSession(creds: TemporaryCredentials, fields: IdentityFields, region: string | undefined): StsSession {
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = creds;
  const credentials = Object.freeze({ accessKeyId, secretAccessKey, sessionToken, expiration });
  const identity = Object.freeze({
    ...fields,
    assumedRoleUser: Object.freeze({ ...fields.assumedRoleUser }),
    expiration,
  });
  // Frozen: one instance serves every request that shares these credentials, so none may retarget it.
  const aws = Object.freeze(new AwsClient({ accessKeyId, secretAccessKey, sessionToken, region }));
  return Object.freeze({ credentials, identity, aws, expiration });
}

/**
 * What one request sees of a session: its credentials and identity, each with an expiration `Date`
 * of its own. A `Date` cannot be frozen: a shared one that a handler moved (`setMinutes`) would move
 * it for every later request of the token, and for the cache.
 */
export function requestView(session: StsSession): Pick<StsSession, "credentials" | "identity"> {
  const ms = session.expiration.getTime();
  return {
    credentials: Object.freeze({ ...session.credentials, expiration: new Date(ms) }),
    identity: Object.freeze({ ...session.identity, expiration: new Date(ms) }),
  };
}

/**
 * How a session goes into the shared store and comes back: credentials and identity as JSON (sealed
 * before it leaves the isolate), rebuilt into a frozen session with its own aws4fetch client.
 * @param region The region `c.var.aws` signs for (`undefined`: the region of each URL).
 */
export function sessionCodec(region: string | undefined): StoreCodec<StsSession> {
  return {
    encode({ credentials: c, identity }: StsSession) {
      const { expiration: _, ...fields } = identity;
      return {
        credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration.getTime() },
        identity: fields,
      };
    },
    decode(data) {
      const d = data as { credentials?: Record<string, unknown>; identity?: Record<string, unknown> } | null;
      const c = d?.credentials;
      const i = d?.identity;
      const user = i?.assumedRoleUser as Record<string, unknown> | undefined;
      if (typeof c !== "object" || c === null || typeof i !== "object" || i === null) return undefined;
      if (!strings(c, ["accessKeyId", "secretAccessKey", "sessionToken"]) || !Number.isFinite(c.expiration)) return undefined;
      if (typeof user !== "object" || user === null || !strings(user, ["assumedRoleId", "arn"])) return undefined;
      if (!strings(i, ["subjectFromWebIdentityToken"]) || !optionalStrings(i, ["audience", "provider", "sourceIdentity"])) return undefined;
      const expiration = new Date(c.expiration as number);
      const { accessKeyId, secretAccessKey, sessionToken } = c as Record<string, string>;
      return buildSession({ accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, sessionToken: sessionToken!, expiration }, defined({
        assumedRoleUser: { assumedRoleId: user.assumedRoleId as string, arn: user.arn as string },
        subjectFromWebIdentityToken: i.subjectFromWebIdentityToken as string,
        audience: i.audience as string | undefined,
        provider: i.provider as string | undefined,
        sourceIdentity: i.sourceIdentity as string | undefined,
      }), region);
    },
    expiration: (session) => session.expiration.getTime(),
  };
}

function strings(record: Record<string, unknown>, names: string[]): boolean {
  return names.every((name) => typeof record[name] === "string");
}

function optionalStrings(record: Record<string, unknown>, names: string[]): boolean {
  return names.every((name) => record[name] === undefined || typeof record[name] === "string");
}

function unusable(reason: string, requestId: string): StsError {
  return invalidResponse(`${OPERATION}: ${reason}`, { status: 200, operation: OPERATION, requestId });
}
