/**
 * What a Worker can see of Node: served at `/__runtime` by every Worker under test (serve.ts wraps its
 * entry), so a run that claims "no Node compatibility" is checked from inside the isolate.
 */
export interface RuntimeProbe {
  userAgent: string;
  /** `typeof globalThis.process`. */
  process: string;
  /** Whether `import("node:buffer")` resolved. */
  nodeBuffer: boolean;
  nodeBufferError?: string;
}

export async function probeRuntime(): Promise<Response> {
  const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "";
  const probe: RuntimeProbe = { userAgent, process: typeof (globalThis as { process?: unknown }).process, nodeBuffer: false };
  try {
    // A computed specifier: the bundler leaves it alone, workerd resolves it at run time.
    const specifier = ["node", "buffer"].join(":");
    await import(/* @vite-ignore */ specifier);
    probe.nodeBuffer = true;
  } catch (err) {
    probe.nodeBufferError = err instanceof Error ? err.message : String(err);
  }
  return Response.json(probe);
}
