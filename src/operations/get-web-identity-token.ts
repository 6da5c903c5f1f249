/**
 * GetWebIdentityToken: a signed JWT that asserts the caller's AWS identity to an outside service
 * (outbound web identity federation; signed, and the account must have it enabled).
 */
import * as v from "valibot";
import type { Operation } from "../wire/operation.ts";
import { addList, addScalar, addTags } from "../wire/query.ts";
import type { FormParams } from "../wire/query.ts";
import { text, timestamp } from "../wire/xml.ts";
import { defined, int, list, str, tags, once } from "./shapes.ts";
import type { Tag } from "./shapes.ts";

// Built on first use (STYLE 14): a Worker serving from its caches never validates an input.
const schema = once(() =>
  v.object({
    audience: list(str(1, 1000), 1, 10),
    durationSeconds: v.optional(int(60, 3600)),
    signingAlgorithm: str(5, 5),
    tags: v.optional(tags),
  }),
);

/** Input of {@link StsClient.getWebIdentityToken}. */
export interface GetWebIdentityTokenInput {
  /** The token's intended recipients, its `aud` claim (1–10, each 1–1000 characters). */
  audience: string[];
  /** Token lifetime in seconds, 60–3600. */
  durationSeconds?: number;
  /** The JWS algorithm to sign with, e.g. `RS256` or `ES384` (exactly 5 characters). */
  signingAlgorithm: string;
  /** Tags to put in the token as claims (at most 50). */
  tags?: Tag[];
}

/** Output of {@link StsClient.getWebIdentityToken}. */
export interface GetWebIdentityTokenOutput {
  /** The signed JWT. Secret: hand it only to its audience. */
  webIdentityToken?: string;
  /** When the token stops being valid. */
  expiration?: Date;
}

/** The GetWebIdentityToken operation. */
export const getWebIdentityToken: Operation<GetWebIdentityTokenInput, GetWebIdentityTokenOutput> = {
  action: "GetWebIdentityToken",
  signed: true,
  get schema() {
    return schema();
  },
  serialize(input) {
    const params: FormParams = [];
    addList(params, "Audience", input.audience);
    addScalar(params, "DurationSeconds", input.durationSeconds);
    addScalar(params, "SigningAlgorithm", input.signingAlgorithm);
    addTags(params, "Tags", input.tags);
    return params;
  },
  parse(result) {
    return defined({
      webIdentityToken: text(result, "WebIdentityToken"),
      expiration: timestamp(result, "Expiration"),
    });
  },
};
