#!/usr/bin/env node
/**
 * `npx edge-sts emulator`: a local OIDC issuer and the STS emulator of `edge-sts/testing`, served on
 * loopback for apps that run in another process (a Worker under `wrangler dev`, Deno, Bun, curl, the
 * AWS SDKs). A Node script outside src/ (src/ is web standards only); it uses the built package.
 *
 *   edge-sts emulator [--port 8788] [--role <arn>]... [--audience sts.amazonaws.com] [--json]
 *
 * One port serves both: STS at `/`, the issuer at `/issuer` (discovery, JWKS, and `GET /issuer/mint`).
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { createOidcIssuer, createStsEmulator } from "../dist/testing/index.js";

const DEFAULT_PORT = 8788;
const ACCOUNT_ID = "123456789012";
const DEFAULT_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/edge-sts-dev`;
const HOST = "127.0.0.1";
/** Bodies of requests to the emulator are small forms; anything larger is refused. */
const MAX_BODY_BYTES = 1024 * 1024;

const HELP = `Usage: edge-sts emulator [options]

Starts a local OIDC issuer and an AWS STS emulator on ${HOST} (one port) and prints how to
point an app at them. Test use only: no AWS account, nothing leaves this machine.

Options:
  --port <n>        the port (default ${DEFAULT_PORT}; 0 picks a free one)
  --role <arn>      a role that exists (repeatable); others are refused with AccessDenied.
                    Default: every role of account ${ACCOUNT_ID} exists
  --audience <aud>  the audience minted tokens carry and STS accepts (default sts.amazonaws.com)
  --json            print one line {"stsEndpoint","issuer","roleArn","token"} and keep serving
  -h, --help        this text

Routes:
  POST /                                   STS (every operation; AssumeRoleWithWebIdentity trusts the issuer)
  GET  /issuer/.well-known/openid-configuration, /issuer/.well-known/jwks.json
  GET  /issuer/mint?sub=alice[&aud=…][&ttl=3600][&<claim>=<value>…]   a new token (text/plain)

Stop with Ctrl-C (SIGINT) or SIGTERM.`;

function usageError(message) {
  process.stderr.write(`edge-sts: ${message}\nRun \`edge-sts emulator --help\` for the options.\n`);
  process.exit(2);
}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: "string" },
        role: { type: "string", multiple: true },
        audience: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    usageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  if (positionals.length !== 1 || positionals[0] !== "emulator") usageError(positionals.length === 0 ? "a command is required: emulator" : `unknown command: ${positionals.join(" ")}`);
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError("--port must be an integer from 0 to 65535");
  const roles = values.role ?? [];
  for (const arn of roles) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) usageError(`--role must be an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>), got "${arn}"`);
  }
  return { port, roles, audience: values.audience ?? "sts.amazonaws.com", json: values.json === true };
}

/** A Node request as a web `Request` (bounded body). */
async function toRequest(req, origin) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body: hasBody ? new Uint8Array(Buffer.concat(chunks)) : undefined });
}

/** `GET /issuer/mint?sub=…&aud=…&ttl=…&<claim>=…`: a token from the issuer. */
async function mint(issuer, searchParams) {
  const claims = { sub: searchParams.get("sub") ?? "dev-user" };
  if (!/^[\w@.:+=,|/-]{1,256}$/.test(claims.sub)) return text(400, "sub: 1-256 characters of [A-Za-z0-9_@.:+=,|/-]\n");
  const audiences = searchParams.getAll("aud");
  if (audiences.length > 0) claims.aud = audiences.length === 1 ? audiences[0] : audiences;
  const ttl = searchParams.get("ttl");
  if (ttl !== null) {
    const seconds = Number(ttl);
    if (!Number.isInteger(seconds) || seconds < -86400 || seconds > 86400) return text(400, "ttl: whole seconds from -86400 to 86400\n");
    claims.exp = Math.floor(Date.now() / 1000) + seconds;
  }
  for (const [name, value] of searchParams) {
    if (!["sub", "aud", "ttl"].includes(name)) claims[name] = value;
  }
  return text(200, await issuer.mint(claims));
}

const text = (status, body) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

async function main() {
  const options = parse(process.argv.slice(2));
  const server = createServer();
  await new Promise((resolve) => {
    server.once("error", (err) => {
      const why = err.code === "EADDRINUSE" ? `port ${options.port} is in use; pick another with --port (0: any free port)` : err.message;
      process.stderr.write(`edge-sts: cannot listen on ${HOST}:${options.port}: ${why}\n`);
      process.exit(1);
    });
    server.listen(options.port, HOST, resolve);
  });
  const origin = `http://${HOST}:${server.address().port}`;
  const issuer = createOidcIssuer({ issuer: `${origin}/issuer`, audience: options.audience });
  const sts = createStsEmulator({
    accountId: ACCOUNT_ID,
    issuers: [issuer],
    roles: options.roles.length > 0 ? options.roles.map((arn) => ({ arn })) : undefined,
  });

  const handle = async (request) => {
    const { pathname, searchParams } = new URL(request.url);
    if (pathname === "/issuer/mint" && request.method === "GET") return mint(issuer, searchParams);
    if (pathname === "/issuer" || pathname.startsWith("/issuer/")) return issuer.fetch(request);
    return sts.fetch(request);
  };
  server.on("request", async (req, res) => {
    let response;
    try {
      response = await handle(await toRequest(req, origin));
    } catch (err) {
      response = text(err.status ?? 500, `${err.status === 413 ? "request body too large" : "emulator error"}\n`);
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(new Uint8Array(await response.arrayBuffer()));
  });

  const roleArn = options.roles[0] ?? DEFAULT_ROLE;
  const token = await issuer.mint({ sub: "dev-user" });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ stsEndpoint: origin, issuer: issuer.issuer, roleArn, token })}\n`);
    return;
  }
  const roles = options.roles.length > 0 ? `only ${options.roles.join(", ")}` : `any role of account ${ACCOUNT_ID}`;
  process.stdout.write(`edge-sts emulator: STS and an OIDC issuer on ${origin} (test use only)

  STS endpoint   ${origin}
  OIDC issuer    ${issuer.issuer}   (audience ${issuer.audience})
  roles          ${roles}
  a token        sub=dev-user, valid 1 h (below)

Mint more:       curl -s '${issuer.issuer}/mint?sub=alice'   (also &aud=…, &ttl=<seconds>, &<claim>=<value>)

Point your app at it (.dev.vars for wrangler dev, .env, or export):

STS_ENDPOINT=${origin}
AWS_REGION=us-east-1
ROLE_ARN=${roleArn}
TOKEN=${token}

Then: curl -H "Authorization: Bearer $TOKEN" http://localhost:<your app's port>/api/whoami
With the middleware: stsCredentials({ roleArn, endpoint: "${origin}" }). Ctrl-C stops.
`);
}

await main();
