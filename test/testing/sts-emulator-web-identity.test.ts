import assert from "node:assert/strict";
import { test } from "node:test";

import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import type { StsEmulatorOptions } from "../../src/testing/index.ts";
import { keysOf, read, ROLE_ARN, signed, unsigned } from "./helpers.ts";

const GITHUB = "https://token.actions.githubusercontent.com";
const SUB = "repo:acme/web:ref:refs/heads/main";

function setup(options: Partial<StsEmulatorOptions> = {}) {
  const issuer = createOidcIssuer({ issuer: GITHUB });
  let clock = Date.now();
  const sts = createStsEmulator({ issuers: [issuer], now: () => clock, ...options });
  const assume = async (token: string, params: Record<string, string | number> = {}) =>
    read(await unsigned(sts, "AssumeRoleWithWebIdentity", { RoleArn: ROLE_ARN, RoleSessionName: "gha-run-4711", WebIdentityToken: token, ...params }));
  return { issuer, sts, assume, now: () => clock, advance: (ms: number) => void (clock += ms) };
}

test("a good token gets credentials that work for a signed GetCallerIdentity as the assumed role", async () => {
  const { issuer, sts, assume, now } = setup();
  const answer = await assume(await issuer.mint({ sub: SUB }));
  assert.equal(answer.status, 200);
  const r = answer.result;
  assert.match(r.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
  assert.equal(r.SecretAccessKey!.length, 40);
  assert.ok(r.SessionToken!.length > 300);
  assert.equal(r.Expiration, new Date(now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"));
  assert.equal(r.SubjectFromWebIdentityToken, SUB);
  assert.equal(r.Arn, "arn:aws:sts::123456789012:assumed-role/edge-app/gha-run-4711");
  assert.match(r.AssumedRoleId!, /^AROA[A-Z2-7]{17}:gha-run-4711$/);
  assert.equal(r.Provider, "token.actions.githubusercontent.com");
  assert.equal(r.Audience, "sts.amazonaws.com");
  assert.equal(r.PackedPolicySize, undefined);
  assert.equal(r.SourceIdentity, undefined);

  const me = await signed(sts, keysOf(answer), "GetCallerIdentity");
  assert.deepEqual(
    [me.status, me.result.Arn, me.result.UserId, me.result.Account],
    [200, "arn:aws:sts::123456789012:assumed-role/edge-app/gha-run-4711", r.AssumedRoleId, "123456789012"],
  );
  assert.deepEqual(sts.calls.byAction, { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 1 });
  assert.equal(sts.calls.log[0]!.signed, false);
});

test("a token signed by another key is InvalidIdentityToken", async () => {
  const { assume } = setup();
  const impostor = createOidcIssuer({ issuer: GITHUB });
  const answer = await assume(await impostor.mint({ sub: SUB }));
  assert.deepEqual([answer.status, answer.code, answer.type], [400, "InvalidIdentityToken", "Sender"]);
});

test("a token whose payload was changed after signing is InvalidIdentityToken", async () => {
  const { issuer, assume } = setup();
  const [h, , s] = (await issuer.mint({ sub: SUB })).split(".");
  const payload = btoa(JSON.stringify({ iss: GITHUB, aud: "sts.amazonaws.com", sub: "repo:acme/admin:ref:refs/heads/main", exp: 4102444800 }))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  assert.equal((await assume(`${h}.${payload}.${s}`)).code, "InvalidIdentityToken");
});

test("the wrong aud, the wrong iss, a malformed token: InvalidIdentityToken", async () => {
  const { issuer, assume } = setup();
  const wrongAud = await assume(await issuer.mint({ sub: SUB, aud: "api://edge-app" }));
  assert.deepEqual([wrongAud.code, wrongAud.message], ["InvalidIdentityToken", "Incorrect token audience"]);
  const wrongIss = await assume(await issuer.mint({ sub: SUB, iss: "https://accounts.google.com" }));
  assert.equal(wrongIss.code, "InvalidIdentityToken");
  assert.match(wrongIss.message!, /No OpenIDConnect provider found in your account for https:\/\/accounts\.google\.com/);
  assert.equal((await assume("eyJhbGciOiJSUzI1NiJ9.not-json.c2ln")).code, "InvalidIdentityToken");
  const none = `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ iss: GITHUB, sub: SUB, aud: "sts.amazonaws.com" }))}.`;
  assert.equal((await assume(none)).code, "InvalidIdentityToken");
});

test("an expired token is ExpiredTokenException; a token inside the leeway is accepted", async () => {
  const { issuer, assume, now } = setup();
  const seconds = Math.floor(now() / 1000);
  const expired = await assume(await issuer.mint({ sub: SUB, iat: seconds - 3700, exp: seconds - 100 }));
  assert.deepEqual([expired.status, expired.code], [400, "ExpiredTokenException"]);
  assert.equal((await assume(await issuer.mint({ sub: SUB, iat: seconds - 3630, exp: seconds - 30 }))).status, 200);
  const notYet = await assume(await issuer.mint({ sub: SUB, nbf: seconds + 600 }));
  assert.equal(notYet.code, "InvalidIdentityToken");
  assert.equal((await assume(await issuer.mint({ sub: SUB, exp: undefined }))).code, "InvalidIdentityToken");
});

test("the role's trust decides: undeclared role, wrong subject and wrong audience are AccessDenied", async () => {
  const issuer = createOidcIssuer({ issuer: GITHUB });
  const sts = createStsEmulator({
    issuers: [{ issuer: GITHUB, jwks: issuer.jwks, audiences: ["sts.amazonaws.com", "api://deploy"] }],
    roles: [{ arn: ROLE_ARN, trust: { webIdentity: [{ issuer: GITHUB, audience: "sts.amazonaws.com", subject: "repo:acme/web:*" }] } }],
  });
  const assume = async (roleArn: string, claims: { sub: string; aud?: string }) =>
    read(await unsigned(sts, "AssumeRoleWithWebIdentity", { RoleArn: roleArn, RoleSessionName: "deploy-1", WebIdentityToken: await issuer.mint(claims) }));
  assert.equal((await assume(ROLE_ARN, { sub: SUB })).status, 200);
  const other = await assume("arn:aws:iam::123456789012:role/admin", { sub: SUB });
  assert.deepEqual([other.status, other.code, other.message], [403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"]);
  assert.equal((await assume(ROLE_ARN, { sub: "repo:evil/web:ref:refs/heads/main" })).code, "AccessDenied");
  assert.equal((await assume(ROLE_ARN, { sub: SUB, aud: "api://deploy" })).code, "AccessDenied");
});

test("a provider that rejects the claims is IDPRejectedClaim; an unreachable JWKS is IDPCommunicationError", async () => {
  const issuer = createOidcIssuer({ issuer: GITHUB });
  const sts = createStsEmulator({
    issuers: [
      { issuer: GITHUB, jwks: issuer.jwks, acceptClaims: (claims) => claims.repository_owner === "acme" },
      { issuer: "https://login.example.com", fetch: async () => new Response("down", { status: 503 }) },
    ],
  });
  const other = createOidcIssuer({ issuer: "https://login.example.com" });
  const assume = async (token: string) =>
    read(await unsigned(sts, "AssumeRoleWithWebIdentity", { RoleArn: ROLE_ARN, RoleSessionName: "s-1", WebIdentityToken: token }));
  assert.equal((await assume(await issuer.mint({ sub: SUB, repository_owner: "acme" }))).status, 200);
  const rejected = await assume(await issuer.mint({ sub: SUB, repository_owner: "evil" }));
  assert.deepEqual([rejected.status, rejected.code], [403, "IDPRejectedClaim"]);
  assert.equal((await assume(await other.mint({ sub: SUB }))).code, "IDPCommunicationError");
});

test("a trusted issuer without keys is discovered over fetch", async () => {
  const issuer = createOidcIssuer({ issuer: GITHUB });
  const sts = createStsEmulator({ issuers: [{ issuer: GITHUB, fetch: issuer.fetch }] });
  const answer = await read(await unsigned(sts, "AssumeRoleWithWebIdentity", {
    RoleArn: ROLE_ARN, RoleSessionName: "s-1", WebIdentityToken: await issuer.mint({ sub: SUB }, { algorithm: "ES384" }),
  }));
  assert.equal(answer.status, 200);
});

test("durations, session policies, source identity", async () => {
  const { issuer, assume, now } = setup({ roles: [{ arn: ROLE_ARN }] });
  const token = await issuer.mint({ sub: SUB, "https://aws.amazon.com/source_identity": "alice" });
  const long = await assume(token, { DurationSeconds: 7200 });
  assert.deepEqual([long.status, long.code], [400, "ValidationError"]);
  assert.match(long.message!, /MaxSessionDuration/);
  const ok = await assume(token, {
    DurationSeconds: 900,
    Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-assets/*" }] }),
    "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.result.Expiration, new Date(now() + 900_000).toISOString().replace(/\.\d{3}Z$/, "Z"));
  assert.ok(Number(ok.result.PackedPolicySize) > 0 && Number(ok.result.PackedPolicySize) <= 100);
  assert.equal(ok.result.SourceIdentity, "alice");
  const malformed = await assume(token, { Policy: "{ not json" });
  assert.deepEqual([malformed.status, malformed.code], [400, "MalformedPolicyDocument"]);
});

test("every emitted value is XML-escaped", async () => {
  const { issuer, assume } = setup();
  const sub = `a<b>&"c"'\r\n\u00e9\u{1F680}`;
  const answer = await assume(await issuer.mint({ sub }));
  assert.equal(answer.status, 200);
  assert.equal(answer.result.SubjectFromWebIdentityToken, sub);
});
