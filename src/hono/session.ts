/**
 * One STS exchange and the cached value it becomes: frozen credentials, frozen identity and one
 * aws4fetch client per credentials.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import type { StsClient } from "../client.ts";
import { EdgeStsError, StsError } from "../errors.ts";
import type { AssumeRoleWithWebIdentityOutput } from "../operations/assume-role-with-web-identity.ts";
import type { ExchangeParams } from "./options.ts";
import { sessionNameFor } from "./session-name.ts";
import type { InspectedToken } from "./token.ts";
import type { StsExchangeInfo, StsSession } from "./types.ts";

const OPERATION = "AssumeRoleWithWebIdentity";

/** What an exchange needs besides the request's own values. */
export interface ExchangeContext {
  client: StsClient;
  /** The region `c.var.aws` signs for. */
  region: string;
  onExchange: ((info: StsExchangeInfo) => void) | undefined;
  /** The deadline of one exchange, retries included. */
  exchangeTimeoutMs: number;
  /** The clock credentials are checked against, ms since the epoch. */
  now: () => number;
}

/** Inside a request, a longer `Retry-After` is answered (503 with it) rather than waited for. */
const MAX_RETRY_AFTER_IN_REQUEST_MS = 1000;

/**
 * Calls STS and builds the value to cache. Reports to `onExchange`, success or failure.
 * @param outcome `"miss"` when a request waits for it, `"refresh"` when cached credentials are being served meanwhile.
 * @throws {StsError} as the client throws it, or `InvalidResponse` when the answer has no credentials.
 */
export async function exchange(
  ctx: ExchangeContext,
  token: string,
  inspected: InspectedToken,
  params: ExchangeParams,
  outcome: "miss" | "refresh",
): Promise<StsSession> {
  const started = performance.now();
  let error: unknown;
  let requestId: string | undefined;
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(new DOMException(`no credentials within exchangeTimeoutMs (${ctx.exchangeTimeoutMs} ms)`, "TimeoutError"));
  }, ctx.exchangeTimeoutMs);
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
    }, { signal: deadline.signal, maxRetryAfterMs: MAX_RETRY_AFTER_IN_REQUEST_MS });
    requestId = out.requestId;
    return toSession(out, ctx.region, inspected.subject, ctx.now());
  } catch (err) {
    error = err;
    if (err instanceof StsError) requestId = err.requestId;
    throw err;
  } finally {
    clearTimeout(timer);
    if (ctx.onExchange) {
      safely(ctx.onExchange, {
        operation: OPERATION,
        outcome,
        ok: error === undefined,
        ...(error === undefined ? {} : { errorCode: error instanceof EdgeStsError ? error.code : "Error" }),
        ...(requestId === undefined ? {} : { requestId }),
        durationMs: performance.now() - started,
        roleArn: params.roleArn,
        subject: inspected.subject,
      });
    }
  }
}

function toSession(
  out: AssumeRoleWithWebIdentityOutput & { requestId: string },
  region: string,
  subject: string | undefined,
  nowMs: number,
): StsSession {
  const { credentials: creds, assumedRoleUser } = out;
  if (creds === undefined || assumedRoleUser === undefined) throw invalidResponse("the response has no credentials", out.requestId);
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = creds;
  // Served, they would fail at AWS; cached, never (so every request would call STS). A local clock
  // running fast is the usual cause.
  if (expiration.getTime() <= nowMs) {
    throw invalidResponse(`the credentials expired on arrival (${expiration.toISOString()}; check the local clock)`, out.requestId);
  }
  const credentials = Object.freeze({ accessKeyId, secretAccessKey, sessionToken, expiration });
  const identity = Object.freeze({
    assumedRoleUser: Object.freeze({ assumedRoleId: assumedRoleUser.assumedRoleId, arn: assumedRoleUser.arn }),
    subjectFromWebIdentityToken: out.subjectFromWebIdentityToken ?? subject ?? "",
    ...(out.audience === undefined ? {} : { audience: out.audience }),
    ...(out.provider === undefined ? {} : { provider: out.provider }),
    ...(out.sourceIdentity === undefined ? {} : { sourceIdentity: out.sourceIdentity }),
    expiration,
  });
  // Frozen: one instance serves every request that shares these credentials, so none may retarget it.
  const aws = Object.freeze(new AwsClient({ accessKeyId, secretAccessKey, sessionToken, region }));
  return Object.freeze({ credentials, identity, aws, expiration });
}

function invalidResponse(reason: string, requestId: string): StsError {
  return new StsError(`${OPERATION}: ${reason}`, {
    code: "InvalidResponse",
    status: 200,
    operation: OPERATION,
    retryable: false,
    requestId,
  });
}

/** Calls a hook; a hook that throws must not turn a served request into a failed one. */
export function safely<T>(hook: (info: T) => void, info: T): void {
  try {
    hook(info);
  } catch {
    // ignored on purpose: observability must not change the answer
  }
}
