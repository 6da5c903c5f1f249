import assert from "node:assert/strict";
import { test } from "node:test";

import { createOidcIssuer, createSamlAssertion, createStsEmulator } from "../../src/testing/index.ts";
import { CONTENT_TYPE, ENDPOINT, keysOf, LONG_TERM, read, ROLE_ARN, signed, unsigned } from "./helpers.ts";

const READER = "arn:aws:iam::123456789012:role/s3-reader";

async function webIdentitySession() {
  const issuer = createOidcIssuer();
  const sts = createStsEmulator({ issuers: [issuer] });
  const answer = await read(await unsigned(sts, "AssumeRoleWithWebIdentity", {
    RoleArn: ROLE_ARN, RoleSessionName: "web-1", WebIdentityToken: await issuer.mint({ sub: "user-1234" }),
  }));
  return { sts, keys: keysOf(answer) };
}

test("role chaining: assumed-role credentials assume another role, capped at one hour", async () => {
  const { sts, keys } = await webIdentitySession();
  const chained = await signed(sts, keys, "AssumeRole", { RoleArn: READER, RoleSessionName: "chained-1", DurationSeconds: 3600 });
  assert.equal(chained.status, 200);
  assert.equal(chained.result.Arn, "arn:aws:sts::123456789012:assumed-role/s3-reader/chained-1");
  const me = await signed(sts, keysOf(chained), "GetCallerIdentity");
  assert.equal(me.result.Arn, "arn:aws:sts::123456789012:assumed-role/s3-reader/chained-1");
  const tooLong = await signed(sts, keys, "AssumeRole", { RoleArn: READER, RoleSessionName: "chained-2", DurationSeconds: 7200 });
  assert.deepEqual([tooLong.status, tooLong.code], [400, "ValidationError"]);
  assert.match(tooLong.message!, /role chaining/);
});

test("AssumeRole follows the trust: principals and ExternalId", async () => {
  const sts = createStsEmulator({
    roles: [{ arn: READER, trust: { principals: ["arn:aws:iam::123456789012:user/edge-sts-test"], externalId: "partner-7f3a" } }],
  });
  const ok = await signed(sts, LONG_TERM, "AssumeRole", { RoleArn: READER, RoleSessionName: "partner", ExternalId: "partner-7f3a", SourceIdentity: "alice" });
  assert.equal(ok.status, 200);
  assert.equal(ok.result.SourceIdentity, "alice");
  const noExternalId = await signed(sts, LONG_TERM, "AssumeRole", { RoleArn: READER, RoleSessionName: "partner" });
  assert.deepEqual([noExternalId.status, noExternalId.code], [403, "AccessDenied"]);
  assert.match(noExternalId.message!, /User: arn:aws:iam::123456789012:user\/edge-sts-test is not authorized to perform: sts:AssumeRole/);
  const undeclared = await signed(sts, LONG_TERM, "AssumeRole", { RoleArn: ROLE_ARN, RoleSessionName: "x1" });
  assert.equal(undeclared.code, "AccessDenied");
});

test("GetSessionToken and GetFederationToken issue working credentials for the right identities", async () => {
  const sts = createStsEmulator();
  const session = await signed(sts, LONG_TERM, "GetSessionToken", {});
  assert.equal((await signed(sts, keysOf(session), "GetCallerIdentity")).result.Arn, "arn:aws:iam::123456789012:user/edge-sts-test");
  assert.equal((await signed(sts, keysOf(session), "GetSessionToken", {})).code, "AccessDenied");
  const federated = await signed(sts, LONG_TERM, "GetFederationToken", { Name: "bob" });
  assert.deepEqual([federated.result.FederatedUserId, federated.result.Arn], ["123456789012:bob", "arn:aws:sts::123456789012:federated-user/bob"]);
  assert.equal((await signed(sts, keysOf(federated), "GetCallerIdentity")).result.Arn, "arn:aws:sts::123456789012:federated-user/bob");
  assert.equal((await signed(sts, keysOf(federated), "AssumeRole", { RoleArn: READER, RoleSessionName: "x1" })).code, "AccessDenied");
});

test("GetAccessKeyInfo, DecodeAuthorizationMessage, AssumeRoot, GetDelegatedAccessToken", async () => {
  const sts = createStsEmulator({ accountId: "210987654321" });
  const info = await signed(sts, LONG_TERM, "GetAccessKeyInfo", { AccessKeyId: "AKIAI44QH8DHBEXAMPLE" });
  assert.equal(info.result.Account, "210987654321");
  const message = { allowed: false, context: { action: "ec2:RunInstances" } };
  const decoded = await signed(sts, LONG_TERM, "DecodeAuthorizationMessage", { EncodedMessage: sts.encodeAuthorizationMessage(message) });
  assert.deepEqual(JSON.parse(decoded.result.DecodedMessage!), message);
  const junk = await signed(sts, LONG_TERM, "DecodeAuthorizationMessage", { EncodedMessage: "not-a-message" });
  assert.deepEqual([junk.status, junk.code], [400, "InvalidAuthorizationMessageException"]);
  const root = await signed(sts, LONG_TERM, "AssumeRoot", { TargetPrincipal: "111122223333", "TaskPolicyArn.arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" });
  assert.equal(root.status, 200);
  assert.equal((await signed(sts, keysOf(root), "GetCallerIdentity")).result.Arn, "arn:aws:iam::111122223333:root");
  const token = sts.createTradeInToken({ principalArn: "arn:aws:sts::210987654321:assumed-role/ops/alice" });
  const delegated = await signed(sts, LONG_TERM, "GetDelegatedAccessToken", { TradeInToken: token });
  assert.equal(delegated.result.AssumedPrincipal, "arn:aws:sts::210987654321:assumed-role/ops/alice");
  assert.equal((await signed(sts, keysOf(delegated), "GetCallerIdentity")).result.Arn, "arn:aws:sts::210987654321:assumed-role/ops/alice");
  assert.equal((await signed(sts, LONG_TERM, "GetDelegatedAccessToken", { TradeInToken: token })).code, "AccessDenied", "single use");
});

