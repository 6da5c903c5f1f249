/**
 * Issue 19, item 5: a client of private (custom) endpoints never sends to a region it has no
 * endpoint for. The "VPC endpoints" are STS emulators on loopback; every URL fetched is recorded,
 * so a token sent to a public endpoint is seen (and never leaves: the recorder refuses it).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { CredentialCache } from "../../src/cache/credential-cache.ts";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError } from "../../src/errors.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsCredentialsOptions, StsSession, StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";
import { serveFetch } from "./servers.ts";
import type { Served } from "./servers.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const issuer = createOidcIssuer();
let east: Served;
let west: Served;
before(async () => {
  east = await serveFetch(createStsEmulator({ issuers: [issuer], region: "us-east-1" }).fetch);
  west = await serveFetch(createStsEmulator({ issuers: [issuer], region: "eu-west-1" }).fetch);
});
after(() => Promise.all([east.close(), west.close()]));

/** Every URL asked; anything but loopback is refused here (it would be a public STS endpoint). */
function recorder() {
  const urls: string[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    urls.push(url);
    if (!url.startsWith("http://127.0.0.1:")) return Promise.reject(new TypeError(`refused: ${new URL(url).host}`));
    return globalThis.fetch(input, init);
  };
  return { urls, fetch, publicUrls: () => urls.filter((u) => !u.startsWith("http://127.0.0.1:")) };
}

function app(options: Partial<StsCredentialsOptions>) {
  const hono = new Hono<{ Variables: StsVariables }>();
  hono.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, cache: new CredentialCache<StsSession>(), ...options }));
  hono.get("/api/whoami", (c) => c.text("ok"));
  return async (sub: string, colo?: string) => {
    const req = new Request("http://app.test/api/whoami", { headers: { authorization: `Bearer ${await issuer.mint({ sub })}` } });
    if (colo) Object.defineProperty(req, "cf", { value: { colo } });
    return hono.request(req);
  };
}

describe("item 5: private endpoints only", () => {
  test("the client refuses at start-up regions it has no endpoint for", () => {
    assert.throws(
      () => new StsClient({ regions: ["us-east-1", "eu-west-1"], endpoints: { "us-east-1": "http://127.0.0.1:1" } }),
      (err: unknown) => err instanceof StsConfigurationError && /eu-west-1/.test(err.message) && /endpoints/.test(err.message),
    );
  });

  test("per-call regions outside the endpoints are refused before any fetch", async () => {
    const { urls, fetch } = recorder();
    const sts = new StsClient({ region: "us-east-1", endpoints: { "us-east-1": east.url }, fetch });
    const token = await issuer.mint({ sub: "per-call" });
    await assert.rejects(
      sts.assumeRoleWithWebIdentity({ roleArn: ROLE_ARN, roleSessionName: "session", webIdentityToken: token }, { regions: ["eu-west-1", "us-east-1"] }),
      StsConfigurationError,
    );
    assert.deepEqual(urls, []);
  });

  test('stsRegions "nearest" with a one-region private client: from FRA, only the private endpoint is asked', async () => {
    const { fetch, publicUrls, urls } = recorder();
    const ask = app({ client: new StsClient({ region: "us-east-1", endpoints: { "us-east-1": east.url }, fetch }), stsRegions: "nearest" });
    const res = await ask("nearest-fra", "FRA");
    assert.deepEqual(publicUrls(), [], "the token went to a public endpoint");
    assert.equal(res.status, 200);
    assert.equal(urls.length, 1);
  });

  test("{ nearest: [...] } or a fixed list naming a region without an endpoint is refused at start-up", () => {
    const client = new StsClient({ region: "us-east-1", endpoints: { "us-east-1": "http://127.0.0.1:1" } });
    for (const stsRegions of [["eu-central-1"], { nearest: ["us-east-1", "eu-central-1"] }]) {
      assert.throws(() => app({ client, stsRegions }), (err: unknown) => err instanceof StsConfigurationError && /eu-central-1/.test(err.message));
    }
  });

  test("a chooser answering a region outside a two-region private client: 500, and nothing sent anywhere", async () => {
    const { urls, fetch } = recorder();
    const client = new StsClient({ regions: ["us-east-1", "eu-west-1"], endpoints: { "us-east-1": east.url, "eu-west-1": west.url }, fetch });
    for (const chosen of ["eu-central-1", ["eu-central-1", "us-east-1"]]) {
      const ask = app({ client, stsRegions: () => chosen });
      const res = await ask(`chooser-${String(chosen)}`);
      assert.equal(res.status, 500);
    }
    assert.deepEqual(urls, []);
    const ok = await app({ client, stsRegions: () => "eu-west-1" })("chooser-own");
    assert.equal(ok.status, 200);
  });
});
