/**
 * DecodeAuthorizationMessage: read the encoded message that comes with some authorization
 * failures (signed; the caller needs `sts:DecodeAuthorizationMessage`).
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
    encodedMessage: str(1, 10240),
  }),
);

/** Input of {@link StsClient.decodeAuthorizationMessage}. */
export interface DecodeAuthorizationMessageInput {
  /** The encoded message from the failed request (1–10240 characters). */
  encodedMessage: string;
}

/** Output of {@link StsClient.decodeAuthorizationMessage}. */
export interface DecodeAuthorizationMessageOutput {
  /** The decoded message: a JSON document describing the denied request. */
  decodedMessage?: string;
}

/** The DecodeAuthorizationMessage operation. */
export const decodeAuthorizationMessage: Operation<DecodeAuthorizationMessageInput, DecodeAuthorizationMessageOutput> = {
  action: "DecodeAuthorizationMessage",
  signed: true,
  get schema() {
    return schema();
  },
  serialize(input) {
    const params: FormParams = [];
    addScalar(params, "EncodedMessage", input.encodedMessage);
    return params;
  },
  parse(result) {
    return defined({
      decodedMessage: text(result, "DecodedMessage"),
    });
  },
};
