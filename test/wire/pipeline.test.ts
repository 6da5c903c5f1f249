import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { StsClient } from "../../src/client.ts";
import { StsConfigurationError, StsError } from "../../src/errors.ts";

const ROLE = "arn:aws:iam::123456789012:role/web-app";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVlLTEyMzQ1Njc4OTA";
const INPUT = { roleArn: ROLE, roleSessionName: "alice", webIdentityToken: TOKEN };
const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

const OK = `<AssumeRoleWithWebIdentityResponse xmlns="${NS}"><AssumeRoleWithWebIdentityResult>
<Credentials><AccessKeyId>ASIAQEXAMPLE00000001</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
<SessionToken>IQoJb3JpZ2luX2VjEXAMPLEsessiontoken==</SessionToken><Expiration>2026-11-22T21:00:00Z</Expiration></Credentials>
<SubjectFromWebIdentityToken>alice</SubjectFromWebIdentityToken>
<AssumedRoleUser><AssumedRoleId>AROAEXAMPLEID:alice</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/web-app/alice</Arn></AssumedRoleUser>
<Provider>issuer.example.com</Provider><Audience>my-app</Audience></AssumeRoleWithWebIdentityResult>
<ResponseMetadata><RequestId>9f1c2b7e-0000-4000-8000-000000000001</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;

const IDENTITY = `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn>
<UserId>AIDAEXAMPLEUSERID0001</UserId><Account>123456789012</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>9f1c2b7e-0000-4000-8000-000000000002</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

function stsError(code: string, type = "Sender", message = "message"): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-${code}</RequestId></ErrorResponse>`;
}

type Step = Response | Error | "hang" | ((req: Request) => Response | Promise<Response>);

/**
 * A fetch that plays a script, one step per attempt, and records every request and when it came.
 * Called as the client calls it, `fetch(url, init)`; each call is recorded as `new Request(url, init)`.
 */
function scripted(steps: Step[]) {
  const requests: Request[] = [];
  const inits: RequestInit[] = [];
  const times: number[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    assert.equal(typeof input, "string", "the client calls fetch(url, init)");
    const req = new Request(input, init);
    requests.push(req);
    inits.push(init!);
    times.push(performance.now());
    const step = steps[Math.min(requests.length - 1, steps.length - 1)]!;
    if (step === "hang") return new Promise<Response>(() => {});
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(req);
    return step.clone();
  };
  return { fetch, requests, inits, times };
}

const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { "content-type": "text/xml", ...headers } });

function client(fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>, extra: Record<string, unknown> = {}) {
  return new StsClient({ region: "eu-west-1", fetch, retryBaseDelayMs: 1, retryMaxDelayMs: 5, ...extra });
}

async function failure(p: Promise<unknown>): Promise<StsError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StsError, `expected StsError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

const realRandom = Math.random;
afterEach(() => {
  Math.random = realRandom;
});

