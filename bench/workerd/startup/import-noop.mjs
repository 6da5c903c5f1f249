/** Profile: edge-sts/hono imported and evaluated, a no-op middleware in its place. */
import { stsCredentials } from "../../.out/dist/hono/index.js";
import { appWorker } from "./app.mjs";

export default appWorker(() => {
  if (typeof stsCredentials !== "function") throw new Error("not imported");
  return (c, next) => next();
});
