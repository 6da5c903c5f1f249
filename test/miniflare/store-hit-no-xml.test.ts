/**
 * A store hit never touches the XML reader (issue 20). Three Worker isolates in Miniflare share one
 * Workers KV namespace. Isolate 0 is the plain Worker. Isolates 1 and 2 are bundled with every
 * `@xmldom/xmldom` module replaced by one that throws when evaluated: the reader cannot load there.
 * All three use the same STS endpoint (it is part of the store's scope, so another endpoint would
 * be another entry); the emulator's call log shows the store hit made no call, and isolate 2 shows
 * the replacement bites: its exchange reaches STS but cannot read the answer.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type * as esbuild from "esbuild";
import { startLocalSts } from "../workerd/example-sts.ts";
import type { LocalSts } from "../workerd/example-sts.ts";
import { eventually, startFleet } from "./fleet.ts";
import type { Fleet } from "./fleet.ts";
import { STORE_TIMEOUT, assumedRoleArn, whoami } from "./requests.ts";

/** Every import of xmldom (its entry or a module below it) becomes a module that throws when evaluated. */
const xmldomThrows: esbuild.Plugin = {
  name: "xmldom-throws",
  setup(build) {
    build.onResolve({ filter: /^@xmldom\/xmldom(\/.*)?$/ }, (args) => ({ path: args.path, namespace: "xmldom-throws" }));
    build.onLoad({ filter: /.*/, namespace: "xmldom-throws" }, () => ({
      contents: 'throw new Error("xmldom was evaluated");',
      loader: "js",
    }));
  },
};

let local: LocalSts;
let fleet: Fleet;
before(async () => {
  local = await startLocalSts();
  fleet = await startFleet({
    entry: "test/miniflare/sts-worker.ts",
    isolates: 3,
    bindings: { ...local.settings, ...STORE_TIMEOUT, STORE: "kv" },
    variant: { isolates: [1, 2], plugins: [xmldomThrows] },
  });
});
after(async () => {
  await fleet?.close();
  await local?.close();
});

test("an isolate that cannot load xmldom serves a user from the shared store, without an STS call", async () => {
  const token = await local.issuer.mint({ sub: "store-hit-no-xml" });
  const first = await whoami(fleet, 0, token);
  assert.deepEqual([first.status, first.source], [200, "miss"], JSON.stringify(first.body));
  const stsCalls = local.sts.calls.count("AssumeRoleWithWebIdentity");
  let hit: Awaited<ReturnType<typeof whoami>> | undefined;
  // The write to KV is in the background of isolate 0's answer: wait for it (bounded).
  assert.ok(await eventually(async () => (hit = await whoami(fleet, 1, token)).status === 200, 10_000), JSON.stringify(hit?.body));
  assert.ok(hit);
  assert.equal(hit.source, "store");
  assert.equal(hit.body.arn, assumedRoleArn("store-hit-no-xml"));
  assert.equal(hit.body.accessKeyId, first.body.accessKeyId);
  // Then from its own isolate cache.
  const again = await whoami(fleet, 1, token);
  assert.deepEqual([again.status, again.source], [200, "hit"]);
  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity"), stsCalls, "the store hit called STS");
});

test("the replacement bites: an exchange in a Worker without xmldom fails, and one with it succeeds", async () => {
  const token = await local.issuer.mint({ sub: "needs-xml" });
  const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
  const without = await whoami(fleet, 2, token);
  assert.equal(without.status, 500, JSON.stringify(without.body));
  assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity"), before + 1, "isolate 2 did not reach STS");
  const other = await whoami(fleet, 0, await local.issuer.mint({ sub: "needs-xml-0" }));
  assert.deepEqual([other.status, other.source], [200, "miss"]);
});
