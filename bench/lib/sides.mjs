/**
 * The operations the bench measures, one side at a time (runtime-neutral: Node, Deno, Bun).
 * `makeOp(scenario, lib)` → an async function doing one op, after checking its output once.
 *
 * Scenarios:
 *   awwi       edge-sts AssumeRoleWithWebIdentity, fetch stubbed (canned body)
 *   sdk-awwi   @aws-sdk/client-sts AssumeRoleWithWebIdentityCommand, handler stubbed (Uint8Array body)
 *   gci        edge-sts GetCallerIdentity, signed (static keys), fetch stubbed
 *   sdk-gci    the SDK's GetCallerIdentityCommand, signed, handler stubbed
 *   hit        Hono app with stsCredentials, every request a cache hit
 *   bare       the same Hono app without the middleware
 *   noop       the same Hono app with a no-op middleware in its place (same router, same chain)
 */
import * as F from "./fixtures.mjs";

export const SCENARIOS = ["awwi", "sdk-awwi", "gci", "sdk-gci", "hit", "bare", "noop"];

function check(condition, message) {
  if (!condition) throw new Error(`bench self-check failed: ${message}`);
}

/** The Authorization header of a fetch call, whatever form it was called in. */
function authorization(input, init) {
  if (typeof Request !== "undefined" && input instanceof Request) return input.headers.get("authorization");
  return new Headers(init?.headers).get("authorization");
}

/**
 * @param {string} scenario
 * @param {URL} lib directory of an edge-sts build (index.js, hono/index.js)
 * @returns {Promise<() => Promise<unknown>>}
 */
export async function makeOp(scenario, lib) {
  const token = F.realisticJwt();
  switch (scenario) {
    case "awwi": {
      const { StsClient } = await import(new URL("index.js", lib).href);
      const c = new StsClient({ region: F.REGION, fetch: F.cannedFetch(F.assumeRoleWithWebIdentityXml()) });
      const input = { roleArn: F.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: token };
      const op = () => c.assumeRoleWithWebIdentity(input);
      const out = await op();
      check(out.credentials?.accessKeyId === "ASIAV3ZUEFP6EXAMPLE" && out.requestId, "edge awwi output");
      return op;
    }
    case "gci": {
      const { StsClient } = await import(new URL("index.js", lib).href);
      const xml = F.getCallerIdentityXml();
      const canned = F.cannedFetch(xml);
      let signed = false;
      const probe = new StsClient({ region: F.REGION, credentials: F.STATIC_KEYS, fetch: (input, init) => ((signed = /^AWS4-HMAC-SHA256 Credential=AKIA/.test(authorization(input, init) ?? "")), canned()) });
      await probe.getCallerIdentity();
      check(signed, "edge gci request is signed");
      const c = new StsClient({ region: F.REGION, credentials: F.STATIC_KEYS, fetch: canned });
      const op = () => c.getCallerIdentity();
      check((await op()).account === "123456789012", "edge gci output");
      return op;
    }
    case "sdk-awwi":
    case "sdk-gci": {
      const sdk = await import("@aws-sdk/client-sts");
      const awwi = scenario === "sdk-awwi";
      const handler = await F.sdkHandler(awwi ? F.assumeRoleWithWebIdentityXml() : F.getCallerIdentityXml(), "bytes");
      let signed = false;
      const probe = { handle: (req) => ((signed = /^AWS4-HMAC-SHA256/.test(req.headers.authorization ?? "")), handler.handle(req)) };
      const c = new sdk.STSClient({ region: F.REGION, credentials: { ...F.STATIC_KEYS }, maxAttempts: 3, requestHandler: awwi ? handler : probe });
      const input = { RoleArn: F.ROLE_ARN, RoleSessionName: "gha-deploy", WebIdentityToken: token };
      const op = awwi ? () => c.send(new sdk.AssumeRoleWithWebIdentityCommand(input)) : () => c.send(new sdk.GetCallerIdentityCommand({}));
      const out = await op();
      if (awwi) check(out.Credentials?.AccessKeyId === "ASIAV3ZUEFP6EXAMPLE" && out.Credentials.Expiration instanceof Date, "sdk awwi output");
      else check(out.Account === "123456789012" && signed, "sdk gci output, signed");
      return op;
    }
    case "hit":
    case "bare":
    case "noop": {
      const { Hono } = await import("hono");
      const app = new Hono();
      let stsCalls = 0;
      if (scenario === "hit") {
        const { stsCredentials } = await import(new URL("hono/index.js", lib).href);
        const canned = F.cannedFetch(F.assumeRoleWithWebIdentityXml());
        app.use("/api/*", stsCredentials({ roleArn: F.ROLE_ARN, region: F.REGION, fetch: () => (stsCalls++, canned()) }));
      }
      if (scenario === "noop") app.use("/api/*", (c, next) => next());
      app.get("/api/report", (c) => c.text("ok"));
      const init = { headers: { authorization: `Bearer ${token}` } };
      const op = () => app.request("/api/report", init);
      const r = await op();
      check(r.status === 200 && (await r.text()) === "ok", `${scenario} app answers 200 (got ${r.status})`);
      await op();
      check(scenario !== "hit" || stsCalls === 1, `one STS call for all hits (got ${stsCalls})`);
      return op;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}
