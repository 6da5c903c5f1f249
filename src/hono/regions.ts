/**
 * The middleware's STS regions per request: a fixed order, the nearest candidates from what the
 * platform says about where the code runs, or the user's own choice.
 *
 * @module
 */
import type { Context, Env } from "hono";
import { env } from "hono/adapter";
import type { StsClient } from "../client.ts";
import { StsConfigurationError } from "../errors.ts";
import { findPartition } from "../partitions.ts";
import { byDistance, DEFAULT_STS_REGIONS, locate, regionCoordinates } from "../regions.ts";
import type { PlatformHints } from "../regions.ts";

/**
 * Which STS regions the exchange goes to:
 * - `["eu-west-1", "eu-central-1"]`: this order; a retryable failure moves to the next.
 * - `"nearest"`: the commercial regions every account has enabled, nearest first.
 * - `{ nearest: ["eu-west-1", "us-east-1", "ap-southeast-2"] }`: these, nearest first (list opt-in regions here).
 * - `(c) => region | regions`: your choice per request; a single region is followed by the client's
 *   other candidates, nearest to it first. `undefined` means `"nearest"`.
 */
export type StsRegions<E extends Env = any> =
  | readonly string[]
  | "nearest"
  | { nearest: readonly string[] }
  | ((c: Context<E>) => string | readonly string[] | null | undefined | Promise<string | readonly string[] | null | undefined>);

/** The order of one request's attempts, or `undefined` for the client's own order. */
export type RegionsFor = (c: Context) => readonly string[] | undefined | Promise<readonly string[] | undefined>;

/** The environment variables read as hints, in the order they are trusted. */
const HINT_VARIABLES = [
  ["denoRegion", "DENO_REGION"],
  ["flyRegion", "FLY_REGION"],
  ["vercelRegion", "VERCEL_REGION"],
  ["awsRegion", "AWS_REGION"],
] as const;

/**
 * Checks `stsRegions` at start-up.
 * @returns The list the middleware's own client is made with (absent for a function).
 * @throws {StsConfigurationError} for a value that is none of the accepted forms.
 */
export function clientRegionsOf(option: StsRegions | undefined): readonly string[] | undefined {
  if (option === undefined || typeof option === "function") return option === undefined ? undefined : DEFAULT_STS_REGIONS;
  if (option === "nearest") return DEFAULT_STS_REGIONS;
  const list = Array.isArray(option) ? option : typeof option === "object" && option !== null ? (option as { nearest?: unknown }).nearest : undefined;
  if (!Array.isArray(list) || list.length === 0 || !list.every((r) => typeof r === "string" && r !== "")) {
    throw new StsConfigurationError(
      'stsCredentials: stsRegions must be a non-empty list of regions, "nearest", { nearest: [regions] } or a function',
    );
  }
  return list;
}

/**
 * The per-request resolver of `stsRegions` for a client.
 * @param option The checked option.
 * @param client The client the middleware calls (its `regions` are the candidates of a function's choice).
 * @param own Whether the middleware made the client from `option` (then a fixed list needs no per-call order).
 */
export function regionsResolver(option: StsRegions | undefined, client: StsClient, own: boolean): RegionsFor | undefined {
  if (option === undefined) return undefined;
  if (Array.isArray(option)) {
    const fixed = Object.freeze([...option]);
    if (!own) checkRoutable(client, fixed, false);
    return own ? undefined : () => fixed;
  }
  const listed = typeof option === "object" && option !== null && "nearest" in option;
  // A client of private endpoints chooses among its own regions: never a public endpoint's.
  const candidates = listed
    ? Object.freeze([...option.nearest])
    : !own && (client.regions?.length > 1 || client.endpointRegions !== undefined) ? client.regions : DEFAULT_STS_REGIONS;
  if (!own) checkRoutable(client, candidates, !listed);
  const nearest = (c: Context) => nearestFor(c, candidates);
  if (typeof option !== "function") return nearest;
  return async (c) => {
    const chosen = await option(c);
    if (chosen === undefined || chosen === null) return nearest(c);
    if (Array.isArray(chosen)) return chosen;
    if (typeof chosen !== "string") throw new StsConfigurationError(`stsCredentials: stsRegions returned a ${typeof chosen}`);
    const from = regionCoordinates(chosen);
    const rest = candidates.filter((region) => region !== chosen);
    return [chosen, ...(from === undefined ? [] : byDistance(from, rest))];
  };
}

