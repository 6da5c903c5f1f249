/**
 * The baseline the shared store improves on: three Worker isolates in Miniflare, the per-isolate cache
 * alone. Each isolate pays its own STS exchange for the same token — 3 calls for 3 isolates.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startLocalSts } from "../workerd/example-sts.ts";
import type { LocalSts } from "../workerd/example-sts.ts";
import { startFleet } from "./fleet.ts";
import type { Fleet } from "./fleet.ts";
import { assumedRoleArn, whoami } from "./requests.ts";

let local: LocalSts;
let fleet: Fleet;
before(async () => {
  local = await startLocalSts();
  fleet = await startFleet({ entry: "test/miniflare/sts-worker.ts", isolates: 3, bindings: { ...local.settings, STORE: "none" } });
});
after(async () => {
  await fleet?.close();
  await local?.close();
});

test("three Workers are three isolates: each keeps its own module state", async () => {
  const token = await local.issuer.mint({ sub: "isolates" });
  const first = await Promise.all([0, 1, 2].map((i) => whoami(fleet, i, token)));
  const again = await Promise.all([0, 1, 2].map((i) => whoami(fleet, i, token)));
  assert.deepEqual(first.map((r) => r.status), [200, 200, 200]);
  assert.equal(new Set(first.map((r) => r.body.isolateId)).size, 3, "two Workers shared an isolate");
  assert.deepEqual(again.map((r) => r.body.isolateId), first.map((r) => r.body.isolateId), "a Worker changed isolate between requests");
  // Loopback only: Miniflare was given request.cf and did not try to fetch it from Cloudflare.
  assert.ok(!fleet.logs.some((line) => /Request\.cf/.test(line)), fleet.logs.join("\n"));
});

test("without a store, 30 requests with one token over three isolates cost 3 STS exchanges", async () => {
  const token = await local.issuer.mint({ sub: "no-store" });
  const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
  const answers = [];
  for (let i = 0; i < 30; i++) answers.push(await whoami(fleet, i % 3, token));
  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 3);
  assert.ok(answers.every((a) => a.status === 200 && a.body.arn === assumedRoleArn("no-store")));
  assert.deepEqual(answers.slice(0, 3).map((a) => a.source), ["miss", "miss", "miss"]);
  assert.ok(answers.slice(3).every((a) => a.source === "hit"), "a repeated request in an isolate was not a hit");
  // Three exchanges, three different credentials: nothing was shared.
  assert.equal(new Set(answers.map((a) => a.body.accessKeyId)).size, 3);
});
