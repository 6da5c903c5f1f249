/**
 * Profile: edge-sts/hono is in the bundle (behind a dynamic import, which esbuild inlines lazily)
 * but never evaluated: what compiling its bytes costs a new isolate.
 */
import { appWorker } from "./app.mjs";

export default appWorker((env) => {
  if (env.NEVER_SET) import("../../.out/dist/hono/index.js");
  return (c, next) => next();
});
