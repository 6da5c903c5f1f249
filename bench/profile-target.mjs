/**
 * A fixed loop of one scenario (bench/lib/sides.mjs), for a CPU profiler: `node --cpu-prof` or
 * `bun --cpu-prof` (Deno has no CLI profiler). run.mjs summarises each profile by function and by
 * package. Scenarios: awwi, sdk-awwi, gci, sdk-gci, hit, bare.
 *   node --cpu-prof --cpu-prof-dir=bench/.out/profiles/x bench/profile-target.mjs awwi 3000
 */
import process from "node:process";
import { makeOp } from "./lib/sides.mjs";

const [scenario, count = "3000", libArg] = process.argv.slice(2);
const op = await makeOp(scenario, new URL(libArg ?? "./.out/dist/", import.meta.url));
const n = Math.min(Number(count), 200_000);
for (let i = 0; i < n; i++) await op();
process.exit(0);
