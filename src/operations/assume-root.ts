/**
 * AssumeRoot: short-term root credentials for a member account of an organization, scoped by an
 * AWS-managed task policy (signed, from the management or delegated administrator account).
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import type { Operation } from "../wire/operation.ts";
import { addScalar } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { text } from "../wire/xml.ts";
import { defined, int, policyDescriptor, readCredentials, str, once } from "./shapes.ts";
import type { PolicyDescriptor } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    targetPrincipal: str(12, 2048),
    taskPolicyArn: policyDescriptor,
    durationSeconds: v.optional(int(0, 900)),
  }),
);

/** Input of {@link StsClient.assumeRoot}. */
export interface AssumeRootInput {
  /** The member account id (or its ARN) to act on (12–2048 characters). */
  targetPrincipal: string;
  /** The task policy that scopes the session, e.g. `{ arn: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials" }`. */
  taskPolicyArn: PolicyDescriptor;
  /** Session lifetime in seconds, 0–900 (STS defaults to 900). */
  durationSeconds?: number;
}

/** Output of {@link StsClient.assumeRoot}. */
export interface AssumeRootOutput {
  /** The temporary root credentials. */
  credentials?: TemporaryCredentials;
  /** The source identity set on the session, when there is one. */
  sourceIdentity?: string;
}

/** The AssumeRoot operation. */
export const assumeRoot: Operation<AssumeRootInput, AssumeRootOutput> = {
  action: "AssumeRoot",
  signed: true,
  get schema() {
    return schema();
  },
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "TargetPrincipal", input.targetPrincipal);
    addScalar(params, "TaskPolicyArn.arn", input.taskPolicyArn.arn);
    addScalar(params, "DurationSeconds", input.durationSeconds);
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
      sourceIdentity: text(result, "SourceIdentity"),
    });
  },
};
