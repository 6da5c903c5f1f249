/**
 * examples/cloudflare-worker inside workerd, bundled as wrangler bundles it and run without
 * nodejs_compat: its bindings point it at the STS emulator on 127.0.0.1, and real HTTP requests with
 * tokens from the test issuer go through the middleware, STS, and a signed GetCallerIdentity.
 */
import type { WorkerResult, WorkerSpec } from "./serve.ts";
import { assumedRoleArn, startLocalSts } from "./example-sts.ts";
import type { LocalSts } from "./example-sts.ts";

let local: LocalSts | undefined;

const spec: WorkerSpec = {
  name: "example-cloudflare-worker",
  entry: "examples/cloudflare-worker/src/index.ts",
  async setup() {
    local = await startLocalSts();
    return { bindings: local.settings, close: () => local!.close() };
  },
  async check(baseUrl: string): Promise<WorkerResult> {
    const result: WorkerResult = { passed: 0, failed: 0, failures: [] };
    const expect = (name: string, ok: boolean, detail: string) => {
      if (ok) result.passed++;
      else {
        result.failed++;
        result.failures.push({ name, message: detail });
      }
    };
    const get = async (path: string, token?: string) => {
      const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
      const response = await fetch(baseUrl + path, { headers, signal: AbortSignal.timeout(20_000) });
      const text = await response.text();
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(text);
      } catch {
        // left empty; the status tells what went wrong
      }
      return { status: response.status, body, headers: response.headers };
    };

    const { issuer, sts } = local!;
    const token = await issuer.mint({ sub: "worker-user" });
    const arn = assumedRoleArn("worker-user");

    const health = await get("/health");
    expect("GET /health", health.status === 200, `status ${health.status}`);

    const whoami = await get("/api/whoami", token);
    expect("GET /api/whoami with a token → 200", whoami.status === 200, `status ${whoami.status}`);
    expect("… and the assumed-role ARN", whoami.body.assumedRoleUser?.arn === arn, `arn ${whoami.body.assumedRoleUser?.arn}`);
    expect("… after one AssumeRoleWithWebIdentity", sts.calls.count("AssumeRoleWithWebIdentity") === 1, `calls ${sts.calls.count("AssumeRoleWithWebIdentity")}`);

    const caller = await get("/api/caller", token);
    expect("GET /api/caller → 200", caller.status === 200, `status ${caller.status} ${JSON.stringify(caller.body)}`);
    expect("… STS names the assumed role", caller.body.arn === arn, `arn ${caller.body.arn}`);
    const signedWith = sts.calls.last?.accessKeyId;
    expect("… signed with the exchanged credentials", signedWith === sts.issuedCredentials()[0]?.accessKeyId, "a different key signed GetCallerIdentity");
    expect("… which came from the isolate's cache", sts.calls.count("AssumeRoleWithWebIdentity") === 1, "the second request exchanged the token again");

    const anonymous = await get("/api/whoami");
    expect("no token → 401 Bearer", anonymous.status === 401 && anonymous.headers.get("www-authenticate") === "Bearer", `status ${anonymous.status}`);
    return result;
  },
};

export default spec;
