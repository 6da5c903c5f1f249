/**
 * Every STS operation on every runtime, through a real StsClient and a scripted fetch: the exact
 * form body (RFC 3986 UTF-8), the content type, signed or unsigned, and the exact parsed output of
 * a recorded response. Plus the three ways a call fails: an STS error, a bad input, an HTML page.
 */
import { StsClient } from "../../src/client.ts";
import type { StsClientOptions } from "../../src/client.ts";
import { StsError, StsValidationError } from "../../src/errors.ts";
import type {
  AssumeRoleInput,
  AssumeRoleOutput,
  AssumeRoleWithSAMLInput,
  AssumeRoleWithSAMLOutput,
  AssumeRoleWithWebIdentityInput,
  AssumeRoleWithWebIdentityOutput,
  AssumeRootInput,
  AssumeRootOutput,
  DecodeAuthorizationMessageInput,
  DecodeAuthorizationMessageOutput,
  GetAccessKeyInfoInput,
  GetAccessKeyInfoOutput,
  GetCallerIdentityInput,
  GetCallerIdentityOutput,
  GetDelegatedAccessTokenInput,
  GetDelegatedAccessTokenOutput,
  GetFederationTokenInput,
  GetFederationTokenOutput,
  GetSessionTokenInput,
  GetSessionTokenOutput,
  GetWebIdentityTokenInput,
  GetWebIdentityTokenOutput,
} from "../../src/operations/index.ts";
import type { AwsCredentials, ResponseMetadata } from "../../src/types.ts";
import * as xml from "./fixtures.ts";
import { assert, assertEquals, assertMatch, assertRejects, test } from "./harness.ts";

const ENDPOINT = "https://sts.eu-west-1.amazonaws.com/";
const CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";

/** Temporary credentials, so a signed request carries both Authorization and x-amz-security-token. */
const SESSION: AwsCredentials = {
  accessKeyId: "ASIAV3ZUEFP6EXAMPLE",
  secretAccessKey: "8P+SQvWIuLnKhh8d++jpw0nNmQRBZvNEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDgEXAMPLE+token/with+plus==",
};

/** The credentials every recorded fixture carries. */
const FIXTURE_CREDENTIALS = {
  accessKeyId: "ASIAV3ZUEFP6EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  sessionToken:
    "IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==",
  expiration: new Date("2026-11-22T20:15:00Z"),
};
const credentialsWith = (accessKeyId: string) => ({ ...FIXTURE_CREDENTIALS, accessKeyId });

/** A letter outside the BMP (U+1D49C): one code point, two UTF-16 units, four UTF-8 bytes. */
const ASTRAL = "\u{1D49C}";
/** A session policy: the policy pattern allows tabs, newlines and U+0020–U+00FF. */
const POLICY = '{"Version":"2012-10-17","Statement":[{"Sid":"a b&c=d+e%f","Effect":"Allow",\n"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/caf\u00e9/*"}]}';
/** POLICY, percent-encoded as RFC 3986 UTF-8 (computed independently of src/wire/query.ts). */
const POLICY_ENCODED =
  "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22a%20b%26c%3Dd%2Be%25f%22%2C%22Effect%22%3A%22Allow%22%2C%0A%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Abucket%2Fcaf%C3%A9%2F%2A%22%7D%5D%7D";

/** One request the client sent, with its body read. */
interface Sent {
  request: Request;
  body: string;
}

/** What the scripted fetch answers. */
interface Reply {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

/** A real StsClient (eu-west-1, temporary credentials, one attempt) whose fetch records and answers. */
function scripted(reply: Reply | ((n: number) => Reply), options: Partial<StsClientOptions> = {}) {
  const sent: Sent[] = [];
  const client = new StsClient({
    region: "eu-west-1",
    credentials: SESSION,
    maxAttempts: 1,
    ...options,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      sent.push({ request, body: await request.clone().text() });
      const r = typeof reply === "function" ? reply(sent.length) : reply;
      return new Response(r.body, { status: r.status ?? 200, headers: { "content-type": "text/xml", ...r.headers } });
    },
  });
  return { client, sent };
}

