/**
 * Heap measurement for the memory-bound tests: a real `gc()` even without `--expose-gc` (V8 lets a
 * running process turn the flag on and hands the function to a fresh context).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gcFn: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;
if (gcFn === undefined) {
  try {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as () => void;
  } catch {
    gcFn = undefined;
  }
}

/** Whether `settledHeap` can collect garbage first (otherwise bounds must be generous). */
export const canCollect = gcFn !== undefined;

/** heapUsed after a full collection (or as is, when no collection is possible). */
export async function settledHeap(): Promise<number> {
  if (gcFn) {
    for (let i = 0; i < 3; i++) {
      gcFn();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return process.memoryUsage().heapUsed;
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
