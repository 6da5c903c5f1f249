/**
 * One small valid input per STS operation, and the recorded success bodies under test/fixtures/,
 * for tests that care about what comes back rather than what goes out.
 */
import { readdirSync, readFileSync } from "node:fs";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";

export const VALID_INPUTS: Record<string, Record<string, unknown>> = {
  AssumeRole: { roleArn: ROLE_ARN, roleSessionName: "fuzz-1", tokenCode: "123456", serialNumber: "arn:aws:iam::123456789012:mfa/user" },
  AssumeRoleWithSAML: { roleArn: ROLE_ARN, principalArn: "arn:aws:iam::123456789012:saml-provider/okta", samlAssertion: "PHNhbWxwOlJlc3BvbnNlLz4=" },
  AssumeRoleWithWebIdentity: { roleArn: ROLE_ARN, roleSessionName: "fuzz-1", webIdentityToken: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" },
  AssumeRoot: { targetPrincipal: "111122223333", taskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" } },
  DecodeAuthorizationMessage: { encodedMessage: "encoded-message-1" },
  GetAccessKeyInfo: { accessKeyId: "AKIAIOSFODNN7EXAMPLE" },
  GetCallerIdentity: {},
  GetDelegatedAccessToken: { tradeInToken: "tit-0123456789abcdef" },
  GetFederationToken: { name: "bob" },
  GetSessionToken: { serialNumber: "arn:aws:iam::123456789012:mfa/user", tokenCode: "654321" },
  GetWebIdentityToken: { audience: ["https://api.example.com"], signingAlgorithm: "RS256" },
};

/** `assume-role-with-web-identity` → `AssumeRoleWithWebIdentity` (SAML keeps its capitals). */
function actionOf(dir: string): string {
  const camel = dir.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());
  return camel === "AssumeRoleWithSaml" ? "AssumeRoleWithSAML" : camel;
}

/** Every recorded body: `{ action, name, xml }`. */
export function fixtures(): Array<{ action: string; name: string; xml: string }> {
  const root = new URL("../fixtures/", import.meta.url);
  const out: Array<{ action: string; name: string; xml: string }> = [];
  for (const dir of readdirSync(root).sort()) {
    for (const file of readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith(".xml")).sort()) {
      out.push({ action: actionOf(dir), name: `${dir}/${file}`, xml: readFileSync(new URL(`${dir}/${file}`, root), "utf8") });
    }
  }
  return out;
}

/** An STS `<ErrorResponse>` body. */
export function errorBody(code: string, message: string, type = "Sender"): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>0b5a8c2e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`;
}
