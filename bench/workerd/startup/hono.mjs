/** Start-up baseline of the store hit: the same Hono app without the middleware. */
import { appWorker } from "./app.mjs";

export default appWorker(undefined);
