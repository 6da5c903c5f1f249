/** `bun examples/bun/index.ts`: the example app on Bun.serve. */
import { createApp, readSettings } from "../shared/app.ts";

const app = createApp(readSettings((name) => Bun.env[name]));

const server = Bun.serve({ port: Number(Bun.env.PORT ?? 3000), hostname: Bun.env.HOST, fetch: app.fetch });
console.log(`listening on http://${server.hostname}:${server.port}`);
