/** The same Hono app with a no-op middleware in the middleware's place (the start-up profile's base). */
import { appWorker } from "./app.mjs";

export default appWorker(() => (c, next) => next());
