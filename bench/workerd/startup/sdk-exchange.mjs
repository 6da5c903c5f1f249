/**
 * Load + one AssumeRoleWithWebIdentity with @aws-sdk/client-sts on its own FetchHttpHandler over the
 * same stubbed global fetch, with the usual Workers workaround (xmldom's DOMParser as a global).
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DOMParser, Node } from "@xmldom/xmldom";
import { stubGlobalFetch } from "./stub-fetch.mjs";

globalThis.DOMParser ??= DOMParser;
globalThis.Node ??= Node;

export default {
  async fetch(request, env) {
    stubGlobalFetch(env.AWWI_XML);
    const sts = new STSClient({ region: env.REGION, credentials: { accessKeyId: "unused", secretAccessKey: "unused" } });
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: env.ROLE_ARN, RoleSessionName: "gha-deploy", WebIdentityToken: env.TOKEN }));
    return new Response(out.Credentials.AccessKeyId);
  },
};
