/**
 * Region failover: the STS endpoints a client may use, in order, with a short cool-down for the
 * ones that just failed. A call gets a {@link EndpointRoute}: the pipeline asks it for the next
 * attempt's endpoint after a retryable failure, so failover spends the same attempt budget and
 * deadline as a retry.
 *
 * @module
 */
import type { ResolvedEndpoint } from "./endpoints.ts";
import { StsConfigurationError, StsError } from "./errors.ts";
import { defined } from "./operations/shapes.ts";
import { findPartition } from "./partitions.ts";

/** The endpoints of one call, in the order the attempts use them. */
export interface EndpointRoute {
  /** The first attempt's endpoint. */
  readonly first: ResolvedEndpoint;
  /**
   * Told why an attempt failed (and the `Retry-After` its endpoint sent, in ms), when the attempt
   * budget allows another; returns where that one goes and how long it must wait first (the not-before
   * an endpoint of this call set), or `undefined` when the call ends with `failure`. A retryable
   * failure moves to the next endpoint (wrapping around), the failed one cooling down; a region-level
   * one (`RegionDisabledException`: STS deactivated there) moves on too, and leaves its endpoint out of the rest of the call.
   */
  next(failure: StsError, retryAfterMs: number | undefined): { endpoint: ResolvedEndpoint; waitMs: number | undefined } | undefined;
  /**
   * Told right before an attempt goes to `endpoint` (so the call's outcome names only endpoints
   * actually asked, and a deadline interrupting this attempt cools it down).
   * @returns How many other endpoints of this call have not been tried yet (the attempt's time share).
   */
  attempt(endpoint: ResolvedEndpoint): number;
}

/** A route that also learns from the call's outcome. */
export interface SettlingRoute extends EndpointRoute {
  /**
   * Marks the last endpoint asked healthy (it answered) or cooling (it failed retryably, or a deadline
   * interrupted its attempt); passes `result` on.
   */
  settle<T>(result: Promise<T>): Promise<T>;
}

/** Endpoints held in the health table at most (a chooser may name many regions over time). */
const MAX_TRACKED = 256;
/**
 * A region where STS is deactivated stays last this many times the cool-down: an administrator has
 * to act (IAM account settings) before it answers again.
 */
const REGION_DISABLED_COOLDOWN_FACTOR = 10;

/** Output or error of a routed call → the region its last attempt went to. */
const ANSWERED_BY = new WeakMap<object, string>();

/**
 * The STS region the last attempt of a call went to: the one that answered (or failed last).
 * @param result An output or error of a call over several regions.
 * @returns The region, or `undefined` for a call that had one endpoint and no per-call regions.
 */
export function answeredBy(result: unknown): string | undefined {
  return typeof result === "object" && result !== null ? ANSWERED_BY.get(result) : undefined;
}

/**
 * The regions a client may send to and the health of their endpoints, per client (so per isolate
 * for a client made at start-up).
 */
export class RegionFailover {
  readonly #resolve: (region: string) => ResolvedEndpoint;
  readonly #defaults: readonly ResolvedEndpoint[];
  readonly #partition: string | undefined;
  readonly #cooldownMs: number;
  /** How long a timed-out attempt must have run for its endpoint to cool down, in ms. */
  readonly #telling: number;
  /** Endpoint URL → `performance.now()` until which it is skipped (Map order: oldest mark first). Monotonic: a wall clock stepping back does not stretch a cool-down. */
  readonly #coolingUntil = new Map<string, number>();
  readonly #byRegion = new Map<string, ResolvedEndpoint>();
  readonly #regionOf = new WeakMap<ResolvedEndpoint, string>();

