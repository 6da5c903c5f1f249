/**
 * Where things are, approximately: the commercial AWS regions, a few dozen airports (the codes
 * Cloudflare colos, Fly.io and Vercel regions are named after), the Google Cloud regions Deno
 * Deploy ran in, and one point per continent. Coordinates are the metro area's, in degrees, to
 * about 0.1°: enough to rank regions by distance, which is all they are used for.
 *
 * @module
 */

/** A point on the globe, in degrees. */
export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

/** A commercial AWS region of the table. */
export interface AwsRegionInfo extends Coordinates {
  /** Disabled in an account until enabled (every region launched after March 2019). */
  readonly optIn: boolean;
}

type Row = readonly [latitude: number, longitude: number];

// [lat, lon, opt-in]. Order: us-east-1 first (the AWS default), then roughly west to east.
const AWS: Record<string, readonly [number, number, boolean]> = {
  "us-east-1": [39.0, -77.5, false], // N. Virginia
  "us-east-2": [40.0, -83.0, false], // Ohio
  "us-west-1": [37.4, -121.9, false], // N. California
  "us-west-2": [45.8, -119.7, false], // Oregon
  "ca-central-1": [45.5, -73.6, false], // Montréal
  "ca-west-1": [51.0, -114.1, true], // Calgary
  "mx-central-1": [20.6, -100.4, true], // Querétaro
  "sa-east-1": [-23.5, -46.6, false], // São Paulo
  "eu-west-1": [53.3, -6.3, false], // Ireland
  "eu-west-2": [51.5, -0.1, false], // London
  "eu-west-3": [48.9, 2.4, false], // Paris
  "eu-south-2": [41.6, -0.9, true], // Spain (Aragón)
  "eu-central-1": [50.1, 8.7, false], // Frankfurt
  "eu-central-2": [47.4, 8.5, true], // Zurich
  "eu-south-1": [45.5, 9.2, true], // Milan
  "eu-north-1": [59.3, 18.1, false], // Stockholm
  "af-south-1": [-33.9, 18.4, true], // Cape Town
  "il-central-1": [32.1, 34.8, true], // Tel Aviv
  "me-south-1": [26.1, 50.6, true], // Bahrain
  "me-central-1": [24.5, 54.4, true], // UAE
  "ap-south-1": [19.1, 72.9, false], // Mumbai
  "ap-south-2": [17.4, 78.5, true], // Hyderabad
  "ap-southeast-1": [1.3, 103.8, false], // Singapore
  "ap-southeast-5": [3.1, 101.7, true], // Malaysia
  "ap-southeast-7": [13.8, 100.5, true], // Thailand
  "ap-southeast-3": [-6.2, 106.8, true], // Jakarta
  "ap-east-1": [22.3, 114.2, true], // Hong Kong
  "ap-east-2": [25.0, 121.6, true], // Taipei
  "ap-northeast-2": [37.6, 127.0, false], // Seoul
  "ap-northeast-3": [34.7, 135.5, false], // Osaka
  "ap-northeast-1": [35.7, 139.7, false], // Tokyo
  "ap-southeast-2": [-33.9, 151.2, false], // Sydney
  "ap-southeast-4": [-37.8, 145.0, true], // Melbourne
  "ap-southeast-6": [-36.8, 174.8, true], // New Zealand
};

