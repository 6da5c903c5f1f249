/**
 * Renders the fleet-coordination sides of bench/fleet.mjs (issue 21: `coord-*`) as the
 * `## Fleet coordination` section of bench/RESULTS.md, between markers so a partial rerun
 * (`node bench/fleet.mjs --sides=coord-… --coordination-into-results`) replaces it alone.
 */

export const START = "<!-- coordination:start -->";
export const END = "<!-- coordination:end -->";
const TARGET = 1.1;
const STORES = [
  ["redis", "Redis (Node processes, node-redis)"],
  ["deno-kv", "Deno KV (Deno processes, one SQLite file)"],
  ["do", "Durable Objects (Miniflare Workers, one StsCoordinator namespace, 32 shards)"],
];
const POLL_MS = 20;
const table = (head, body) => [head, head.map(() => "---"), ...body].map((r) => `| ${r.join(" | ")} |`).join("\n");
const ran = (side) => side && !side.error && !side.skipped && side.coordination;
const why = (side) => (side === undefined ? "not run" : side.skipped ? `skipped: ${side.skipped}` : side.error ? `did not run: ${side.error}` : "no figures");

/** The RESULTS.md section (with its markers). */
export function renderCoordinationMarkdown(fleet) {
  const sides = fleet?.sides ?? {};
  if (!STORES.some(([id]) => sides[`coord-${id}-on`] || sides[`coord-${id}-off`])) return `\n${START}\n## Fleet coordination (issue 21)\n\nDid not run.\n${END}\n`;
  const u = fleet.setup;
  const parts = [`
${START}
## Fleet coordination: one exchange per user, in bursts too (issue 21)

Run ${fleet.date ?? "?"}, load average ${fleet.loadAverage1m?.start ?? "?"} → ${fleet.loadAverage1m?.end ?? "?"} (1 min; a 2-core machine shared with other work: absolute latencies carry that noise, the two sides of a store ran back to back under the same conditions). ${u.isolates} isolates, ${u.users} users; each user sends only a first page load: 4 concurrent requests, each to an isolate picked at random, starts spread over 20 s (~40 requests/s, every one a miss). STS = the emulator behind ${u.stsRoundTripMs} ms; every store call (get, set, claim, delete) behind an injected ${u.storeRoundTripMs} ms. Coordination off = the same store with \`storeWaitMs: 0\` (no claim); on = the default (\`storeWaitMs\` 2000 ms, polls every ${POLL_MS} ms). Latency = end to end as the router sees it (loopback HTTP, or Miniflare's dispatch), of the first load's requests.
`];
  const head = ["store", "coordination", "STS calls / user", "first load p50 / p99", "answers miss · store", "store ops / user (get · set · claim · delete)", "errors"];
  const body = [];
  const verdicts = [];
  for (const [id, name] of STORES) {
    const off = sides[`coord-${id}-off`];
    const on = sides[`coord-${id}-on`];
    for (const [label, side] of [["off", off], ["on", on]]) {
      if (!ran(side)) {
        body.push([name, label, why(side), "", "", "", ""]);
        continue;
      }
      const c = side.coordination;
      const ops = c.storeOps ?? {};
      body.push([
        name,
        label,
        `**${side.stsCallsPerUser}**`,
        `${c.firstLoadMs.p50} / ${c.firstLoadMs.p99} ms`,
        `${side.sources.miss ?? 0} · ${side.sources.store ?? 0}`,
        c.storeOpsPerUser === null ? "–" : `${c.storeOpsPerUser} (${ops.get ?? 0} · ${ops.set ?? 0} · ${ops.claim ?? 0} · ${ops.delete ?? 0})`,
        side.errors,
      ]);
    }
    if (ran(off) && ran(on)) {
      const bound = off.coordination.firstLoadMs.p99 + 2 * u.storeRoundTripMs + POLL_MS;
      const calls = on.stsCallsPerUser <= TARGET ? "met" : "MISSED";
      const p99 = on.coordination.firstLoadMs.p99 <= bound ? "met" : "MISSED";
      verdicts.push(`${name}: ${on.stsCallsPerUser} STS calls/user (≤ ${TARGET}: ${calls}); p99 ${on.coordination.firstLoadMs.p99} ms vs bound ${bound.toFixed(1)} ms = uncoordinated p99 + 2 × ${u.storeRoundTripMs} ms + ${POLL_MS} ms (${p99})`);
    }
  }
  parts.push(table(head, body));
  parts.push(`\nTargets: ${verdicts.join("; ") || "no store ran both sides"}.`);
  parts.push(`\nHow to read it: without coordination each isolate a burst reaches before the first exchange has been written exchanges too (4 requests to 8 isolates picked at random reach 3.3 distinct isolates on average: ≈ 3.3 calls per user). With it, one isolate claims the exchange and the others poll the store until its entry lands, so a waiter's answer costs the holder's exchange plus its write, one read, and up to one poll interval — which is why p50 moves by a few store round trips. "store ops / user" counts every call the isolates made to the store (the holder: read, claim, write, release; a waiter: read, claim, then a read per ${POLL_MS} ms of waiting).`);
  return parts.join("\n") + `\n${END}\n`;
}

/** Replaces (or appends) the section in a RESULTS.md text. */
export function withCoordinationSection(text, section) {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1) return text.replace(/\n*$/, "\n") + section;
  return text.slice(0, start).replace(/\n*$/, "\n") + section.replace(/^\n/, "") + text.slice(end + END.length).replace(/^\n/, "");
}
