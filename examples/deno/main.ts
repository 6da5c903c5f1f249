/** `deno run --allow-net --allow-env examples/deno/main.ts`: the example app on Deno.serve (and Deno Deploy). */
import { createApp, readSettings } from "../shared/app.ts";

const app = createApp(readSettings((name) => Deno.env.get(name)));

// On Deno Deploy the platform chooses the address; PORT and HOST matter only when run locally.
Deno.serve({
  port: Number(Deno.env.get("PORT") ?? 8000),
  hostname: Deno.env.get("HOST"),
  onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
}, app.fetch);
