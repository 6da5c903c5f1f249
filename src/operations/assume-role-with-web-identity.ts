/**
 * AssumeRoleWithWebIdentity: trade an OIDC ID token for temporary role credentials.
 * Unsigned (`noAuth` in the model): the caller needs no AWS keys.
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
  roleSessionName,
  sessionPolicy,
  str,
  once,
} from "./shapes.ts";
import type { AssumedRoleUser, PolicyDescriptor } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    roleArn: arn,
    roleSessionName,
    webIdentityToken: str(4, 20000),
    providerId: v.optional(str(4, 2048)),
    policyArns: v.optional(policyArns),
    policy: v.optional(sessionPolicy),
    durationSeconds: v.optional(roleDurationSeconds),
  }),
);

/** Input of {@link StsClient.assumeRoleWithWebIdentity}. */
export interface AssumeRoleWithWebIdentityInput {
  /** The role to assume (20–2048 characters). */
  roleArn: string;
  /** Identifies the session in CloudTrail and in the assumed-role ARN (2–64 of `[\w+=,.@-]`). */
  roleSessionName: string;
  /** The OIDC ID token or OAuth access token (4–20000 characters). Secret: never echoed. */
  webIdentityToken: string;
  /** For OAuth 2.0 access tokens from Login with Amazon/Facebook: the provider's domain. */
  providerId?: string;
  /** Managed policies that further restrict the session. */
  policyArns?: PolicyDescriptor[];
  /** An inline session policy (JSON, at most 2048 characters). */
  policy?: string;
  /** Session lifetime in seconds, 900–43200 (STS defaults to 3600). */
  durationSeconds?: number;
}

/** Output of {@link StsClient.assumeRoleWithWebIdentity}. */
export interface AssumeRoleWithWebIdentityOutput {
  /** The temporary credentials. */
  credentials?: TemporaryCredentials;
  /** The token's `sub` claim as STS read it. */
  subjectFromWebIdentityToken?: string;
  /** The assumed-role id and ARN. */
  assumedRoleUser?: AssumedRoleUser;
  /** Percentage of the packed session policy size limit used. */
  packedPolicySize?: number;
  /** The issuer of the token (`iss`), or the `providerId` for OAuth providers. */
  provider?: string;
  /** The token's audience (`aud`, or `azp` when present). */
  audience?: string;
  /** The source identity carried by the token, when it has one. */
  sourceIdentity?: string;
}

/** The AssumeRoleWithWebIdentity operation. */
export const assumeRoleWithWebIdentity: Operation<AssumeRoleWithWebIdentityInput, AssumeRoleWithWebIdentityOutput> = {
  action: "AssumeRoleWithWebIdentity",
  signed: false,
  get schema() {
    return schema();
  },
  secretMembers: ["webIdentityToken"],
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "RoleArn", input.roleArn);
    addScalar(params, "RoleSessionName", input.roleSessionName);
    addScalar(params, "WebIdentityToken", input.webIdentityToken);
    addScalar(params, "ProviderId", input.providerId);
    addPolicyArns(params, "PolicyArns", input.policyArns);
    addScalar(params, "Policy", input.policy);
    addScalar(params, "DurationSeconds", input.durationSeconds);
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
      subjectFromWebIdentityToken: text(result, "SubjectFromWebIdentityToken"),
      assumedRoleUser: readAssumedRoleUser(result),
      packedPolicySize: integer(result, "PackedPolicySize"),
      provider: text(result, "Provider"),
      audience: text(result, "Audience"),
      sourceIdentity: text(result, "SourceIdentity"),
    });
  },
};