// IATA codes: Cloudflare colos (`request.cf.colo`), Fly.io regions, Vercel regions without the digit.
const AIRPORTS: Record<string, Row> = {
  akl: [-37.0, 174.8], ams: [52.3, 4.8], arn: [59.7, 17.9], atl: [33.6, -84.4], bkk: [13.7, 100.7],
  bog: [4.7, -74.1], bom: [19.1, 72.9], bos: [42.4, -71.0], cdg: [49.0, 2.5], cgk: [-6.1, 106.7],
  cle: [41.4, -81.8], cpt: [-34.0, 18.6], del: [28.6, 77.1], den: [39.9, -104.7], dfw: [32.9, -97.0],
  dub: [53.4, -6.3], dxb: [25.3, 55.4], eze: [-34.8, -58.5], ewr: [40.7, -74.2], fra: [50.0, 8.6],
  gdl: [20.5, -103.3], gig: [-22.8, -43.2], gru: [-23.4, -46.5], hkg: [22.3, 113.9], hnd: [35.6, 139.8],
  iad: [38.9, -77.5], icn: [37.5, 126.4], ist: [41.3, 28.7], jnb: [-26.1, 28.2], kix: [34.4, 135.2],
  kul: [2.7, 101.7], lax: [33.9, -118.4], lhr: [51.5, -0.5], lim: [-12.0, -77.1], mad: [40.5, -3.6],
  mel: [-37.7, 144.8], mia: [25.8, -80.3], mxp: [45.6, 8.7], nrt: [35.8, 140.4], ord: [42.0, -87.9],
  otp: [44.6, 26.1], pdx: [45.6, -122.6], phx: [33.4, -112.0], qro: [20.6, -100.2], scl: [-33.4, -70.8],
  sea: [47.4, -122.3], sfo: [37.6, -122.4], sin: [1.4, 104.0], sjc: [37.4, -121.9], syd: [-33.9, 151.2],
  tlv: [32.0, 34.9], tpe: [25.1, 121.2], waw: [52.2, 21.0], yul: [45.5, -73.7], yyz: [43.7, -79.6],
};

// Google Cloud regions, the form Deno Deploy's `DENO_REGION` took (`gcp-europe-west3`).
const GCP: Record<string, Row> = {
  "asia-east1": [24.1, 120.7], "asia-northeast1": [35.7, 139.7], "asia-northeast3": [37.6, 127.0],
  "asia-south1": [19.1, 72.9], "asia-southeast1": [1.3, 103.8], "australia-southeast1": [-33.9, 151.2],
  "europe-north1": [60.6, 27.2], "europe-west1": [50.4, 3.8], "europe-west2": [51.5, -0.1],
  "europe-west3": [50.1, 8.7], "northamerica-northeast1": [45.5, -73.6], "southamerica-east1": [-23.5, -46.6],
  "us-central1": [41.3, -95.9], "us-east1": [33.2, -80.0], "us-east4": [39.0, -77.5],
  "us-west1": [45.6, -121.2], "us-west2": [34.1, -118.2],
};

// Cloudflare's `request.cf.continent` codes: a central point of where the continent's traffic is.
const CONTINENTS: Record<string, Row> = {
  AF: [0.0, 20.0], AN: [-75.0, 0.0], AS: [25.0, 105.0], EU: [50.0, 10.0],
  NA: [40.0, -95.0], OC: [-30.0, 145.0], SA: [-15.0, -55.0],
};

const point = (row: Row | undefined): Coordinates | undefined =>
  row === undefined ? undefined : { latitude: row[0], longitude: row[1] };

/**
 * The table entry of a commercial AWS region.
 * @param region e.g. `eu-west-1`.
 * @returns Its coordinates and whether it is opt-in, or `undefined` for a region the table lacks
 *   (other partitions, regions newer than the table).
 */
export function awsRegionInfo(region: string): AwsRegionInfo | undefined {
  const row = Object.hasOwn(AWS, region) ? AWS[region] : undefined;
  return row === undefined ? undefined : { latitude: row[0], longitude: row[1], optIn: row[2] };
}

/** The commercial regions of the table that every account has enabled, `us-east-1` first. */
export const DEFAULT_STS_REGIONS: readonly string[] = Object.freeze(
  Object.keys(AWS).filter((region) => !AWS[region]![2]),
);

/** An airport by IATA code (any case), e.g. a Cloudflare colo `SYD` or a Fly.io region `fra`. */
export function airportCoordinates(code: string): Coordinates | undefined {
  const key = code.toLowerCase();
  return point(Object.hasOwn(AIRPORTS, key) ? AIRPORTS[key] : undefined);
}

/** A Google Cloud region, e.g. `europe-west3`. */
export function gcpRegionCoordinates(region: string): Coordinates | undefined {
  return point(Object.hasOwn(GCP, region) ? GCP[region] : undefined);
}

/** A Cloudflare continent code (`EU`, `NA`, …). */
export function continentCoordinates(code: string): Coordinates | undefined {
  return point(Object.hasOwn(CONTINENTS, code) ? CONTINENTS[code] : undefined);
}
