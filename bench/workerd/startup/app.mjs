/**
 * The start-up Workers' app: one Hono app, `/api/*` behind `middleware` (when given), `/api/report`
 * answering "ok". Built on the first request (env arrives with it), as a Worker does.
 */
import { Hono } from "hono";

export function appWorker(middleware) {
  let app;
  return {
    fetch(request, env, ctx) {
      if (!app) {
        app = new Hono();
        if (middleware) app.use("/api/*", middleware(env));
        app.get("/api/report", (c) => c.text("ok"));
      }
      return app.fetch(request, env, ctx);
    },
  };
}
