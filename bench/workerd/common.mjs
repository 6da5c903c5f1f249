/**
 * Shared by the bench Workers: the request loop (`makeOps(env)` may return a promise). `GET /run?op=<name>&n=<count>` runs `count`
 * sequential ops of `ops[name]` inside this one request and answers JSON; the bench reads the
 * workerd process's CPU before and after. The first op's output is checked; a failure is answered
 * with its message (e.g. the SDK as shipped: "DOMParser is not defined").
 */
export function serveOps(makeOps) {
  let ops;
  return {
    async fetch(request, env) {
      const url = new URL(request.url);
      ops ??= await makeOps(env);
      const name = url.searchParams.get("op") ?? "";
      const n = Math.min(Math.max(Number(url.searchParams.get("n") ?? 1), 1), 100_000);
      const op = ops[name];
      if (!op) return Response.json({ ok: false, error: `unknown op ${name}` }, { status: 404 });
      try {
        const t0 = performance.now(); // workerd's clock only advances on I/O: not used for timing
        let last;
        for (let i = 0; i < n; i++) last = await op.run();
        op.check(await last);
        return Response.json({ ok: true, op: name, n, t0 });
      } catch (err) {
        return Response.json({ ok: false, op: name, error: `${err?.name ?? "Error"}: ${err?.message ?? err}` }, { status: 500 });
      }
    },
  };
}

/** The headers STS sends with a 200 (identical for both sides). */
export function stsHeaders(body) {
  return {
    "content-type": "text/xml",
    "content-length": String(new TextEncoder().encode(body).byteLength),
    "x-amzn-requestid": "ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE",
  };
}

export function check(condition, message) {
  if (!condition) throw new Error(`bench self-check failed: ${message}`);
}
