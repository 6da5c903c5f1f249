/**
 * The nearest STS region: where the code runs, from what the platform says about it, and the
 * candidate regions ranked by great-circle distance from there.
 *
 * @module
 */
import {
  airportCoordinates,
  awsRegionInfo,
  continentCoordinates,
  DEFAULT_STS_REGIONS,
  gcpRegionCoordinates,
} from "./region-table.ts";
import type { Coordinates } from "./region-table.ts";

export { DEFAULT_STS_REGIONS } from "./region-table.ts";
export type { Coordinates } from "./region-table.ts";

/**
 * What a platform says about where the code runs. Every member is optional; the first that can be
 * placed on the map wins, in the order listed here.
 */
export interface PlatformHints {
  /** Cloudflare Workers' `request.cf` (`colo`, `latitude`, `longitude`, `continent`). */
  cf?: {
    colo?: unknown;
    latitude?: unknown;
    longitude?: unknown;
    continent?: unknown;
  };
  /** Deno Deploy's `DENO_REGION` (`gcp-europe-west3`, `europe-west3`, or an AWS region name). */
  denoRegion?: string;
  /** Fly.io's `FLY_REGION` (an airport code: `fra`, `syd`, …). */
  flyRegion?: string;
  /** Vercel's `VERCEL_REGION` (`fra1`, `iad1`, …). */
  vercelRegion?: string;
  /** `AWS_REGION` (Lambda, Lambda@Edge, Vercel and Netlify functions). */
  awsRegion?: string;
}

/** Where the code runs, and which hint said so. */
export interface PlatformLocation extends Coordinates {
  /** e.g. `"cf.colo"`, `"cf.latitude"`, `"DENO_REGION"`. */
  readonly source: string;
}

/**
 * Places the code on the map from the platform's hints.
 * @param hints What the platform says (see {@link PlatformHints}).
 * @returns The location and its source, or `undefined` when no hint can be placed.
 * @example
 * ```ts
 * locate({ cf: { colo: "SYD" } }); // { latitude: -33.9, longitude: 151.2, source: "cf.colo" }
 * ```
 */
export function locate(hints: PlatformHints): PlatformLocation | undefined {
  const { cf } = hints;
  if (cf !== undefined && cf !== null && typeof cf === "object") {
    const colo = typeof cf.colo === "string" ? airportCoordinates(cf.colo) : undefined;
    if (colo) return { ...colo, source: "cf.colo" };
    const latitude = degrees(cf.latitude);
    const longitude = degrees(cf.longitude);
    if (Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
      return { latitude, longitude, source: "cf.latitude" };
    }
    const continent = typeof cf.continent === "string" ? continentCoordinates(cf.continent) : undefined;
    if (continent) return { ...continent, source: "cf.continent" };
  }
  const deno = placeOf(hints.denoRegion, denoRegion);
  if (deno) return { ...deno, source: "DENO_REGION" };
  const fly = placeOf(hints.flyRegion, airportCoordinates);
  if (fly) return { ...fly, source: "FLY_REGION" };
  const vercel = placeOf(hints.vercelRegion, (code) => airportCoordinates(code.replace(/\d+$/, "")));
  if (vercel) return { ...vercel, source: "VERCEL_REGION" };
  const aws = placeOf(hints.awsRegion, awsRegionInfo);
  if (aws) return { latitude: aws.latitude, longitude: aws.longitude, source: "AWS_REGION" };
  return undefined;
}

/**
 * Ranks candidate STS regions by distance from where the code runs, nearest first. Regions the
 * table does not know (other partitions, newer regions) follow, in the order given; without a
 * location the order given is kept, so the first candidate is the choice.
 *
 * @param hints What the platform says about where the code runs.
 * @param candidates The regions to choose from. @default DEFAULT_STS_REGIONS (the commercial regions
 *   every account has enabled; opt-in regions are chosen only when listed here)
 * @returns The candidates, nearest first (a new array).
 * @example
 * ```ts
 * nearestRegions({ flyRegion: "syd" }, ["us-east-1", "eu-west-1", "ap-southeast-2"]);
 * // ["ap-southeast-2", "us-east-1", "eu-west-1"]
 * ```
 */
export function nearestRegions(hints: PlatformHints, candidates: readonly string[] = DEFAULT_STS_REGIONS): string[] {
  const here = locate(hints);
  return here === undefined ? [...candidates] : byDistance(here, candidates);
}

/**
 * Orders regions by distance from a point (stable for equal distances; unknown regions last).
 * @param from The point.
 * @param regions The regions.
 * @returns A new array, nearest first.
 */
export function byDistance(from: Coordinates, regions: readonly string[]): string[] {
  return regions
    .map((region, index) => {
      const info = awsRegionInfo(region);
      return { region, index, km: info === undefined ? Infinity : distanceKm(from, info) };
    })
    .sort((a, b) => a.km - b.km || a.index - b.index)
    .map((entry) => entry.region);
}

/**
 * Great-circle distance (haversine, mean Earth radius).
 * @returns Kilometres between the two points.
 */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Coordinates of a region name, if the table knows it. */
export function regionCoordinates(region: string): Coordinates | undefined {
  const info = awsRegionInfo(region);
  return info && { latitude: info.latitude, longitude: info.longitude };
}

function placeOf(value: string | undefined, find: (value: string) => Coordinates | undefined): Coordinates | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" || trimmed.length > 64 ? undefined : find(trimmed);
}

/** `gcp-europe-west3`, `europe-west3`, `aws-eu-west-1`, `eu-west-1`, or an airport code. */
function denoRegion(value: string): Coordinates | undefined {
  const name = value.toLowerCase().replace(/^(gcp|aws)-/, "");
  return gcpRegionCoordinates(name) ?? regionCoordinates(name) ?? airportCoordinates(name);
}

/** Workers give coordinates as strings (`"-33.86540"`); anything else that is not a number is NaN. */
function degrees(value: unknown): number {
  if (typeof value === "number") return value;
  return typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
}
