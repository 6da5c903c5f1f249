/**
 * Review finding (issue 19 × one deadline per miss): when earlier steps (a key fetch, a store read, a
 * waiter's wait) spent the deadline, the STS attempt starts with a sliver of time and is cut short. That
 * says nothing about the region: it must not cool down and send the next calls to a farther region for
 * `failoverCooldownMs`. An attempt that had its time and did not answer still cools its region.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StsClient } from "../../src/client.ts";
import { startDeadline } from "../../src/deadline.ts";

const INPUT = { roleArn: "arn:aws:iam::123456789012:role/app", roleSessionName: "sliver", webIdentityToken: "aaaa.bbbb.cccc" };

/** eu-west-1 answers after `delayMs` (an error body: what matters is who is asked); us-east-1 at once. */
function regionsFetch() {
  const asked: string[] = [];
  let delayMs = 400;
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const host = new URL(input instanceof Request ? input.url : String(input)).host;
    asked.push(host);
    const wait = host.includes("eu-west-1") ? delayMs : 1;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, wait);
      init?.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(init.signal!.reason);
      });
    });
    return new Response("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>", { status: 403 });
  };
  return { fetch, asked, setDelay: (ms: number) => void (delayMs = ms) };
}

test("a deadline with 30 ms left cuts the attempt short: eu-west-1 does not cool, the next call asks it first", async () => {
  const { fetch, asked, setDelay } = regionsFetch();
  const client = new StsClient({ regions: ["eu-west-1", "us-east-1"], fetch });
  const deadline = startDeadline(30, "AssumeRoleWithWebIdentity", "exchangeTimeoutMs");
  await assert.rejects(client.assumeRoleWithWebIdentity(INPUT, { signal: deadline.signal, deadline }), { code: "TimeoutError" });
  deadline.clear();
  assert.equal(asked[0], "sts.eu-west-1.amazonaws.com");
  asked.length = 0;
  setDelay(1);
  await assert.rejects(client.assumeRoleWithWebIdentity(INPUT), { code: "AccessDenied" });
  assert.equal(asked[0], "sts.eu-west-1.amazonaws.com", "the next call went elsewhere: eu-west-1 was cooled");
});

test("the attempt's own timer, capped to the 30 ms left, fires first: eu-west-1 still does not cool", async () => {
  const { fetch, asked, setDelay } = regionsFetch();
  const client = new StsClient({ regions: ["eu-west-1", "us-east-1"], fetch });
  // A deadline whose own abort never comes first: only the attempt's capped timer can end the attempt
  // (which of the two fires first is a race on a real deadline; both must leave the region alone).
  const sliver = { signal: new AbortController().signal, remainingMs: () => 30 };
  await assert.rejects(client.assumeRoleWithWebIdentity(INPUT, { deadline: sliver }), { code: "AccessDenied" });
  assert.deepEqual(asked, ["sts.eu-west-1.amazonaws.com", "sts.us-east-1.amazonaws.com"], "timed out at eu-west-1, failed over");
  asked.length = 0;
  setDelay(1);
  await assert.rejects(client.assumeRoleWithWebIdentity(INPUT), { code: "AccessDenied" });
  assert.equal(asked[0], "sts.eu-west-1.amazonaws.com", "the next call went elsewhere: eu-west-1 was cooled");
});

test("an attempt that had its time and did not answer still cools its region", async () => {
  const { fetch, asked, setDelay } = regionsFetch();
  const client = new StsClient({ regions: ["eu-west-1", "us-east-1"], fetch, timeoutMs: 600, maxAttempts: 1 });
  setDelay(5000);
  await assert.rejects(client.assumeRoleWithWebIdentity(INPUT), { code: "TimeoutError" });
  asked.length = 0;
  setDelay(1);
  await assert.rejects(client.assumeRoleWithWebIdentity(INPUT), { code: "AccessDenied" });
  assert.equal(asked[0], "sts.us-east-1.amazonaws.com", "eu-west-1 timed out after 600 ms: it cools, us-east-1 first");
});
