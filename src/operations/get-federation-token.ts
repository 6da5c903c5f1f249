/**
 * GetFederationToken: temporary credentials for a federated user, signed with an IAM user's
 * long-term keys; the session is the intersection of that user's policies and the session policies.
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import type { Operation } from "../wire/operation.ts";
import { addPolicyArns, addScalar, addTags } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { child, integer } from "../wire/xml.ts";
import type { XmlElement } from "../wire/xml.ts";
import { defined, durationSeconds, policyArns, readCredentials, requiredMember, sessionPolicy, str, tags, once } from "./shapes.ts";
import type { PolicyDescriptor, Tag } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    name: str(2, 32, /^[\w+=,.@-]*$/),
    policy: v.optional(sessionPolicy),
    policyArns: v.optional(policyArns),
    durationSeconds: v.optional(durationSeconds),
    tags: v.optional(tags),
  }),
);

/** Input of {@link StsClient.getFederationToken}. */
export interface GetFederationTokenInput {
  /** The federated user's name, part of its ARN (2–32 of `[\w+=,.@-]`). */
  name: string;
  /** An inline session policy (JSON, at most 2048 characters). */
  policy?: string;
  /** Managed policies that define the session's permissions. */
  policyArns?: PolicyDescriptor[];
  /** Session lifetime in seconds, 900–129600 (STS defaults to 43200). */
  durationSeconds?: number;
  /** Session tags (at most 50). */
  tags?: Tag[];
}

/** STS's `FederatedUser`. */
export interface FederatedUser {
  /** `123456789012:name`. */
  federatedUserId: string;
  /** `arn:aws:sts::123456789012:federated-user/name`. */
  arn: string;
}

/** Output of {@link StsClient.getFederationToken}. */
export interface GetFederationTokenOutput {
  /** The temporary credentials. */
  credentials?: TemporaryCredentials;
  /** The federated user's id and ARN. */
  federatedUser?: FederatedUser;
  /** Percentage of the packed session policy size limit used. */
  packedPolicySize?: number;
}

/** The GetFederationToken operation. */
export const getFederationToken: Operation<GetFederationTokenInput, GetFederationTokenOutput> = {
  action: "GetFederationToken",
  signed: true,
  get schema() {
    return schema();
  },
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "Name", input.name);
    addScalar(params, "Policy", input.policy);
    addPolicyArns(params, "PolicyArns", input.policyArns);
    addScalar(params, "DurationSeconds", input.durationSeconds);
    addTags(params, "Tags", input.tags);
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
      federatedUser: readFederatedUser(result),
      packedPolicySize: integer(result, "PackedPolicySize"),
    });
  },
};

/** Reads `<FederatedUser>`; both members are required when the element is there. */
function readFederatedUser(parent: XmlElement | undefined): FederatedUser | undefined {
  const el = child(parent, "FederatedUser");
  if (!el) return undefined;
  return { federatedUserId: requiredMember(el, "FederatedUserId", 2), arn: requiredMember(el, "Arn", 20) };
}