/**
 * Refuses, at start-up, a client that could not send to `regions` (so every request would fail):
 * one custom endpoint, or another partition.
 * @param defaults Whether `regions` are the default candidates (not listed by the user).
 * @throws {StsConfigurationError} naming the client's endpoint or partition and the regions.
 */
function checkRoutable(client: StsClient, regions: readonly string[], defaults: boolean): void {
  if (!(client.regions?.length > 0)) {
    throw new StsConfigurationError(
      `stsCredentials: stsRegions needs a client made with region or regions, but this client has one custom endpoint (${client.endpoint.url}): ` +
        "give it regions and endpoints (one URL per region), or drop stsRegions",
    );
  }
  const reachable = client.endpointRegions;
  const unreachable = reachable === undefined ? [] : regions.filter((region) => !reachable.includes(region));
  if (unreachable.length > 0) {
    throw new StsConfigurationError(
      `stsCredentials: stsRegions lists ${unreachable.slice(0, 3).join(", ")}${unreachable.length > 3 ? ", …" : ""}, but the client sends only to ` +
        `its endpoints (${reachable!.join(", ")}): give those regions endpoints too, or leave them out`,
    );
  }
  const partition = findPartition(client.regions[0]!).id;
  const foreign = regions.filter((region) => findPartition(region).id !== partition);
  if (foreign.length === 0) return;
  const named = `${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}`;
  const other = `partition ${findPartition(foreign[0]!).id}`;
  throw new StsConfigurationError(
    `stsCredentials: the client sends to partition ${partition} (${client.regions.join(", ")}), but ` +
      (defaults
        ? `stsRegions chooses among the default regions (${named}) of ${other}: give the client regions of its own (they become the candidates) or list ${partition} regions in stsRegions`
        : `stsRegions lists ${named} of ${other}: list ${partition} regions only`),
  );
}

/** The candidates, nearest first from where this request is served; the list as given without a hint. */
function nearestFor(c: Context, candidates: readonly string[]): readonly string[] {
  const cf = (c.req.raw as { cf?: PlatformHints["cf"] }).cf;
  const here = locate({ cf }) ?? locate(envHints(c));
  return here === undefined ? candidates : byDistance(here, candidates);
}

/** `DENO_REGION`, `FLY_REGION`, `VERCEL_REGION`, `AWS_REGION`, from bindings or the runtime's environment. */
export function envHints(c: Context): PlatformHints {
  const hints: Record<string, string> = {};
  for (const [key, name] of HINT_VARIABLES) {
    const value = envVariable(c, name);
    if (value !== undefined) hints[key] = value;
  }
  return hints;
}

interface DenoLike {
  env?: { get(name: string): string | undefined };
  permissions?: { querySync?(descriptor: { name: "env"; variable: string }): { state: string } };
}

/**
 * One variable: `c.env` first (Workers' vars, or bindings a server passes), then the runtime's
 * environment (Deno only when env access is already granted: never a permission prompt).
 */
function envVariable(c: Context, name: string): string | undefined {
  const bindings = c.env as Record<string, unknown> | undefined;
  const bound = bindings !== null && typeof bindings === "object" ? bindings[name] : undefined;
  if (typeof bound === "string") return bound;
  try {
    const deno = (globalThis as { Deno?: DenoLike }).Deno;
    if (deno?.env !== undefined) {
      return deno.permissions?.querySync?.({ name: "env", variable: name }).state === "granted" ? deno.env.get(name) : undefined;
    }
    const value = (env(c) as Record<string, unknown> | undefined)?.[name];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined; // no environment on this runtime
  }
}
