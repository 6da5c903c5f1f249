/**
 * What every credential store must do with edge-sts, written once and run against each real store:
 * Redis (node-redis, ioredis on Node; RedisClient on Bun), Deno KV and the Cache API (on Deno), and a
 * Map-backed custom store. Several "isolates" (each its own Hono app and CredentialCache) share one
 * store, one clock and one scripted STS. Web-standard only: the portable suite runs it too.
 */
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore, StoreErrorInfo } from "../../src/cache/store.ts";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { ROLE_ARN, idToken, manualClock, scriptedSts, stsError } from "../hono/fixtures.ts";

/** A real store, and a way to read back everything written to it. */
export interface StoreUnderTest {
  name: string;
  store: CredentialStore;
  /** Every store key and value this test's store holds (only this test's namespace of a shared server), as `set` got them. */
  dump(): Promise<Array<[key: string, value: string]>>;
}

/** One registered check: the runner (node:test or the portable harness) decides how to run it. */
export type Register = (name: string, fn: () => Promise<void>) => void;

type Assert = (value: unknown, message?: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every token and STS secret any fleet in this process handled: for scans of a store's raw files. */
export const handledSecrets = new Set<string>();

/** The fleet's `storeSecret` (a store needs one, or `verify`). */
const FLEET_STORE_SECRET = "edge-sts-fleet-store-secret-0123456789abcdef";

/** A fleet of isolates sharing one store, STS and clock. */
export function fleet(store: CredentialStore, options: Partial<StsCredentialsOptions> = {}) {
  const clock = manualClock();
  const sts = scriptedSts(clock.now);
  /** Every secret key and session token STS handed out, read from its responses. */
  const issued: Array<{ secretAccessKey: string; sessionToken: string }> = [];
  const fetchSts = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await sts.fetch(input, init);
    const xml = await res.clone().text();
    const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(xml)?.[1];
    const sessionToken = /<SessionToken>([^<]+)</.exec(xml)?.[1];
    if (secretAccessKey && sessionToken) {
      issued.push({ secretAccessKey, sessionToken });
      handledSecrets.add(secretAccessKey).add(sessionToken);
    }
    return res;
  };
  const errors: StoreErrorInfo[] = [];
  const waited: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException: () => {}, props: {} };
  /** A new isolate; `extra` options for this one only (e.g. its own client). */
  const isolate = (extra: Partial<StsCredentialsOptions> = {}) => {
    const cache = new CredentialCache<StsSession>({ now: clock.now, random: () => 0 });
    const client = new StsClient({ region: "eu-west-1", fetch: fetchSts, maxAttempts: 1, timeoutMs: 2000 });
    const app = new Hono<{ Variables: StsVariables }>();
    app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, client, cache, now: clock.now, store, storeSecret: FLEET_STORE_SECRET, serverTiming: true, onStoreError: (e) => errors.push(e), ...options, ...extra }));
    app.get("/api/creds", (c) => c.json({ accessKeyId: c.var.awsCredentials.accessKeyId, subject: c.var.stsIdentity.subjectFromWebIdentityToken }));
    const request = async (token: string) => {
      for (const secret of secretsOf(token, [])) handledSecrets.add(secret);
      const res = await app.request("/api/creds", { headers: { Authorization: `Bearer ${token}` } }, undefined, ctx as never);
      const timing = res.headers.get("server-timing") ?? "";
      const desc = /desc="([a-z]+)"/.exec(timing)?.[1];
      const waitedMs = /sts-wait;dur=([\d.]+)/.exec(timing)?.[1];
      const body = res.status === 200 ? ((await res.json()) as { accessKeyId: string; subject: string }) : undefined;
      return { status: res.status, desc, body, waitedMs: waitedMs === undefined ? undefined : Number(waitedMs) };
    };
    return { request, cache };
  };
  /** Waits for every background write and refresh (including those they start). */
  const settle = async () => {
    for (let round = 0; round < 10 && waited.length > 0; round++) await Promise.allSettled(waited.splice(0));
  };
  return { clock, sts, issued, errors, isolate, settle };
}

