/**
 * An in-process AWS STS: a plain fetch handler that speaks the query API for every operation, checks
 * SigV4 and web identity tokens as STS does, remembers the credentials it issued, and can be told
 * to misbehave (throttle, fail, hang, truncate) for the next N calls.
 */
import { API_VERSION } from "../wire/operation.ts";
import { assumeRole, assumeRoot, getDelegatedAccessToken } from "./emulator-assume.ts";
import { authenticate } from "./emulator-auth.ts";
import { createCallLog } from "./emulator-calls.ts";
import type { StsEmulatorCall, StsEmulatorCalls } from "./emulator-calls.ts";
import {
  decodeAuthorizationMessage,
  encodeAuthorizationMessage,
  getAccessKeyInfo,
  getCallerIdentity,
  getFederationToken,
  getSessionToken,
  getWebIdentityToken,
} from "./emulator-caller-ops.ts";
import type { Handler, HandlerContext } from "./emulator-context.ts";
import { createFaultQueue, faultError, hangUntilAborted, htmlPage } from "./emulator-faults.ts";
import type { StsEmulatorFaults } from "./emulator-faults.ts";
import { resolveOptions } from "./emulator-options.ts";
import type { StsEmulatorAccessKey, StsEmulatorOptions } from "./emulator-options.ts";
import { EmulatorError, errorResponse, resultResponse, stsErrors } from "./emulator-responses.ts";
import { assumeRoleWithSaml } from "./emulator-saml.ts";
import { validate } from "./emulator-validation.ts";
import { createState } from "./emulator-state.ts";
import type { StsEmulatorSession } from "./emulator-state.ts";
import { assumeRoleWithWebIdentity } from "./emulator-web-identity.ts";
import { requestOf } from "./fetch-input.ts";
import { decodeStsRequest } from "./form-decode.ts";
import type { DecodedStsRequest } from "./form-decode.ts";
import { createOidcIssuer } from "./oidc-issuer.ts";
import type { OidcIssuer } from "./oidc-issuer.ts";

const HANDLERS: Record<string, { signed: boolean; handler: Handler }> = {
  AssumeRole: { signed: true, handler: assumeRole },
  AssumeRoleWithSAML: { signed: false, handler: assumeRoleWithSaml },
  AssumeRoleWithWebIdentity: { signed: false, handler: assumeRoleWithWebIdentity },
  AssumeRoot: { signed: true, handler: assumeRoot },
  DecodeAuthorizationMessage: { signed: true, handler: decodeAuthorizationMessage },
  GetAccessKeyInfo: { signed: true, handler: getAccessKeyInfo },
  GetCallerIdentity: { signed: true, handler: getCallerIdentity },
  GetDelegatedAccessToken: { signed: true, handler: getDelegatedAccessToken },
  GetFederationToken: { signed: true, handler: getFederationToken },
  GetSessionToken: { signed: true, handler: getSessionToken },
  GetWebIdentityToken: { signed: true, handler: getWebIdentityToken },
};

/** An emulated STS. `fetch` is bound: pass it as a client's `fetch` or serve it on a port. */
export interface StsEmulator {
  /**
   * Handles one request, called like the standard fetch: `fetch(url, init)` (how `StsClient` calls
   * it) or `fetch(request)`. Also a server's handler (`Deno.serve`, `Bun.serve`, workerd,
   * `@hono/node-server`): a second argument that is not a `RequestInit` (the server's info, env or
   * context) is ignored.
   */
  fetch(input: Request | string | URL, init?: RequestInit | object): Promise<Response>;
  /** The emulated account id. */
  readonly accountId: string;
  /** The long-term keys it accepts (secrets included: for signing test requests). */
  readonly accessKeys: readonly Required<StsEmulatorAccessKey>[];
  /** Fault injection: `faults.next(2, { kind: "throttling" })`. */
  readonly faults: StsEmulatorFaults;
  /** The calls received: `calls.total`, `calls.count("AssumeRole")`, `calls.last`. */
  readonly calls: StsEmulatorCalls;
  /** The issuer that signs GetWebIdentityToken's JWTs (serve it, or trust it in another emulator). */
  readonly tokenIssuer: OidcIssuer;
  /** The emulator's clock (the `now` option plus the clock offset), epoch ms. */
  now(): number;
  /** Moves the emulator's clock by `offsetMs` from the `now` option (a skewed server clock). */
  setClockOffset(offsetMs: number): void;
  /** Every set of temporary credentials issued so far. */
  issuedCredentials(): StsEmulatorSession[];
  /** Makes a key (long-term or temporary) unknown from now on. */
  revoke(accessKeyId: string): boolean;
  /** Makes a token GetDelegatedAccessToken accepts once. */
  createTradeInToken(options?: { principalArn?: string; expiresInSeconds?: number }): string;
  /** Encodes a message the way DecodeAuthorizationMessage reads it back. */
  encodeAuthorizationMessage(message: Record<string, unknown>): string;
}

/**
 * Creates an STS emulator.
 *
 * @param options Account, keys, trusted issuers, roles, clock; all optional.
 * @param {string} [options.accountId='123456789012'] The emulated account.
 * @param {string} [options.region] When set, signed calls must be scoped to it.
 * @param {number} [options.maxLoggedCalls=1000] Calls kept in `calls.log` (counts stay exact).
 * @returns The emulator: a fetch handler plus faults, calls and clock controls.
 * @throws {Error} for options that cannot work (a malformed account id, role ARN or access key).
 * @example
 * ```ts
 * const issuer = createOidcIssuer();
 * const sts = createStsEmulator({ issuers: [issuer] });
 * const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.emulator.test", fetch: sts.fetch });
 * const out = await client.assumeRoleWithWebIdentity({
 *   roleArn: "arn:aws:iam::123456789012:role/edge-app", roleSessionName: "ci-run-42",
 *   webIdentityToken: await issuer.mint({ sub: "repo:acme/web:ref:refs/heads/main" }),
 * });
 * ```
 */
