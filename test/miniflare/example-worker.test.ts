/**
 * examples/cloudflare-worker as a fleet: three isolates in Miniflare bound to one KV namespace as
 * `STS_CACHE` (as wrangler.toml binds it), STS = the emulator on 127.0.0.1. Requests spread over the
 * three cost one exchange, and credentials an isolate read from KV sign a call STS accepts. Without the
 * binding the Worker still works, one exchange per isolate (what bare workerd runs in test/workerd).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { assumedRoleArn, startLocalSts } from "../workerd/example-sts.ts";
import type { LocalSts } from "../workerd/example-sts.ts";
import { eventually, startFleet } from "./fleet.ts";
import type { Fleet } from "./fleet.ts";

let local: LocalSts;
before(async () => {
  local = await startLocalSts();
});
after(() => local?.close());

async function get(fleet: Fleet, isolate: number, path: string, token: string) {
  const response = await fleet.fetch(isolate, path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { assumedRoleUser?: { arn: string }; arn?: string; code?: string };
  return { status: response.status, body };
}

const STORE_SECRET = `example-store-secret-${crypto.randomUUID()}`;

async function withFleet(options: { withoutKv: boolean; bindings?: Record<string, string> }, run: (fleet: Fleet) => Promise<void>) {
  const fleet = await startFleet({ entry: "examples/cloudflare-worker/src/index.ts", isolates: 3, ...options, bindings: { ...local.settings, ...options.bindings } });
  try {
    await run(fleet);
  } finally {
    await fleet.close();
  }
}

test("with STS_CACHE and STS_STORE_SECRET bound: 12 requests over three isolates, 1 exchange; store-served credentials sign GetCallerIdentity", async () => {
  await withFleet({ withoutKv: false, bindings: { STS_STORE_SECRET: STORE_SECRET } }, async (fleet) => {
    const token = await local.issuer.mint({ sub: "example-fleet" });
    const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
    const first = await get(fleet, 0, "/api/whoami", token);
    assert.equal(first.status, 200);
    assert.ok(await eventually(async () => (await fleet.kvDump()).length === 1), "the Worker wrote nothing to STS_CACHE");
    const dump = JSON.stringify(await fleet.kvDump());
    assert.ok(!dump.includes(STORE_SECRET) && !dump.includes(btoa(STORE_SECRET).slice(0, 40)), "the store secret is in KV");
    const answers = [];
    for (let i = 1; i < 12; i++) answers.push(await get(fleet, i % 3, "/api/whoami", token));
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 1);
    assert.ok(answers.every((a) => a.status === 200 && a.body.assumedRoleUser?.arn === assumedRoleArn("example-fleet")));

    // Isolate 2 got its credentials from KV only: they sign a call the emulator verifies.
    const signed = await get(fleet, 2, "/api/caller", token);
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal(signed.body.arn, assumedRoleArn("example-fleet"));
    assert.equal(local.sts.calls.last?.accessKeyId, local.sts.issuedCredentials().at(-1)?.accessKeyId);
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 1);
  });
});

test("without the STS_CACHE binding the Worker still answers, one exchange per isolate", async () => {
  await withFleet({ withoutKv: true }, async (fleet) => {
    const token = await local.issuer.mint({ sub: "example-no-kv" });
    const before = local.sts.calls.count("AssumeRoleWithWebIdentity");
    for (let i = 0; i < 9; i++) {
      const answer = await get(fleet, i % 3, "/api/whoami", token);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.assumedRoleUser?.arn, assumedRoleArn("example-no-kv"));
    }
    assert.equal(local.sts.calls.count("AssumeRoleWithWebIdentity") - before, 3);
    assert.equal((await fleet.kvDump()).length, 0);
  });
});
