/** Profile: the middleware made (options checked, store set up), a no-op in its place. */
import { stsCredentials } from "../../.out/dist/hono/index.js";
import { appWorker } from "./app.mjs";
import { storeHitOptions } from "./store-options.mjs";

export default appWorker((env) => {
  if (typeof stsCredentials(storeHitOptions(env)) !== "function") throw new Error("no middleware");
  return (c, next) => next();
});
