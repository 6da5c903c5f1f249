/**
 * Loopback servers for the hardening tests: the emulator (or any fetch handler) behind
 * @hono/node-server, and a raw node:http server for what a fetch handler cannot do (reset the
 * connection mid-body, trickle bytes).
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface Served {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests received. */
  readonly requests: number;
  close(): Promise<void>;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
}

/** Serves a fetch handler on 127.0.0.1 with @hono/node-server, counting requests. */
export async function serveFetch(fetch: (request: Request) => Promise<Response> | Response): Promise<Served> {
  let requests = 0;
  const counted = (request: Request) => {
    requests++;
    return fetch(request);
  };
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const server = serve({ fetch: counted, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server: server as Server, port: info.port }));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: closer(server),
  };
}

/** A raw node:http server: `handler` gets the request (body read) and the response. */
export async function serveRaw(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Served> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: closer(server),
  };
}
