/** `npx tsx examples/node/server.ts`: the example app on @hono/node-server. */
import { serve } from "@hono/node-server";
import { createNodeApp } from "./app.ts";

const app = createNodeApp(process.env);

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST }, (info) => {
  const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
  console.log(`listening on http://${host}:${info.port}`);
});