/** Every form a secret could be written in: plain, URL-encoded, base64 and base64url. */
export function forms(secret: string): string[] {
  let binary = "";
  for (const byte of new TextEncoder().encode(secret)) binary += String.fromCharCode(byte);
  const b64 = btoa(binary);
  return [secret, encodeURIComponent(secret), b64, b64.replace(/=+$/, ""), b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")];
}

/** The secrets of one exchange: the token, each of its three parts, the secret key and the session token. */
export function secretsOf(token: string, credentials: { secretAccessKey: string; sessionToken: string }[]): string[] {
  return [token, ...token.split("."), ...credentials.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
}

/** Every (secret, form) found in any key or value of the dump. */
export function leaks(dump: Array<[string, string]>, secrets: string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      for (const [key, value] of dump) {
        if (key.includes(form) || value.includes(form)) found.push(`${secret.slice(0, 6)}… as ${form === secret ? "plain" : form.slice(0, 6) + "…"}`);
      }
    }
  }
  return found;
}

/**
 * Registers the contract for one store. `assert` is the runner's. `expires`: the store itself drops
 * a value after its TTL (Redis; Deno KV through the adapter's check), so that is tested too.
 */
export function storeContract(register: Register, assert: Assert, sut: () => Promise<StoreUnderTest>, { expires }: { expires: boolean }): void {
  register("set, get and delete round-trip; an absent key reads as nothing", async () => {
    const { store } = await sut();
    const key = `edge-sts:2:contract-${Math.random().toString(36).slice(2)}`;
    assert((await store.get(key)) == null, "an absent key reads as null or undefined");
    await store.set(key, "2.c2VhbGVk", 120);
    assert((await store.get(key)) === "2.c2VhbGVk", "the value written is read back");
    if (store.delete !== undefined) {
      await store.delete(key);
      assert((await store.get(key)) == null, "a deleted key reads as nothing");
    }
  });

  if (expires) register("a value is gone after its TTL", async () => {
    const s = await sut();
    const key = `edge-sts:2:ttl-${Math.random().toString(36).slice(2)}`;
    await s.store.set(key, "2.dHRs", 1);
    assert((await s.store.get(key)) === "2.dHRs");
    await sleep(2100);
    assert((await s.store.get(key)) == null, "still there 2.1 s after a 1 s TTL");
  });

  register("three isolates, one token: one STS call; the others are answered from the store", async () => {
    const { store } = await sut();
    const f = fleet(store);
    const [a, b, c] = [f.isolate(), f.isolate(), f.isolate()];
    const token = idToken(`alice-${Math.random()}`, f.clock.t);
    const first = await a.request(token);
    assert(first.status === 200 && first.desc === "miss", `first: ${JSON.stringify(first)}`);
    await f.settle();
    const second = await b.request(token);
    const third = await c.request(token);
    assert(second.desc === "store" && third.desc === "store", `then: ${second.desc}, ${third.desc}`);
    assert(second.body?.accessKeyId === first.body?.accessKeyId && third.body?.accessKeyId === first.body?.accessKeyId, "the same credentials everywhere");
    assert((await b.request(token)).desc === "hit", "kept in the isolate after the store answered");
    assert(f.sts.calls.length === 1, `${f.sts.calls.length} STS calls`);
    assert(f.errors.length === 0, `store errors: ${JSON.stringify(f.errors)}`);
  });

  register("a refresh looks in the store first: one isolate's refresh serves the others", async () => {
    const { store } = await sut();
    const f = fleet(store);
    const [a, b] = [f.isolate(), f.isolate()];
    const token = idToken(`carol-${Math.random()}`, f.clock.t, 3 * 3600);
    await a.request(token);
    await f.settle();
    assert((await b.request(token)).desc === "store");
    f.clock.advance(3600 - 300 + 10); // inside the refresh window (300 s) of both
    assert((await a.request(token)).desc === "refresh");
    await f.settle();
    assert(f.sts.calls.length === 2, `${f.sts.calls.length} STS calls after a's refresh`);
    assert((await b.request(token)).desc === "refresh");
    await f.settle();
    assert(f.sts.calls.length === 2, "b's refresh found a's new credentials in the store");
    const fresh = await b.request(token);
    assert(fresh.desc === "hit" && fresh.body?.accessKeyId === f.sts.calls[1]!.accessKeyId, `b now serves the refreshed credentials: ${JSON.stringify(fresh)}`);
  });

  register("a stored entry is never served past credential expiration − refresh window, nor past the token's exp + clock tolerance", async () => {
    const { store } = await sut();
    const f = fleet(store);
    const token = idToken(`dave-${Math.random()}`, f.clock.t, 3 * 3600);
    await f.isolate().request(token);
    await f.settle();
    f.clock.advance(3600 - 300); // exactly at expiration − window
    assert((await f.isolate().request(token)).desc === "miss", "served from the store at expiration − window");
    // A token expiring before its credentials: the entry ends with the token's acceptance (exp + the 30 s clock tolerance).
    const short = idToken(`erin-${Math.random()}`, f.clock.t, 600);
    await f.isolate().request(short);
    await f.settle();
    f.clock.advance(590);
    assert((await f.isolate().request(short)).desc === "store", "usable before the token's exp");
    f.clock.advance(15); // past exp, within the 30 s clock tolerance: the token is accepted, so the entry serves
    const late = await f.isolate().request(short);
    assert(late.status === 200 && late.desc === "store", `inside the tolerance the store answers: ${JSON.stringify(late)}`);
    f.clock.advance(30); // past exp + tolerance: 401 before any cache level
    assert((await f.isolate().request(short)).status === 401, "past exp + tolerance the token is refused");
  });

  register("a value copied to another key, or altered, does not open: a miss, reported as invalid", async () => {
    const s = await sut();
    const f = fleet(s.store);
    const a = f.isolate();
    const [t1, t2] = [idToken(`frank-${Math.random()}`, f.clock.t), idToken(`grace-${Math.random()}`, f.clock.t)];
    const before = new Set((await s.dump()).map(([k]) => k));
    await a.request(t1);
    await a.request(t2);
    await f.settle();
    const written = (await s.dump()).filter(([k]) => !before.has(k));
    assert(written.length === 2, `${written.length} entries written`);
    const [[k1, v1], [k2, v2]] = written as [[string, string], [string, string]];
    await s.store.set(k1, v2, 600); // swap: each key now holds the other user's sealed value
    await s.store.set(k2, v1.slice(0, -4) + (v1.endsWith("AAAA") ? "BBBB" : "AAAA"), 600); // and alter one
    const b = f.isolate();
    const r1 = await b.request(t1);
    const r2 = await b.request(t2);
    assert(r1.desc === "miss" && r2.desc === "miss", `${r1.desc}, ${r2.desc}`);
    assert(r1.body?.subject === t1Subject(t1) && r2.body?.subject === t1Subject(t2), "each user got their own identity");
    assert(f.sts.calls.length === 4, `${f.sts.calls.length} STS calls`);
    assert(f.errors.filter((e) => e.operation === "get" && e.reason === "invalid").length === 2, JSON.stringify(f.errors));
  });

  register("a rejected token is never written to the store (a coordinating store: only its claim and a brief sealed refusal)", async () => {
    const s = await sut();
    const f = fleet(s.store);
    f.sts.always = () => stsError("InvalidIdentityToken", 400);
    const before = (await s.dump()).length;
    const token = idToken(`mallory-${Math.random()}`, f.clock.t);
    assert((await f.isolate().request(token)).status === 401);
    await f.settle();
    assert((await f.isolate().request(token)).status === 401);
    await f.settle();
    const added = (await s.dump()).length - before;
    if (s.store.claim === undefined) {
      assert(added === 0, "an entry was written for a rejected token");
      assert(f.sts.calls.length === 2, `${f.sts.calls.length} STS calls`);
    } else {
      // The claim holder's refusal, sealed under the store key, answered the second isolate without STS.
      assert(added <= 2, `${added} entries written for a rejected token`);
      assert(f.sts.calls.length === 1, `${f.sts.calls.length} STS calls: the recorded refusal was not answered`);
    }
  });

  register("nothing written to the store holds the token, its parts, the secret key or the session token", async () => {
    const s = await sut();
    const f = fleet(s.store, { durationSeconds: 900 });
    const tokens = Array.from({ length: 5 }, (_, i) => idToken(`user${i}@example.com-${Math.random()}`, f.clock.t));
    const iso = [f.isolate(), f.isolate()];
    for (const token of tokens) {
      await iso[0]!.request(token);
      await f.settle();
      await iso[1]!.request(token);
    }
    f.clock.advance(900 - 300 + 5);
    for (const token of tokens) await iso[0]!.request(token); // refreshes write new credentials too
    await f.settle();
    assert(f.issued.length === 2 * tokens.length, `${f.issued.length} exchanges for ${tokens.length} tokens and their refreshes`);
    const secrets = tokens.flatMap((t) => secretsOf(t, []));
    secrets.push(...f.issued.flatMap((c) => [c.secretAccessKey, c.sessionToken]));
    const dump = await s.dump();
    assert(dump.length >= tokens.length, `only ${dump.length} entries in the store`);
    const found = leaks(dump, secrets);
    assert(found.length === 0, `secrets in the store: ${found.join(", ")}`);
  });
}

function t1Subject(token: string): string {
  const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string };
  return payload.sub;
}
