/**
 * Type test, checked by `tsc -p test/tsconfig.json --noEmit` (never executed): typed `c.var`
 * compiles, and wrong use does not (each `@ts-expect-error` fails the check if the line compiles).
 */
import type { AwsClient } from "aws4fetch";
import { Hono } from "hono";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCacheHitInfo, StsIdentity, StsVariables, TokenClaims } from "../../src/hono/index.ts";
import type { CredentialStore } from "../../src/index.ts";
import { workersKvStore } from "../../src/stores/index.ts";
import type { KvNamespaceLike } from "../../src/stores/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T extends true>(_: T): void {}

interface Bindings {
  ROLE_ARN: string;
}

// The README's shape: Variables on the app.
const app = new Hono<{ Bindings: Bindings; Variables: StsVariables }>();
app.use("/api/*", stsCredentials({ roleArn: (c, claims) => (claims.sub ? c.env.ROLE_ARN : undefined), region: "eu-west-1" }));
app.get("/api/whoami", (c) => {
  const accessKeyId = c.var.awsCredentials.accessKeyId;
  expectType<Equal<typeof accessKeyId, string>>(true);
  expectType<Equal<typeof c.var.awsCredentials.expiration, Date>>(true);
  expectType<Equal<typeof c.var.aws, AwsClient>>(true);
  const identity: StsIdentity = c.var.stsIdentity;
  expectType<Equal<typeof identity.assumedRoleUser.arn, string>>(true);

  // @ts-expect-error: no such member
  void c.var.awsCredentials.nope;
  // @ts-expect-error: an identity is not a number
  const n: number = c.var.stsIdentity;
  // @ts-expect-error: the credentials are read-only
  c.var.awsCredentials.accessKeyId = "AKIA";
  // @ts-expect-error: aws is an AwsClient, not a string
  const s: string = c.var.aws;
  return c.json({ identity, n, s });
});

// Variables through the middleware alone, in a chain.
new Hono()
  .use(stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1" }))
  .get("/", (c) => {
    expectType<Equal<typeof c.var.aws, AwsClient>>(true);
    return c.text(c.var.stsIdentity.subjectFromWebIdentityToken);
  });

// optional: the variables may be absent.
new Hono()
  .use(stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", optional: true }))
  .get("/", (c) => {
    expectType<Equal<typeof c.var.aws, AwsClient | undefined>>(true);
    // @ts-expect-error: possibly undefined under optional
    return c.text(c.var.awsCredentials.accessKeyId);
  });

// Options: per-request functions get the claims; wrong types fail.
stsCredentials({
  roleArn: "arn:aws:iam::123456789012:role/app",
  region: "eu-west-1",
  durationSeconds: async (_c, claims: Readonly<TokenClaims>) => (claims.exp > 0 ? 900 : undefined),
  policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  onError: (err, c) => c.text(String(err.status), 403),
});
// @ts-expect-error: roleArn is required
stsCredentials({ region: "eu-west-1" });
// @ts-expect-error: durationSeconds is a number
stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", durationSeconds: "900" });
// @ts-expect-error: hooks never get the token
stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", onExchange: (info) => info.token });

// The shared store: a value, or a function of the typed context (bindings per request); adapters'
// structural types accept what users have, and a store needs get and set.

interface KvBindings {
  ROLE_ARN: string;
  STS_CACHE: KvNamespaceLike;
  STS_STORE_SECRET: string;
}
new Hono<{ Bindings: KvBindings }>().use(
  "/api/*",
  stsCredentials<{ Bindings: KvBindings }>({
    roleArn: "arn:aws:iam::123456789012:role/app",
    region: "eu-west-1",
    store: (c) => workersKvStore(c.env.STS_CACHE),
    // The secret from a binding, typed by the context.
    storeSecret: (c) => c.env.STS_STORE_SECRET,
  }),
);
// @ts-expect-error: a binding the environment does not have
stsCredentials<{ Bindings: KvBindings }>({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", store: custom0(), storeSecret: (c) => c.env.NOPE });
// @ts-expect-error: a secret is a string or bytes
stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", store: custom0(), storeSecret: () => 42 });
function custom0(): CredentialStore {
  return { get: () => null, set: async () => {} };
}

// verify: c.var.jwtPayload is typed (frozen claims) only where verify is on.
const verifying = new Hono().use("/*", stsCredentials({
  roleArn: "arn:aws:iam::123456789012:role/app",
  region: "eu-west-1",
  verify: { issuer: "https://token.actions.githubusercontent.com", audience: "sts.amazonaws.com", algorithms: ["RS256"] },
}));
verifying.get("/", (c) => {
  expectType<Equal<typeof c.var.jwtPayload, Readonly<TokenClaims>>>(true);
  expectType<Equal<typeof c.var.jwtPayload.sub, string | undefined>>(true);
  // @ts-expect-error: frozen
  c.var.jwtPayload.sub = "x";
  return c.text(c.var.awsCredentials.accessKeyId);
});
const plainApp = new Hono().use("/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1" }));
plainApp.get("/", (c) => {
  // @ts-expect-error: no verify, no jwtPayload
  void c.var.jwtPayload.sub;
  return c.text("");
});
// @ts-expect-error: never HMAC
stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", verify: { issuer: "https://i.example.com", audience: "a", algorithms: ["HS256"] } });
// @ts-expect-error: audience is required
stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", verify: { issuer: "https://i.example.com" } });
const custom: CredentialStore = { get: () => null, set: async () => {} };
stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1", store: custom, storeSecret: "a-deployment-secret-of-32-characters-or-more", storeTimeoutMs: 30, onStoreError: (e) => void e.reason });
// @ts-expect-error: a store needs set
const noSet: CredentialStore = { get: () => null };
expectType<Equal<StsCacheHitInfo["outcome"], "hit" | "store" | "refresh" | "stale">>(true);
void noSet;

// stsRegions: a list, "nearest", { nearest }, or a function of the typed context.
interface RegionBindings {
  ROLE_ARN: string;
  HOME_REGION: string;
}
const regional = new Hono<{ Bindings: RegionBindings; Variables: StsVariables }>();
regional.use("/a/*", stsCredentials<{ Bindings: RegionBindings }>({ roleArn: "arn:aws:iam::123456789012:role/a", stsRegions: (c) => c.env.HOME_REGION }));
regional.use("/b/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/a", stsRegions: ["eu-west-1", "eu-central-1"] }));
regional.use("/c/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/a", stsRegions: { nearest: ["eu-west-1", "us-east-1"] } }));
regional.use("/d/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/a", stsRegions: async () => ["us-east-1"] }));
// @ts-expect-error: "nearest" is the only string form
regional.use("/e/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/a", stsRegions: "closest" }));
// @ts-expect-error: a binding the environment does not have
regional.use("/f/*", stsCredentials<{ Bindings: RegionBindings }>({ roleArn: "arn:aws:iam::123456789012:role/a", stsRegions: (c) => c.env.NOPE }));