/** One operation: how to call it, a full input and its exact body, a recorded response and its exact output. */
interface OperationCase<I, O> {
  action: string;
  signed: boolean;
  call: (client: StsClient, input: I) => Promise<O & ResponseMetadata>;
  /** Every member set. */
  full: I;
  /** The exact body for `full`. */
  body: string;
  /** Every list member empty, with the exact body. */
  emptyLists?: { input: I; body: string };
  /** A full success response and what it parses to. */
  response: { xml: string; output: O & ResponseMetadata };
  /** A response without the optional members, and what it parses to. */
  minimal?: { xml: string; output: O & ResponseMetadata };
}

// deno-lint-ignore no-explicit-any
const cases: OperationCase<any, any>[] = [];
function operation<I, O>(c: OperationCase<I, O>): void {
  cases.push(c);
}

// ── AssumeRole ───────────────────────────────────────────────────────────────────────────────

const CONTEXT_ASSERTION = `AQoD+assertion/signed=encrypted&more%\n${ASTRAL}`;
operation<AssumeRoleInput, AssumeRoleOutput>({
  action: "AssumeRole",
  signed: true,
  call: (client, input) => client.assumeRole(input),
  full: {
    roleArn: "arn:aws:iam::123456789012:role/demo",
    roleSessionName: "batch+job=42,x.y@z-w",
    policyArns: [
      { arn: "arn:aws:iam::123456789012:policy/ReadOnlyS3" },
      { arn: "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess" },
    ],
    policy: POLICY,
    durationSeconds: 3600,
    tags: [
      { key: "Project", value: "Unicorn" },
      { key: "Team", value: `Zürich 東京 ${ASTRAL}` },
      { key: "a=b+c", value: "" },
    ],
    transitiveTagKeys: ["Project", "Team"],
    externalId: "123ABC:ext/id+x=y",
    serialNumber: "arn:aws:iam::123456789012:mfa/batch",
    tokenCode: "123456",
    sourceIdentity: "DevUser123",
    providedContexts: [{ providerArn: "arn:aws:iam::aws:contextProvider/IdentityCenter", contextAssertion: CONTEXT_ASSERTION }],
  },
  body: "Action=AssumeRole&Version=2011-06-15" +
    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo" +
    "&RoleSessionName=batch%2Bjob%3D42%2Cx.y%40z-w" +
    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2FReadOnlyS3" +
    "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAmazonEC2ReadOnlyAccess" +
    `&Policy=${POLICY_ENCODED}` +
    "&DurationSeconds=3600" +
    "&Tags.member.1.Key=Project&Tags.member.1.Value=Unicorn" +
    "&Tags.member.2.Key=Team&Tags.member.2.Value=Z%C3%BCrich%20%E6%9D%B1%E4%BA%AC%20%F0%9D%92%9C" +
    "&Tags.member.3.Key=a%3Db%2Bc&Tags.member.3.Value=" +
    "&TransitiveTagKeys.member.1=Project&TransitiveTagKeys.member.2=Team" +
    "&ExternalId=123ABC%3Aext%2Fid%2Bx%3Dy" +
    "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fbatch" +
    "&TokenCode=123456" +
    "&SourceIdentity=DevUser123" +
    "&ProvidedContexts.member.1.ProviderArn=arn%3Aaws%3Aiam%3A%3Aaws%3AcontextProvider%2FIdentityCenter" +
    "&ProvidedContexts.member.1.ContextAssertion=AQoD%2Bassertion%2Fsigned%3Dencrypted%26more%25%0A%F0%9D%92%9C",
  emptyLists: {
    input: { roleArn: "arn:aws:iam::123456789012:role/demo", roleSessionName: "batch-job-42", policyArns: [], tags: [], transitiveTagKeys: [] },
    body: "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo" +
      "&RoleSessionName=batch-job-42&PolicyArns=&Tags=&TransitiveTagKeys=",
  },
  response: {
    xml: xml.ASSUME_ROLE_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      assumedRoleUser: {
        assumedRoleId: "AROA3XFRBF535PLBIFPI4:batch-job-42",
        arn: "arn:aws:sts::123456789012:assumed-role/demo/batch-job-42",
      },
      packedPolicySize: 8,
      sourceIdentity: "DevUser123",
      requestId: "c6104cbe-af31-11e0-8154-cbc7ccf896c7",
    },
  },
  minimal: {
    xml: xml.ASSUME_ROLE_MINIMAL_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      assumedRoleUser: {
        assumedRoleId: "AROA3XFRBF535PLBIFPI4:batch-job-42",
        arn: "arn:aws:sts::123456789012:assumed-role/demo/batch-job-42",
      },
      requestId: "7f1b0c2e-3a4d-4b5e-8f6a-9b0c1d2e3f40",
    },
  },
});

