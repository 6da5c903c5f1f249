/**
 * AssumeRole: trade the caller's credentials for temporary credentials of a role (signed).
 * Role chaining, MFA-protected roles, session tags and trusted context all start here.
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import type { Operation } from "../wire/operation.ts";
import { addList, addPolicyArns, addScalar, addTags } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { integer, text } from "../wire/xml.ts";
import {
  arn,
  defined,
  policyArns,
  providedContexts,
  readAssumedRoleUser,
  readCredentials,
  roleDurationSeconds,
  roleSessionName,
  serialNumber,
  sourceIdentity,
  str,
  tags,
  tokenCode,
  transitiveTagKeys,
  unrestrictedSessionPolicy,
  once,
} from "./shapes.ts";
import type { AssumedRoleUser, PolicyDescriptor, ProvidedContext, Tag } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    roleArn: arn,
    roleSessionName,
    policyArns: v.optional(policyArns),
    policy: v.optional(unrestrictedSessionPolicy),
    durationSeconds: v.optional(roleDurationSeconds),
    tags: v.optional(tags),
    transitiveTagKeys: v.optional(transitiveTagKeys),
    externalId: v.optional(str(2, 1224, /^[\w+=,.@:/-]*$/)),
    serialNumber: v.optional(serialNumber),
    tokenCode: v.optional(tokenCode),
    sourceIdentity: v.optional(sourceIdentity),
    providedContexts: v.optional(providedContexts),
  }),
);

/** Input of {@link StsClient.assumeRole}. */
export interface AssumeRoleInput {
  /** The role to assume (20–2048 characters). */
  roleArn: string;
  /** Identifies the session in CloudTrail and in the assumed-role ARN (2–64 of `[\w+=,.@-]`). */
  roleSessionName: string;
  /** Managed policies that further restrict the session. */
  policyArns?: PolicyDescriptor[];
  /** An inline session policy (JSON). No length limit here: STS checks the packed size. */
  policy?: string;
  /** Session lifetime in seconds, 900–43200 (STS defaults to 3600). */
  durationSeconds?: number;
  /** Session tags (at most 50). */
  tags?: Tag[];
  /** Keys of `tags` that persist through role chaining (at most 50). */
  transitiveTagKeys?: string[];
  /** The external id the role's trust policy asks for (2–1224 characters). */
  externalId?: string;
  /** The MFA device's serial number or ARN (9–256 characters). */
  serialNumber?: string;
  /** The six-digit MFA code. Secret: never echoed. */
  tokenCode?: string;
  /** The source identity to set on the session (2–64 characters, not starting with `aws:`). */
  sourceIdentity?: string;
  /** Trusted context assertions (1–5) from context providers. */
  providedContexts?: ProvidedContext[];
}

/** Output of {@link StsClient.assumeRole}. */
export interface AssumeRoleOutput {
  /** The temporary credentials. */
  credentials?: TemporaryCredentials;
  /** The assumed-role id and ARN. */
  assumedRoleUser?: AssumedRoleUser;
  /** Percentage of the packed session policy size limit used. */
  packedPolicySize?: number;
  /** The source identity set on the session, when there is one. */
  sourceIdentity?: string;
}

/** The AssumeRole operation. */
export const assumeRole: Operation<AssumeRoleInput, AssumeRoleOutput> = {
  action: "AssumeRole",
  signed: true,
  get schema() {
    return schema();
  },
  secretMembers: ["tokenCode"],
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "RoleArn", input.roleArn);
    addScalar(params, "RoleSessionName", input.roleSessionName);
    addPolicyArns(params, "PolicyArns", input.policyArns);
    addScalar(params, "Policy", input.policy);
    addScalar(params, "DurationSeconds", input.durationSeconds);
    addTags(params, "Tags", input.tags);
    addList(params, "TransitiveTagKeys", input.transitiveTagKeys);
    addScalar(params, "ExternalId", input.externalId);
    addScalar(params, "SerialNumber", input.serialNumber);
    addScalar(params, "TokenCode", input.tokenCode);
    addScalar(params, "SourceIdentity", input.sourceIdentity);
    addList(params, "ProvidedContexts", input.providedContexts, (prefix, context) => {
      addScalar(params, `${prefix}.ProviderArn`, context.providerArn);
      addScalar(params, `${prefix}.ContextAssertion`, context.contextAssertion);
    });
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
      assumedRoleUser: readAssumedRoleUser(result),
      packedPolicySize: integer(result, "PackedPolicySize"),
      sourceIdentity: text(result, "SourceIdentity"),
    });
  },
};
