/**
 * The example app every runtime serves: the `stsCredentials` middleware in front of `/api/*`, a route
 * that shows who the caller became, and one that proves the credentials work by signing a call to STS.
 *
 * The examples import the package's source through relative paths so they run from this repository
 * without a build. In your own app, write the package name instead:
 *
 *   import { StsClient, StsError } from "edge-sts";
 *   import { stsCredentials, type StsVariables } from "edge-sts/hono";
 */
import { Hono } from "hono";
import { StsClient, StsError } from "../../src/index.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsVariables } from "../../src/hono/index.ts";

/** What the app needs to know; {@link readSettings} builds it from a runtime's environment. */
export interface AppSettings {
  /** The role callers assume (`ROLE_ARN`). */
  roleArn: string;
  /** The STS region (`AWS_REGION`); optional when `endpoint` is set. */
  region?: string;
  /** A custom STS endpoint such as a local emulator (`STS_ENDPOINT`); unset means real AWS. */
  endpoint?: string;
  /** The fetch STS is called with (tests). Default: the runtime's fetch. */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /**
   * A shared credential store behind the isolate's cache (`edge-sts/stores`), or `(c) => store` where
   * bindings arrive with the request (Workers). Default: none, the isolate's cache alone.
   */
  store?: StsCredentialsOptions["store"];
  /**
   * The deployment's secret the store's entries are sealed with too (`STS_STORE_SECRET`, ≥ 32
   * characters), or `(c) => secret` where it is a binding: a store needs it (without it, whoever can
   * write to the store could mint sessions). Default: none.
   */
  storeSecret?: StsCredentialsOptions["storeSecret"];
}

/** Observability switches of the middleware the demo turns on; never given the token. */
export type AppHooks = Pick<StsCredentialsOptions, "serverTiming" | "onExchange" | "onCacheHit">;

/**
 * Reads `ROLE_ARN`, `AWS_REGION` and `STS_ENDPOINT` (an empty value counts as unset).
 * @throws {Error} naming what is missing, so a misconfigured deployment fails at start-up.
 */
export function readSettings(get: (name: string) => string | undefined): AppSettings {
  const read = (name: string) => get(name)?.trim() || undefined;
  const roleArn = read("ROLE_ARN");
  const region = read("AWS_REGION");
  const endpoint = read("STS_ENDPOINT");
  if (roleArn === undefined) throw new Error("ROLE_ARN is not set (e.g. arn:aws:iam::123456789012:role/edge-app)");
  if (region === undefined && endpoint === undefined) throw new Error("AWS_REGION is not set (or set STS_ENDPOINT to use an emulator)");
  return { roleArn, region, endpoint };
}

/** Builds the app: `GET /health`, and behind the middleware `GET /api/whoami` and `GET /api/caller`. */
export function createApp(settings: AppSettings, hooks: AppHooks = {}): Hono<{ Variables: StsVariables }> {
  const { roleArn, region, endpoint, fetch, store, storeSecret } = settings;
  const app = new Hono<{ Variables: StsVariables }>();

  app.get("/health", (c) => c.json({ ok: true }));

  app.use("/api/*", stsCredentials({ roleArn, region, endpoint, fetch, store, ...(store !== undefined && storeSecret !== undefined && { storeSecret }), ...hooks }));

  // Who the caller became: the assumed-role user, the token's subject, audience and provider.
  app.get("/api/whoami", (c) => c.json(c.var.stsIdentity));

  // The credentials at work: a SigV4-signed GetCallerIdentity made with them.
  app.get("/api/caller", async (c) => {
    const sts = new StsClient({ region, endpoint, fetch, credentials: c.var.awsCredentials });
    try {
      const { arn, account, userId } = await sts.getCallerIdentity({});
      return c.json({ arn, account, userId });
    } catch (err) {
      // The code is stable and safe to show; the message stays in the logs.
      if (err instanceof StsError) return c.json({ error: "GetCallerIdentity failed", code: err.code }, 502);
      throw err;
    }
  });

  return app;
}