  /**
   * @param regions The client's candidate regions, in failover order (may be empty: custom endpoint).
   * @param resolve The endpoint of a region (FIPS / dual-stack / custom per region applied).
   * @param cooldownMs How long a failed endpoint is tried last.
   * @param attemptTimeoutMs The client's per-attempt time-out: a timed-out attempt cools its endpoint only
   *   if it ran at least `min(TELLING_ATTEMPT_MS, attemptTimeoutMs)` (a deadline spent by earlier steps
   *   says nothing about the region).
   * @throws {StsConfigurationError} for regions of different partitions or an invalid region.
   */
  constructor(regions: readonly string[], resolve: (region: string) => ResolvedEndpoint, cooldownMs: number, attemptTimeoutMs = TELLING_ATTEMPT_MS) {
    this.#resolve = resolve;
    this.#cooldownMs = cooldownMs;
    this.#telling = Math.min(TELLING_ATTEMPT_MS, attemptTimeoutMs);
    this.#partition = regions.length === 0 ? undefined : partitionOf(regions);
    this.#defaults = unique(regions.map((region) => this.#endpointOf(region)));
  }

  /**
   * The route of one call: over `regions` when given (this call's order), else over the client's.
   * Cooling endpoints go last, in their order; if all cool, the order is kept.
   * @returns `undefined` when the call has one endpoint and nothing to learn (the client's single region).
   * @throws {StsConfigurationError} for a region of another partition, or an invalid one.
   */
  route(regions?: readonly string[]): SettlingRoute | undefined {
    let endpoints = this.#defaults;
    if (regions !== undefined) {
      if (this.#partition === undefined) {
        throw new StsConfigurationError("per-call regions need a client made with region or regions, not a single custom endpoint");
      }
      if (regions.length === 0) throw new StsConfigurationError("per-call regions must name at least one region");
      if (partitionOf(regions) !== this.#partition) {
        throw new StsConfigurationError(`per-call regions must be in the client's partition (${this.#partition})`);
      }
      endpoints = unique(regions.map((region) => this.#endpointOf(region)));
    } else if (endpoints.length < 2) {
      return undefined;
    }
    return this.#routeOver(this.#order(endpoints));
  }

  /** Whether an endpoint is cooling down now. */
  cooling(url: string, now = performance.now()): boolean {
    const until = this.#coolingUntil.get(url);
    return until !== undefined && now < until;
  }

  #order(endpoints: readonly ResolvedEndpoint[]): ResolvedEndpoint[] {
    if (this.#coolingUntil.size === 0) return [...endpoints];
    const now = performance.now();
    const healthy = endpoints.filter((e) => !this.cooling(e.url, now));
    return healthy.length === endpoints.length ? healthy : [...healthy, ...endpoints.filter((e) => this.cooling(e.url, now))];
  }

  #routeOver(order: ResolvedEndpoint[]): SettlingRoute {
    let current = order[0]!;
    /** The failure already accounted for by `next` (the call may still end with it). */
    let handled: StsError | undefined;
    /** The endpoint of the last attempt made: what the call's outcome is marked with. */
    let asked = current;
    /** The endpoint whose attempt is running (`undefined` between attempts, e.g. in the back-off). */
    let inFlight: ResolvedEndpoint | undefined;
    let attemptStartedAt = 0;
    const tried = new Set<ResolvedEndpoint>();
    /** Endpoints of this call whose region is unavailable: never asked again in this call. */
    const left = new Set<ResolvedEndpoint>();
    /** Endpoint → `performance.now()` before which this call does not ask it again (its `Retry-After`). */
    const notBefore = new Map<ResolvedEndpoint, number>();
    return {
      first: current,
      attempt: (endpoint) => {
        asked = inFlight = endpoint;
        attemptStartedAt = performance.now();
        tried.add(endpoint);
        return order.filter((e) => !tried.has(e) && !left.has(e)).length;
      },
      next: (failure, retryAfterMs) => {
        inFlight = undefined;
        const unavailable = isRegionUnavailable(failure);
        if (!failure.retryable && !unavailable) return undefined;
        const from = order.indexOf(current);
        let to = from;
        do to = (to + 1) % order.length; while (left.has(order[to]!) && to !== from);
        if (unavailable && to === from) return undefined; // nowhere else to go: the call ends here
        if (unavailable) left.add(current);
        if (this.#tells(failure, unavailable, attemptStartedAt)) this.#cool(current.url, unavailable);
        const now = performance.now();
        if (retryAfterMs !== undefined) notBefore.set(current, now + retryAfterMs);
        handled = failure;
        current = order[to]!;
        const until = notBefore.get(current);
        return { endpoint: current, waitMs: until === undefined || until <= now ? undefined : until - now };
      },
      settle: (result) =>
        result.then(
          (value) => {
            this.#coolingUntil.delete(asked.url);
            this.#mark(value, asked);
            return value;
          },
          (err: unknown) => {
            this.#mark(err, asked);
            // Accounted for by `next` (its endpoint is cooling), or ended between attempts (a deadline
            // in the back-off): nothing more to learn.
            if (err === handled || inFlight === undefined) throw err;
            const url = inFlight.url;
            const unavailable = isRegionUnavailable(err);
            // A time-out (its own, or a deadline that interrupted it): that endpoint did not answer in
            // time either — unless the attempt had next to no time (earlier steps spent the deadline).
            if (this.#tells(err, unavailable, attemptStartedAt)) this.#cool(url, unavailable);
            else if (err instanceof StsError && err.status > 0) this.#coolingUntil.delete(url); // it answered
            throw err;
          },
        ),
    };
  }

  /**
   * Whether a failed attempt says its endpoint is in trouble: an unavailable region, a retryable failure
   * (5xx, throttling, network), or a time-out — its own or the deadline's — of an attempt that ran long
   * enough to tell (not one that earlier steps of the miss left with next to no time).
   */
  #tells(err: unknown, unavailable: boolean, attemptStartedAt: number): boolean {
    if (unavailable) return true;
    if (isTimeout(err)) return performance.now() - attemptStartedAt >= this.#telling;
    return coolsDown(err);
  }

  #mark(result: unknown, endpoint: ResolvedEndpoint): void {
    const region = this.#regionOf.get(endpoint);
    if (region !== undefined && typeof result === "object" && result !== null) ANSWERED_BY.set(result, region);
  }

  #cool(url: string, long = false): void {
    if (this.#cooldownMs === 0) return;
    this.#coolingUntil.delete(url);
    this.#coolingUntil.set(url, performance.now() + this.#cooldownMs * (long ? REGION_DISABLED_COOLDOWN_FACTOR : 1));
    while (this.#coolingUntil.size > MAX_TRACKED) this.#coolingUntil.delete(this.#coolingUntil.keys().next().value!);
  }

  #endpointOf(region: string): ResolvedEndpoint {
    let endpoint = this.#byRegion.get(region);
    if (endpoint === undefined) {
      endpoint = this.#resolve(region);
      this.#regionOf.set(endpoint, region);
      if (this.#byRegion.size >= MAX_TRACKED) this.#byRegion.clear();
      this.#byRegion.set(region, endpoint);
    }
    return endpoint;
  }
}

/**
 * The least time an attempt gets while any is left (a share of the deadline never goes below it):
 * enough for one STS round trip with a new TLS connection from the edge.
 */
export const MIN_ATTEMPT_MS = 500;

/**
 * How long a timed-out attempt must have run for its endpoint to cool down: an attempt cut shorter (a
 * deadline that earlier steps had spent) says nothing about the region.
 */
export const TELLING_ATTEMPT_MS = 250;

/**
 * Whether a failure says the region (not the request, not the identity provider) is in trouble:
 * 5xx, throttling, time-out, network. `IDPCommunicationError` fails over but cools nothing down.
 */
function coolsDown(err: unknown): boolean {
  return err instanceof StsError && err.retryable && err.code !== "IDPCommunicationError";
}

/** A time-out: the attempt's own, or the caller's deadline (its signal's `TimeoutError`). */
function isTimeout(err: unknown): boolean {
  return err instanceof StsError && err.code === "TimeoutError";
}

/**
 * Whether a failure says STS will not answer in this region at all: `RegionDisabledException` (STS
 * deactivated for the region in the account's IAM settings). Not retryable at that endpoint, but
 * another region may answer: the call fails over and the region cools down for
 * `REGION_DISABLED_COOLDOWN_FACTOR` times as long.
 */
function isRegionUnavailable(err: unknown): boolean {
  return err instanceof StsError && err.code === "RegionDisabledException";
}

/** Endpoints in order, the first of each URL kept (the global endpoint serves many regions). */
function unique(endpoints: ResolvedEndpoint[]): ResolvedEndpoint[] {
  const seen = new Set<string>();
  return endpoints.filter((e) => !seen.has(e.url) && seen.add(e.url));
}

/** The one partition of `regions`. @throws {StsConfigurationError} when they span several. */
function partitionOf(regions: readonly string[]): string {
  if (!regions.every((region) => typeof region === "string")) throw new StsConfigurationError("STS regions must be strings");
  const ids = new Set(regions.map((region) => findPartition(region).id));
  if (ids.size > 1) {
    throw new StsConfigurationError(`STS regions must all be in one partition (credentials do not cross partitions): got ${[...ids].join(", ")}`);
  }
  return [...ids][0]!;
}

/** The client options that decide which endpoints a client may use. */
export interface RegionOptions {
  region?: string;
  regions?: readonly string[];
  endpoint?: string;
  endpoints?: Readonly<Record<string, string>>;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  useGlobalEndpoint?: boolean;
}

/** A client's regions, how a region becomes an endpoint, and the scope its credentials are valid in. */
export interface ClientRegions {
  /** Candidate regions in failover order; empty for a client of one custom `endpoint`. */
  regions: readonly string[];
  /** The endpoint of a region under the client's switches and per-region endpoints. */
  endpointOf: (region: string) => ResolvedEndpoint;
  /** The partition id, or the custom endpoint's URL (plus any per-region endpoints): never one region's. */
  scope: string;
  /** With `endpoints`: their regions, the only ones the client sends to. */
  endpointRegions?: readonly string[];
}

/**
 * Checks how `region`, `regions`, `endpoint` and `endpoints` combine.
 * @throws {StsConfigurationError} for combinations that cannot work.
 */
export function clientRegions(options: RegionOptions, endpointOf: (params: RegionOptions) => ResolvedEndpoint): ClientRegions {
  const { region, regions, endpoint, endpoints } = options;
  if (endpoints !== undefined) {
    if (typeof endpoints !== "object" || endpoints === null || Object.values(endpoints).some((url) => typeof url !== "string")) {
      throw new StsConfigurationError("endpoints must map region names to endpoint URLs");
    }
  }
  // A client of private endpoints (VPC interface endpoints) sends to them only: a region without one
  // is refused, never resolved to its public endpoint (the token would leave the private network).
  const endpointRegions = endpoints === undefined ? undefined : Object.freeze(Object.keys(endpoints));
  const perRegion = (name: string): ResolvedEndpoint => {
    if (endpoints !== undefined && !Object.hasOwn(endpoints, name)) {
      throw new StsConfigurationError(
        `region ${name} has no endpoint: a client with endpoints sends only to theirs (${endpointRegions!.join(", ")}), never to a public one`,
      );
    }
    return endpointOf({ ...options, region: name, endpoint: endpoints?.[name] });
  };
  if (regions === undefined) {
    if (endpoint !== undefined) {
      if (endpoints !== undefined) throw new StsConfigurationError("give endpoint (one endpoint) or endpoints (one per region), not both");
      const single = endpointOf(options);
      return { regions: [], endpointOf: () => single, scope: `endpoint:${single.url}` };
    }
    const list = region === undefined ? [] : [region];
    if (list.length > 0) perRegion(list[0]!); // refuse a bad configuration at once
    else endpointOf(options); // throws "Missing Region"
    return defined({ regions: list, endpointOf: perRegion, scope: scopeOf(list, endpoints), endpointRegions });
  }
  if (!Array.isArray(regions) || regions.length === 0) throw new StsConfigurationError("regions must be a non-empty list of region names");
  if (region !== undefined) throw new StsConfigurationError("give region or regions, not both");
  if (endpoint !== undefined) throw new StsConfigurationError("endpoint names one endpoint: give endpoints (one per region) with regions");
  partitionOf(regions);
  for (const name of regions) perRegion(name);
  return defined({ regions: Object.freeze([...regions]), endpointOf: perRegion, scope: scopeOf(regions, endpoints), endpointRegions });
}

function scopeOf(regions: readonly string[], endpoints: Readonly<Record<string, string>> | undefined): string {
  const partition = partitionOf(regions);
  if (endpoints === undefined) return partition;
  const custom = Object.entries(endpoints).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${partition} ${custom.map(([name, url]) => `${name}=${url}`).join(" ")}`;
}
