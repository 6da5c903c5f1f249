/**
 * Test doubles for the middleware: well-formed (unsigned) JWTs, a scripted STS that answers
 * AssumeRoleWithWebIdentity with fresh credentials per call, and a controllable clock.
 * Web-standard only: the portable suite uses it too.
 */

export const ROLE_ARN = "arn:aws:iam::123456789012:role/app";
export const T0 = Date.UTC(2030, 0, 1);

/** A clock the tests move by hand. */
export function manualClock(start = T0) {
  const clock = { t: start, now: () => clock.t, advance: (seconds: number) => void (clock.t += seconds * 1000) };
  return clock;
}

export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `base64url(header).base64url(payload).signature` — STS is scripted, so the signature is not checked. */
export function makeToken(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "RS256", typ: "JWT", kid: "k1" }): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
}

/** An ID token for `sub`, valid for `lifetimeSeconds` from `now` (ms). */
export function idToken(sub: string, now: number, lifetimeSeconds = 7200, extra: Record<string, unknown> = {}): string {
  const iat = Math.floor(now / 1000);
  return makeToken({ iss: "https://issuer.example.com", aud: "sts.amazonaws.com", sub, iat, exp: iat + lifetimeSeconds, ...extra });
}

function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An STS `<ErrorResponse>`. */
export function stsError(code: string, status = 400, headers: Record<string, string> = {}, message = `${code} happened`): Response {
  const type = status >= 500 ? "Receiver" : "Sender";
  const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>`;
  return new Response(body, { status, headers: { "content-type": "text/xml", ...headers } });
}

/** One call STS received. */
export interface StsCall {
  params: Record<string, string>;
  /** The access key id issued, when the call succeeded. */
  accessKeyId?: string;
}

/** What the next call answers: a Response, a thrown error, or undefined for the default success. */
export type StsStep = (call: StsCall) => Response | Promise<Response> | undefined;

/**
 * A scripted STS: each call answers with fresh, distinct credentials (expiring `durationSeconds`
 * after the clock's now), unless a queued step says otherwise.
 */
export function scriptedSts(now: () => number) {
  const script = {
    calls: [] as StsCall[],
    /** accessKeyId → the token it was issued for. */
    issued: new Map<string, string>(),
    queue: [] as StsStep[],
    /** Used when the queue is empty (after the default success is considered). */
    always: undefined as StsStep | undefined,
    /** Milliseconds each answer takes. */
    delayMs: 0,
    /** Called as the client calls it: `fetch(url, init)`. */
    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const params = Object.fromEntries(new URLSearchParams(await new Request(input, init).text()));
      const call: StsCall = { params };
      script.calls.push(call);
      if (script.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
      const step = script.queue.shift() ?? script.always;
      const scripted = step?.(call);
      if (scripted !== undefined) return scripted;
      return success(call, script.calls.length, now());
    },
  };
  function success(call: StsCall, n: number, at: number): Response {
    const token = call.params.WebIdentityToken ?? "";
    const claims = decodeClaims(token);
    const session = call.params.RoleSessionName ?? "";
    const role = (call.params.RoleArn ?? "").split("/").pop();
    const accessKeyId = `ASIA${String(n).padStart(16, "0")}`;
    call.accessKeyId = accessKeyId;
    script.issued.set(accessKeyId, token);
    const expiration = new Date(at + Number(call.params.DurationSeconds ?? 3600) * 1000).toISOString();
    const body = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${escapeXml(String(claims.sub))}</SubjectFromWebIdentityToken>
    <Audience>${escapeXml(String(claims.aud))}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/${role}/${session}</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>FwoGZXIvYXdzE${n}SessionTokenSecretValue</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCY${n}SECRET</SecretAccessKey>
      <Expiration>${expiration}</Expiration>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>${escapeXml(String(claims.iss))}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>req-${n}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`;
    return new Response(body, { status: 200, headers: { "content-type": "text/xml" } });
  }
  return script;
}

/** An execution context that records `waitUntil` promises. */
export function executionContext() {
  const waited: Promise<unknown>[] = [];
  return {
    waited,
    ctx: { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException: () => {}, props: {} },
  };
}
