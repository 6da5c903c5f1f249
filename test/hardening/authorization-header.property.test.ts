/**
 * Property: whatever a client puts in `Authorization` (any ByteString a Request can carry, `Bearer `
 * plus anything, near-JWTs with one part broken, expired ones), the middleware answers 400 or 401 with
 * an RFC 6750 `WWW-Authenticate` challenge (`Bearer` [realm] [error="invalid_request"|"invalid_token"],
 * the error matching the status), never echoes the value, and never calls STS for anything that is not
 * a structurally valid, unexpired JWT.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Hono } from "hono";
import { StsClient } from "../../src/client.ts";
import { stsCredentials } from "../../src/hono/index.ts";
import type { StsVariables } from "../../src/hono/index.ts";
import { createOidcIssuer, createStsEmulator } from "../../src/testing/index.ts";

const NUM_RUNS = Number(process.env.AUTH_RUNS ?? 300);
const ROLE_ARN = "arn:aws:iam::123456789012:role/edge-app";
const issuer = createOidcIssuer({ issuer: "https://issuer.auth-fuzz.test" });

function makeApp(realm?: string) {
  const emulator = createStsEmulator({ issuers: [issuer] });
  const client = new StsClient({ region: "eu-west-1", endpoint: "https://sts.auth-fuzz.test", fetch: emulator.fetch, maxAttempts: 1, timeoutMs: 2000 });
  const app = new Hono<{ Variables: StsVariables }>();
  app.use("/api/*", stsCredentials({ roleArn: ROLE_ARN, client, realm, maxEntries: 100 }));
  app.get("/api/whoami", (c) => c.json({ arn: c.var.stsIdentity.assumedRoleUser.arn }));
  return { app, emulator };
}

// ── an oracle, independent of src/hono/token.ts, for "may this reach STS at all?" ────────────────
function b64urlJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(part, "base64url")));
  } catch {
    return undefined;
  }
}
/** True only for `Bearer <header>.<payload>.<sig>` with JSON-object parts, an `alg`, a numeric future `exp` and a `sub`. */
function mayReachSts(value: string): boolean {
  const m = /^\s*bearer +(\S+) *$/i.exec(value);
  if (!m) return false;
  const parts = m[1]!.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return false;
  const header = b64urlJson(parts[0]!) as Record<string, unknown> | undefined;
  const claims = b64urlJson(parts[1]!) as Record<string, unknown> | undefined;
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(header) || !isObject(claims)) return false;
  if (typeof header!.alg !== "string") return false;
  if (typeof claims!.exp !== "number" || !Number.isFinite(claims!.exp)) return false;
  // The middleware's default clock tolerance is 30 s.
  return claims!.exp * 1000 + 30_000 > Date.now();
}

// ── RFC 6750 §3 challenge syntax ──────────────────────────────────────────────────────────────────
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[\\x20-\\x7e])*"';
const PARAM = `(${TOKEN})=(${QUOTED})`;
const CHALLENGE = new RegExp(`^Bearer(?: +${PARAM}(?: *, *${PARAM})*)?$`);

function parseChallenge(value: string | null): Record<string, string> {
  assert.ok(value !== null, "a WWW-Authenticate header");
  assert.match(value, CHALLENGE, `WWW-Authenticate ${JSON.stringify(value)} is RFC 6750 syntax`);
  const params: Record<string, string> = {};
  for (const m of value.matchAll(new RegExp(PARAM, "g"))) {
    assert.ok(!(m[1]! in params), `parameter ${m[1]} appears once`);
    params[m[1]!] = m[2]!.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  for (const name of Object.keys(params)) assert.ok(["realm", "error", "error_description", "error_uri", "scope"].includes(name), `parameter ${name}`);
  return params;
}

// ── header values ─────────────────────────────────────────────────────────────────────────────────
/** A character a header value may carry: any byte but NUL, CR, LF. */
const headerChar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constantFrom(0x09, 0x01, 0x1f, 0x7f, 0x80, 0xa0, 0xff) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
).map((cp) => String.fromCharCode(cp));
const headerText = (maxLength: number) => fc.array(headerChar, { maxLength }).map((cs) => cs.join(""));
const scheme = fc.constantFrom("Bearer ", "bearer ", "BEARER ", "Bearer  ", "Bearer\t", "Bearer", "Basic ", "Token ", " Bearer ", "Bearer: ", "Bearer=");
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

