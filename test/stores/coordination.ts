/**
 * Coordinated misses (issue 21), written once and run against each real store that can claim (Redis
 * through node-redis, ioredis and Bun's RedisClient; Deno KV): bursts of first requests for one token
 * over many isolates cost one STS exchange; a refusal, a slow STS, a holder that never writes and a
 * broken store each end within the bound, never worse than without coordination. Web-standard only:
 * the portable suite runs it too.
 */
import type { CredentialStore } from "../../src/cache/store.ts";
import type { StsCredentialsOptions } from "../../src/hono/index.ts";
import { StsClient } from "../../src/client.ts";
import { idToken, stsError } from "../hono/fixtures.ts";
import { fleet, leaks, secretsOf } from "./contract.ts";
import type { Register, StoreUnderTest } from "./contract.ts";

type Assert = (value: unknown, message?: string) => void;

/** Every deployment of these tests passes a storeSecret, as a store without `verify` needs one. */
export const STORE_SECRET = "coordination-test-store-secret-0123456789";
const STS_MS = 150;
/**
 * What every fleet here runs with. A generous read bound: these checks are about who exchanges, not
 * how fast a loaded machine answers (a read over the bound is a miss, and 3 in a row pause the store).
 */
const BASE = { storeSecret: STORE_SECRET, storeTimeoutMs: 1000 };

/** N requests for one token at once, one per isolate; each with its elapsed time. */
async function burst(isolates: Array<{ request(token: string): Promise<{ status: number; desc?: string; waitedMs?: number; body?: { accessKeyId: string } }> }>, token: string) {
  return Promise.all(isolates.map(async (isolate) => {
    const started = performance.now();
    const answer = await isolate.request(token);
    return { ...answer, elapsedMs: performance.now() - started };
  }));
}

/**
 * Registers the coordination checks for one store that has `claim`. `options`: added to every fleet's
 * (e.g. a longer `storeTimeoutMs` for a store reached through a slow proxy); `scale: false` leaves out
 * the 80-request check (a proxy that queues 80 calls measures itself; the engine's own test covers it).
 */
