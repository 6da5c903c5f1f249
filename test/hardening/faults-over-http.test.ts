/**
 * Faults over real HTTP: the emulator served on a loopback port (@hono/node-server), and raw node:http
 * servers for what a fetch handler cannot do; a real `StsClient` on the real global fetch. One fault
 * at a time: the outcome (success after retry, or the right StsError), the exact number of attempts
 * the server saw, and total time ≤ maxAttempts × timeoutMs + the largest possible backoff.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StsClient } from "../../src/client.ts";
import { StsError } from "../../src/errors.ts";
import { createOidcIssuer, createStsEmulator, DEFAULT_ACCESS_KEY } from "../../src/testing/index.ts";
import type { StsEmulator } from "../../src/testing/index.ts";
import { serveFetch, serveRaw } from "./servers.ts";
import type { Served } from "./servers.ts";

const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 250;
const BASE_DELAY_MS = 10;
const MAX_DELAY_MS = 40;
/** Loopback round trips, the emulator's RSA check, timers firing late on a busy CI machine. */
const SLACK_MS = 400;
const BOUND_MS = MAX_ATTEMPTS * TIMEOUT_MS + (MAX_ATTEMPTS - 1) * MAX_DELAY_MS + SLACK_MS;
const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const LONG_TERM = { accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId, secretAccessKey: DEFAULT_ACCESS_KEY.secretAccessKey };

