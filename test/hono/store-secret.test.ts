/**
 * `storeSecret`: a writer of the shared store who has no valid token (and no deployment secret)
 * cannot mint a session. The attack: run edge-sts itself against a fake STS that accepts a forged
 * token, and copy the entry it seals into the shared store.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import type { CredentialStore, StoreErrorInfo } from "../../src/cache/store.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { recordSecret } from "../leak/collect.ts";
import { executionContext } from "./fixtures.ts";

const ROLE = "arn:aws:iam::123456789012:role/edge-app";
const opts = { roleArn: ROLE, endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1" };
const SECRET = "deployment-store-secret-" + crypto.randomUUID();
recordSecret(SECRET);

function mapStore(m: Map<string, string>): CredentialStore {
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}

/** An STS that accepts any token: what an attacker runs beside their own copy of edge-sts. */
const acceptingSts = async () =>
  new Response(
    `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
<SubjectFromWebIdentityToken>admin</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/edge-app/admin</Arn><AssumedRoleId>AROAEXAMPLE:admin</AssumedRoleId></AssumedRoleUser>
<Credentials><SessionToken>attacker-session-token-xxxxxxxx</SessionToken><SecretAccessKey>attackerSecretKeyattackerSecretKey1234</SecretAccessKey><Expiration>${new Date(Date.now() + 3600e3).toISOString()}</Expiration><AccessKeyId>ASIAATTACKERATTACKER</AccessKeyId></Credentials>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    { status: 200 },
  );

function app(options: Partial<StsCredentialsOptions>) {
  const a = new Hono<{ Variables: StsVariables }>();
  a.use("/*", stsCredentials({ ...opts, cache: new CredentialCache<StsSession>(), ...options }));
  a.get("/*", (c) => c.json({ subject: c.var.stsIdentity.subjectFromWebIdentityToken, key: c.var.awsCredentials.accessKeyId }));
  return a;
}

async function get(a: Hono<{ Variables: StsVariables }>, token: string) {
  const ctx = executionContext();
  const res = await a.request("/", { headers: { Authorization: `Bearer ${token}` } }, undefined, ctx.ctx);
  await Promise.all(ctx.waited);
  return res;
}

/** What the attacker writes into the victim's store: an entry sealed by edge-sts run with `attackerSecret`. */
async function forgedEntry(forgedToken: string, attackerSecret: string | undefined): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const res = await get(app({ fetch: acceptingSts, store: mapStore(entries), ...(attackerSecret && { storeSecret: attackerSecret }) }), forgedToken);
  assert.equal(res.status, 200);
  assert.equal(entries.size, 1, "the attacker's copy sealed an entry");
  return entries;
}

for (const attackerSecret of [undefined, "an-attacker-guess-of-32-characters-or-more"]) {
  test(`storeSecret: a forged token with an entry sealed ${attackerSecret ? "under another secret" : "without the secret"} is a miss, then STS answers 401`, async () => {
    const issuer = createOidcIssuer();
    const forger = createOidcIssuer({ issuer: issuer.issuer }); // same iss and kid, the attacker's own key
    const emulator = createStsEmulator({ issuers: [issuer] });
    const forgedToken = await forger.mint({ sub: "admin" });
    const shared = await forgedEntry(forgedToken, attackerSecret);
    const errors: StoreErrorInfo[] = [];
    const victim = app({ fetch: emulator.fetch, store: mapStore(shared), storeSecret: SECRET, onStoreError: (e) => errors.push(e) });
    const res = await get(victim, forgedToken);
    assert.equal(res.status, 401, "the forged token was served from the store");
    assert.equal(emulator.calls.total, 1, "STS checked the signature");
    assert.deepEqual(errors, [], "the attacker's entry is under another key: a plain miss");
    for (const e of errors) assert.ok(!JSON.stringify(e).includes(SECRET));
  });
}

test("storeSecret: isolates sharing the secret share entries (one exchange); the secret is nowhere in the store", async () => {
  const issuer = createOidcIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const shared = new Map<string, string>();
  const token = await issuer.mint({ sub: "alice" });
  const first = await get(app({ fetch: emulator.fetch, store: mapStore(shared), storeSecret: SECRET }), token);
  assert.equal(first.status, 200);
  assert.equal(shared.size, 1);
  const bytes = new TextEncoder().encode(SECRET); // the same secret as bytes derives the same keys
  const second = await get(app({ fetch: emulator.fetch, store: mapStore(shared), storeSecret: bytes }), token);
  assert.equal(second.status, 200);
  assert.equal(emulator.calls.total, 1, "the second isolate was answered from the store");
  assert.deepEqual(await second.json(), await first.json());
  const [[key, value]] = [...shared];
  assert.match(key!, /^edge-sts:2:[A-Za-z0-9_-]{43}$/);
  assert.match(value!, /^2\./);
  const dump = key! + value!;
  for (const form of [SECRET, btoa(SECRET).replace(/=+$/, ""), encodeURIComponent(SECRET)]) assert.ok(!dump.includes(form));
  // An isolate without the secret (or with another) does not see the entry.
  await get(app({ fetch: emulator.fetch, store: mapStore(shared) }), token);
  await get(app({ fetch: emulator.fetch, store: mapStore(shared), storeSecret: SECRET.replace("deployment", "Deployment") }), token);
  assert.equal(emulator.calls.total, 3);
});

test("storeSecret: checked at start-up; the error names the option and the bound, never the value", () => {
  const store = mapStore(new Map());
  const short = "short-secret-31-characters-xxxx";
  assert.equal(short.length, 31);
  const cases: Array<[unknown, RegExp]> = [
    [short, /storeSecret must be a string of at least 32 characters or at least 32 bytes/],
    [new Uint8Array(31), /storeSecret must be a string of at least 32 characters or at least 32 bytes/],
    [42, /storeSecret must be a string of at least 32 characters or at least 32 bytes/],
    [{ secret: SECRET }, /storeSecret must be/],
  ];
  for (const [storeSecret, message] of cases) {
    assert.throws(() => stsCredentials({ ...opts, store, storeSecret: storeSecret as string }), (err: unknown) => {
      assert.ok(err instanceof StsConfigurationError);
      assert.match(err.message, message);
      assert.ok(!err.message.includes(short) && !err.message.includes(SECRET), "the error quotes the secret");
      return true;
    });
  }
  assert.throws(() => stsCredentials({ ...opts, storeSecret: SECRET }), /stsCredentials: storeSecret needs a store/);
  assert.doesNotThrow(() => stsCredentials({ ...opts, store, storeSecret: new Uint8Array(32) }));
  assert.doesNotThrow(() => stsCredentials({ ...opts, store, storeSecret: new Uint8Array(32).buffer }));
  assert.doesNotThrow(() => stsCredentials({ ...opts, store, storeSecret: "x".repeat(32) }));
});

test("without storeSecret a store writer CAN mint a session for a forged token (documented; why storeSecret exists)", async () => {
  const issuer = createOidcIssuer();
  const forger = createOidcIssuer({ issuer: issuer.issuer });
  const emulator = createStsEmulator({ issuers: [issuer] });
  const forgedToken = await forger.mint({ sub: "admin" });
  const shared = await forgedEntry(forgedToken, undefined);
  const res = await get(app({ fetch: emulator.fetch, store: mapStore(shared) }), forgedToken);
  assert.equal(res.status, 200, "README's security section says a writer without storeSecret can do this");
  assert.equal(emulator.calls.total, 0);
});

test("a leaked (even expired) token plus a dump of the store opens nothing without the storeSecret", async () => {
  const { cacheKey } = await import("../../src/cache/cache-key.ts");
  const { deriveStoreKeys, open, storeSecretBytes } = await import("../../src/cache/store-crypto.ts");
  const issuer = createOidcIssuer();
  const emulator = createStsEmulator({ issuers: [issuer] });
  const dump = new Map<string, string>();
  const token = await issuer.mint({ sub: "alice" });
  assert.equal((await get(app({ fetch: emulator.fetch, store: mapStore(dump), storeSecret: SECRET }), token)).status, 200);
  assert.equal(dump.size, 1);
  // The attacker has the dump and the token (from an old log line); the rest of the key is public configuration.
  const key = cacheKey(["edge-sts/hono:AssumeRoleWithWebIdentity", "endpoint:https://sts.eu-west-1.amazonaws.com", "eu-west-1"]) + cacheKey([token]) + cacheKey([ROLE, undefined, undefined, undefined, undefined, undefined]);
  const [[storedKey, storedValue]] = [...dump];
  const without = await deriveStoreKeys(token, key);
  assert.notEqual(without.storeKey, storedKey, "the token alone finds the entry");
  assert.equal(await open({ ...without, storeKey: storedKey! }, storedValue), undefined, "the token alone opens the entry");
  // The residual risk the README states: token + dump + secret open credentials valid until their own expiration.
  const withSecret = await deriveStoreKeys(token, key, storeSecretBytes(SECRET));
  assert.equal(withSecret.storeKey, storedKey, "the test rebuilt the wrong cache key");
  assert.ok((await open(withSecret, storedValue)) !== undefined);
});