export function coordinationContract(
  register: Register,
  assert: Assert,
  sut: () => Promise<StoreUnderTest>,
  { options = {}, scale = true }: { options?: Partial<StsCredentialsOptions>; scale?: boolean } = {},
): void {
  const tokens: string[] = [];
  const issued: Array<{ secretAccessKey: string; sessionToken: string }> = [];
  const mint = (sub: string, t: number) => {
    const token = idToken(`${sub}-${Math.random()}`, t);
    tokens.push(token);
    return token;
  };

  register("coordination: the adapter claims once: a second claim of a held key is refused", async () => {
    const { store } = await sut();
    assert(typeof store.claim === "function", "this store has no claim");
    const key = `edge-sts:2:c:contract-${Math.random().toString(36).slice(2)}`;
    assert((await store.claim!(key, 2000)) === true, "the first claim was refused");
    assert((await store.claim!(key, 2000)) === false, "a held claim was granted again");
    await store.delete?.(key);
    assert((await store.claim!(key, 300)) === true, "a released claim was refused");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert((await store.claim!(key, 2000)) === true, "an expired claim was refused");
    await store.delete?.(key);
  });

  register("coordination: a burst of 6 first requests for one token over 6 isolates: 1 STS call, the others answered from the store after a wait", async () => {
    const s = await sut();
    const hits: Array<{ outcome: string; waitedMs?: number; durationMs: number }> = [];
    const f = fleet(s.store, { ...BASE, ...options, onCacheHit: (info) => void hits.push(info) });
    f.sts.delayMs = STS_MS;
    const answers = await burst(Array.from({ length: 6 }, () => f.isolate()), mint("burst", f.clock.t));
    await f.settle();
    issued.push(...f.issued);
    assert(f.sts.calls.length === 1, `${f.sts.calls.length} STS calls; answers ${JSON.stringify(answers.map((a) => a.desc))}; store errors ${JSON.stringify(f.errors)}`);
    assert(answers.every((a) => a.status === 200 && a.body?.accessKeyId === answers[0]!.body?.accessKeyId), JSON.stringify(answers));
    const descs = answers.map((a) => a.desc).sort();
    assert(JSON.stringify(descs) === JSON.stringify(["miss", "store", "store", "store", "store", "store"]), `outcomes ${descs}`);
    for (const a of answers.filter((x) => x.desc === "store")) assert(a.waitedMs !== undefined && a.waitedMs > 0, `a waiter without sts-wait: ${JSON.stringify(a)}`);
    // onCacheHit tells each waiter's outcome and its wait (part of its duration).
    assert(hits.length === 5 && hits.every((h) => h.outcome === "store" && h.waitedMs! > 0 && h.waitedMs! <= h.durationMs), `onCacheHit: ${JSON.stringify(hits)}`);
  });

  if (scale) register("coordination: 20 users × a burst of 4 over 8 isolates: at most 22 STS calls", async () => {
    const s = await sut();
    const f = fleet(s.store, { ...BASE, ...options });
    f.sts.delayMs = STS_MS;
    const isolates = Array.from({ length: 8 }, () => f.isolate());
    const users = Array.from({ length: 20 }, (_, u) => mint(`user${u}`, f.clock.t));
    const answers = (await Promise.all(users.map((token, u) => burst([0, 1, 2, 3].map((i) => isolates[(u + i * 2) % 8]!), token)))).flat();
    await f.settle();
    issued.push(...f.issued);
    assert(answers.every((a) => a.status === 200), `statuses ${answers.map((a) => a.status)}`);
    assert(f.sts.calls.length <= 22, `${f.sts.calls.length} STS calls for 20 users; store errors ${JSON.stringify(f.errors.slice(0, 5))}`);
  });

  register("coordination: the holder's exchange is refused: every request of the burst answered 401 within the bound, one STS call", async () => {
    const s = await sut();
    const f = fleet(s.store, { ...BASE, ...options });
    f.sts.delayMs = STS_MS;
    f.sts.always = () => stsError("InvalidIdentityToken", 400);
    const answers = await burst(Array.from({ length: 4 }, () => f.isolate()), mint("refused", f.clock.t));
    await f.settle();
    assert(answers.every((a) => a.status === 401), `statuses ${answers.map((a) => a.status)}`);
    assert(f.sts.calls.length === 1, `${f.sts.calls.length} STS calls`);
    const slowest = Math.max(...answers.map((a) => a.elapsedMs));
    assert(slowest < 1500, `the slowest answer took ${slowest.toFixed(0)} ms (bound 2000 ms; the refusal is recorded at once)`);
    // The dump now holds the claim and the sealed refusal: the leak scan below covers both.
    assert((await s.dump()).some(([key]) => key.includes("edge-sts:2:c:")), "no claim in the store right after a refused burst");
  });

  register("coordination: STS slower than the bound: the waiters exchange themselves after it", async () => {
    const s = await sut();
    const f = fleet(s.store, { ...BASE, ...options, storeWaitMs: 300 });
    f.sts.delayMs = 700;
    const answers = await burst(Array.from({ length: 3 }, () => f.isolate()), mint("slow", f.clock.t));
    await f.settle();
    issued.push(...f.issued);
    assert(answers.every((a) => a.status === 200 && a.desc === "miss"), JSON.stringify(answers));
    assert(f.sts.calls.length === 3, `${f.sts.calls.length} STS calls`);
    const waited = answers.filter((a) => a.waitedMs !== undefined);
    assert(waited.length === 2 && waited.every((a) => a.waitedMs! >= 250 && a.waitedMs! < 1000), `waits ${JSON.stringify(waited.map((a) => a.waitedMs))}`);
  });

  register("coordination: the holder never writes (it hangs, then fails): the waiters proceed after the bound", async () => {
    const s = await sut();
    const f = fleet(s.store, { ...BASE, ...options, storeWaitMs: 400 });
    const hang = (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const dead = f.isolate({ client: new StsClient({ region: "eu-west-1", fetch: hang, maxAttempts: 1, timeoutMs: 5000 }), exchangeTimeoutMs: 2500 });
    const token = mint("orphan", f.clock.t);
    const holder = dead.request(token);
    // Until the dead isolate holds the claim (at most 3 s).
    for (let i = 0; i < 60 && !(await s.dump()).some(([key]) => key.includes("edge-sts:2:c:")); i++) await new Promise((r) => setTimeout(r, 50));
    const answers = await burst(Array.from({ length: 3 }, () => f.isolate()), token);
    issued.push(...f.issued);
    assert(answers.every((a) => a.status === 200), JSON.stringify(answers));
    // Each found the claim held and waited; the claim lives storeWaitMs from when the dead isolate took it,
    // so the first waiter to claim again after that exchanges, and the others may get its entry.
    assert(answers.every((a) => a.waitedMs !== undefined), `a request did not wait for the held claim: ${JSON.stringify(answers)}`);
    const slowest = Math.max(...answers.map((a) => a.elapsedMs));
    assert(slowest < 2000, `the slowest answer took ${slowest.toFixed(0)} ms`);
    assert((await holder).status === 503, "the hung holder was not answered 503 at its exchange deadline");
    await f.settle();
  });

  register("coordination: the holder's write fails: it releases the claim, and a waiter claims again and exchanges well before the bound", async () => {
    const s = await sut();
    const store: CredentialStore = {
      get: (key) => s.store.get(key),
      set: () => Promise.reject(new Error("OOM command not allowed when used memory > 'maxmemory'")),
      claim: (key, ttlMs) => s.store.claim!(key, ttlMs),
      delete: (key) => s.store.delete!(key),
    };
    const f = fleet(store, { ...BASE, ...options });
    f.sts.delayMs = STS_MS;
    const answers = await burst(Array.from({ length: 3 }, () => f.isolate()), mint("unwritten", f.clock.t));
    await f.settle();
    issued.push(...f.issued);
    assert(answers.every((a) => a.status === 200), JSON.stringify(answers));
    const slowest = Math.max(...answers.map((a) => a.elapsedMs));
    assert(slowest < 1200, `the slowest answer took ${slowest.toFixed(0)} ms (bound 2000 ms)`);
    assert(f.sts.calls.length <= 3, `${f.sts.calls.length} STS calls`);
  });

  register("coordination: a claim that throws or hangs is today's behaviour: every isolate exchanges, reported as claim errors", async () => {
    const s = await sut();
    for (const broken of ["throws", "hangs"] as const) {
      const store: CredentialStore = {
        get: (key) => s.store.get(key),
        set: (key, value, ttl) => s.store.set(key, value, ttl),
        claim: () => (broken === "throws" ? Promise.reject(new Error("READONLY You can't write against a read only replica.")) : new Promise<boolean>(() => {})),
      };
      const f = fleet(store, { storeSecret: STORE_SECRET, storeTimeoutMs: 100 });
      f.sts.delayMs = STS_MS;
      const answers = await burst(Array.from({ length: 4 }, () => f.isolate()), mint(`broken-${broken}`, f.clock.t));
      await f.settle();
      issued.push(...f.issued);
      assert(answers.every((a) => a.status === 200 && a.desc === "miss" && a.waitedMs === undefined), JSON.stringify(answers));
      assert(f.sts.calls.length === 4, `${broken}: ${f.sts.calls.length} STS calls`);
      const reason = broken === "throws" ? "error" : "timeout";
      assert(f.errors.filter((e) => e.operation === "claim" && e.reason === reason).length === 4, `${broken}: ${JSON.stringify(f.errors)}`);
    }
  });

  register("coordination: nothing in the store (claims and refusals included) holds a token, token part, secret key or session token", async () => {
    const s = await sut();
    assert(tokens.length >= (scale ? 25 : 5) && issued.length >= (scale ? 20 : 4), `the coordination checks did not run (${tokens.length} tokens)`);
    const dump = await s.dump();
    const found = leaks(dump, tokens.flatMap((t) => secretsOf(t, [])).concat(issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])));
    assert(found.length === 0, `secrets in the store: ${found.join(", ")}`);
  });
}

/** A store without `claim` keeps today's behaviour exactly: a burst exchanges once per isolate. */
export function withoutClaim(register: Register, assert: Assert, store: CredentialStore): void {
  register("coordination: a store without claim: a burst of 4 over 4 isolates is 4 STS calls, no wait", async () => {
    const f = fleet(store, { storeSecret: STORE_SECRET });
    f.sts.delayMs = 50;
    const answers = await burst(Array.from({ length: 4 }, () => f.isolate()), idToken(`plain-${Math.random()}`, f.clock.t));
    await f.settle();
    assert(f.sts.calls.length === 4 && answers.every((a) => a.desc === "miss" && a.waitedMs === undefined), `${f.sts.calls.length} calls, ${JSON.stringify(answers)}`);
  });
}
