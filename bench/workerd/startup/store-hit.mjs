/** Load + first request served from the shared store (store-options.mjs): the middleware in front of the app. */
import { stsCredentials } from "../../.out/dist/hono/index.js";
import { appWorker } from "./app.mjs";
import { storeHitOptions } from "./store-options.mjs";

export default appWorker((env) => stsCredentials(storeHitOptions(env)));
