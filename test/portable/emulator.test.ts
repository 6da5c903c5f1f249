/**
 * Every operation end to end against edge-sts/testing's STS emulator, on every runtime: the real
 * StsClient signs with aws4fetch (Web Crypto), the emulator verifies SigV4, JWTs (RS256/ES384) and
 * its own SAML assertions with the same runtime's Web Crypto, and remembers what it issued.
 * Issuers and emulators are created inside the tests (workerd forbids crypto at global scope).
 */
import { StsClient } from "../../src/client.ts";
import type { StsClientOptions } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { fromAssumeRole } from "../../src/providers/from-assume-role.ts";
import { createSamlAssertion, createStsEmulator, DEFAULT_ACCESS_KEY } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";
import type { AwsCredentials, TemporaryCredentials } from "../../src/types.ts";
import { assert, assertEquals, assertMatch, assertRejects, test } from "./harness.ts";
import { strangerIssuer, trustedIssuer } from "./issuers.ts";

const ENDPOINT = "https://sts.emulator.test";
const ACCOUNT = "123456789012";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/edge-app`;
const READER_ARN = `arn:aws:iam::${ACCOUNT}:role/s3-reader`;
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/edge-sts-test`;
const LONG_TERM: AwsCredentials = { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey };

/** A real client pointed at the emulator (retries without real waits). */
function clientFor(emulator: StsEmulator, credentials?: StsClientOptions["credentials"], options: Partial<StsClientOptions> = {}) {
  return new StsClient({ region: "eu-west-1", endpoint: ENDPOINT, fetch: emulator.fetch, credentials, retryBaseDelayMs: 1, ...options });
}

/** The credentials are exactly what the emulator issued (expiration to the second, as on the wire), for `principalArn`. */
function assertIssued(emulator: StsEmulator, credentials: TemporaryCredentials | undefined, principalArn: string, issuedBy: string): void {
  assert(credentials, "credentials in the output");
  const issued = emulator.issuedCredentials().find((s) => s.accessKeyId === credentials.accessKeyId);
  assert(issued, `the emulator issued ${credentials.accessKeyId}`);
  assertMatch(credentials.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assertEquals(
    { ...credentials },
    {
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken!,
      expiration: new Date(Math.floor(issued.expiresAt! / 1000) * 1000),
    },
  );
  assertEquals([issued.principal.arn, issued.issuedBy], [principalArn, issuedBy]);
}

/** A web identity session on a fresh emulator. */
async function webIdentitySession(sessionName = "alice") {
  const issuer = trustedIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const token = await issuer.mint({ sub: "user-1234" });
  const out = await clientFor(emulator).assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: sessionName, webIdentityToken: token });
  return { issuer, emulator, out, credentials: out.credentials! };
}

test("emulator: AssumeRoleWithWebIdentity with a minted token, then a signed GetCallerIdentity as the role", async () => {
  const { emulator, out, credentials } = await webIdentitySession("alice");
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/edge-app/alice`;
  assertEquals(out.assumedRoleUser?.arn, arn);
  assertMatch(out.assumedRoleUser?.assumedRoleId ?? "", /^AROA[A-Z2-7]{17}:alice$/);
  assertEquals(
    [out.subjectFromWebIdentityToken, out.audience, out.provider, out.packedPolicySize, out.sourceIdentity],
    ["user-1234", "sts.amazonaws.com", "issuer.edge-sts.test", undefined, undefined],
  );
  assertEquals(out.requestId, emulator.calls.last?.requestId);
  assertIssued(emulator, credentials, arn, "AssumeRoleWithWebIdentity");
  assertEquals([emulator.calls.last?.signed, emulator.calls.last?.status], [false, 200], "sent unsigned");

  const me = await clientFor(emulator, credentials).getCallerIdentity();
  assertEquals({ ...me, requestId: "" }, { userId: out.assumedRoleUser!.assumedRoleId, account: ACCOUNT, arn, requestId: "" });
  const call = emulator.calls.last!;
  assertEquals([call.action, call.signed, call.accessKeyId, call.status], ["GetCallerIdentity", true, credentials.accessKeyId, 200]);
});

test("emulator: role chaining through fromAssumeRole, cached by the provider", async () => {
  const { emulator, credentials } = await webIdentitySession("web-1");
  const base = clientFor(emulator, credentials);
  const chained = clientFor(emulator, fromAssumeRole({ client: base, roleArn: READER_ARN, roleSessionName: "chained-1", durationSeconds: 900 }));
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/s3-reader/chained-1`;
  assertEquals((await chained.getCallerIdentity()).arn, arn);
  assertEquals((await chained.getCallerIdentity()).arn, arn);
  assertEquals(emulator.calls.count("AssumeRole"), 1, "the provider caches the chained credentials");
  const assume = emulator.calls.log.find((c) => c.action === "AssumeRole")!;
  assertEquals([assume.signed, assume.accessKeyId, assume.status], [true, credentials.accessKeyId, 200], "signed with the web identity session");
  const chainedKeys = emulator.issuedCredentials().find((s) => s.issuedBy === "AssumeRole")!;
  assertEquals(emulator.calls.last?.accessKeyId, chainedKeys.accessKeyId);
  assertEquals(chainedKeys.principal.roleArn, READER_ARN);
});