// ── AssumeRoleWithSAML ───────────────────────────────────────────────────────────────────────

operation<AssumeRoleWithSAMLInput, AssumeRoleWithSAMLOutput>({
  action: "AssumeRoleWithSAML",
  signed: false,
  call: (client, input) => client.assumeRoleWithSAML(input),
  full: {
    roleArn: "arn:aws:iam::123456789012:role/TestSaml",
    principalArn: "arn:aws:iam::123456789012:saml-provider/SAML-test",
    samlAssertion: "PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM+Cjwvc2FtbHA6UmVzcG9uc2U+/w==",
    policyArns: [{ arn: "arn:aws:iam::123456789012:policy/SamlNarrow" }],
    policy: POLICY,
    durationSeconds: 7200,
  },
  body: "Action=AssumeRoleWithSAML&Version=2011-06-15" +
    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FTestSaml" +
    "&PrincipalArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Asaml-provider%2FSAML-test" +
    "&SAMLAssertion=PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM%2BCjwvc2FtbHA6UmVzcG9uc2U%2B%2Fw%3D%3D" +
    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2FSamlNarrow" +
    `&Policy=${POLICY_ENCODED}` +
    "&DurationSeconds=7200",
  emptyLists: {
    input: {
      roleArn: "arn:aws:iam::123456789012:role/TestSaml",
      principalArn: "arn:aws:iam::123456789012:saml-provider/SAML-test",
      samlAssertion: "PHNhbWw+",
      policyArns: [],
    },
    body: "Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FTestSaml" +
      "&PrincipalArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Asaml-provider%2FSAML-test&SAMLAssertion=PHNhbWw%2B&PolicyArns=",
  },
  response: {
    xml: xml.ASSUME_ROLE_WITH_SAML_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      assumedRoleUser: {
        assumedRoleId: "AROAV3ZUEFP6EXAMPLE:SamlExample",
        arn: "arn:aws:sts::123456789012:assumed-role/TestSaml/SamlExample",
      },
      packedPolicySize: 6,
      subject: "SamlExample",
      subjectType: "transient",
      issuer: "https://integ.example.com/idp/shibboleth",
      audience: "https://signin.aws.amazon.com/saml",
      nameQualifier: "SbdGOnUkh1i4+EXAMPLExL/jEvs=",
      sourceIdentity: "SamlUser@example.com",
      requestId: "6a1f7b3c-9d2e-4f5a-8b6c-7d8e9f0a1b2c",
    },
  },
  minimal: {
    xml: xml.ASSUME_ROLE_WITH_SAML_MINIMAL_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      assumedRoleUser: {
        assumedRoleId: "AROAV3ZUEFP6EXAMPLE:SamlExample",
        arn: "arn:aws:sts::123456789012:assumed-role/TestSaml/SamlExample",
      },
      requestId: "0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e",
    },
  },
});

// ── AssumeRoleWithWebIdentity ────────────────────────────────────────────────────────────────

const JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJyZXBvOmFjbWUvd2ViIn0.c2lnbmF0dXJl-_w";
operation<AssumeRoleWithWebIdentityInput, AssumeRoleWithWebIdentityOutput>({
  action: "AssumeRoleWithWebIdentity",
  signed: false,
  call: (client, input) => client.assumeRoleWithWebIdentity(input),
  full: {
    roleArn: "arn:aws:iam::123456789012:role/FederatedWebIdentityRole",
    roleSessionName: "gha+deploy=1,a.b@c-d",
    webIdentityToken: JWT,
    providerId: "www.amazon.com",
    policyArns: [
      { arn: "arn:aws:iam::123456789012:policy/DeployNarrow" },
      { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    ],
    policy: POLICY,
    durationSeconds: 900,
  },
  body: "Action=AssumeRoleWithWebIdentity&Version=2011-06-15" +
    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FFederatedWebIdentityRole" +
    "&RoleSessionName=gha%2Bdeploy%3D1%2Ca.b%40c-d" +
    `&WebIdentityToken=${JWT}` +
    "&ProviderId=www.amazon.com" +
    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2FDeployNarrow" +
    "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess" +
    `&Policy=${POLICY_ENCODED}` +
    "&DurationSeconds=900",
  emptyLists: {
    input: {
      roleArn: "arn:aws:iam::123456789012:role/FederatedWebIdentityRole",
      roleSessionName: "gha-deploy",
      webIdentityToken: JWT,
      policyArns: [],
    },
    body: "Action=AssumeRoleWithWebIdentity&Version=2011-06-15" +
      "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FFederatedWebIdentityRole" +
      `&RoleSessionName=gha-deploy&WebIdentityToken=${JWT}&PolicyArns=`,
  },
  response: {
    xml: xml.ASSUME_ROLE_WITH_WEB_IDENTITY_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      subjectFromWebIdentityToken: "repo:acme/web:ref:refs/heads/main",
      assumedRoleUser: {
        assumedRoleId: "AROACLKWSDQRAOEXAMPLE:gha-deploy",
        arn: "arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/gha-deploy",
      },
      packedPolicySize: 123,
      provider: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      audience: "sts.amazonaws.com",
      sourceIdentity: "octocat",
      requestId: "ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE",
    },
  },
  minimal: {
    xml: xml.ASSUME_ROLE_WITH_WEB_IDENTITY_MINIMAL_XML,
    output: { credentials: FIXTURE_CREDENTIALS, requestId: "5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f" },
  },
});

// ── AssumeRoot ───────────────────────────────────────────────────────────────────────────────

operation<AssumeRootInput, AssumeRootOutput>({
  action: "AssumeRoot",
  signed: true,
  call: (client, input) => client.assumeRoot(input),
  full: {
    targetPrincipal: "111122223333",
    taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" },
    durationSeconds: 900,
  },
  body: "Action=AssumeRoot&Version=2011-06-15&TargetPrincipal=111122223333" +
    "&TaskPolicyArn.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FS3UnlockBucketPolicy&DurationSeconds=900",
  response: {
    xml: xml.ASSUME_ROOT_XML,
    output: {
      credentials: credentialsWith("ASIAQWERTYUIOP123456"),
      sourceIdentity: "root-task-auditor",
      requestId: "2f7b9c1d-4e6a-4b8c-9d0e-1f2a3b4c5d6e",
    },
  },
  minimal: {
    xml: xml.ASSUME_ROOT_MINIMAL_XML,
    output: { credentials: credentialsWith("ASIAQWERTYUIOP123456"), requestId: "3e8c0d2f-5a7b-4c9d-0e1f-2a3b4c5d6e7f" },
  },
});

// ── DecodeAuthorizationMessage ───────────────────────────────────────────────────────────────