function client(endpoint: string, signed = false): StsClient {
  return new StsClient({
    region: "us-east-1",
    endpoint,
    maxAttempts: MAX_ATTEMPTS,
    timeoutMs: TIMEOUT_MS,
    retryBaseDelayMs: BASE_DELAY_MS,
    retryMaxDelayMs: MAX_DELAY_MS,
    maxRetryAfterMs: 1000,
    ...(signed ? { credentials: LONG_TERM } : {}),
  });
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await run();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

function assertStsError(error: unknown, expected: { code: string; status: number; attempts: number; retryable?: boolean }): StsError {
  assert.ok(error instanceof StsError, `an StsError, got ${String(error)}`);
  assert.deepEqual(
    { code: error.code, status: error.status, attempts: error.attempts, ...(expected.retryable === undefined ? {} : { retryable: error.retryable }) },
    expected,
  );
  return error;
}

describe("the emulator on a loopback port", () => {
  const issuer = createOidcIssuer();
  let sts: StsEmulator;
  let served: Served;
  let token: string;
  const input = () => ({ roleArn: ROLE_ARN, roleSessionName: "http-faults", webIdentityToken: token });

  before(async () => {
    sts = createStsEmulator({ issuers: [issuer] });
    served = await serveFetch(sts.fetch);
    token = await issuer.mint({ sub: "user-1" });
    // Warm up keys, connection pool and JIT so the first timed case measures the fault, not start-up.
    await client(served.url).assumeRoleWithWebIdentity(input());
  });
  after(() => served.close());

  const reset = () => {
    sts.faults.clear();
    sts.calls.reset();
    sts.setClockOffset(0);
  };

  test("a throttling burst: success on the third attempt", async () => {
    reset();
    sts.faults.next(2, { kind: "throttling" });
    const { ms, value, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    assert.equal(error, undefined, String(error));
    assert.equal(value!.assumedRoleUser!.arn, "arn:aws:sts::123456789012:assumed-role/edge-app/http-faults");
    assert.equal(sts.calls.total, 3);
    assert.deepEqual(sts.calls.log.map((c) => c.status), [400, 400, 200]);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a 500, then success", async () => {
    reset();
    sts.faults.next(1, { kind: "server-error" });
    const { ms, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    assert.equal(error, undefined, String(error));
    assert.deepEqual(sts.calls.log.map((c) => c.status), [500, 200]);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("503 on every attempt: ServiceUnavailable after exactly maxAttempts", async () => {
    reset();
    sts.faults.next(5, { kind: "server-error", status: 503 });
    const { ms, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    const err = assertStsError(error, { code: "ServiceUnavailable", status: 503, attempts: MAX_ATTEMPTS, retryable: true });
    assert.equal(err.type, "Receiver");
    assert.equal(sts.calls.total, MAX_ATTEMPTS);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a response that never comes: TimeoutError after maxAttempts × timeoutMs", async () => {
    reset();
    sts.faults.next(5, { kind: "hang" });
    const { ms, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    assertStsError(error, { code: "TimeoutError", status: 0, attempts: MAX_ATTEMPTS, retryable: true });
    assert.equal(sts.calls.total, MAX_ATTEMPTS, "each attempt reached the server");
    assert.ok(ms >= MAX_ATTEMPTS * TIMEOUT_MS - 20, `waited the time limit each time (${ms.toFixed(0)} ms)`);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a truncated XML body once, then success", async () => {
    reset();
    sts.faults.next(1, { kind: "truncated" });
    const { ms, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    assert.equal(error, undefined, String(error));
    assert.deepEqual(sts.calls.log.map((c) => c.fault ?? "-"), ["truncated", "-"]);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a truncated XML body every time: InvalidResponse (status 200) after maxAttempts", async () => {
    reset();
    sts.faults.next(5, { kind: "truncated" });
    const { ms, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    const err = assertStsError(error, { code: "InvalidResponse", status: 200, attempts: MAX_ATTEMPTS });
    assert.match(err.message, /not well-formed/);
    assert.equal(sts.calls.total, MAX_ATTEMPTS);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("an HTML error page from a proxy (502) every time: InvalidResponse naming the HTML", async () => {
    reset();
    sts.faults.next(5, { kind: "html", status: 502 });
    const { ms, error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    const err = assertStsError(error, { code: "InvalidResponse", status: 502, attempts: MAX_ATTEMPTS, retryable: true });
    assert.match(err.message, /HTTP 502 .*html/i);
    assert.equal(sts.calls.total, MAX_ATTEMPTS);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("an HTML page with a 404 is not retried", async () => {
    reset();
    sts.faults.next(5, { kind: "html", status: 404 });
    const { error } = await timed(() => client(served.url).assumeRoleWithWebIdentity(input()));
    assertStsError(error, { code: "InvalidResponse", status: 404, attempts: 1, retryable: false });
    assert.equal(sts.calls.total, 1);
  });

  for (const offsetMin of [20, -20]) {
    test(`a server clock ${offsetMin > 0 ? "ahead" : "behind"} by ${Math.abs(offsetMin)} min: the client corrects from Date and succeeds`, async () => {
      reset();
      sts.setClockOffset(offsetMin * 60_000);
      const signed = client(served.url, true);
      const { ms, value, error } = await timed(() => signed.getCallerIdentity());
      assert.equal(error, undefined, String(error));
      assert.equal(value!.arn, "arn:aws:iam::123456789012:user/edge-sts-test");
      assert.equal(sts.calls.total, 2, "one refused attempt, one corrected");
      assert.match(sts.calls.log[0]!.errorCode ?? "", /Skew|Signature|Expired|Future/i);
      assert.ok(Math.abs(signed.clockOffsetMs - offsetMin * 60_000) < 5_000, `learned offset ${signed.clockOffsetMs}`);
      assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
      // The next call is signed right the first time.
      await signed.getCallerIdentity();
      assert.equal(sts.calls.total, 3);
    });
  }
});

describe("raw servers: what a fetch handler cannot do", () => {
  const BODY =
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
    `<Arn>arn:aws:iam::123456789012:user/raw</Arn><UserId>AIDARAW</UserId><Account>123456789012</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>raw-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  const servers: Served[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const raw = async (...args: Parameters<typeof serveRaw>) => {
    const s = await serveRaw(...args);
    servers.push(s);
    return s;
  };

  test("a connection reset mid-body (content-length): NetworkError, retried, maxAttempts requests", async () => {
    const server = await raw((_req, res) => {
      res.writeHead(200, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(BODY)) });
      res.write(BODY.slice(0, 60));
      setTimeout(() => res.socket?.destroy(), 5);
    });
    const { ms, error } = await timed(() => client(server.url, true).getCallerIdentity());
    assertStsError(error, { code: "NetworkError", status: 0, attempts: MAX_ATTEMPTS, retryable: true });
    assert.equal(server.requests, MAX_ATTEMPTS);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a connection reset mid-body (chunked) once, then a whole answer: success on attempt 2", async () => {
    let n = 0;
    const server = await raw((_req, res) => {
      if (++n === 1) {
        res.writeHead(200, { "content-type": "text/xml" });
        res.write(BODY.slice(0, 100));
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(BODY);
    });
    const { ms, value, error } = await timed(() => client(server.url, true).getCallerIdentity());
    assert.equal(error, undefined, String(error));
    assert.equal(value!.arn, "arn:aws:iam::123456789012:user/raw");
    assert.equal(server.requests, 2);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a connection closed before any byte of the answer: NetworkError after maxAttempts", async () => {
    const server = await raw((req) => req.socket.destroy());
    const { ms, error } = await timed(() => client(server.url, true).getCallerIdentity());
    assertStsError(error, { code: "NetworkError", status: 0, attempts: MAX_ATTEMPTS, retryable: true });
    assert.equal(server.requests, MAX_ATTEMPTS);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a body that trickles a byte every 20 ms: the time limit covers the body, TimeoutError after maxAttempts", async () => {
    const timers = new Set<ReturnType<typeof setInterval>>();
    const server = await raw((_req, res) => {
      res.writeHead(200, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(BODY)) });
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed || i >= BODY.length) {
          clearInterval(timer);
          timers.delete(timer);
          return;
        }
        res.write(BODY[i++]);
      }, 20);
      timers.add(timer);
      res.on("close", () => clearInterval(timer));
    });
    const { ms, error } = await timed(() => client(server.url, true).getCallerIdentity());
    for (const timer of timers) clearInterval(timer);
    assertStsError(error, { code: "TimeoutError", status: 0, attempts: MAX_ATTEMPTS, retryable: true });
    assert.equal(server.requests, MAX_ATTEMPTS);
    assert.ok(ms >= MAX_ATTEMPTS * TIMEOUT_MS - 20, `${ms.toFixed(0)} ms`);
    assert.ok(ms <= BOUND_MS, `${ms.toFixed(0)} ms`);
  });

  test("a body that trickles in pieces but completes within the limit: success on the first attempt", async () => {
    const server = await raw((_req, res) => {
      res.writeHead(200, { "content-type": "text/xml" });
      const pieces = BODY.match(/[\s\S]{1,60}/g)!;
      const timer = setInterval(() => {
        const next = pieces.shift();
        if (next === undefined) {
          clearInterval(timer);
          res.end();
        } else res.write(next);
      }, 10);
      res.on("close", () => clearInterval(timer));
    });
    const { value, error } = await timed(() => client(server.url, true).getCallerIdentity());
    assert.equal(error, undefined, String(error));
    assert.equal(value!.account, "123456789012");
    assert.equal(server.requests, 1);
  });

  test("a Retry-After the client may honour is honoured, one it may not ends the call at once", async () => {
    let n = 0;
    const throttle = `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
    const server = await raw((_req, res) => {
      if (++n === 1) {
        res.writeHead(400, { "content-type": "text/xml", "retry-after": "1" });
        res.end(throttle);
        return;
      }
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(BODY);
    });
    const honoured = await timed(() => client(server.url, true).getCallerIdentity());
    assert.equal(honoured.error, undefined, String(honoured.error));
    assert.ok(honoured.ms >= 950, `waited Retry-After (${honoured.ms.toFixed(0)} ms)`);
    const tooLong = await raw((_req, res) => {
      res.writeHead(503, { "content-type": "text/xml", "retry-after": "30" });
      res.end(throttle.replace("Throttling", "ServiceUnavailable"));
    });
    const { ms, error } = await timed(() => client(tooLong.url, true).getCallerIdentity());
    const err = assertStsError(error, { code: "ServiceUnavailable", status: 503, attempts: 1 });
    assert.equal(err.retryAfterSeconds, 30);
    assert.equal(tooLong.requests, 1);
    assert.ok(ms < 500, `${ms.toFixed(0)} ms`);
  });
});