export function createStsEmulator(options: StsEmulatorOptions = {}): StsEmulator {
  const resolved = resolveOptions(options);
  const state = createState(resolved);
  const faults = createFaultQueue();
  const calls = createCallLog(resolved.maxLoggedCalls);
  const tokenIssuer = createOidcIssuer({
    issuer: `https://${crypto.randomUUID()}.tokens.sts.global.api.aws`,
    keyId: "sts-outbound-1",
  });
  let clockOffset = 0;
  const now = () => resolved.now() + clockOffset;

  async function handle(request: Request, call: StsEmulatorCall, body: Uint8Array, decoded: DecodedStsRequest, at: number) {
    const { action, version } = decoded;
    const entry = action === undefined ? undefined : HANDLERS[action];
    if (action === undefined || !entry || !Object.hasOwn(HANDLERS, action)) {
      throw stsErrors.invalidAction(`Could not find operation ${String(action ?? "(none)").slice(0, 64)} for version ${String(version ?? "NO_VERSION_SPECIFIED").slice(0, 32)}`);
    }
    if (version !== API_VERSION) {
      throw stsErrors.invalidAction(`Could not find operation ${action} for version ${String(version ?? "NO_VERSION_SPECIFIED").slice(0, 32)}`);
    }
    let caller: StsEmulatorSession | undefined;
    let region = resolved.region ?? "us-east-1";
    if (entry.signed) {
      ({ session: caller, region } = await authenticate(request, body, at, resolved, state));
      const type = caller.principal.type;
      if ((type === "federated-user" || type === "root") && action !== "GetCallerIdentity") {
        throw stsErrors.accessDenied(`User: ${caller.principal.arn} is not authorized to perform: sts:${action}`);
      }
    }
    const input = validate(action, decoded.input);
    const ctx: HandlerContext = { action, input, caller, region, now: at, options: resolved, state, tokenIssuer };
    return resultResponse(action, await entry.handler(ctx), call.requestId, at);
  }

  async function respond(request: Request): Promise<Response> {
    const requestId = crypto.randomUUID();
    let at = now();
    const call: StsEmulatorCall = { status: 0, signed: request.headers.has("authorization"), params: [], input: {}, requestId, at };
    calls.record(call);
    const finish = (response: Response) => {
      call.status = response.status;
      return response;
    };
    try {
      const url = new URL(request.url);
      const body = new Uint8Array(await request.arrayBuffer());
      const bodyText = new TextDecoder().decode(body);
      if (request.method !== "POST" && request.method !== "GET") {
        throw new EmulatorError("MethodNotAllowed", 405, "STS accepts POST (or GET) requests.", "Sender", { allow: "GET, POST" });
      }
      const contentType = request.headers.get("content-type") ?? "";
      if (request.method === "POST" && !/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
        throw new EmulatorError("UnsupportedMediaType", 415, "The request body must be application/x-www-form-urlencoded.");
      }
      let decoded: DecodedStsRequest;
      try {
        decoded = decodeStsRequest(request.method === "GET" ? url.search.slice(1) : bodyText);
      } catch {
        throw new EmulatorError("MalformedQueryString", 400, "The request has a malformed percent-encoding.");
      }
      Object.assign(call, { action: decoded.action, params: decoded.params, input: decoded.input });
      calls.named(call);
      const match = /Credential=(\w+)\//.exec(request.headers.get("authorization") ?? "");
      if (match) call.accessKeyId = match[1];

      const fault = faults.take(decoded.action);
      if (fault) call.fault = fault.kind;
      const error = fault && faultError(fault);
      if (error) throw error;
      switch (fault?.kind) {
        case "html":
          return finish(htmlPage(fault.status ?? 502));
        case "empty":
          return finish(new Response(null, { status: fault.status ?? 500 }));
        case "hang":
          return await hangUntilAborted(request.signal);
        case "network-error":
          throw new TypeError("fetch failed");
        case "clock-skew":
          at += fault.offsetMs;
          call.at = at;
          break;
      }
      let response: Response;
      try {
        response = await handle(request, call, body, decoded, at);
      } catch (err) {
        if (!(err instanceof EmulatorError)) throw err;
        call.errorCode = err.code;
        response = errorResponse(err, requestId, at);
      }
      if (fault?.kind === "truncated") {
        const full = await response.text();
        return finish(new Response(full.slice(0, Math.floor(full.length / 2)), { status: 200, headers: response.headers }));
      }
      return finish(response);
    } catch (err) {
      if (err instanceof EmulatorError) {
        call.errorCode = err.code;
        return finish(errorResponse(err, requestId, at));
      }
      throw err;
    }
  }

  return {
    fetch: (input, init) => respond(requestOf(input, init)),
    accountId: resolved.accountId,
    accessKeys: resolved.accessKeys,
    faults,
    calls,
    tokenIssuer,
    now,
    setClockOffset(offsetMs) {
      clockOffset = offsetMs;
    },
    issuedCredentials: state.issued,
    revoke: state.revoke,
    createTradeInToken({ principalArn, expiresInSeconds = 300 } = {}) {
      const token = "tit-" + crypto.randomUUID();
      state.tradeInTokens.set(token, {
        principalArn: principalArn ?? `arn:aws:sts::${resolved.accountId}:assumed-role/edge-sts-delegate/delegated-session`,
        expiresAt: now() + expiresInSeconds * 1000,
      });
      return token;
    },
    encodeAuthorizationMessage,
  };
}
