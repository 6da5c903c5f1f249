/**
 * Two data centres: two Miniflare instances (two workerd processes), each with its own
 * `caches.default`. The Cache API is one store per data centre, so with it each data centre pays its
 * own exchange (Workers KV is one store for the account: kv.test.ts). KV itself is not shared between
 * two instances here: two workerd processes over one persisted SQLite namespace are not something
 * Miniflare supports (tried: reads fail now and then with "KV GET failed: 500").
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startLocalSts } from "../workerd/example-sts.ts";
import type { LocalSts } from "../workerd/example-sts.ts";
import { eventually, startFleet } from "./fleet.ts";
import { STORE_TIMEOUT, assumedRoleArn, whoami } from "./requests.ts";

let local: LocalSts;
before(async () => {
  local = await startLocalSts();
});
after(() => local?.close());

test("Cache API: shared inside a data centre, not between data centres (one exchange each)", async () => {
  const options = { entry: "test/miniflare/sts-worker.ts", isolates: 2, bindings: { ...local.settings, ...STORE_TIMEOUT, STORE: "cache" }, withoutKv: true };
  const a = await startFleet(options);
  const b = await startFleet(options).catch(async (err) => {
    await a.close();
    throw err;
  });
  try {
    const token = await local.issuer.mint({ sub: "dc-cache" });
    const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
    assert.equal((await whoami(a, 0, token)).source, "miss");
    // Inside data centre a, its other isolate reads the cache, once the background write landed.
    // A stored entry's URL carries its store key: `edge-sts:2:…`, URL-encoded.
    const holdsEntry = async (dc: typeof a) => (await dc.persistedFiles()).some((f) => Buffer.from(f.bytes).toString("latin1").includes("edge-sts%3A2%3A"));
    const cached = () => holdsEntry(a);
    assert.ok(await eventually(cached), "nothing was cached in data centre a");
    assert.equal((await whoami(a, 1, token)).source, "store");
    const elsewhere = await whoami(b, 0, token);
    assert.equal(elsewhere.status, 200);
    assert.equal(elsewhere.source, "miss", "data centre b read data centre a's Cache API");
    assert.equal(elsewhere.body.arn, assumedRoleArn("dc-cache"));
    // …and b's second isolate reads b's own cache.
    assert.ok(await eventually(() => holdsEntry(b)), "nothing was cached in data centre b");
    assert.equal((await whoami(b, 1, token)).source, "store");
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 2);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