operation<DecodeAuthorizationMessageInput, DecodeAuthorizationMessageOutput>({
  action: "DecodeAuthorizationMessage",
  signed: true,
  call: (client, input) => client.decodeAuthorizationMessage(input),
  full: { encodedMessage: `Kl9Q+R0w/a2V5PT0=&b=2%\nZürich ${ASTRAL} !'()*` },
  body: "Action=DecodeAuthorizationMessage&Version=2011-06-15" +
    "&EncodedMessage=Kl9Q%2BR0w%2Fa2V5PT0%3D%26b%3D2%25%0AZ%C3%BCrich%20%F0%9D%92%9C%20%21%27%28%29%2A",
  response: {
    xml: xml.DECODE_AUTHORIZATION_MESSAGE_XML,
    output: {
      decodedMessage:
        '{"allowed":false,"explicitDeny":false,"matchedStatements":{"items":[]},"failures":{"items":[]},' +
        '"context":{"principal":{"id":"AIDACKCEVSQ6C2EXAMPLE","name":"Bob","arn":"arn:aws:iam::123456789012:user/Bob"},' +
        '"action":"ec2:StopInstances","resource":"arn:aws:ec2:us-east-1:123456789012:instance/i-dd01c9bd",' +
        '"conditions":{"items":[{"key":"ec2:Tenancy","values":{"items":[{"value":"default"}]}},' +
        '{"key":"aws:Referer","values":{"items":[{"value":"https://example.com/?a=1&b=2"}]}}]}}}',
      requestId: "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
    },
  },
});

// ── GetAccessKeyInfo ─────────────────────────────────────────────────────────────────────────

operation<GetAccessKeyInfoInput, GetAccessKeyInfoOutput>({
  action: "GetAccessKeyInfo",
  signed: true,
  call: (client, input) => client.getAccessKeyInfo(input),
  full: { accessKeyId: "AKIAI44QH8DHBEXAMPLE" },
  body: "Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=AKIAI44QH8DHBEXAMPLE",
  response: {
    xml: xml.GET_ACCESS_KEY_INFO_XML,
    output: { account: "111122223333", requestId: "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a" },
  },
});

// ── GetCallerIdentity ────────────────────────────────────────────────────────────────────────

operation<GetCallerIdentityInput, GetCallerIdentityOutput>({
  action: "GetCallerIdentity",
  signed: true,
  call: (client, input) => client.getCallerIdentity(input),
  full: {},
  body: "Action=GetCallerIdentity&Version=2011-06-15",
  response: {
    xml: xml.GET_CALLER_IDENTITY_XML,
    output: {
      userId: "AROAJL4EWJRZHJC7CBIK4:my-role-session-name",
      account: "123456789012",
      arn: "arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name",
      requestId: "01234567-89ab-cdef-0123-456789abcdef",
    },
  },
});

// ── GetDelegatedAccessToken ──────────────────────────────────────────────────────────────────

operation<GetDelegatedAccessTokenInput, GetDelegatedAccessTokenOutput>({
  action: "GetDelegatedAccessToken",
  signed: true,
  call: (client, input) => client.getDelegatedAccessToken(input),
  full: { tradeInToken: `tit-AQoD+/token==&x=%\n${ASTRAL}` },
  body: "Action=GetDelegatedAccessToken&Version=2011-06-15" +
    "&TradeInToken=tit-AQoD%2B%2Ftoken%3D%3D%26x%3D%25%0A%F0%9D%92%9C",
  response: {
    xml: xml.GET_DELEGATED_ACCESS_TOKEN_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      packedPolicySize: 12,
      assumedPrincipal: "arn:aws:sts::111122223333:assumed-role/PartnerDelegatedAccess/acme-support",
      requestId: "4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e",
    },
  },
  minimal: {
    xml: xml.GET_DELEGATED_ACCESS_TOKEN_MINIMAL_XML,
    output: { credentials: FIXTURE_CREDENTIALS, requestId: "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f" },
  },
});

// ── GetFederationToken ───────────────────────────────────────────────────────────────────────