const now = () => Math.floor(Date.now() / 1000);
const claimsArb = fc.record({
  iss: fc.constantFrom(issuer.issuer, "https://evil.test", 42, undefined),
  aud: fc.constantFrom("sts.amazonaws.com", ["sts.amazonaws.com", "x"], "", undefined),
  sub: fc.oneof(fc.constantFrom("alice", "", "auth0|Jürgen", undefined, 7), fc.string({ unit: "binary", maxLength: 30 })),
  exp: fc.oneof(
    fc.constantFrom<unknown>(undefined, "9999999999", null, true, [1], { n: 1 }, -1, 0),
    fc.integer({ min: -100_000, max: 100_000 }).map((d) => now() + d),
    fc.double({ noNaN: false }),
  ),
}, { requiredKeys: [] });
const headerArb = fc.record({
  alg: fc.constantFrom<unknown>("RS256", "none", "HS256", "ES384", 1, undefined, null, ""),
  kid: fc.constantFrom<unknown>("edge-sts-test-key-1", "unknown", undefined, 7),
  typ: fc.constantFrom<unknown>("JWT", undefined),
}, { requiredKeys: [] });
const segment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...[..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"]), minLength: 1, maxLength: 40 }),
  fc.constantFrom("", "=", "==", "a=", "+/", "%7B", "eyJ", "e30", "W10", "bnVsbA", "MQ", "IiI", "_-_-", "/w", "gA", "wMA"),
  fc.anything().map((v) => b64(JSON.stringify(v) ?? "u")),
  fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
);
/** A JWT with each part possibly broken: JSON that is not an object, no alg, bad exp, bad base64url, a part too many. */
const nearJwt = fc.record({
  header: fc.oneof({ weight: 3, arbitrary: headerArb.map(b64) }, { weight: 1, arbitrary: segment }),
  payload: fc.oneof({ weight: 3, arbitrary: claimsArb.map(b64) }, { weight: 1, arbitrary: segment }),
  signature: fc.oneof(segment, fc.constant("c2lnbmF0dXJl")),
  shape: fc.constantFrom("3", "3", "3", "2", "4", "1", "trailing-dot", "padded", "space-inside", "doubled"),
}).map(({ header, payload, signature, shape }) => {
  switch (shape) {
    case "2": return `${header}.${payload}`;
    case "4": return `${header}.${payload}.${signature}.${signature}`;
    case "1": return `${header}${payload}`;
    case "trailing-dot": return `${header}.${payload}.`;
    case "padded": return `${header}=.${payload}.${signature}`;
    case "space-inside": return `${header}. ${payload}.${signature}`;
    case "doubled": return `${header}.${payload}.${signature}, Bearer ${header}.${payload}.${signature}`;
    default: return `${header}.${payload}.${signature}`;
  }
});
/** Structurally valid, unexpired, with a sub: these may reach STS (which refuses the forged signature). */
const structurallyValid = fc.tuple(
  fc.record({ alg: fc.constantFrom("RS256", "ES384", "none", "HS256"), kid: fc.constantFrom("edge-sts-test-key-1", "other") }),
  fc.record({ iss: fc.constantFrom(issuer.issuer, "https://evil.test"), sub: fc.string({ minLength: 1, maxLength: 20 }), exp: fc.integer({ min: 60, max: 7200 }).map((d) => now() + d) }),
  segment,
).map(([h, p, sig]) => `${b64(h)}.${b64(p)}.${sig}`);
const authorization = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("Bearer ", "bearer "), structurallyValid).map(([s, t]) => s + t) },
  { weight: 2, arbitrary: headerText(80) },
  { weight: 2, arbitrary: fc.tuple(scheme, headerText(60)).map(([s, t]) => s + t) },
  { weight: 5, arbitrary: fc.tuple(scheme, nearJwt).map(([s, t]) => s + t) },
  { weight: 1, arbitrary: fc.tuple(scheme, fc.integer({ min: 19_990, max: 20_100 })).map(([s, n]) => s + "a".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\t", "Bearer", "Bearer ", "Bearer =", "Bearer .", "Bearer ..", "Bearer a.b.c", "Bearer e30.e30.e30") },
);

/** A value Headers accepts (and the value as the server will see it). */
function carried(value: string): string | undefined {
  try {
    return new Headers({ authorization: value }).get("authorization") ?? undefined;
  } catch {
    return undefined;
  }
}

async function check(app: Hono<{ Variables: StsVariables }>, emulator: ReturnType<typeof createStsEmulator>, value: string, realm?: string) {
  const seen = carried(value);
  fc.pre(seen !== undefined);
  const before = emulator.calls.total;
  const res = await app.request("/api/whoami", { headers: { authorization: value } });
  const body = await res.text();
  const stsCalls = emulator.calls.total - before;
  assert.ok(res.status === 400 || res.status === 401, `status ${res.status} for ${JSON.stringify(value.slice(0, 200))}: ${body}`);
  const params = parseChallenge(res.headers.get("www-authenticate"));
  if (realm !== undefined) assert.equal(params.realm, realm);
  else assert.ok(!("realm" in params), "no realm unless configured");
  if (res.status === 400) assert.equal(params.error, "invalid_request");
  else if (params.error !== undefined) assert.equal(params.error, "invalid_token");
  else assert.equal(seen!.trim(), "", "a 401 without error= only when there is no token at all");
  if (seen!.trim().length >= 8) {
    assert.ok(!body.includes(seen!.trim()), "the body never echoes the header");
    for (const [, v] of res.headers) assert.ok(!v.includes(seen!.trim()), "no header echoes it");
  }
  if (!mayReachSts(seen!)) assert.equal(stsCalls, 0, `no STS call for ${JSON.stringify(seen!.slice(0, 200))}`);
  else assert.ok(stsCalls <= 1, "at most one STS call");
}

describe("any Authorization header → 400/401, an RFC 6750 challenge, and no STS call unless it is a JWT", () => {
  test("without a realm", async () => {
    const { app, emulator } = makeApp();
    await fc.assert(fc.asyncProperty(authorization, (value) => check(app, emulator, value)), { numRuns: NUM_RUNS });
  });

  test('with a realm that needs escaping (edge "api" \\ v1)', async () => {
    const realm = 'edge "api" \\ v1';
    const { app, emulator } = makeApp(realm);
    await fc.assert(fc.asyncProperty(authorization, (value) => check(app, emulator, value, realm)), { numRuns: Math.ceil(NUM_RUNS / 3) });
  });

  test("the generator reaches STS sometimes and every status/error pair is seen", async () => {
    // Guards the property above against a generator that never produces a structurally valid token.
    const { app, emulator } = makeApp();
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        const res = await app.request("/api/whoami", { headers: carried(value) === undefined ? {} : { authorization: value } });
        seen.add(`${res.status} ${/error="(\w+)"/.exec(res.headers.get("www-authenticate") ?? "")?.[1] ?? "-"}`);
        await res.body?.cancel();
      }),
      { numRuns: 300 },
    );
    assert.ok(emulator.calls.total > 0, "some generated tokens reach STS");
    for (const pair of ["400 invalid_request", "401 invalid_token", "401 -"]) assert.ok(seen.has(pair), `saw ${[...seen].join(", ")}`);
  });

  test("a genuinely signed token still gets through (the app is not simply refusing everything)", async () => {
    const { app, emulator } = makeApp();
    const token = await issuer.mint({ sub: "alice" });
    const res = await app.request("/api/whoami", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { arn: string }).arn, "arn:aws:sts::123456789012:assumed-role/edge-app/alice");
    assert.equal(emulator.calls.total, 1);
  });
});
