/** Load + one AssumeRoleWithWebIdentity with edge-sts, over the stubbed global fetch. */
import { StsClient } from "../../.out/dist/index.js";
import { stubGlobalFetch } from "./stub-fetch.mjs";

export default {
  async fetch(request, env) {
    stubGlobalFetch(env.AWWI_XML);
    const sts = new StsClient({ region: env.REGION });
    const out = await sts.assumeRoleWithWebIdentity({ roleArn: env.ROLE_ARN, roleSessionName: "gha-deploy", webIdentityToken: env.TOKEN });
    return new Response(out.credentials.accessKeyId);
  },
};