test("emulator: GetSessionToken with MFA issues credentials of the same IAM user", async () => {
  const emulator = createStsEmulator();
  const out = await clientFor(emulator, LONG_TERM).getSessionToken({
    durationSeconds: 900,
    serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/edge-sts-test`,
    tokenCode: "123456",
  });
  assertIssued(emulator, out.credentials, USER_ARN, "GetSessionToken");
  const issued = emulator.issuedCredentials()[0]!;
  assertEquals(issued.expiresAt! - emulator.calls.last!.at, 900_000);
  assertEquals((await clientFor(emulator, out.credentials).getCallerIdentity()).arn, USER_ARN);
  assertEquals(emulator.calls.log.map((c) => c.accessKeyId), [LONG_TERM.accessKeyId, out.credentials!.accessKeyId]);
});

test("emulator: GetFederationToken names a federated user with working credentials", async () => {
  const emulator = createStsEmulator();
  const out = await clientFor(emulator, LONG_TERM).getFederationToken({
    name: "bob",
    policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    tags: [{ key: "team", value: "Zürich ops" }],
  });
  const arn = `arn:aws:sts::${ACCOUNT}:federated-user/bob`;
  assertEquals(out.federatedUser, { federatedUserId: `${ACCOUNT}:bob`, arn });
  assert(typeof out.packedPolicySize === "number" && out.packedPolicySize > 0, "packed policy size reported");
  assertIssued(emulator, out.credentials, arn, "GetFederationToken");
  assertEquals((await clientFor(emulator, out.credentials).getCallerIdentity()).arn, arn);
});

test("emulator: AssumeRole with every member, then GetCallerIdentity as the role", async () => {
  const emulator = createStsEmulator({
    roles: [{ arn: READER_ARN, trust: { principals: [USER_ARN], externalId: "partner+7f3a=x" } }],
  });
  const out = await clientFor(emulator, LONG_TERM).assumeRole({
    roleArn: READER_ARN,
    roleSessionName: "partner@example.com",
    policyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/ReadOnlyS3` }],
    policy: '{"Version":"2012-10-17","Statement":[{"Sid":"a b&c=d+e%f","Effect":"Allow",\n"Action":"s3:*","Resource":"arn:aws:s3:::caf\u00e9/*"}]}',
    durationSeconds: 1800,
    tags: [{ key: "Project", value: "東京 𝒜" }, { key: "cost=center+1", value: "" }],
    transitiveTagKeys: ["Project"],
    externalId: "partner+7f3a=x",
    serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/edge-sts-test`,
    tokenCode: "654321",
    sourceIdentity: "alice",
    providedContexts: [{ providerArn: "arn:aws:iam::aws:contextProvider/IdentityCenter", contextAssertion: "AQoD+ctx/assertion=&%\n" }],
  });
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/s3-reader/partner@example.com`;
  assertEquals(out.assumedRoleUser?.arn, arn);
  assertEquals(out.sourceIdentity, "alice");
  assert(typeof out.packedPolicySize === "number" && out.packedPolicySize > 0, "packed policy size reported");
  assertIssued(emulator, out.credentials, arn, "AssumeRole");
  const issued = emulator.issuedCredentials()[0]!;
  assertEquals(issued.expiresAt! - emulator.calls.last!.at, 1_800_000);
  // The emulator decoded every member as sent: Unicode, reserved characters and newlines intact.
  const input = emulator.calls.last!.input as Record<string, unknown>;
  assertEquals(input.tags, [{ key: "Project", value: "東京 𝒜" }, { key: "cost=center+1", value: "" }]);
  assertEquals(input.externalId, "partner+7f3a=x");
  assertEquals(input.providedContexts, [{ providerArn: "arn:aws:iam::aws:contextProvider/IdentityCenter", contextAssertion: "AQoD+ctx/assertion=&%\n" }]);
  assertEquals((await clientFor(emulator, out.credentials).getCallerIdentity()).arn, arn);
  // Without the external id the trust policy says no.
  const denied = (await assertRejects(
    () => clientFor(emulator, LONG_TERM).assumeRole({ roleArn: READER_ARN, roleSessionName: "partner" }),
    StsError,
  )) as StsError;
  assertEquals([denied.code, denied.status, denied.type], ["AccessDenied", 403, "Sender"]);
});

