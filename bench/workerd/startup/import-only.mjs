/** Load of edge-sts and edge-sts/hono with no call: what importing the package costs a new isolate. */
import { StsClient } from "../../.out/dist/index.js";
import { stsCredentials } from "../../.out/dist/hono/index.js";

export default {
  fetch() {
    return new Response(`${typeof StsClient} ${typeof stsCredentials}`);
  },
};
