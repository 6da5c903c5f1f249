/**
 * The bench Worker for @aws-sdk/client-sts as a Worker bundles it (browser runtime config, fetch
 * handler, Web Crypto), its request handler stubbed with the cheapest body (a Uint8Array).
 */
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { HttpResponse } from "@smithy/core/transport";
import { check, serveOps, stsHeaders } from "./common.mjs";

export default serveOps((env) => {
  const handler = (body) => {
    const headers = stsHeaders(body);
    const data = new TextEncoder().encode(body);
    return { handle: async () => ({ response: new HttpResponse({ statusCode: 200, headers: { ...headers }, body: data }) }) };
  };
  const keys = JSON.parse(env.KEYS);
  const client = (body) => new STSClient({ region: env.REGION, credentials: { ...keys }, maxAttempts: 3, requestHandler: handler(body) });
  const awwi = client(env.AWWI_XML);
  const gci = client(env.GCI_XML);
  const input = { RoleArn: env.ROLE_ARN, RoleSessionName: "gha-deploy", WebIdentityToken: env.TOKEN };
  return {
    awwi: { run: () => awwi.send(new AssumeRoleWithWebIdentityCommand(input)), check: (o) => check(o.Credentials?.AccessKeyId === "ASIAV3ZUEFP6EXAMPLE", "sdk awwi output") },
    gci: { run: () => gci.send(new GetCallerIdentityCommand({})), check: (o) => check(o.Account === "123456789012", "sdk gci output") },
  };
});