test("emulator: AssumeRoot issues root credentials of the member account", async () => {
  const emulator = createStsEmulator();
  const out = await clientFor(emulator, LONG_TERM).assumeRoot({
    targetPrincipal: "111122223333",
    taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" },
    durationSeconds: 600,
  });
  assertIssued(emulator, out.credentials, "arn:aws:iam::111122223333:root", "AssumeRoot");
  const me = await clientFor(emulator, out.credentials).getCallerIdentity();
  assertEquals([me.arn, me.account, me.userId], ["arn:aws:iam::111122223333:root", "111122223333", "111122223333"]);
});

test("emulator: GetAccessKeyInfo answers the account of a key", async () => {
  const emulator = createStsEmulator({ accountId: "210987654321" });
  const out = await clientFor(emulator, LONG_TERM).getAccessKeyInfo({ accessKeyId: "AKIAI44QH8DHBEXAMPLE" });
  assertEquals({ ...out, requestId: typeof out.requestId }, { account: "210987654321", requestId: "string" });
});

test("emulator: DecodeAuthorizationMessage reads back emulator.encodeAuthorizationMessage", async () => {
  const emulator = createStsEmulator();
  const message = {
    allowed: false,
    explicitDeny: false,
    context: { principal: { arn: USER_ARN }, action: "s3:GetObject", resource: "arn:aws:s3:::café/東京/𝒜?a=1&b=2" },
  };
  const client = clientFor(emulator, LONG_TERM);
  const out = await client.decodeAuthorizationMessage({ encodedMessage: emulator.encodeAuthorizationMessage(message) });
  assertEquals(JSON.parse(out.decodedMessage!), message);
  const junk = (await assertRejects(() => client.decodeAuthorizationMessage({ encodedMessage: "not-a-message" }), StsError)) as StsError;
  assertEquals([junk.code, junk.status], ["InvalidAuthorizationMessageException", 400]);
});

test("emulator: GetDelegatedAccessToken trades emulator.createTradeInToken once", async () => {
  const emulator = createStsEmulator();
  const principalArn = `arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice`;
  const tradeInToken = emulator.createTradeInToken({ principalArn });
  const client = clientFor(emulator, LONG_TERM);
  const out = await client.getDelegatedAccessToken({ tradeInToken });
  assertEquals(out.assumedPrincipal, principalArn);
  assertIssued(emulator, out.credentials, principalArn, "GetDelegatedAccessToken");
  assertEquals((await clientFor(emulator, out.credentials).getCallerIdentity()).arn, principalArn);
  const reused = (await assertRejects(() => client.getDelegatedAccessToken({ tradeInToken }), StsError)) as StsError;
  assertEquals(reused.code, "AccessDenied", "single use");
});

