/**
 * AssumeRoleWithSAML: trade a SAML 2.0 assertion from an identity provider for temporary role
 * credentials. Unsigned (`noAuth` in the model): the caller needs no AWS keys.
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import type { Operation } from "../wire/operation.ts";
import { addPolicyArns, addScalar } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { integer, text } from "../wire/xml.ts";
import {
  arn,
  defined,
  policyArns,
  readAssumedRoleUser,
  readCredentials,
  roleDurationSeconds,
  sessionPolicy,
  str,
  once,
} from "./shapes.ts";
import type { AssumedRoleUser, PolicyDescriptor } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    roleArn: arn,
    principalArn: arn,
    samlAssertion: str(4, 100000),
    policyArns: v.optional(policyArns),
    policy: v.optional(sessionPolicy),
    durationSeconds: v.optional(roleDurationSeconds),
  }),
);

/** Input of {@link StsClient.assumeRoleWithSAML}. */
export interface AssumeRoleWithSAMLInput {
  /** The role to assume (20–2048 characters). */
  roleArn: string;
  /** The ARN of the SAML provider in IAM that describes the identity provider (20–2048 characters). */
  principalArn: string;
  /** The base64-encoded SAML response (4–100000 characters). Secret: never echoed. */
  samlAssertion: string;
  /** Managed policies that further restrict the session. */
  policyArns?: PolicyDescriptor[];
  /** An inline session policy (JSON, at most 2048 characters). */
  policy?: string;
  /** Session lifetime in seconds, 900–43200 (STS defaults to 3600). */
  durationSeconds?: number;
}

/** Output of {@link StsClient.assumeRoleWithSAML}. */
export interface AssumeRoleWithSAMLOutput {
  /** The temporary credentials. */
  credentials?: TemporaryCredentials;
  /** The assumed-role id and ARN. */
  assumedRoleUser?: AssumedRoleUser;
  /** Percentage of the packed session policy size limit used. */
  packedPolicySize?: number;
  /** The assertion's `NameID`. */
  subject?: string;
  /** The format of the `NameID`, e.g. `transient` or `persistent`. */
  subjectType?: string;
  /** The assertion's `Issuer`. */
  issuer?: string;
  /** The assertion's `Recipient` (the SAML sign-in URL). */
  audience?: string;
  /** A hash of the issuer, account id and provider name, for use in policies. */
  nameQualifier?: string;
  /** The source identity carried by the assertion, when it has one. */
  sourceIdentity?: string;
}

/** The AssumeRoleWithSAML operation. */
export const assumeRoleWithSAML: Operation<AssumeRoleWithSAMLInput, AssumeRoleWithSAMLOutput> = {
  action: "AssumeRoleWithSAML",
  signed: false,
  get schema() {
    return schema();
  },
  secretMembers: ["samlAssertion"],
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "RoleArn", input.roleArn);
    addScalar(params, "PrincipalArn", input.principalArn);
    addScalar(params, "SAMLAssertion", input.samlAssertion);
    addPolicyArns(params, "PolicyArns", input.policyArns);
    addScalar(params, "Policy", input.policy);
    addScalar(params, "DurationSeconds", input.durationSeconds);
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
      assumedRoleUser: readAssumedRoleUser(result),
      packedPolicySize: integer(result, "PackedPolicySize"),
      subject: text(result, "Subject"),
      subjectType: text(result, "SubjectType"),
      issuer: text(result, "Issuer"),
      audience: text(result, "Audience"),
      nameQualifier: text(result, "NameQualifier"),
      sourceIdentity: text(result, "SourceIdentity"),
    });
  },
};
