/**
 * GetSessionToken: temporary credentials for the calling IAM user (or root), optionally
 * MFA-authenticated (signed with the user's long-term keys).
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import type { Operation } from "../wire/operation.ts";
import { addScalar } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { defined, durationSeconds, readCredentials, serialNumber, tokenCode, once } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    durationSeconds: v.optional(durationSeconds),
    serialNumber: v.optional(serialNumber),
    tokenCode: v.optional(tokenCode),
  }),
);

/** Input of {@link StsClient.getSessionToken}: every member is optional. */
export interface GetSessionTokenInput {
  /** Session lifetime in seconds, 900–129600 (STS defaults to 43200). */
  durationSeconds?: number;
  /** The MFA device's serial number or ARN (9–256 characters). */
  serialNumber?: string;
  /** The six-digit MFA code. Secret: never echoed. */
  tokenCode?: string;
}

/** Output of {@link StsClient.getSessionToken}. */
export interface GetSessionTokenOutput {
  /** The temporary credentials. */
  credentials?: TemporaryCredentials;
}

/** The GetSessionToken operation. */
export const getSessionToken: Operation<GetSessionTokenInput, GetSessionTokenOutput> = {
  action: "GetSessionToken",
  signed: true,
  get schema() {
    return schema();
  },
  secretMembers: ["tokenCode"],
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "DurationSeconds", input.durationSeconds);
    addScalar(params, "SerialNumber", input.serialNumber);
    addScalar(params, "TokenCode", input.tokenCode);
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
    });
  },
};
