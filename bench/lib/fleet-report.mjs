/**
 * Renders #10 (bench/fleet.mjs's JSON) for the printed table and bench/RESULTS.md: its own section, so
 * the issue-6 report is left as it is.
 */

const TARGET = 1.1;
const ms = (x) => (x === undefined || x === null || Number.isNaN(x) ? "–" : `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`);
const table = (head, body) => [head, head.map(() => "---"), ...body].map((r) => `| ${r.join(" | ")} |`).join("\n");

/** Pairs each store side with the per-isolate-only side of the same runtime. */
function pairs(fleet) {
  const s = fleet.sides;
  return [
    ["Redis, Node processes", s["node-none"], s["node-redis"], "Node processes"],
    ["Redis, Node processes, first page load = 4 parallel requests", s["node-none"], s["node-redis-burst"], "Node processes"],
    ["Deno KV, Deno processes", s["deno-none"], s["deno-kv"], "Deno processes"],
    ["Workers KV, Miniflare Workers", s["miniflare-none"], s["miniflare-kv"], "Miniflare Workers"],
  ].filter(([, a, b]) => a || b);
}

const ran = (side) => side && !side.error && !side.skipped;
const why = (side) => (side === undefined ? "not run" : side.skipped ? `skipped: ${side.skipped}` : `did not run: ${side.error}`);
const met = (side, burst) => (burst ? "report" : side.stsCallsPerUser <= TARGET ? "met" : "MISSED");

/** Rows for the summary table printed at the end of `npm run bench`. */
export function fleetRows(fleet) {
  if (!fleet || fleet.ran === false) return [["#10 fleet", "did not run", "", "", "", ""]];
  return pairs(fleet).map(([name, none, store]) => {
    const burst = name.includes("parallel");
    if (!ran(store)) return [`#10 fleet: ${name}`, why(store), "", "", "", ""];
    return [
      `#10 fleet: ${name}`,
      `${store.stsCallsPerUser} STS calls/user/lifetime`,
      ran(none) ? `isolate cache only: ${none.stsCallsPerUser}` : why(none),
      ran(none) ? `${(none.stsCallsPerUser / store.stsCallsPerUser).toFixed(1)}× fewer` : "–",
      burst ? "report" : `≤ ${TARGET} with the store`,
      met(store, burst),
    ];
  });
}

/** The RESULTS.md section. */
export function renderFleetMarkdown(fleet) {
  if (!fleet || fleet.ran === false) return "\n## #10 fleet (issue 11)\n\nDid not run.\n";
  const u = fleet.setup;
  const parts = [`
## #10 fleet: one exchange per user across the fleet (issue 11)

Run ${fleet.date ?? "?"} (load average ${fleet.loadAverage1m?.start ?? "?"} → ${fleet.loadAverage1m?.end ?? "?"}). ${u.isolates} isolates sharing one store, ${u.users} users × ${u.requestsPerUser} requests routed at random; STS = the emulator behind ${u.stsRoundTripMs} ms, the store behind ${u.storeRoundTripMs} ms. ${fleet.method} Whole section: ${fleet.durationSeconds} s.

The run lies within one credential lifetime, so STS calls per user = calls per user per credential lifetime. Without a store it is the number of isolates a user reached; with one it should be 1 (target ≤ ${TARGET}).
`];
  const head = ["side", "STS calls / user", "isolates seen / user", "answers hit · store · miss", "middleware p50 / p90 / p99", "not an isolate hit: p50 / p99", "middleware time per user (sum)", "store errors", "fleet CPU / request", "errors"];
  const body = [];
  for (const [name, none, store, runtime] of pairs(fleet)) {
    for (const [label, side] of [[`${runtime}: per-isolate cache only`, none], [`${name}: with the store`, store]]) {
      if (side === none && body.some((row) => row[0] === label)) continue; // one baseline row per runtime
      if (!ran(side)) {
        body.push([label, why(side), "", "", "", "", "", "", "", ""]);
        continue;
      }
      const src = side.sources;
      const errs = side.storeErrors ? Object.entries(side.storeErrors).map(([k, n]) => `${k} ${n}`).join(", ") || "0" : "–";
      body.push([
        label,
        `**${side.stsCallsPerUser}**`,
        side.isolatesSeenPerUser,
        `${src.hit ?? 0} · ${src.store ?? 0} · ${src.miss ?? 0}`,
        `${ms(side.middlewareMs.p50)} / ${ms(side.middlewareMs.p90)} / ${ms(side.middlewareMs.p99)}`,
        `${ms(side.middlewareMsNotIsolateHit.p50)} / ${ms(side.middlewareMsNotIsolateHit.p99)}`,
        ms(side.middlewareMsPerUser.mean),
        errs,
        side.fleetCpuUsPerRequest === null ? "–" : `${side.fleetCpuUsPerRequest} µs`,
        side.errors,
      ]);
    }
  }
  parts.push(table(head, body));
  const verdicts = pairs(fleet).filter(([name, , store]) => ran(store) && !name.includes("parallel")).map(([name, , store]) => `${name}: ${store.stsCallsPerUser} (${met(store)})`);
  parts.push(`\nTarget ≤ ${TARGET} STS calls per user per lifetime with the store: ${verdicts.join("; ") || "no store side ran"}.`);
  const extra = pairs(fleet)
    .filter(([name, , store]) => ran(store) && !name.includes("parallel") && store.storeErrors && store.stsCalls > u.users)
    .map(([name, , store]) => `${name}: ${store.stsCalls - u.users} exchanges beyond one per user, ${store.storeErrors["get:timeout"] ?? 0} store reads over storeTimeoutMs (answered by STS), ${store.storeErrors["set:timeout"] ?? 0} writes over their bound`);
  if (extra.length) parts.push(`\nWhere the extra exchanges come from: ${extra.join("; ")}. A read slower than \`storeTimeoutMs\` (50 ms by default) is what a loaded machine adds on top of the injected 5 ms; the 1-minute load average is in the first line.`);
  parts.push(`\n"not an isolate hit" is the request the store is for: the first one a user sends to an isolate. "store errors" counts onStoreError reports (a get over storeTimeoutMs is a \`get:timeout\`, answered by STS instead). With parallel first requests each isolate reached before the first exchange finished also exchanges: the store removes repeats over a lifetime, not concurrent first requests in different isolates.`);

  const cpu = fleet.cpu;
  if (cpu && !cpu.error) {
    const rows = Object.entries(cpu.sides).map(([n, s]) => [n, `${s.cpuUsPerRequest} µs`, `${s.wallUsPerRequest} µs`, s.ops]);
    parts.push(`\n**CPU of a store hit vs an STS exchange** (Node ${cpu.node}): ${cpu.method}.\n\n${table(["request answered by", "CPU / request", "wall / request", "requests"], rows)}\n\n` +
      `An exchange over loopback HTTP costs ${cpu.exchangeHttpOverStoreHit}× the CPU of a store hit (its local work alone, canned XML without HTTP: ${cpu.exchangeLocalOverStoreHit}×; the store hit's key derivation and AES-GCM cost more than parsing the XML), ` +
      `and it waits for STS's round trip (${u.stsRoundTripMs} ms here, 50–300 ms from the edge) and counts against STS's quota. "exchange + store" is what the isolate that makes the exchange pays: the store read that missed, the exchange, the sealed write.`);
  } else if (cpu) {
    parts.push(`\nCPU of a store hit vs an STS exchange: ${cpu.error}`);
  }
  return parts.join("\n") + "\n";
}
