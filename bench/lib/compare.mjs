/**
 * One comparison, all sides in this process: warm-up, mitata back to back (wall time per op), then
 * interleaved blocks measured with process.cpuUsage() (CPU per op, every thread: GC included).
 */
import process from "node:process";
import { measure } from "mitata";

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system; // µs
};

/** Runs `fn` sequentially for about `ms` (at most `max` times). */
export async function runFor(fn, ms, max = 200_000) {
  const end = performance.now() + ms;
  let n = 0;
  while (n < max && performance.now() < end) {
    await fn();
    n++;
  }
  return n;
}

/**
 * Measures every side: warm-up, mitata back to back, then ROUNDS of interleaved cpuUsage blocks.
 * @returns per side: wall stats (µs), CPU µs per op, and the op counts behind them.
 */
export async function compare(sides, { mitataMs = 350, blockMs = 70, rounds = 6, warmupMs = 300 } = {}) {
  const names = Object.keys(sides);
  for (const name of names) await runFor(sides[name], warmupMs);
  const out = {};
  for (const name of names) {
    const s = await measure(sides[name], { min_cpu_time: mitataMs * 1e6 });
    out[name] = {
      wallUs: { avg: s.avg / 1e3, p50: s.p50 / 1e3, p99: s.p99 / 1e3, min: s.min / 1e3, max: s.max / 1e3, samples: s.samples.length },
    };
  }
  const perBlock = Object.fromEntries(names.map((n) => [n, Math.max(20, Math.ceil((blockMs * 1e3) / out[n].wallUs.p50))]));
  const cpu = Object.fromEntries(names.map((n) => [n, { us: 0, wallMs: 0, ops: 0 }]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const fn = sides[name];
      const n = perBlock[name];
      const w0 = performance.now();
      const c0 = cpuNow();
      for (let i = 0; i < n; i++) await fn();
      cpu[name].us += cpuNow() - c0;
      cpu[name].wallMs += performance.now() - w0;
      cpu[name].ops += n;
    }
  }
  for (const name of names) {
    out[name].cpuUsPerOp = cpu[name].us / cpu[name].ops;
    out[name].blockWallUsPerOp = (cpu[name].wallMs * 1e3) / cpu[name].ops;
    out[name].cpuOps = cpu[name].ops;
  }
  return out;
}