operation<GetFederationTokenInput, GetFederationTokenOutput>({
  action: "GetFederationToken",
  signed: true,
  call: (client, input) => client.getFederationToken(input),
  full: {
    name: "Bob+ops=1,a.b@c-d",
    policy: POLICY,
    policyArns: [{ arn: "arn:aws:iam::123456789012:policy/FederatedNarrow" }],
    durationSeconds: 129600,
    tags: [
      { key: "Project", value: `Zürich ${ASTRAL}` },
      { key: "cost=center+1", value: "42" },
    ],
  },
  body: "Action=GetFederationToken&Version=2011-06-15" +
    "&Name=Bob%2Bops%3D1%2Ca.b%40c-d" +
    `&Policy=${POLICY_ENCODED}` +
    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2FFederatedNarrow" +
    "&DurationSeconds=129600" +
    "&Tags.member.1.Key=Project&Tags.member.1.Value=Z%C3%BCrich%20%F0%9D%92%9C" +
    "&Tags.member.2.Key=cost%3Dcenter%2B1&Tags.member.2.Value=42",
  emptyLists: {
    input: { name: "Bob", policyArns: [], tags: [] },
    body: "Action=GetFederationToken&Version=2011-06-15&Name=Bob&PolicyArns=&Tags=",
  },
  response: {
    xml: xml.GET_FEDERATION_TOKEN_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      federatedUser: { federatedUserId: "123456789012:Bob", arn: "arn:aws:sts::123456789012:federated-user/Bob" },
      packedPolicySize: 8,
      requestId: "c6104cbe-af31-11e0-8154-cbc7ccf896c8",
    },
  },
  minimal: {
    xml: xml.GET_FEDERATION_TOKEN_MINIMAL_XML,
    output: {
      credentials: FIXTURE_CREDENTIALS,
      federatedUser: { federatedUserId: "123456789012:Bob", arn: "arn:aws:sts::123456789012:federated-user/Bob" },
      requestId: "d7215dcf-b042-11e0-9265-dcd8ddf907d9",
    },
  },
});

// ── GetSessionToken ──────────────────────────────────────────────────────────────────────────

operation<GetSessionTokenInput, GetSessionTokenOutput>({
  action: "GetSessionToken",
  signed: true,
  call: (client, input) => client.getSessionToken(input),
  full: { durationSeconds: 129600, serialNumber: "arn:aws:iam::123456789012:mfa/user+a=b,c.d@e", tokenCode: "012345" },
  body: "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=129600" +
    "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fuser%2Ba%3Db%2Cc.d%40e&TokenCode=012345",
  response: {
    xml: xml.GET_SESSION_TOKEN_XML,
    output: { credentials: FIXTURE_CREDENTIALS, requestId: "58c5dbae-abef-11e0-8cfe-09039844ac7d" },
  },
});

// ── GetWebIdentityToken ──────────────────────────────────────────────────────────────────────

operation<GetWebIdentityTokenInput, GetWebIdentityTokenOutput>({
  action: "GetWebIdentityToken",
  signed: true,
  call: (client, input) => client.getWebIdentityToken(input),
  full: {
    audience: ["https://api.example.com/?a=1&b=2+3%20", `urn:zürich:東京\n${ASTRAL}`],
    durationSeconds: 3600,
    signingAlgorithm: "ES384",
    tags: [{ key: "team", value: "Zürich=+" }],
  },
  body: "Action=GetWebIdentityToken&Version=2011-06-15" +
    "&Audience.member.1=https%3A%2F%2Fapi.example.com%2F%3Fa%3D1%26b%3D2%2B3%2520" +
    "&Audience.member.2=urn%3Az%C3%BCrich%3A%E6%9D%B1%E4%BA%AC%0A%F0%9D%92%9C" +
    "&DurationSeconds=3600&SigningAlgorithm=ES384" +
    "&Tags.member.1.Key=team&Tags.member.1.Value=Z%C3%BCrich%3D%2B",
  emptyLists: {
    input: { audience: ["https://api.example.com"], signingAlgorithm: "RS256", tags: [] },
    body: "Action=GetWebIdentityToken&Version=2011-06-15&Audience.member.1=https%3A%2F%2Fapi.example.com&SigningAlgorithm=RS256&Tags=",
  },
  response: {
    xml: xml.GET_WEB_IDENTITY_TOKEN_XML,
    output: {
      webIdentityToken:
        "eyJraWQiOiJzdHMtZXUtd2VzdC0xLTIwMjYiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOlsiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iXSwic3ViIjoiYXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjpyb2xlL2FwcCIsImlzcyI6Imh0dHBzOi8vc3RzLmV1LXdlc3QtMS5hbWF6b25hd3MuY29tIiwiZXhwIjoxNzk1NDQ2OTAwfQ.Q2hhbmdlTWVfc2lnbmF0dXJlX2V4YW1wbGVfb25seV9ub3RfcmVhbF9kYXRhX2Zvcl90ZXN0cw",
      expiration: new Date("2026-11-22T20:15:00Z"),
      requestId: "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
    },
  },
});

