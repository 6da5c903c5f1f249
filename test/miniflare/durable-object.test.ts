/**
 * The Durable Object coordinator for real: `StsCoordinator` runs in workerd (Miniflare), six Worker
 * isolates share it through `store: (c) => durableObjectStore(c.env.STS_COORDINATOR)`, and STS is the
 * emulator on 127.0.0.1 behind an injected round trip. The store coordination contract
 * (test/stores/coordination.ts) also runs from Node against the same namespace (Miniflare hands it
 * out), and every byte Miniflare persisted for the objects is scanned for secrets.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve } from "@hono/node-server";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { durableObjectStore } from "../../src/stores/index.ts";
import type { DurableObjectNamespaceLike } from "../../src/stores/index.ts";
import { coordinationContract, STORE_SECRET } from "../stores/coordination.ts";
import { handledSecrets } from "../stores/contract.ts";
import type { StoreUnderTest } from "../stores/contract.ts";
import { startFleet } from "./fleet.ts";
import type { Fleet } from "./fleet.ts";
import { STORE_TIMEOUT, storeErrors, whoami } from "./requests.ts";
import { findSecrets, secretsOf } from "./secrets.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-example";
const ISOLATES = 6;
const issuer = createOidcIssuer();
/** Trusted by nobody: STS refuses its tokens (InvalidIdentityToken). */
const stranger = createOidcIssuer({ issuer: "https://stranger.invalid" });
const sts = createStsEmulator({ issuers: [issuer], roles: [{ arn: ROLE_ARN }] });
let stsDelayMs = 150;
let server: ReturnType<typeof serve>;
let fleet: Fleet;
const tokens: string[] = [];
const mint = async (sub: string, from = issuer) => {
  const token = await from.mint({ sub: `${sub}-${Math.random().toString(36).slice(2, 8)}` });
  tokens.push(token);
  return token;
};
const calls = () => sts.calls.count("AssumeRoleWithWebIdentity");

before(async () => {
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: (request) => new Promise((r) => setTimeout(r, stsDelayMs)).then(() => sts.fetch(request)), port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    server.once("error", reject);
  });
  fleet = await startFleet({
    entry: "test/miniflare/sts-worker.ts",
    isolates: ISOLATES,
    coordinator: true,
    withoutKv: true,
    bindings: { ROLE_ARN, STS_ENDPOINT: `http://127.0.0.1:${port}`, STORE: "do", STORE_SECRET, ...STORE_TIMEOUT },
  });
});
after(async () => {
  await fleet?.close();
  await new Promise<void>((resolve) => {
    (server as unknown as { closeAllConnections?: () => void })?.closeAllConnections?.();
    server ? server.close(() => resolve()) : resolve();
  });
});

async function burst(token: string, isolates: number[]) {
  return Promise.all(isolates.map(async (i) => {
    const started = performance.now();
    const answer = await whoami(fleet, i, token);
    return { ...answer, elapsedMs: performance.now() - started };
  }));
}

test("a burst of 6 first requests for one token over 6 Worker isolates: 1 STS call", async () => {
  const before = calls();
  const answers = await burst(await mint("do-burst"), [0, 1, 2, 3, 4, 5]);
  assert.equal(calls() - before, 1, `outcomes ${answers.map((a) => a.source)}; store errors ${await storeErrors(fleet)}`);
  assert.ok(answers.every((a) => a.status === 200 && a.body.accessKeyId === answers[0]!.body.accessKeyId), JSON.stringify(answers));
  assert.equal(new Set(answers.map((a) => a.body.isolateId)).size, ISOLATES, "the requests did not reach six isolates");
  assert.deepEqual(answers.map((a) => a.source).sort(), ["miss", "store", "store", "store", "store", "store"]);
});

test("20 users × a burst of 4 over the isolates: at most 22 STS calls", async () => {
  const before = calls();
  const users = await Promise.all(Array.from({ length: 20 }, (_, u) => mint(`do-user${u}`)));
  const answers = (await Promise.all(users.map((token, u) => burst(token, [0, 1, 2, 3].map((i) => (u + i) % ISOLATES))))).flat();
  assert.ok(answers.every((a) => a.status === 200), `statuses ${answers.map((a) => a.status)}`);
  assert.ok(calls() - before <= 22, `${calls() - before} STS calls for 20 users`);
});

test("the holder's exchange is refused: every request of the burst is answered 401 within the bound, 1 STS call", async () => {
  const before = calls();
  const answers = await burst(await mint("do-refused", stranger), [0, 1, 2, 3]);
  assert.ok(answers.every((a) => a.status === 401), `statuses ${answers.map((a) => a.status)}`);
  assert.equal(calls() - before, 1);
  const slowest = Math.max(...answers.map((a) => a.elapsedMs));
  assert.ok(slowest < 1500, `the slowest answer took ${slowest.toFixed(0)} ms (bound: 2000 ms)`);
});

describe("durableObjectStore from Node against the same StsCoordinator", () => {
  let ns: DurableObjectNamespaceLike;
  const sut = async (): Promise<StoreUnderTest> => {
    ns ??= (await fleet.coordinatorNamespace()) as DurableObjectNamespaceLike;
    const store = durableObjectStore(ns, { shards: 4, prefix: "node:" });
    return {
      name: "durable-object",
      store,
      async dump() {
        const out: Array<[string, string]> = [];
        for (let shard = 0; shard < 4; shard++) {
          const response = await ns.get(ns.idFromName(`node:${shard}`)).fetch("https://edge-sts.invalid/__dump", { method: "POST" });
          out.push(...((await response.json()) as Array<[string, string]>));
        }
        return out;
      },
    };
  };
  // Node reaches the objects through Miniflare's proxy (tens of ms a call, seconds when 80 queue): a
  // longer store bound, and the 20 × 4 check only in the Workers above.
  coordinationContract((name, fn) => test(name, fn), (value, message) => assert.ok(value, message), sut, { options: { storeTimeoutMs: 1000 }, scale: false });

  test("the coordinator refuses what is not an edge-sts key or a sealed value's size, and says so (400)", async () => {
    const stub = ns.get(ns.idFromName("node:0"));
    for (const body of ['{"key":"other:1"}', "not json", `{"key":"edge-sts:2:x","value":"${"A".repeat(70_000)}","ttlMs":1000}`, '{"key":"edge-sts:2:x","value":"v","ttlMs":-1}']) {
      const op = body.includes("value") ? "set" : "get";
      assert.equal((await stub.fetch(`https://edge-sts.invalid/${op}`, { method: "POST", body })).status, 400, body.slice(0, 40));
    }
    await assert.rejects(durableObjectStore(ns).get("not-an-edge-sts-key") as Promise<unknown>, /coordinator answered 400 to get/);
  });
});

test("the Durable Objects' persisted files and the Workers' logs hold no token, token part, secret key or session token", async () => {
  const secrets = secretsOf(tokens, sts.issuedCredentials());
  // And those of the coordination contract run from Node against the same objects.
  secrets.push(...[...handledSecrets].map((value, i) => ({ label: `contract secret ${i}`, value })));
  assert.ok(tokens.length >= 20 && secrets.length > tokens.length * 4);
  const files = (await fleet.persistedFiles()).filter((f) => f.path.includes("/do/"));
  assert.ok(files.length > 0, "Miniflare persisted nothing for the Durable Objects");
  assert.deepEqual(findSecrets(secrets, files.map((f) => ({ where: f.path, text: Buffer.from(f.bytes).toString("latin1") }))), []);
  assert.deepEqual(findSecrets(secrets, fleet.logs.map((text) => ({ where: "a log line", text }))), []);
});
