/**
 * GetCallerIdentity: who the signing credentials belong to. Needs no permissions.
 */
import * as v from "valibot";
import type { Operation } from "../wire/operation.ts";
import { text } from "../wire/xml.ts";
import { defined, once } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() => v.object({}));

/** Input of {@link StsClient.getCallerIdentity}: it has no members. */
export type GetCallerIdentityInput = Record<string, never>;

/** Output of {@link StsClient.getCallerIdentity}. */
export interface GetCallerIdentityOutput {
  /** The unique id of the caller (`AIDA…`, or `AROA…:session` for an assumed role). */
  userId?: string;
  /** The 12-digit account id. */
  account?: string;
  /** The caller's ARN, e.g. `arn:aws:sts::123456789012:assumed-role/role/session`. */
  arn?: string;
}

/** The GetCallerIdentity operation. */
export const getCallerIdentity: Operation<GetCallerIdentityInput, GetCallerIdentityOutput> = {
  action: "GetCallerIdentity",
  signed: true,
  get schema() {
    return schema() as unknown as v.GenericSchema<GetCallerIdentityInput, GetCallerIdentityInput>;
  },
  serialize() {
    return [];
  },
  parse(result) {
    return defined({
      userId: text(result, "UserId"),
      account: text(result, "Account"),
      arn: text(result, "Arn"),
    });
  },
};
