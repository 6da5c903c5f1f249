/**
 * The claim of issue 11 on a real Cloudflare store: N requests with one token, spread over three
 * isolates that share the store, cost exactly one STS exchange. Used by kv.test.ts and
 * cache-api.test.ts with their own fleet.
 */
import assert from "node:assert/strict";
import type { LocalSts } from "../workerd/example-sts.ts";
import type { Fleet } from "./fleet.ts";
import { eventually } from "./fleet.ts";
import { assumedRoleArn, storeErrors, whoami } from "./requests.ts";
import type { WhoAmI } from "./requests.ts";

/**
 * Sends one request to isolate 0, waits until `stored()` says the background write landed, then
 * `requests - 1` more over isolates 1, 2, 0, 1, … (those after the first three in parallel).
 */
export async function oneTokenOverThree(local: LocalSts, fleet: Fleet, sub: string, requests: number, stored: () => Promise<boolean>): Promise<WhoAmI[]> {
  const token = await local.issuer.mint({ sub });
  const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
  const first = await whoami(fleet, 0, token);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.source, "miss");
  assert.ok(await stored(), "the store was not written within 5 s of the first answer");
  // The first request in each other isolate, one by one, then the rest at once.
  const second = await whoami(fleet, 1, token);
  const third = await whoami(fleet, 2, token);
  const rest = await Promise.all(Array.from({ length: requests - 3 }, (_, i) => whoami(fleet, i % 3, token)));
  const answers = [first, second, third, ...rest];

  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 1, `more than one STS exchange for one token; store errors per isolate: ${await storeErrors(fleet)}`);
  for (const a of answers) {
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.arn, assumedRoleArn(sub));
    assert.equal(a.body.accessKeyId, first.body.accessKeyId, "an isolate served other credentials than the one exchange gave");
  }
  assert.deepEqual([second.source, third.source], ["store", "store"], `the other isolates did not answer from the store; store errors: ${await storeErrors(fleet)}`);
  assert.ok(rest.every((a) => a.source === "hit"), `later requests: ${rest.map((a) => a.source).join(",")}`);
  assert.equal(new Set(answers.map((a) => a.body.isolateId)).size, 3, "the requests did not reach three isolates");
  return answers;
}

export { eventually };