test("GetWebIdentityToken mints a JWT another emulator can trust", async () => {
  const { sts, keys } = await webIdentitySession();
  const answer = await signed(sts, keys, "GetWebIdentityToken", { "Audience.member.1": "https://api.partner.example", SigningAlgorithm: "RS256", DurationSeconds: 300 });
  assert.equal(answer.status, 200);
  const downstream = createStsEmulator({ accountId: "444455556666", issuers: [{ issuer: sts.tokenIssuer.issuer, jwks: sts.tokenIssuer.jwks, audiences: ["https://api.partner.example"] }] });
  const assumed = await read(await unsigned(downstream, "AssumeRoleWithWebIdentity", {
    RoleArn: "arn:aws:iam::444455556666:role/partner-access", RoleSessionName: "from-edge", WebIdentityToken: answer.result.WebIdentityToken!,
  }));
  assert.equal(assumed.status, 200);
  assert.equal(assumed.result.SubjectFromWebIdentityToken, "arn:aws:sts::123456789012:assumed-role/edge-app/web-1");
  const escalated = await signed(sts, keys, "GetWebIdentityToken", { "Audience.member.1": "x", SigningAlgorithm: "ES384", DurationSeconds: 3600 });
  assert.equal(escalated.code, "SessionDurationEscalationException");
});

test("AssumeRoleWithSAML accepts the emulator's assertion format", async () => {
  const sts = createStsEmulator({ samlProviders: [{ arn: "arn:aws:iam::123456789012:saml-provider/corp-idp", issuer: "https://idp.example.com/saml" }] });
  const principalArn = "arn:aws:iam::123456789012:saml-provider/corp-idp";
  const assertion = createSamlAssertion({ issuer: "https://idp.example.com/saml", subject: "alice@example.com", roleArn: READER, principalArn });
  const answer = await read(await unsigned(sts, "AssumeRoleWithSAML", { RoleArn: READER, PrincipalArn: principalArn, SAMLAssertion: assertion }));
  assert.equal(answer.status, 200);
  assert.deepEqual(
    [answer.result.Arn, answer.result.Subject, answer.result.SubjectType, answer.result.Issuer, answer.result.Audience],
    ["arn:aws:sts::123456789012:assumed-role/s3-reader/alice@example.com", "alice@example.com", "persistent", "https://idp.example.com/saml", "https://signin.aws.amazon.com/saml"],
  );
  assert.match(answer.result.NameQualifier!, /^[A-Za-z0-9+/]{27}=$/);
  const otherRole = await read(await unsigned(sts, "AssumeRoleWithSAML", { RoleArn: ROLE_ARN, PrincipalArn: principalArn, SAMLAssertion: assertion }));
  assert.equal(otherRole.code, "AccessDenied");
  const junk = await read(await unsigned(sts, "AssumeRoleWithSAML", { RoleArn: READER, PrincipalArn: principalArn, SAMLAssertion: "PHNhbWw+" }));
  assert.equal(junk.code, "InvalidIdentityToken");
});

test("input limits are ValidationError, naming the member without echoing the value", async () => {
  const sts = createStsEmulator({ issuers: [createOidcIssuer()] });
  const sessionName = "s".repeat(65);
  const answer = await read(await unsigned(sts, "AssumeRoleWithWebIdentity", { RoleArn: ROLE_ARN, RoleSessionName: sessionName, WebIdentityToken: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" }));
  assert.deepEqual([answer.status, answer.code], [400, "ValidationError"]);
  assert.match(answer.message!, /1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64/);
  assert.ok(!answer.text.includes(sessionName) && !answer.text.includes("eyJhbGci"));
  const tags = await signed(sts, LONG_TERM, "AssumeRole", { RoleArn: READER, RoleSessionName: "t1", "Tags.member.1.Key": "", "Tags.member.1.Value": "v" });
  assert.equal(tags.code, "ValidationError");
  assert.match(tags.message!, /'tags\.1\.member\.key'/);
});

test("unknown actions, wrong versions, methods and content types", async () => {
  const sts = createStsEmulator();
  const unknown = await read(await unsigned(sts, "AssumeRoleWithOAuth"));
  assert.deepEqual([unknown.status, unknown.code], [400, "InvalidAction"]);
  const noAction = await read(await sts.fetch(ENDPOINT, { method: "POST", headers: { "content-type": CONTENT_TYPE }, body: "Version=2011-06-15" }));
  assert.equal(noAction.code, "InvalidAction");
  const oldVersion = await read(await sts.fetch(ENDPOINT, { method: "POST", headers: { "content-type": CONTENT_TYPE }, body: "Action=GetCallerIdentity&Version=2010-01-01" }));
  assert.equal(oldVersion.code, "InvalidAction");
  const put = await sts.fetch(ENDPOINT, { method: "PUT", body: "Action=GetCallerIdentity" });
  assert.equal(put.status, 405);
  const json = await sts.fetch(ENDPOINT, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(json.status, 415);
  assert.equal(sts.calls.total, 5);
});
