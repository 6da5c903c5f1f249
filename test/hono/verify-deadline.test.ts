/**
 * Issue 19 item 2 with issue 18's key fetch: everything a first request does (the key-set fetch of
 * `verify`, then the miss: store read, exchange) runs inside ONE `exchangeTimeoutMs`. A slow issuer
 * followed by a hanging STS answers 503 by the deadline, not after the key fetch plus a full deadline.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AUDIENCE, servedIssuer, verifyingApp } from "./verify-fixtures.ts";

const EXCHANGE_TIMEOUT_MS = 2000;
const KEY_FETCH_DELAY_MS = 1500;

test("verify + miss share one deadline: a key set answering after 1.5 s and a hanging STS → 503 within exchangeTimeoutMs (2 s), not 3.5 s", async () => {
  const issuer = await servedIssuer();
  const slowFetch = async (input: string | URL | Request, init?: RequestInit) => {
    await new Promise((resolve) => setTimeout(resolve, KEY_FETCH_DELAY_MS / 2)); // discovery, then the key set
    return fetch(input, init);
  };
  const { emulator, request, stsCalls } = verifyingApp(issuer, {
    exchangeTimeoutMs: EXCHANGE_TIMEOUT_MS,
    verify: { issuer: issuer.issuer, audience: AUDIENCE, fetch: slowFetch },
  });
  try {
    emulator.faults.next(5, { kind: "hang" });
    const token = await issuer.mint({ sub: "slow-keys" });
    const started = performance.now();
    const res = await request(token);
    const elapsed = performance.now() - started;
    assert.equal(res.status, 503);
    assert.equal(stsCalls(), 1, "the key set arrived in time and STS was asked");
    assert.ok(elapsed >= EXCHANGE_TIMEOUT_MS - 50, `answered before the deadline: ${elapsed.toFixed(0)} ms`);
    assert.ok(elapsed < EXCHANGE_TIMEOUT_MS + 900, `took ${elapsed.toFixed(0)} ms: the miss got a deadline of its own after the key fetch`);
    // The token was verified: once STS answers, the next request is served.
    emulator.faults.clear();
    assert.equal((await request(token)).status, 200);
  } finally {
    emulator.faults.clear();
    await issuer.close();
  }
});