test("emulator: GetWebIdentityToken mints a JWT that another emulator trusts", async () => {
  const { emulator, credentials } = await webIdentitySession("web-2");
  const out = await clientFor(emulator, credentials).getWebIdentityToken({
    audience: ["https://api.partner.example"],
    signingAlgorithm: "ES384",
    durationSeconds: 300,
    tags: [{ key: "team", value: "edge" }],
  });
  const token = out.webIdentityToken!;
  assertMatch(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const at = emulator.calls.last!.at;
  assertEquals(out.expiration, new Date((Math.floor(at / 1000) + 300) * 1000));
  const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, any>;
  const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/edge-app/web-2`;
  assertEquals([claims.iss, claims.sub, claims.aud], [emulator.tokenIssuer.issuer, sessionArn, "https://api.partner.example"]);
  assertEquals(claims["https://sts.amazonaws.com/"].request_tags, { team: "edge" });

  const partner = createStsEmulator({
    accountId: "444455556666",
    issuers: [{ issuer: emulator.tokenIssuer.issuer, jwks: emulator.tokenIssuer.jwks, audiences: ["https://api.partner.example"] }],
  });
  const assumed = await clientFor(partner).assumeRoleWithWebIdentity({
    roleArn: "arn:aws:iam::444455556666:role/partner-access",
    roleSessionName: "from-edge",
    webIdentityToken: token,
  });
  assertEquals(assumed.subjectFromWebIdentityToken, sessionArn);
  assertEquals(assumed.assumedRoleUser?.arn, "arn:aws:sts::444455556666:assumed-role/partner-access/from-edge");
});

test("emulator: AssumeRoleWithSAML with createSamlAssertion", async () => {
  const emulator = createStsEmulator();
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/saml-reader`;
  const principalArn = `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp`;
  const samlAssertion = createSamlAssertion({
    issuer: "https://idp.example.com/saml",
    subject: "alice@example.com",
    roleArn,
    principalArn,
    sourceIdentity: "alice",
    sessionDurationSeconds: 1200,
  });
  const out = await clientFor(emulator, LONG_TERM).assumeRoleWithSAML({ roleArn, principalArn, samlAssertion });
  assertEquals(emulator.calls.last?.signed, false, "sent unsigned although the client has credentials");
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/saml-reader/alice@example.com`;
  const { credentials, nameQualifier, assumedRoleUser, requestId: _, ...rest } = out;
  assertEquals(assumedRoleUser?.arn, arn);
  assertEquals(rest, {
    subject: "alice@example.com",
    subjectType: "persistent",
    issuer: "https://idp.example.com/saml",
    audience: "https://signin.aws.amazon.com/saml",
    sourceIdentity: "alice",
  });
  assertMatch(nameQualifier ?? "", /^[A-Za-z0-9+/]{27}=$/, "base64 of a SHA-1 digest");
  assertIssued(emulator, credentials, arn, "AssumeRoleWithSAML");
  assertEquals(emulator.issuedCredentials()[0]!.expiresAt! - emulator.calls.last!.at, 1_200_000);
  assertEquals((await clientFor(emulator, credentials).getCallerIdentity()).arn, arn);
});

test("emulator: a wrong secret → SignatureDoesNotMatch, not retried", async () => {
  const emulator = createStsEmulator();
  const wrong = { accessKeyId: LONG_TERM.accessKeyId, secretAccessKey: LONG_TERM.secretAccessKey.replace(/^w/, "W") };
  const err = (await assertRejects(() => clientFor(emulator, wrong).getCallerIdentity(), StsError)) as StsError;
  assertEquals(
    [err.code, err.status, err.type, err.retryable, err.attempts, err.requestId],
    ["SignatureDoesNotMatch", 403, "Sender", false, 1, emulator.calls.last?.requestId],
  );
  assert(!err.message.includes(wrong.secretAccessKey), "the secret is never in the message");
  assertEquals(emulator.calls.total, 1);
  // The right secret on the same emulator works, so it was the signature that failed.
  assertEquals((await clientFor(emulator, LONG_TERM).getCallerIdentity()).arn, USER_ARN);
});

test("emulator: a token from another issuer → InvalidIdentityToken", async () => {
  const trusted = trustedIssuer();
  const emulator = createStsEmulator({ issuers: [trusted] });
  const webIdentityToken = await strangerIssuer().mint({ sub: "user-1234" });
  const err = (await assertRejects(
    () => clientFor(emulator).assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "alice", webIdentityToken }),
    StsError,
    "No OpenIDConnect provider found in your account for https://stranger.example.com",
  )) as StsError;
  assertEquals([err.code, err.status, err.type, err.retryable], ["InvalidIdentityToken", 400, "Sender", false]);
  assert(!err.message.includes(webIdentityToken), "the token is never in the message");
  // The trusted issuer's URL and key id, signed with other keys: the signature does not verify.
  const forged = await strangerIssuer().mint({ sub: "user-1234", iss: trusted.issuer }, { keyId: trusted.keyId });
  const bad = (await assertRejects(
    () => clientFor(emulator).assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "alice", webIdentityToken: forged }),
    StsError,
    "signature could not be verified",
  )) as StsError;
  assertEquals(bad.code, "InvalidIdentityToken");
  assertEquals(emulator.issuedCredentials().length, 0);
});

test("emulator: an expired token → ExpiredTokenException", async () => {
  const issuer = trustedIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const now = emulator.now();
  const webIdentityToken = await issuer.mint({ sub: "user-1234", iat: new Date(now - 7200_000), exp: new Date(now - 3600_000) });
  const err = (await assertRejects(
    () => clientFor(emulator).assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "alice", webIdentityToken }),
    StsError,
  )) as StsError;
  assertEquals([err.code, err.status, err.retryable, err.attempts], ["ExpiredTokenException", 400, false, 1]);
});

test("emulator: throttling twice, then success on the third attempt", async () => {
  const emulator = createStsEmulator();
  emulator.faults.next(2, { kind: "throttling" });
  const out = await clientFor(emulator, LONG_TERM, { maxAttempts: 3 }).getCallerIdentity();
  assertEquals(out.arn, USER_ARN);
  assertEquals(emulator.calls.total, 3);
  assertEquals(
    emulator.calls.log.map((c) => [c.fault ?? null, c.status, c.errorCode ?? null]),
    [["throttling", 400, "Throttling"], ["throttling", 400, "Throttling"], [null, 200, null]],
  );
  assertEquals(emulator.faults.pending, 0);
  // One attempt fewer than the faults: the throttling reaches the caller, marked retryable.
  emulator.faults.next(2, { kind: "throttling" });
  const err = (await assertRejects(() => clientFor(emulator, LONG_TERM, { maxAttempts: 2 }).getCallerIdentity(), StsError)) as StsError;
  assertEquals([err.code, err.status, err.retryable, err.attempts], ["Throttling", 400, true, 2]);
  assertEquals(emulator.calls.total, 5);
});

test("emulator: a hung attempt times out and the next attempt succeeds", async () => {
  const emulator = createStsEmulator();
  emulator.faults.next(1, { kind: "hang" });
  const out = await clientFor(emulator, LONG_TERM, { maxAttempts: 2, timeoutMs: 50 }).getCallerIdentity();
  assertEquals(out.arn, USER_ARN);
  assertEquals(emulator.calls.log.map((c) => [c.fault ?? null, c.status]), [["hang", 0], [null, 200]]);
  emulator.faults.next(1, { kind: "hang" });
  const err = (await assertRejects(() => clientFor(emulator, LONG_TERM, { maxAttempts: 1, timeoutMs: 50 }).getCallerIdentity(), StsError)) as StsError;
  assertEquals([err.code, err.status, err.retryable, err.attempts], ["TimeoutError", 0, true, 1]);
});

test("emulator: a truncated 200 and a network failure are retried", async () => {
  const emulator = createStsEmulator();
  emulator.faults.next(1, { kind: "truncated" });
  emulator.faults.next(1, { kind: "network-error" });
  const out = await clientFor(emulator, LONG_TERM, { maxAttempts: 3 }).getCallerIdentity();
  assertEquals(out.arn, USER_ARN);
  assertEquals(emulator.calls.log.map((c) => c.fault ?? null), ["truncated", "network-error", null]);
  emulator.faults.next(1, { kind: "truncated" });
  const err = (await assertRejects(() => clientFor(emulator, LONG_TERM, { maxAttempts: 1 }).getCallerIdentity(), StsError)) as StsError;
  assertEquals([err.code, err.status, err.retryable], ["InvalidResponse", 200, true]);
});

test("emulator: a server clock 20 minutes ahead is learned from its Date header", async () => {
  const emulator = createStsEmulator();
  emulator.setClockOffset(20 * 60_000);
  const client = clientFor(emulator, LONG_TERM, { maxAttempts: 2 });
  const out = await client.getCallerIdentity();
  assertEquals(out.arn, USER_ARN);
  assertEquals(emulator.calls.log.map((c) => [c.status, c.errorCode ?? null]), [[400, "RequestExpired"], [200, null]]);
  assert(Math.abs(client.clockOffsetMs - 20 * 60_000) < 2000, `learned offset ${client.clockOffsetMs} ms`);
  // The next call signs with the learned offset at once.
  await client.getCallerIdentity();
  assertEquals(emulator.calls.total, 3);
});

test("emulator: with maxAttempts 1 the skewed call fails, and the learned offset serves the next", async () => {
  const emulator = createStsEmulator();
  emulator.setClockOffset(20 * 60_000);
  const client = clientFor(emulator, LONG_TERM, { maxAttempts: 1 });
  const err = (await assertRejects(() => client.getCallerIdentity(), StsError)) as StsError;
  assertEquals(err.code, "RequestExpired");
  assert(Math.abs(client.clockOffsetMs - 20 * 60_000) < 2000, `learned offset ${client.clockOffsetMs} ms`);
  assertEquals((await client.getCallerIdentity()).arn, USER_ARN);
  assertEquals(emulator.calls.log.map((c) => [c.status, c.errorCode ?? null]), [[400, "RequestExpired"], [200, null]]);
});
