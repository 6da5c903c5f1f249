/**
 * GetAccessKeyInfo: which account an access key id belongs to (signed; needs no permissions).
 */
import * as v from "valibot";
import type { Operation } from "../wire/operation.ts";
import { addScalar } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { text } from "../wire/xml.ts";
import { defined, str, once } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    accessKeyId: str(16, 128, /^\w*$/),
  }),
);

/** Input of {@link StsClient.getAccessKeyInfo}. */
export interface GetAccessKeyInfoInput {
  /** The access key id to look up, e.g. `AKIAIOSFODNN7EXAMPLE` (16–128 word characters). */
  accessKeyId: string;
}

/** Output of {@link StsClient.getAccessKeyInfo}. */
export interface GetAccessKeyInfoOutput {
  /** The 12-digit id of the account that owns the key. */
  account?: string;
}

/** The GetAccessKeyInfo operation. */
export const getAccessKeyInfo: Operation<GetAccessKeyInfoInput, GetAccessKeyInfoOutput> = {
  action: "GetAccessKeyInfo",
  signed: true,
  get schema() {
    return schema();
  },
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "AccessKeyId", input.accessKeyId);
    return params;
  },
  parse(result) {
    return defined({
      account: text(result, "Account"),
    });
  },
};
