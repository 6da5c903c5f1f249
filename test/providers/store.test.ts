/** fromWebIdentity and fromAssumeRole with a shared store: replicas share one exchange, sealed with their own secret. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CredentialStore, StoreErrorInfo } from "../../src/cache/store.ts";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { fromAssumeRole } from "../../src/providers/from-assume-role.ts";
import { fromWebIdentity } from "../../src/providers/from-web-identity.ts";
import { forms } from "../stores/contract.ts";
import { emulatedSts } from "./emulated-sts.ts";
import { HOUR, T0, assumeRoleXml, errorXml, fakeSts, until } from "./fake-sts.ts";

const roleArn = "arn:aws:iam::123456789012:role/demo";

function mapStore() {
  const map = new Map<string, string>();
  const ttls: number[] = [];
  const store: CredentialStore = { get: (k) => map.get(k), set: (k, v, ttl) => void (map.set(k, v), ttls.push(ttl)) };
  return { map, ttls, store };
}

test("fromWebIdentity: two replicas with one store make one exchange; the second reads the store", async () => {
  const clock = { t: T0 };
  const sts = await emulatedSts(clock);
  const { map, ttls, store } = mapStore();
  const token = await sts.mint("ci", T0 / 1000 + 2 * 3600);
  const replica = () =>
    fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: () => token, store, now: () => clock.t });
  const first = await replica()();
  await until(() => map.size === 1);
  assert.equal(map.size, 1);
  assert.equal(ttls[0], 3600 - 300, "stored until expiration − refresh window");
  const second = await replica()();
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1);
  assert.deepEqual(second, first);
  assert.ok(second.expiration instanceof Date);
  const dump = [...map].flat().join("\n");
  for (const secret of [token, ...token.split("."), first.secretAccessKey, first.sessionToken]) {
    for (const form of forms(secret)) assert.ok(!dump.includes(form), "a secret is in the store");
  }
});

test("fromWebIdentity: a stored entry ends with the token's exp; a new token is a new entry", async () => {
  const clock = { t: T0 };
  const sts = await emulatedSts(clock);
  const { map, ttls, store } = mapStore();
  let token = await sts.mint("ci", T0 / 1000 + 600);
  const replica = () => fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: () => token, store, now: () => clock.t });
  await replica()();
  await until(() => map.size === 1);
  assert.equal(ttls[0], 600, "stored no longer than the token lives");
  clock.t += 601 * 1000;
  await replica()();
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 2, "served from the store after the token's exp");
  token = await sts.mint("ci", T0 / 1000 + 7200);
  await replica()();
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 3);
  await until(() => map.size === 2);
  assert.equal(map.size, 2);
});

test("fromAssumeRole: replicas with the same source credentials share; other source credentials derive other keys and find nothing", async () => {
  const sts = fakeSts((action, n) => (action === "AssumeRole" ? assumeRoleXml(n, T0 + HOUR) : errorXml("InvalidAction", action)));
  const { map, store } = mapStore();
  const errors: StoreErrorInfo[] = [];
  const clock = { t: T0 };
  const source = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
  const replica = (credentials = source) =>
    fromAssumeRole({
      client: new StsClient({ region: "eu-west-1", credentials, fetch: sts.fetch }),
      roleArn,
      roleSessionName: "edge",
      store,
      onStoreError: (e) => errors.push(e),
      now: () => clock.t,
    });
  const first = await replica()();
  await until(() => map.size === 1);
  assert.deepEqual(await replica()(), first);
  assert.equal(sts.calls("AssumeRole"), 1);
  // Other source credentials derive another store key (and another value key).
  const other = { accessKeyId: "AKIAOTHEROTHEREXAMPL", secretAccessKey: "differentSecretKeyDifferentSecretKey1234" };
  await replica(other)();
  assert.equal(sts.calls("AssumeRole"), 2);
  const dump = [...map].flat().join("\n");
  for (const secret of [source.secretAccessKey, first.secretAccessKey, first.sessionToken]) {
    for (const form of forms(secret)) assert.ok(!dump.includes(form), "a secret is in the store");
  }
  assert.deepEqual(errors, []);
});

test("fromAssumeRole refuses a store together with an MFA tokenCode", () => {
  const client = new StsClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIA", secretAccessKey: "s" } });
  const { store } = mapStore();
  assert.throws(
    () => fromAssumeRole({ client, roleArn, store, tokenCode: "123456", serialNumber: "arn:aws:iam::123456789012:mfa/u" }),
    (err: unknown) => err instanceof StsConfigurationError && /tokenCode/.test(err.message),
  );
});

test("providers check the store options at once", () => {
  const base = { region: "eu-west-1", roleArn, webIdentityToken: "t" };
  assert.throws(() => fromWebIdentity({ ...base, store: {} as never }), /store must have get/);
  assert.throws(() => fromWebIdentity({ ...base, store: mapStore().store, storeTimeoutMs: 0 }), /storeTimeoutMs/);
  assert.throws(() => fromWebIdentity({ ...base, storeTimeoutMs: 10 }), /needs? a store/);
});

test("a provider whose store fails answers from STS and reports the failure", async () => {
  const sts = await emulatedSts({ t: T0 });
  const errors: StoreErrorInfo[] = [];
  const store: CredentialStore = { get: () => Promise.reject(new Error("ECONNREFUSED")), set: () => { throw new Error("READONLY"); } };
  const provider = fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: await sts.mint("ci", T0 / 1000 + 7200), store, onStoreError: (e) => errors.push(e), now: () => T0 });
  const creds = await provider();
  assert.match(creds.accessKeyId, /^ASIA/);
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1);
  await until(() => errors.length === 2);
  assert.deepEqual(errors.map((e) => [e.operation, e.reason, e.message]), [["get", "error", "ECONNREFUSED"], ["set", "error", "READONLY"]]);
});

test("providers with storeSecret: replicas holding it share; one without it, or with another, finds nothing", async () => {
  const sts = await emulatedSts({ t: T0 });
  const { map, store } = mapStore();
  const token = await sts.mint("ci", T0 / 1000 + 7200);
  const secret = "provider-store-secret-".padEnd(40, "x");
  const replica = (storeSecret?: string | Uint8Array) =>
    fromWebIdentity({ region: "eu-west-1", fetch: sts.fetch, roleArn, webIdentityToken: token, store, ...(storeSecret && { storeSecret }), now: () => T0 });
  const first = await replica(secret)();
  await until(() => map.size === 1);
  assert.match([...map.keys()][0]!, /^edge-sts:2:/);
  assert.deepEqual(await replica(new TextEncoder().encode(secret))(), first, "the same secret as bytes");
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 1);
  await replica()();
  await replica(secret.replace("provider", "Provider"))();
  assert.equal(sts.calls("AssumeRoleWithWebIdentity"), 3, "an entry sealed under the secret opened without it");
  assert.ok(![...map].flat().join("\n").includes(secret));
});

test("fromAssumeRole with storeSecret: shared by replicas holding it; never sent to STS, nor part of the input", async () => {
  const sts = fakeSts((action, n) => (action === "AssumeRole" ? assumeRoleXml(n, T0 + HOUR) : errorXml("InvalidAction", action)));
  const { map, store } = mapStore();
  const source = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
  const storeSecret = "assume-role-store-secret-".padEnd(48, "z");
  const replica = (secret?: string) =>
    fromAssumeRole({ client: new StsClient({ region: "eu-west-1", credentials: source, fetch: sts.fetch }), roleArn, roleSessionName: "edge", store, ...(secret && { storeSecret: secret }), now: () => T0 });
  const first = await replica(storeSecret)();
  await until(() => map.size === 1);
  assert.deepEqual(await replica(storeSecret)(), first);
  assert.equal(sts.calls("AssumeRole"), 1);
  await replica()();
  assert.equal(sts.calls("AssumeRole"), 2, "an entry sealed under the secret opened without it");
  for (const r of sts.requests) {
    assert.ok(![...r.params].flat().join("&").includes(storeSecret), "the storeSecret was sent to STS");
    assert.ok(![...r.params.keys()].some((k) => /secret/i.test(k) && k !== "SecretAccessKey"), [...r.params.keys()].join());
  }
  assert.throws(() => fromAssumeRole({ client: new StsClient({ region: "eu-west-1", credentials: source }), roleArn, store, storeSecret: "short" }), /storeSecret must be a string of at least 32 characters/);
});
