/**
 * Issue 12, item 3: a timed-out attempt must be aborted even for a user-supplied fetch that keeps only
 * the signal it was given (and lets everything else, a `Request` included, be garbage-collected).
 *
 * The fetch below sends over node:http with that signal and nothing else of the call; the server on a
 * loopback port never answers. Garbage is collected throughout. When every call has failed, every
 * socket must have been closed by the abort: none may be left open.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Sends with node:http; of the call it keeps only `signal` (plus the plain url, method, headers, body). */
function sendKeepingOnlySignal(url: string, method: string, headers: Record<string, string>, body: Promise<string>, signal: AbortSignal | null | undefined): Promise<Response> {
  return body.then((text) =>
    new Promise<Response>((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent: false, signal: signal ?? undefined }, (res) => {
        res.resume();
        resolve(new Response(null, { status: res.statusCode }));
      });
      req.on("error", reject);
      req.end(text);
    })
  );
}

/** A user fetch with the standard signature; with a `Request` (the old contract) it keeps `request.signal` only. */
function userFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : undefined;
  const url = request ? request.url : String(input);
  const method = request?.method ?? init?.method ?? "GET";
  const headers = Object.fromEntries(new Headers(request?.headers ?? init?.headers));
  const body = request ? request.text() : Promise.resolve(typeof init?.body === "string" ? init.body : "");
  return sendKeepingOnlySignal(url, method, headers, body, request ? request.signal : init?.signal);
}

test("300 calls × 3 attempts against a server that never answers: 0 sockets left open", async () => {
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer(() => {
    // never answers
  });
  server.on("connection", (socket) => {
    accepted++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const collector = setInterval(gc, 50);
  try {
    const client = new StsClient({
      region: "eu-west-1",
      endpoint: `http://127.0.0.1:${port}`,
      fetch: userFetch,
      maxAttempts: 3,
      timeoutMs: 400,
      retryBaseDelayMs: 0,
      retryMaxDelayMs: 0,
      retryBudget: false,
    });
    const input = { roleArn: "arn:aws:iam::123456789012:role/app", roleSessionName: "leak", webIdentityToken: "aaaa.bbbb.cccc" };
    const calls = 300;
    const batch = 50;
    for (let done = 0; done < calls; done += batch) {
      const results = await Promise.allSettled(Array.from({ length: batch }, () => client.assumeRoleWithWebIdentity(input)));
      for (const r of results) {
        assert.equal(r.status, "rejected");
        const err = (r as PromiseRejectedResult).reason;
        assert.ok(err instanceof StsError && err.code === "TimeoutError" && err.attempts === 3, String(err));
      }
    }
    // Give aborts (and the server's view of closed sockets) a moment: 2 s on a quiet machine, up to 10 s under load (a leaked socket never closes).
    const deadline = Date.now() + 10_000;
    while (open.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(`item 3: ${calls} calls × 3 attempts, ${accepted} connections accepted, ${open.size} sockets left open`);
    assert.ok(accepted >= calls, `${accepted} connections: the attempts reached the server`);
    assert.equal(open.size, 0, `${open.size} sockets left open`);
  } finally {
    clearInterval(collector);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