describe("retries", () => {
  for (const [code, status] of [
    ["Throttling", 400],
    ["ThrottlingException", 400],
    ["RequestLimitExceeded", 400],
    ["TooManyRequestsException", 429],
    ["IDPCommunicationError", 400],
    ["InternalFailure", 500],
    ["ServiceUnavailable", 503],
  ] as const) {
    test(`${code} (${status}) is retried and the third attempt succeeds`, async () => {
      const s = scripted([xml(stsError(code), status), xml(stsError(code), status), xml(OK)]);
      const out = await client(s.fetch).assumeRoleWithWebIdentity(INPUT);
      assert.equal(s.requests.length, 3);
      assert.equal(out.requestId, "9f1c2b7e-0000-4000-8000-000000000001");
    });
  }

  test("HTTP 429 without an error document is retried", async () => {
    const s = scripted([new Response("slow down", { status: 429 }), xml(OK)]);
    await client(s.fetch).assumeRoleWithWebIdentity(INPUT);
    assert.equal(s.requests.length, 2);
  });

  test("after maxAttempts the last error is thrown with status, code, attempts", async () => {
    const s = scripted([xml(stsError("ServiceUnavailable", "Receiver"), 503)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(s.requests.length, 3);
    assert.equal(err.code, "ServiceUnavailable");
    assert.equal(err.type, "Receiver");
    assert.equal(err.status, 503);
    assert.equal(err.attempts, 3);
    assert.equal(err.retryable, true);
    assert.equal(err.requestId, "req-ServiceUnavailable");
  });

  test("maxAttempts: 5 makes exactly five attempts; maxAttempts: 1 makes one", async () => {
    const five = scripted([xml(stsError("Throttling"), 400)]);
    await failure(client(five.fetch, { maxAttempts: 5 }).assumeRoleWithWebIdentity(INPUT));
    assert.equal(five.requests.length, 5);
    const one = scripted([xml(stsError("Throttling"), 400)]);
    await failure(client(one.fetch, { maxAttempts: 1 }).assumeRoleWithWebIdentity(INPUT));
    assert.equal(one.requests.length, 1);
  });

  for (const [code, status] of [
    ["AccessDenied", 403],
    ["InvalidIdentityToken", 400],
    ["ExpiredTokenException", 400],
    ["IDPRejectedClaim", 403],
    ["ValidationError", 400],
    ["MalformedPolicyDocument", 400],
    ["RegionDisabledException", 403],
  ] as const) {
    test(`${code} (${status}) is not retried`, async () => {
      const s = scripted([xml(stsError(code), status), xml(OK)]);
      const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
      assert.equal(s.requests.length, 1);
      assert.equal(err.code, code);
      assert.equal(err.status, status);
      assert.equal(err.retryable, false);
      assert.equal(err.attempts, 1);
    });
  }

  test("a network failure is retried, then reported as NetworkError with the cause", async () => {
    const s = scripted([new TypeError("fetch failed")]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(s.requests.length, 3);
    assert.equal(err.code, "NetworkError");
    assert.equal(err.status, 0);
    assert.ok(err.cause instanceof TypeError);
  });

  test("a network failure then success succeeds", async () => {
    const s = scripted([new TypeError("connection reset"), xml(OK)]);
    const out = await client(s.fetch).assumeRoleWithWebIdentity(INPUT);
    assert.equal(out.assumedRoleUser?.arn, "arn:aws:sts::123456789012:assumed-role/web-app/alice");
    assert.equal(s.requests.length, 2);
  });
});

describe("backoff", () => {
  test("full jitter: waits grow as base·2^n and stay under the cap", async () => {
    Math.random = () => 0.999;
    const s = scripted([xml(stsError("Throttling"), 400)]);
    await failure(client(s.fetch, { maxAttempts: 4, retryBaseDelayMs: 100, retryMaxDelayMs: 250 }).assumeRoleWithWebIdentity(INPUT));
    const gaps = s.times.slice(1).map((t, i) => t - s.times[i]!);
    assert.equal(gaps.length, 3);
    // ceilings 100, 200, min(250, 400) = 250; random ≈ 1 puts each wait just under its ceiling.
    // The upper slack (120 ms) absorbs a busy machine and still tells the cap (250) from no cap (400).
    assert.ok(gaps[0]! >= 95 && gaps[0]! < 100 + 120, `first wait ${gaps[0]}`);
    assert.ok(gaps[1]! >= 195 && gaps[1]! < 200 + 120, `second wait ${gaps[1]}`);
    assert.ok(gaps[2]! >= 245 && gaps[2]! < 250 + 120, `third wait ${gaps[2]} is capped`);
  });

  test("random 0 means no wait at all", async () => {
    Math.random = () => 0;
    const s = scripted([xml(stsError("Throttling"), 400)]);
    const started = performance.now();
    await failure(client(s.fetch, { retryBaseDelayMs: 1000, retryMaxDelayMs: 1000 }).assumeRoleWithWebIdentity(INPUT));
    assert.ok(performance.now() - started < 500);
  });

  test("Retry-After (seconds) is honoured as the minimum wait", async () => {
    Math.random = () => 0;
    const s = scripted([xml(stsError("Throttling"), 400, { "retry-after": "1" }), xml(OK)]);
    await client(s.fetch).assumeRoleWithWebIdentity(INPUT);
    const gap = s.times[1]! - s.times[0]!;
    assert.ok(gap >= 990, `waited ${gap} ms`);
  });

  test("Retry-After longer than maxRetryAfterMs ends the call and is reported", async () => {
    const s = scripted([xml(stsError("Throttling"), 400, { "retry-after": "120" }), xml(OK)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(s.requests.length, 1);
    assert.equal(err.retryAfterSeconds, 120);
  });
});

describe("time limits and abort", () => {
  test("each attempt is bounded by timeoutMs; every attempt times out → TimeoutError after maxAttempts", async () => {
    const s = scripted(["hang"]);
    const started = performance.now();
    const err = await failure(client(s.fetch, { timeoutMs: 50 }).assumeRoleWithWebIdentity(INPUT));
    const took = performance.now() - started;
    assert.equal(err.code, "TimeoutError");
    assert.equal(err.attempts, 3);
    assert.equal(s.requests.length, 3);
    assert.ok(took >= 150 && took < 150 + 3 * 5 + 400, `took ${took} ms`);
  });

  test("the attempt's signal is aborted on time-out (the connection is released)", async () => {
    const s = scripted(["hang"]);
    await failure(client(s.fetch, { timeoutMs: 20, maxAttempts: 1 }).assumeRoleWithWebIdentity(INPUT));
    assert.equal(s.requests[0]!.signal.aborted, true);
    assert.equal(s.inits[0]!.signal!.aborted, true, "init.signal itself, the one fetch(url, init) was given");
    assert.equal((s.inits[0]!.signal!.reason as StsError).code, "TimeoutError");
  });

  test("a body that trickles past the time limit is a TimeoutError, then a retry succeeds", async () => {
    const trickle = () =>
      new Response(
        new ReadableStream({
          async pull(controller) {
            await new Promise((r) => setTimeout(r, 30));
            controller.enqueue(new TextEncoder().encode(" "));
          },
        }),
        { status: 200 },
      );
    const s = scripted([trickle, xml(OK)]);
    const out = await client(s.fetch, { timeoutMs: 100 }).assumeRoleWithWebIdentity(INPUT);
    assert.equal(s.requests.length, 2);
    assert.equal(out.audience, "my-app");
  });

  test("the caller's signal aborts at once, with no further attempts", async () => {
    const s = scripted(["hang"]);
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 30);
    const err = await failure(
      client(s.fetch, { timeoutMs: 5000 }).assumeRoleWithWebIdentity(INPUT, { signal: controller.signal }),
    );
    assert.equal(err.code, "AbortError");
    assert.equal(err.retryable, false);
    assert.equal(s.requests.length, 1);
    assert.ok(performance.now() - started < 1000);
  });

  test("an abort during the backoff wait ends the call at once", async () => {
    Math.random = () => 0.999;
    const s = scripted([xml(stsError("Throttling"), 400)]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const err = await failure(
      client(s.fetch, { retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000 }).assumeRoleWithWebIdentity(INPUT, {
        signal: controller.signal,
      }),
    );
    assert.equal(err.code, "AbortError");
    assert.equal(s.requests.length, 1);
    assert.ok(performance.now() - started < 1000);
  });

  test("an abort while a signed request is being signed: AbortError, no fetch, no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const creds = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY" };
      for (const ticks of [0, 1, 2, 3, 5, 8]) {
        const s = scripted([xml(IDENTITY)]);
        const controller = new AbortController();
        const call = client(s.fetch, { credentials: creds }).getCallerIdentity({}, { signal: controller.signal });
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        controller.abort();
        const outcome = await call.then(() => "resolved", (err: unknown) => err);
        if (outcome === "resolved") continue; // signing finished first: the call may complete
        assert.ok(outcome instanceof StsError && outcome.code === "AbortError", String(outcome));
        assert.equal(s.requests.filter((r) => !r.signal.aborted).length, 0, "no live request after the abort");
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("an already-aborted signal makes no request", async () => {
    const s = scripted([xml(OK)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT, { signal: AbortSignal.abort() }));
    assert.equal(err.code, "AbortError");
    assert.equal(s.requests.length, 0);
  });
});

describe("clock skew", () => {
  const creds = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY" };
  const amzTime = (req: Request) => {
    const v = req.headers.get("x-amz-date")!;
    return Date.parse(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T${v.slice(9, 11)}:${v.slice(11, 13)}:${v.slice(13, 15)}Z`);
  };

  for (const code of ["RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch"]) {
    test(`${code} with a far-off Date corrects the signing clock and retries once`, async () => {
      const serverNow = Date.now() + 60 * 60 * 1000;
      const s = scripted([
        xml(stsError(code), 403, { date: new Date(serverNow).toUTCString() }),
        xml(IDENTITY),
      ]);
      const sts = client(s.fetch, { credentials: creds });
      const out = await sts.getCallerIdentity();
      assert.equal(out.account, "123456789012");
      assert.equal(s.requests.length, 2);
      const skew = amzTime(s.requests[1]!) - amzTime(s.requests[0]!);
      assert.ok(Math.abs(skew - 3600_000) < 5_000, `second request signed ${skew} ms later`);
      assert.ok(Math.abs(sts.clockOffsetMs - 3600_000) < 5_000);
    });
  }

  test("the correction happens once per call: a second skew error is thrown", async () => {
    const later = () => xml(stsError("RequestExpired"), 400, { date: new Date(Date.now() + 3600_000).toUTCString() });
    const s = scripted([later, () => xml(stsError("RequestExpired"), 400, { date: new Date(Date.now() + 7200_000).toUTCString() })]);
    const err = await failure(client(s.fetch, { credentials: creds }).getCallerIdentity());
    assert.equal(err.code, "RequestExpired");
    assert.equal(s.requests.length, 2);
  });

  test("the correction retry stays within maxAttempts (found by the response fuzzer: 3 attempts of 2)", async () => {
    const skewed = () => xml(stsError("RequestTimeTooSkewed"), 403, { date: new Date(Date.now() + 3600_000).toUTCString() });
    const s = scripted([() => new Response("", { status: 200 }), skewed]);
    const sts = client(s.fetch, { credentials: creds, maxAttempts: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 2 });
    const err = await failure(sts.getCallerIdentity());
    assert.equal(err.code, "RequestTimeTooSkewed");
    assert.equal(err.attempts, 2);
    assert.equal(s.requests.length, 2);
    assert.ok(Math.abs(sts.clockOffsetMs - 3600_000) < 5_000, "the offset is still learned for the next call");
  });

  test("a signature error with a Date close to local time is not retried", async () => {
    const s = scripted([xml(stsError("SignatureDoesNotMatch"), 403, { date: new Date().toUTCString() })]);
    const err = await failure(client(s.fetch, { credentials: creds }).getCallerIdentity());
    assert.equal(err.code, "SignatureDoesNotMatch");
    assert.equal(s.requests.length, 1);
  });
});

describe("bodies that are not STS answers", () => {
  test("an HTML 502 from a proxy is a retryable StsError with the status", async () => {
    const html = new Response("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
    const s = scripted([html]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(err.code, "InvalidResponse");
    assert.equal(err.status, 502);
    assert.equal(err.retryable, true);
    assert.equal(s.requests.length, 3);
    assert.match(err.message, /HTTP 502/);
  });

  test("an empty 500 is a StsError, not a TypeError", async () => {
    const s = scripted([new Response(null, { status: 500 })]);
    const err = await failure(client(s.fetch, { maxAttempts: 1 }).assumeRoleWithWebIdentity(INPUT));
    assert.equal(err.code, "InvalidResponse");
    assert.equal(err.status, 500);
    assert.match(err.message, /empty body/);
  });

  test("a truncated 200 is an InvalidResponse, and a retry can succeed", async () => {
    const s = scripted([xml(OK.slice(0, 300)), xml(OK)]);
    const out = await client(s.fetch).assumeRoleWithWebIdentity(INPUT);
    assert.equal(s.requests.length, 2);
    assert.equal(out.credentials?.accessKeyId, "ASIAQEXAMPLE00000001");
  });

  test("a 200 whose result lacks required credential members is a non-retryable InvalidResponse", async () => {
    const broken = OK.replace(/<SecretAccessKey>.*<\/SecretAccessKey>/, "");
    const s = scripted([xml(broken)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(err.code, "InvalidResponse");
    assert.equal(err.retryable, false);
    assert.match(err.message, /SecretAccessKey/);
    assert.equal(s.requests.length, 1);
  });

  test("a DOCTYPE or entity declaration is refused", async () => {
    const evil = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "yyyy">]><AssumeRoleWithWebIdentityResponse>&x;</AssumeRoleWithWebIdentityResponse>`;
    const s = scripted([xml(evil)]);
    const err = await failure(client(s.fetch, { maxAttempts: 1 }).assumeRoleWithWebIdentity(INPUT));
    assert.equal(err.code, "InvalidResponse");
    assert.match(err.message, /DOCTYPE/);
  });

  test("a body over 1 MiB is refused (declared or streamed), and not retried", async () => {
    const big = "<x>" + "a".repeat(1024 * 1024) + "</x>";
    const s = scripted([new Response(big, { status: 200 })]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(err.code, "ResponseTooLarge");
    assert.equal(s.requests.length, 1);
  });

  test("a 200 carrying an ErrorResponse is an error", async () => {
    const s = scripted([xml(stsError("AccessDenied"), 200)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.equal(err.code, "AccessDenied");
  });

  test("STS messages that echo the token are redacted", async () => {
    const s = scripted([xml(stsError("InvalidIdentityToken", "Sender", `Token ${TOKEN} is bad`), 400)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    assert.ok(!err.message.includes(TOKEN));
    assert.match(err.message, /\[redacted\]/);
  });

  test("each part of the token (8+ characters) is redacted on its own too", async () => {
    const [header, payload, signature] = TOKEN.split(".") as [string, string, string];
    const s = scripted([xml(stsError("InvalidIdentityToken", "Sender", `sig ${signature}, payload ${payload}, header ${header}`), 400)]);
    const err = await failure(client(s.fetch).assumeRoleWithWebIdentity(INPUT));
    for (const part of [header, payload, signature]) assert.ok(!err.message.includes(part), err.message);
    assert.equal(err.message.match(/\[redacted\]/g)?.length, 3);
  });
});

describe("client options", () => {
  test("invalid options throw StsConfigurationError at construction", () => {
    assert.throws(() => new StsClient({ region: "eu-west-1", maxAttempts: 0 }), StsConfigurationError);
    assert.throws(() => new StsClient({ region: "eu-west-1", timeoutMs: 1.5 }), StsConfigurationError);
    assert.throws(() => new StsClient({}), StsConfigurationError);
    assert.throws(
      () => new StsClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIA" } as never }),
      StsConfigurationError,
    );
  });

  test("the default fetch is globalThis.fetch, looked up at call time", async () => {
    const original = globalThis.fetch;
    let seen = 0;
    globalThis.fetch = (async () => {
      seen++;
      return xml(OK);
    }) as typeof fetch;
    try {
      await new StsClient({ region: "eu-west-1" }).assumeRoleWithWebIdentity(INPUT);
    } finally {
      globalThis.fetch = original;
    }
    assert.equal(seen, 1);
  });
});
