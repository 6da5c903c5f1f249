/**
 * One "isolate" of the two-process Deno KV test (test/stores/deno-kv-processes.test.ts): a Deno process
 * serving `stsCredentials` with `denoKvStore` on the KV file all processes open. Prints `listening <port>`.
 *
 *   deno run -A --unstable-kv test/stores/deno-kv-isolate.ts <kv file> <sts endpoint> <role arn> <store secret>
 */
import { Hono } from "hono";
import { stsCredentials } from "../../src/hono/index.ts";
import { denoKvStore } from "../../src/stores/index.ts";
import type { StoreErrorInfo } from "../../src/stores/index.ts";

declare const Deno: {
  args: string[];
  openKv(path: string): Promise<Parameters<typeof denoKvStore>[0]>;
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, handler: (request: Request) => Response | Promise<Response>): unknown;
};

const [path, endpoint, roleArn, storeSecret] = Deno.args as [string, string, string, string];
const kv = await Deno.openKv(path);
const errors: StoreErrorInfo[] = [];
const app = new Hono();
app.use("/api/*", stsCredentials({ roleArn, endpoint, serverTiming: true, store: denoKvStore(kv), storeSecret, storeTimeoutMs: 1000, onStoreError: (e) => void errors.push(e) }));
app.get("/api/whoami", (c) => c.json({ accessKeyId: (c.var as { awsCredentials: { accessKeyId: string } }).awsCredentials.accessKeyId }));
app.get("/store-errors", (c) => c.json(errors));
Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening ${port}`) }, app.fetch);
