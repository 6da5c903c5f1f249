/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package.
 */
import { readFileSync } from "node:fs";

/** Where a frame's code lives: a package under node_modules, edge-sts (dist/src), node internals, or the bench. */
export function origin(url) {
  if (!url) return "(native/v8)";
  if (url.startsWith("node:")) return "node internals";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (/\/(dist|src)\//.test(url) || url.includes("edge-scratch")) return "edge-sts";
  if (/\/bench\//.test(url)) return "bench";
  return url;
}

/**
 * @param {string} file path of a .cpuprofile
 * @param {number} top how many functions to list
 * @param {(url: string) => boolean} [include] only samples whose stack passes through a frame matching this
 */
export function summarise(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const deltas = profile.timeDeltas;
  // Time per sample: the profile's own deltas (the delta *after* a sample is attributed to it).
  const timeById = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    timeById.set(profile.samples[i], (timeById.get(profile.samples[i]) ?? 0) + dt);
  }
  let total = 0;
  const fns = new Map();
  const pkgs = new Map();
  for (const [id, us] of timeById) {
    const node = byId.get(id);
    const cf = node.callFrame;
    total += us;
    if (cf.functionName === "(idle)" || cf.functionName === "(program)") {
      const k = cf.functionName;
      fns.set(k, { name: k, where: "", us: (fns.get(k)?.us ?? 0) + us });
      pkgs.set(k, (pkgs.get(k) ?? 0) + us);
      continue;
    }
    const where = `${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    const key = `${cf.functionName || "(anonymous)"} ${where}`;
    const entry = fns.get(key) ?? { name: cf.functionName || "(anonymous)", where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    const pkg = cf.functionName === "(garbage collector)" ? "(gc)" : origin(cf.url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const idle = fns.get("(idle)")?.us ?? 0;
  const busy = total - idle;
  const list = [...fns.values()].filter((f) => f.name !== "(idle)").sort((a, b) => b.us - a.us).slice(0, top);
  return {
    file,
    busyMs: busy / 1e3,
    idleMs: idle / 1e3,
    topFunctions: list.map((f) => ({ function: f.name, where: f.where, selfMs: +(f.us / 1e3).toFixed(1), pct: +((100 * f.us) / busy).toFixed(1) })),
    byOrigin: [...pkgs.entries()]
      .filter(([k]) => k !== "(idle)")
      .sort((a, b) => b[1] - a[1])
      .map(([origin, us]) => ({ origin, selfMs: +(us / 1e3).toFixed(1), pct: +((100 * us) / busy).toFixed(1) })),
  };
}

function shortUrl(url) {
  if (!url) return "";
  return url.replace(/^file:\/\/.*?\/(node_modules|dist|src|bench)\//, "$1/");
}
