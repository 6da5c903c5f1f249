/**
 * What @xmldom/xmldom 0.9's per-end-tag RegExp costs (xmldom/xmldom#950), on Node, Deno and Bun.
 * 0.9's reader builds `g.reg('^', QName_group, S_OPT, '$')` — a fresh `u`-flag RegExp compiled from
 * a long Unicode source — for every end tag it reads (lib/sax.js). Measured three ways, each in
 * this one process on one single-sided workload (no comparison with another library here):
 *   parse      DOMParser({ locator: false }).parseFromString of the AssumeRoleWithWebIdentity fixture
 *   memoised   the same parse with `grammar.reg` memoised (same sources → same RegExp object; the
 *              regexps have no g/y flag, so reuse is safe): what the parse would cost without #950
 *   reg alone  building that RegExp and matching one end-tag name, × the fixture's end tags
 *   node bench/xmldom.mjs    deno run -A bench/xmldom.mjs    bun bench/xmldom.mjs
 */
import process from "node:process";
import * as F from "./lib/fixtures.mjs";

const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";
const { DOMParser } = await import("@xmldom/xmldom");
const grammarModule = await import("@xmldom/xmldom/lib/grammar.js");
const g = grammarModule.default ?? grammarModule; // the CommonJS exports object lib/sax.js holds
const version = (await import("@xmldom/xmldom/package.json", { with: { type: "json" } })).default.version;
const xml = F.assumeRoleWithWebIdentityXml();
const endTags = (xml.match(/<\//g) ?? []).length;
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
function cost(fn, ms = 400) {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const c0 = cpuNow();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return (cpuNow() - c0) / n;
}
const parser = new DOMParser({ locator: false, onError: (level) => { if (level !== "warning") throw new Error(level); } });
const parse = () => parser.parseFromString(xml, "text/xml");
const regAlone = () => g.reg("^", g.QName_group, g.S_OPT, "$").exec("AssumeRoleWithWebIdentityResult");

const results = { runtime, xmldom: version, fixtureBytes: new TextEncoder().encode(xml).byteLength, endTags };
const rounds = [];
const original = g.reg;
const memo = new Map();
// Keyed by the parts' identities (the RegExp objects are grammar constants), so the lookup costs
// a few short string concatenations, not a join of their long sources.
const ids = new WeakMap();
let nextId = 0;
const idOf = (p) => {
  if (typeof p === "string") return `s${p}`;
  let id = ids.get(p);
  if (id === undefined) ids.set(p, (id = `r${nextId++}`));
  return id;
};
function memoised(...parts) {
  let key = "";
  for (const p of parts) key += idOf(p) + "\u0000";
  let re = memo.get(key);
  if (!re) memo.set(key, (re = original.apply(this, parts)));
  return re;
}
// Alternate plain and memoised rounds in this process, median of three each.
for (let r = 0; r < 3; r++) {
  g.reg = original;
  const plain = cost(parse);
  g.reg = memoised;
  const fast = cost(parse);
  g.reg = original;
  rounds.push({ plain, fast });
}
g.reg = original;
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
results.parseCpuUs = med(rounds.map((x) => x.plain));
results.parseMemoisedCpuUs = med(rounds.map((x) => x.fast));
results.regPerEndTagCpuUs = cost(regAlone);
results.regTotalCpuUs = results.regPerEndTagCpuUs * endTags;
results.savedByMemoPct = (1 - results.parseMemoisedCpuUs / results.parseCpuUs) * 100;
results.regShareOfParsePct = (results.regTotalCpuUs / results.parseCpuUs) * 100;
process.stdout.write(JSON.stringify(results) + "\n");
process.exit(0);
