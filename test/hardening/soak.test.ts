/**
 * A bounded soak of the demo app (issuer + emulator + Hono app with the middleware, both served on
 * loopback): 32 concurrent clients on the real fetch, a pool of users whose tokens are re-minted
 * while the load runs, a few with tokens that expire mid-run, role credentials short enough to be
 * refreshed mid-run. Zero 5xx, zero credentials served to the wrong token, heap stable from the first
 * to the last window. `SOAK_SECONDS` (default 25, at most 60) sets the length.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { StsSession } from "../../src/hono/index.ts";
import { startDemo } from "./demo-app.ts";
import type { WhoAmI } from "./demo-app.ts";
import { canCollect, mib, settledHeap } from "./heap.ts";

const SECONDS = Math.min(60, Math.max(12, Number(process.env.SOAK_SECONDS ?? 25)));
const WINDOW_S = Math.min(10, Math.floor(SECONDS / 2.5));
const CONCURRENCY = 32;
const USERS = 40;
const SHORT_LIVED = 4;
const ROTATE_EVERY_MS = 400;

interface User {
  sub: string;
  token: string;
  expMs: number;
  shortLived: boolean;
  minting?: Promise<void>;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

test(`soak: ${SECONDS} s, ${CONCURRENCY} concurrent clients, ${USERS} rotating users`, { timeout: (SECONDS + 30) * 1000 }, async () => {
  const demo = await startDemo({
    // Role credentials live 30 s, so every user's are refreshed during the run.
    emulator: { durations: { role: 30 } },
    cache: new CredentialCache<StsSession>({ refreshWindowSeconds: 10, minRemainingSeconds: 3 }),
    middleware: { clockToleranceSeconds: 0 },
  });
  try {
    const mint = async (user: User) => {
      const nowS = Math.floor(Date.now() / 1000);
      const exp = user.shortLived ? nowS + 3 + Math.floor(Math.random() * 4) : nowS + 3600;
      user.token = await demo.issuer.mint({ sub: user.sub, exp, jti: crypto.randomUUID() });
      user.expMs = exp * 1000;
    };
    const users: User[] = Array.from({ length: USERS }, (_, i) => ({ sub: `soak-user-${i}`, token: "", expMs: 0, shortLived: i < SHORT_LIVED }));
    await Promise.all(users.map(mint));

    const started = performance.now();
    const end = started + SECONDS * 1000;
    const latencies: number[] = [];
    const counts = { ok: 0, server: 0, expired: 0, unexpected: 0, wrong: 0, rotations: 0 };
    const problems: string[] = [];
    const served = new Map<string, string>(); // accessKeyId → sub it was served to
    const heap: Array<{ t: number; used: number }> = [];

    const rotation = setInterval(() => {
      const user = users[SHORT_LIVED + Math.floor(Math.random() * (USERS - SHORT_LIVED))]!;
      counts.rotations++;
      void mint(user);
    }, ROTATE_EVERY_MS);
    const sampler = setInterval(() => {
      void settledHeap().then((used) => heap.push({ t: (performance.now() - started) / 1000, used }));
    }, 1000);

    const worker = async () => {
      while (performance.now() < end) {
        const user = users[Math.floor(Math.random() * USERS)]!;
        if (user.minting) {
          await user.minting;
          continue;
        }
        const { token, sub, expMs } = user;
        const t0 = performance.now();
        let res: Response;
        try {
          res = await fetch(`${demo.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
        } catch (err) {
          counts.unexpected++;
          problems.push(`fetch failed: ${String(err)}`);
          continue;
        }
        const body = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status >= 500) {
          counts.server++;
          problems.push(`${res.status} ${body.slice(0, 100)}`);
        } else if (res.status === 200) {
          counts.ok++;
          const who = JSON.parse(body) as WhoAmI;
          if (who.subject !== sub || !who.arn.endsWith(`/${sub}`) || (served.get(who.accessKeyId) ?? sub) !== sub) {
            counts.wrong++;
            problems.push(`token of ${sub} got ${who.arn} (${who.subject})`);
          }
          served.set(who.accessKeyId, sub);
        } else if (res.status === 401 && Date.now() >= expMs - 1000) {
          counts.expired++;
          if (user.token === token && !user.minting) {
            user.minting = mint(user).finally(() => (user.minting = undefined));
          }
        } else {
          counts.unexpected++;
          problems.push(`${res.status} for ${sub} (exp in ${expMs - Date.now()} ms): ${body.slice(0, 100)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(rotation);
    clearInterval(sampler);
    const elapsed = (performance.now() - started) / 1000;

    // Every access key served to a sub was issued by STS for that sub's session.
    const issued = new Map(demo.sts.issuedCredentials().map((s) => [s.accessKeyId, s.principal.arn]));
    for (const [accessKeyId, sub] of served) {
      const arn = issued.get(accessKeyId);
      if (arn !== `arn:aws:sts::123456789012:assumed-role/edge-demo/${sub}`) {
        counts.wrong++;
        problems.push(`${accessKeyId} served to ${sub} was issued for ${arn}`);
      }
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const first = heap.filter((h) => h.t < WINDOW_S).map((h) => h.used);
    const last = heap.filter((h) => h.t >= elapsed - WINDOW_S).map((h) => h.used);
    const heapFirst = mean(first);
    const heapLast = mean(last);
    const figures = {
      seconds: +elapsed.toFixed(1),
      requests: latencies.length,
      rps: Math.round(latencies.length / elapsed),
      p50ms: +percentile(sorted, 50).toFixed(2),
      p99ms: +percentile(sorted, 99).toFixed(2),
      maxMs: +(sorted.at(-1) ?? NaN).toFixed(1),
      stsCalls: demo.sts.calls.total,
      ...counts,
      distinctCredentials: served.size,
      heapFirstWindow: mib(heapFirst),
      heapLastWindow: mib(heapLast),
      heapSamples: heap.length,
      gc: canCollect,
    };
    console.log(`soak figures: ${JSON.stringify(figures)}`);

    assert.deepEqual(problems.slice(0, 10), []);
    assert.equal(counts.server, 0, "zero 5xx");
    assert.equal(counts.wrong, 0, "zero credentials served to the wrong token");
    assert.equal(counts.unexpected, 0);
    assert.ok(latencies.length > SECONDS * 100, `enough load (${latencies.length} requests)`);
    assert.ok(counts.expired > 0, "some tokens expired mid-run and were answered 401");
    assert.ok(demo.sts.calls.total > USERS, "tokens rotated and credentials were refreshed: more STS calls than users");
    assert.ok(served.size > USERS, "credentials were renewed during the run");
    assert.ok(first.length >= 3 && last.length >= 3, "heap sampled in both windows");
    const allowed = canCollect ? Math.max(8 * 1024 * 1024, heapFirst * 0.25) : Math.max(48 * 1024 * 1024, heapFirst);
    assert.ok(heapLast - heapFirst < allowed, `heap ${mib(heapFirst)} → ${mib(heapLast)} (allowed growth ${mib(allowed)})`);
  } finally {
    await demo.close();
  }
});
