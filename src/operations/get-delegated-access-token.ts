/**
 * GetDelegatedAccessToken: redeem a trade-in token, received when another account granted this
 * one delegated access, for temporary credentials (signed).
 */
import * as v from "valibot";
import type { TemporaryCredentials } from "../types.ts";
import type { Operation } from "../wire/operation.ts";
import { addScalar } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { integer, text } from "../wire/xml.ts";
import { defined, readCredentials, str, once } from "./shapes.ts";

// The model puts no length or pattern on the token.
// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    // The model sets no limits on the trade-in token; it must still be sendable.
    tradeInToken: str(0),
  }),
);

/** Input of {@link StsClient.getDelegatedAccessToken}. */
export interface GetDelegatedAccessTokenInput {
  /** The trade-in token. Secret: never echoed. */
  tradeInToken: string;
}

/** Output of {@link StsClient.getDelegatedAccessToken}. */
export interface GetDelegatedAccessTokenOutput {
  /** The temporary credentials. */
  credentials?: TemporaryCredentials;
  /** Percentage of the packed session policy size limit used. */
  packedPolicySize?: number;
  /** The ARN of the principal the credentials act as. */
  assumedPrincipal?: string;
}

/** The GetDelegatedAccessToken operation. */
export const getDelegatedAccessToken: Operation<GetDelegatedAccessTokenInput, GetDelegatedAccessTokenOutput> = {
  action: "GetDelegatedAccessToken",
  signed: true,
  get schema() {
    return schema();
  },
  secretMembers: ["tradeInToken"],
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "TradeInToken", input.tradeInToken);
    return params;
  },
  parse(result) {
    return defined({
      credentials: readCredentials(result),
      packedPolicySize: integer(result, "PackedPolicySize"),
      assumedPrincipal: text(result, "AssumedPrincipal"),
    });
  },
};
