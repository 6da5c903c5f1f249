/**
 * After a store pause, exactly one read probes it while the other misses go straight to STS; and a
 * store function that builds a new adapter per request (`(c) => workersKvStore(c.env.STS_CACHE)`)
 * still pauses, its health kept per middleware instance.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore, StoreErrorInfo } from "../../src/cache/store.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsSession, StsVariables } from "../../src/hono/index.ts";
import { ROLE_ARN, idToken, manualClock, scriptedSts } from "./fixtures.ts";

/**
 * A store counting reads that fail at once (`"down"`), or wait for the test to answer them
 * (`"held"`: `answer(value)` / `fail()` settle every held read).
 */
function flakyStore() {
  const held: Array<{ resolve: (v: string | undefined) => void; reject: (e: Error) => void }> = [];
  const state = {
    reads: 0,
    mode: "down" as "down" | "held",
    held,
    answer: () => held.splice(0).forEach((h) => h.resolve(undefined)),
    fail: () => held.splice(0).forEach((h) => h.reject(new Error("ECONNREFUSED"))),
  };
  const store: CredentialStore = {
    get: () => {
      state.reads++;
      if (state.mode === "down") return Promise.reject(new Error("ECONNREFUSED"));
      return new Promise<string | undefined>((resolve, reject) => void held.push({ resolve, reject }));
    },
    set: () => undefined,
  };
  return { state, store };
}

function setup(store: CredentialStore | (() => CredentialStore)) {
  const clock = manualClock(Date.now());
  const sts = scriptedSts(clock.now);
  const errors: StoreErrorInfo[] = [];
  const client = new StsClient({ region: "eu-west-1", fetch: sts.fetch, maxAttempts: 1 });
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/*", stsCredentials({
    roleArn: ROLE_ARN, client, cache: new CredentialCache<StsSession>({ now: clock.now }), now: clock.now,
    // Long enough that a held probe is still pending while the other misses are answered.
    store, storeSecret: "edge-sts-test-store-secret-0123456789abcdef", storeTimeoutMs: 10_000, onStoreError: (e) => errors.push(e),
  }));
  app.get("/*", (c) => c.text("ok"));
  let n = 0;
  const miss = async () => (await app.request("/", { headers: { Authorization: `Bearer ${idToken(`u${n++}`, clock.now())}` } })).status;
  return { clock, sts, errors, miss };
}

/** Starts `count` misses at once; resolves when all but the held ones are answered (bounded wait). */
async function burst(f: ReturnType<typeof setup>, state: ReturnType<typeof flakyStore>["state"], count: number) {
  let answered = 0;
  const all = Promise.all(Array.from({ length: count }, () => f.miss().then((s) => (answered++, s))));
  for (let i = 0; i < 500 && answered + state.held.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  return { all, answered: () => answered };
}

test("after a pause, one read probes the store; concurrent misses meanwhile go to STS without reading it", async () => {
  const { state, store } = flakyStore();
  const f = setup(store);
  for (let i = 0; i < 3; i++) assert.equal(await f.miss(), 200);
  assert.equal(state.reads, 3);
  assert.equal(f.errors.at(-1)!.pausedForMs, 5000);
  f.clock.advance(5.1);
  state.mode = "held";
  const first = await burst(f, state, 20);
  assert.equal(state.reads - 3, 1, "more than one read probed the store after its pause");
  assert.equal(first.answered(), 19, "the other misses waited for the probe");
  state.fail();
  assert.ok((await first.all).every((s) => s === 200));
  assert.equal(f.errors.at(-1)!.pausedForMs, 5000, "the failed probe paused the store again");
  // The next probe, after the next pause: again one read while it runs; this time the store answers.
  f.clock.advance(5.1);
  const second = await burst(f, state, 10);
  assert.equal(state.reads - 4, 1, "one probe");
  assert.equal(second.answered(), 9);
  state.answer();
  assert.ok((await second.all).every((s) => s === 200));
  // The probe succeeded: the store is in use again, by every miss.
  const healed = await burst(f, state, 5);
  assert.equal(state.reads - 5, 5, "a healed store is read by every miss again");
  state.answer();
  await healed.all;
});

test("a store function returning a new adapter per request pauses too (health per middleware instance)", async () => {
  const { state, store } = flakyStore();
  const f = setup(((): CredentialStore => ({ get: store.get, set: store.set })) as () => CredentialStore);
  for (let i = 0; i < 3; i++) assert.equal(await f.miss(), 200);
  assert.equal(f.errors.at(-1)!.pausedForMs, 5000, "the third failed read in a row paused it");
  for (let i = 0; i < 5; i++) assert.equal(await f.miss(), 200);
  assert.equal(state.reads, 3, "a paused store (a new adapter object each request) was read");
  f.clock.advance(5.1);
  state.mode = "held";
  const probe = await burst(f, state, 10);
  assert.equal(state.reads, 4, "one probe after the pause");
  state.fail();
  await probe.all;
});