// ── the tests ────────────────────────────────────────────────────────────────────────────────

/** POST to `/` of the regional endpoint with the form content type, signed or not as the model says. */
function assertRequest(sent: Sent, signed: boolean): void {
  const { request } = sent;
  assertEquals([request.method, request.url], ["POST", ENDPOINT]);
  assertEquals(request.headers.get("content-type"), CONTENT_TYPE);
  const auth = request.headers.get("authorization");
  if (signed) {
    assert(auth !== null, "a signed operation carries Authorization");
    assertMatch(
      auth,
      /^AWS4-HMAC-SHA256 Credential=ASIAV3ZUEFP6EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    assertMatch(request.headers.get("x-amz-date") ?? "", /^\d{8}T\d{6}Z$/);
    assertEquals(request.headers.get("x-amz-security-token"), SESSION.sessionToken!);
  } else {
    assertEquals(
      [auth, request.headers.get("x-amz-date"), request.headers.get("x-amz-security-token")],
      [null, null, null],
      "an unsigned operation carries no signature even when the client has credentials",
    );
  }
}

for (const c of cases) {
  test(`operations: ${c.action} sends every member, exactly, ${c.signed ? "signed" : "unsigned"}`, async () => {
    const { client, sent } = scripted({ body: c.response.xml });
    await c.call(client, c.full);
    assertEquals(sent.length, 1, "one fetch");
    assertRequest(sent[0]!, c.signed);
    assertEquals(sent[0]!.body, c.body);
    // Every byte outside RFC 3986's unreserved set is escaped: no `+` for a space, no raw `&` or `=` in a value.
    for (const part of sent[0]!.body.split("&")) assertMatch(part, /^[A-Za-z0-9._~%-]+=[A-Za-z0-9._~%-]*$/);
  });

  if (c.emptyLists) {
    const { input, body } = c.emptyLists;
    test(`operations: ${c.action} sends an empty list as Name=`, async () => {
      const { client, sent } = scripted({ body: c.response.xml });
      await c.call(client, input);
      assertEquals(sent[0]!.body, body);
    });
  }

  test(`operations: ${c.action} parses every member of a full response`, async () => {
    const { client } = scripted({ body: c.response.xml });
    assertEquals(await c.call(client, c.full), c.response.output);
  });

  if (c.minimal) {
    const { xml: body, output } = c.minimal;
    test(`operations: ${c.action} leaves absent optional members absent`, async () => {
      const { client } = scripted({ body });
      const out = await c.call(client, c.full);
      assertEquals(out, output);
    });
  }
}

test("operations: every one of the 11 actions is covered", () => {
  assertEquals(cases.map((c) => c.action).sort(), [
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "AssumeRoot",
    "DecodeAuthorizationMessage",
    "GetAccessKeyInfo",
    "GetCallerIdentity",
    "GetDelegatedAccessToken",
    "GetFederationToken",
    "GetSessionToken",
    "GetWebIdentityToken",
  ]);
});

test("operations: long-term keys sign without x-amz-security-token", async () => {
  const keys = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
  const { client, sent } = scripted({ body: xml.GET_CALLER_IDENTITY_XML }, { credentials: keys });
  await client.getCallerIdentity();
  const headers = sent[0]!.request.headers;
  assertMatch(headers.get("authorization") ?? "", /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request, /);
  assertEquals(headers.get("x-amz-security-token"), null);
});

const ERROR_BODY = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>No OpenIDConnect provider found in your account for https://issuer.example.com &amp; friends</Message>
  </Error>
  <RequestId>9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a</RequestId>
</ErrorResponse>
`;

test("operations: an STS error body becomes an StsError with code, type, status and requestId", async () => {
  const { client, sent } = scripted({ status: 400, body: ERROR_BODY }, { maxAttempts: 3, retryBaseDelayMs: 0 });
  const err = await assertRejects(
    () => client.assumeRoleWithWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/app", roleSessionName: "alice", webIdentityToken: JWT }),
    StsError,
  );
  const e = err as StsError;
  assertEquals(
    { code: e.code, type: e.type, status: e.status, requestId: e.requestId, operation: e.operation, retryable: e.retryable, attempts: e.attempts },
    {
      code: "InvalidIdentityToken",
      type: "Sender",
      status: 400,
      requestId: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
      operation: "AssumeRoleWithWebIdentity",
      retryable: false,
      attempts: 1,
    },
  );
  assertEquals(e.message, "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://issuer.example.com & friends");
  assertEquals(sent.length, 1, "not retried");
});

test("operations: a Receiver error is retried, then the success is parsed", async () => {
  const failure = ERROR_BODY.replace("Sender", "Receiver").replace("InvalidIdentityToken", "InternalFailure");
  const { client, sent } = scripted(
    (n) => (n < 3 ? { status: 500, body: failure } : { body: xml.GET_CALLER_IDENTITY_XML }),
    { maxAttempts: 3, retryBaseDelayMs: 0 },
  );
  const out = await client.getCallerIdentity();
  assertEquals([out.account, sent.length], ["123456789012", 3]);
  assertEquals(sent[0]!.body, sent[2]!.body, "the same body on every attempt");
});

test("operations: a validation error names the member and the rule, and nothing is fetched", async () => {
  const { client, sent } = scripted({ body: xml.ASSUME_ROLE_XML });
  const err = await assertRejects(
    () => client.assumeRole({ roleArn: "arn:aws:iam::123456789012:role/demo", roleSessionName: "bad name" }),
    StsValidationError,
    "roleSessionName",
  );
  const e = err as StsValidationError;
  assertEquals(e.operation, "AssumeRole");
  assertEquals([e.issues[0]!.path, e.issues[0]!.rule], ["roleSessionName", "regex"]);
  assertMatch(e.message, /^AssumeRole: roleSessionName must match .*\(regex\)$/);
  const tooShort = await assertRejects(
    () => client.assumeRoleWithWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/app", roleSessionName: "alice", webIdentityToken: "abc" }),
    StsValidationError,
  );
  assertEquals((tooShort as StsValidationError).issues[0], {
    path: "webIdentityToken",
    rule: "min_length",
    expected: ">=4",
    limit: 4,
    message: "webIdentityToken must have a length >=4 (min_length; it has 3)",
  });
  assert(!tooShort.message.includes('"abc"'), "the token is never echoed");
  assertEquals(sent.length, 0, "no fetch on a validation failure");
});

test("operations: an HTML 502 page becomes StsError InvalidResponse", async () => {
  const page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
  const { client, sent } = scripted({ status: 502, body: page, headers: { "content-type": "text/html", "x-amzn-requestid": "proxy-req-1" } });
  const err = (await assertRejects(() => client.getCallerIdentity(), StsError)) as StsError;
  assertEquals(
    { code: err.code, status: err.status, type: err.type, retryable: err.retryable, attempts: err.attempts, requestId: err.requestId },
    { code: "InvalidResponse", status: 502, type: undefined, retryable: true, attempts: 1, requestId: "proxy-req-1" },
  );
  assertEquals(err.message, "GetCallerIdentity: HTTP 502 with an unexpected <html> body");
  // A page with a DOCTYPE (most proxies) is refused by the XML reader itself: the same error.
  const doctype = scripted({ status: 502, body: "<!DOCTYPE html>\n" + page, headers: { "content-type": "text/html; charset=utf-8" } });
  const refused = (await assertRejects(() => doctype.client.getCallerIdentity(), StsError)) as StsError;
  assertEquals([refused.code, refused.status, refused.retryable], ["InvalidResponse", 502, true]);
  assertMatch(refused.message, /^GetCallerIdentity: HTTP 502, HTML body: /);
  assertEquals(sent.length + doctype.sent.length, 2);
});
