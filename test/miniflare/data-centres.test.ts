/**
 * Two data centres: two Miniflare instances (two workerd processes) over one persisted KV namespace,
 * each with its own `caches.default`. Workers KV is one store for the whole account; the Cache API is
 * one per data centre, so with it each data centre pays its own exchange.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startLocalSts } from "../workerd/example-sts.ts";
import type { LocalSts } from "../workerd/example-sts.ts";
import { eventually, startFleet } from "./fleet.ts";
import type { Fleet } from "./fleet.ts";
import { assumedRoleArn, whoami } from "./requests.ts";

let local: LocalSts;
before(async () => {
  local = await startLocalSts();
});
after(() => local?.close());

async function twoDataCentres(store: "kv" | "cache", run: (a: Fleet, b: Fleet) => Promise<void>) {
  const kvDir = await mkdtemp(join(tmpdir(), "edge-sts-kv-"));
  const options = { entry: "test/miniflare/sts-worker.ts", isolates: 2, bindings: { ...local.settings, STORE: store }, kvPersistDir: kvDir };
  const a = await startFleet(options);
  try {
    const b = await startFleet(options);
    try {
      await run(a, b);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
    await rm(kvDir, { recursive: true, force: true });
  }
}

test("Workers KV: an exchange in one data centre serves the isolates of another", async () => {
  await twoDataCentres("kv", async (a, b) => {
    const token = await local.issuer.mint({ sub: "dc-kv" });
    const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
    assert.equal((await whoami(a, 0, token)).source, "miss");
    assert.ok(await eventually(async () => (await b.kvDump()).length === 1), "the other data centre does not see the entry");
    const there = await Promise.all([whoami(b, 0, token), whoami(b, 1, token)]);
    assert.deepEqual(there.map((r) => r.source), ["store", "store"]);
    assert.ok(there.every((r) => r.body.arn === assumedRoleArn("dc-kv")));
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 1);
  });
});

test("Cache API: shared inside a data centre, not between data centres (one exchange each)", async () => {
  await twoDataCentres("cache", async (a, b) => {
    const token = await local.issuer.mint({ sub: "dc-cache" });
    const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
    assert.equal((await whoami(a, 0, token)).source, "miss");
    // Inside data centre a, its other isolate reads the cache, once the background write landed.
    const cached = async () => (await a.persistedFiles()).some((f) => Buffer.from(f.bytes).toString("latin1").includes("edge-sts%3A2%3A"));
    assert.ok(await eventually(cached), "nothing was cached in data centre a");
    assert.equal((await whoami(a, 1, token)).source, "store");
    const elsewhere = await whoami(b, 0, token);
    assert.equal(elsewhere.status, 200);
    assert.equal(elsewhere.source, "miss", "data centre b read data centre a's Cache API");
    assert.equal(elsewhere.body.arn, assumedRoleArn("dc-cache"));
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 2);
  });
});
