/**
 * A throwaway `redis-server` for the tests (and benches): on a free loopback port, no persistence,
 * stopped by `stop()` (and when this process exits). `REDIS_URL` in the environment wins: then no
 * server is started and the suite uses that one (tests only ever touch `edge-sts:*` keys there).
 *
 *   const redis = await startRedis();
 *   if (redis.url) … else console.log(redis.why);   // "redis-server not found"
 *   await redis.stop();
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { delimiter, join } from "node:path";

/** The `redis-server` binary: `REDIS_SERVER` if set, else on PATH or in the usual Debian places; or `undefined`. */
export function findRedisServer() {
  if (process.env.REDIS_SERVER) return existsSync(process.env.REDIS_SERVER) ? process.env.REDIS_SERVER : undefined;
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, "redis-server");
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `PING` answers `+PONG` on host:port, or rejects after `timeoutMs`. */
function waitForPong(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: "127.0.0.1", port });
      let answer = "";
      const retry = () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      };
      socket.setTimeout(500, retry);
      socket.on("error", retry);
      socket.on("connect", () => socket.write("PING\r\n"));
      socket.on("data", (chunk) => {
        answer += chunk.toString("utf8");
        if (answer.startsWith("+PONG")) {
          socket.end();
          resolve();
        }
      });
    };
    attempt();
  });
}

/**
 * Starts a server (unless `REDIS_URL` is set).
 * @returns `{ url, owned, stop }`, or `{ url: undefined, why, stop }` when there is no binary.
 */
export async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, owned: false, stop: async () => {} };
  const binary = findRedisServer();
  if (binary === undefined) return { url: undefined, why: "redis-server not found", stop: async () => {} };
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
  const kill = () => child.exitCode === null && child.kill("SIGKILL");
  process.once("exit", kill);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    await Promise.race([
      waitForPong(port, 10_000),
      exited.then(() => Promise.reject(new Error(`redis-server exited at start: ${stderr.trim()}`))),
    ]);
  } catch (err) {
    kill();
    return { url: undefined, why: `redis-server did not start (${err.message})`, failedToStart: true, stop: async () => {} };
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    owned: true,
    async stop() {
      process.removeListener("exit", kill);
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
