/** The portable suite inside workerd: the Worker runs every test in its fetch handler and returns JSON. */
import type { WorkerResult, WorkerSpec } from "./serve.ts";

const spec: WorkerSpec = {
  name: "portable",
  entry: "test/workerd/portable-worker.ts",
  // test/portable/index.ts only imports files for their side effects (registering tests), which
  // esbuild would drop because package.json says "sideEffects": false.
  keepSideEffectImports: true,
  async check(baseUrl: string): Promise<WorkerResult> {
    const res = await fetch(baseUrl, { signal: AbortSignal.timeout(120_000) });
    const body = (await res.json()) as WorkerResult & { userAgent?: string };
    if (!body.userAgent?.includes("Cloudflare-Workers")) {
      return { passed: 0, failed: 1, failures: [{ name: "runtime", message: `not workerd? userAgent=${body.userAgent}` }] };
    }
    if (body.passed === 0 && body.failed === 0) {
      return { passed: 0, failed: 1, failures: [{ name: "suite", message: "no test ran inside workerd" }] };
    }
    return { passed: body.passed, failed: body.failed, failures: body.failures };
  },
};

export default spec;
