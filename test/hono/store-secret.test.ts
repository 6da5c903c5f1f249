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
import type { OidcIssuer } from "../../src/testing/index.ts";
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

/**
 * What the attacker writes into the victim's store: an entry sealed by edge-sts run with `attackerSecret`,
 * or without a secret (a store needs one or `verify`: the attacker's copy "verifies" with the forger's keys).
 */
async function forgedEntry(forgedToken: string, attackerSecret: string | undefined, forger: OidcIssuer): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const trust = attackerSecret ? { storeSecret: attackerSecret } : { verify: { issuer: forger.issuer, audience: forger.audience, fetch: forger.fetch } };
  const res = await get(app({ fetch: acceptingSts, store: mapStore(entries), ...trust }), forgedToken);
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
    const shared = await forgedEntry(forgedToken, attackerSecret, forger);
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
  // An isolate without the secret (verifying tokens instead) or with another does not see the entry.
  await get(app({ fetch: emulator.fetch, store: mapStore(shared), verify: { issuer: issuer.issuer, audience: issuer.audience, fetch: issuer.fetch } }), token);
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

test("a store without storeSecret: refused at start-up, unless verify is on — then a planted entry for a forged token is never read", async () => {
  const issuer = createOidcIssuer();
  const forger = createOidcIssuer({ issuer: issuer.issuer });
  const emulator = createStsEmulator({ issuers: [issuer] });
  const forgedToken = await forger.mint({ sub: "admin" });
  const shared = await forgedEntry(forgedToken, undefined, forger);
  // Before verification existed, this victim served the planted entry (200, no STS call).
  assert.throws(() => app({ fetch: emulator.fetch, store: mapStore(shared) }), /store needs storeSecret/);
  let reads = 0;
  const counted: CredentialStore = { get: (k) => (reads++, shared.get(k)), set: (k, v) => void shared.set(k, v) };
  const verify = { issuer: issuer.issuer, audience: issuer.audience, fetch: issuer.fetch };
  const victim = app({ fetch: emulator.fetch, store: counted, verify });
  const res = await get(victim, forgedToken);
  assert.equal(res.status, 401, "the planted entry was served");
  assert.equal(emulator.calls.total, 0);
  assert.equal(reads, 0, "a forged token reached the store");
  assert.equal((await get(victim, await issuer.mint({ sub: "alice" }))).status, 200);
  assert.equal(reads, 1);
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
