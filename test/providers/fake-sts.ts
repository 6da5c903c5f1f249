/**
 * A scripted STS for the signed-provider tests (fromAssumeRole): answers by Action, counts calls, records every
 * request. Those tests move a test clock hours ahead of the signing clock, which the emulator (like STS) refuses
 * as skew; the web-identity tests use the emulator (emulated-sts.ts).
 */
import { decodeForm } from "../../src/testing/form-decode.ts";

export const T0 = Date.UTC(2025, 0, 1);
export const HOUR = 3_600_000;
const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

export interface Recorded {
  action: string;
  params: Map<string, string>;
  headers: Headers;
}

/** The `<Credentials>` of call number `n` (1-based): `ASIAROLE<n>…`, expiring `expiresAt`. */
export function credentialsXml(n: number, expiresAt: number): string {
  return (
    "<Credentials>" +
    `<AccessKeyId>ASIAROLE${n}EXAMPLE</AccessKeyId>` +
    `<SecretAccessKey>secret${n}/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>` +
    `<SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQ${n}session</SessionToken>` +
    `<Expiration>${new Date(expiresAt).toISOString().replace(".000Z", "Z")}</Expiration>` +
    "</Credentials>"
  );
}

export function assumeRoleXml(n: number, expiresAt: number): string {
  return (
    `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>` +
    "<AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:edge</AssumedRoleId>" +
    "<Arn>arn:aws:sts::123456789012:assumed-role/demo/edge</Arn></AssumedRoleUser>" +
    credentialsXml(n, expiresAt) +
    `</AssumeRoleResult><ResponseMetadata><RequestId>req-${n}</RequestId></ResponseMetadata></AssumeRoleResponse>`
  );
}

export function webIdentityXml(n: number, expiresAt: number): string {
  return (
    `<AssumeRoleWithWebIdentityResponse xmlns="${NS}"><AssumeRoleWithWebIdentityResult>` +
    "<SubjectFromWebIdentityToken>repo:acme/app:ref:refs/heads/main</SubjectFromWebIdentityToken>" +
    "<Audience>sts.amazonaws.com</Audience>" +
    "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ci/edge</Arn>" +
    "<AssumedRoleId>AROACLKWSDQRAOEXAMPLE:edge</AssumedRoleId></AssumedRoleUser>" +
    credentialsXml(n, expiresAt) +
    "<Provider>token.actions.githubusercontent.com</Provider>" +
    `</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>req-${n}</RequestId></ResponseMetadata>` +
    "</AssumeRoleWithWebIdentityResponse>"
  );
}

export function callerIdentityXml(): string {
  return (
    `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>` +
    "<Arn>arn:aws:sts::123456789012:assumed-role/demo/edge</Arn><UserId>AROA3XFRBF535PLBIFPI4:edge</UserId>" +
    "<Account>123456789012</Account></GetCallerIdentityResult>" +
    "<ResponseMetadata><RequestId>req-gci</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
  );
}

export function errorXml(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>`
  );
}

/**
 * A fetch that answers each request with `respond(action, n)` (n counts calls per action, from 1):
 * a string is a 200 XML body, a Response is sent as is. `gate`, when set, holds answers until released.
 */
export function fakeSts(respond: (action: string, n: number) => string | Response) {
  const requests: Recorded[] = [];
  const counts = new Map<string, number>();
  const answered = new Map<string, number>();
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const params = new Map(decodeForm(await request.text()));
    const action = params.get("Action") ?? "";
    requests.push({ action, params, headers: request.headers });
    const n = (counts.get(action) ?? 0) + 1;
    counts.set(action, n);
    if (gate) await gate;
    const answer = respond(action, n);
    answered.set(action, (answered.get(action) ?? 0) + 1);
    return typeof answer === "string"
      ? new Response(answer, { status: 200, headers: { "content-type": "text/xml" } })
      : answer;
  };
  return {
    fetch,
    requests,
    calls: (action: string) => counts.get(action) ?? 0,
    responded: (action: string) => answered.get(action) ?? 0,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release() {
      gate = undefined;
      release();
    },
  };
}

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits (up to 2 s) until `condition()` holds: signing goes through Web Crypto, which takes real time. */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
