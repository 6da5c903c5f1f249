/**
 * STS endpoint resolution, hand-coded from the STS endpoint rule set (endpoint-rule-set-1.json):
 * regional endpoints by default, the legacy global endpoint where asked for and allowed, FIPS,
 * dual-stack, every partition, a custom endpoint, and the signing region that goes with each.
 *
 * @module
 */

import { StsConfigurationError } from "./errors.ts";
import { findPartition } from "./partitions.ts";

/** What to resolve an STS endpoint from. Mirrors the client options of the same names. */
export interface EndpointParams {
  /** The AWS region, e.g. `eu-west-1`. Required unless `endpoint` is given. */
  region?: string;
  /** Use the FIPS endpoint of the region. Default `false`. */
  useFipsEndpoint?: boolean;
  /** Use the dual-stack (IPv4 and IPv6) endpoint of the region. Default `false`. */
  useDualstackEndpoint?: boolean;
  /**
   * Send requests for the legacy regions to `https://sts.amazonaws.com` (signed for `us-east-1`)
   * instead of the regional endpoint. Default `false`.
   */
  useGlobalEndpoint?: boolean;
  /** A custom endpoint URL (VPC endpoint, local emulator); used exactly as given. */
  endpoint?: string;
}

/** Where to send STS requests and how to sign them. */
export interface ResolvedEndpoint {
  /** The endpoint URL, e.g. `https://sts.eu-west-1.amazonaws.com` (no trailing slash added). */
  url: string;
  /** The region to sign with (e.g. `us-east-1` for the global endpoint). */
  signingRegion: string;
  /** The SigV4 service name. */
  signingName: "sts";
}

const GLOBAL_URL = "https://sts.amazonaws.com";
const GLOBAL_SIGNING_REGION = "us-east-1";

/**
 * Signing region when a custom endpoint is given without a region: the rule set names none, and
 * `us-east-1` is the region the global STS endpoint signs with.
 */
const DEFAULT_SIGNING_REGION = "us-east-1";

/** The regions `useGlobalEndpoint` sends to the global endpoint (the rule set's legacy list). */
const LEGACY_GLOBAL_REGIONS: ReadonlySet<string> = new Set([
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "aws-global",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

/** One DNS label: 1–63 letters, digits and hyphens, not starting or ending with a hyphen. */
const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/**
 * Resolves the STS endpoint URL and signing region for a configuration, as the STS endpoint rule
 * set does. Cheap enough to call per request; it keeps no state.
 *
 * @param params The region, the FIPS / dual-stack / global switches, and an optional custom endpoint.
 * @returns The endpoint URL, the signing region and the signing name.
 * @throws {StsConfigurationError} When the configuration cannot work: no region and no endpoint,
 *   a region that is not a valid DNS label, a custom endpoint that is not an http(s) URL or is
 *   combined with FIPS or dual-stack, or FIPS / dual-stack in a partition that lacks it.
 * @example
 * ```ts
 * resolveEndpoint({ region: "eu-west-1" });
 * // { url: "https://sts.eu-west-1.amazonaws.com", signingRegion: "eu-west-1", signingName: "sts" }
 * resolveEndpoint({ region: "eu-west-1", useGlobalEndpoint: true });
 * // { url: "https://sts.amazonaws.com", signingRegion: "us-east-1", signingName: "sts" }
 * ```
 */
export function resolveEndpoint(params: EndpointParams): ResolvedEndpoint {
  const { region, endpoint } = params;
  const fips = params.useFipsEndpoint === true;
  const dualStack = params.useDualstackEndpoint === true;

  // The region becomes part of a host name (or of the SigV4 scope), so anything that is not a
  // single DNS label is refused rather than allowed to change which host is called.
  if (region !== undefined && !HOST_LABEL.test(region)) {
    throw new StsConfigurationError(
      "Invalid Configuration: region must be a valid host label (letters, digits and hyphens)",
    );
  }

  if (
    params.useGlobalEndpoint === true && endpoint === undefined && region !== undefined &&
    !fips && !dualStack && LEGACY_GLOBAL_REGIONS.has(region)
  ) {
    return endpointOf(GLOBAL_URL, GLOBAL_SIGNING_REGION);
  }

  if (endpoint !== undefined) {
    if (fips) throw new StsConfigurationError("Invalid Configuration: FIPS and custom endpoint are not supported");
    if (dualStack) {
      throw new StsConfigurationError("Invalid Configuration: Dualstack and custom endpoint are not supported");
    }
    checkCustomEndpoint(endpoint);
    return endpointOf(endpoint, region ?? DEFAULT_SIGNING_REGION);
  }

  if (region === undefined) throw new StsConfigurationError("Invalid Configuration: Missing Region");

  const partition = findPartition(region);
  if (fips && dualStack) {
    if (!partition.supportsFIPS || !partition.supportsDualStack) {
      throw new StsConfigurationError("FIPS and DualStack are enabled, but this partition does not support one or both");
    }
    return endpointOf(`https://sts-fips.${region}.${partition.dualStackDnsSuffix}`, region);
  }
  if (fips) {
    if (!partition.supportsFIPS) throw new StsConfigurationError("FIPS is enabled but this partition does not support FIPS");
    // GovCloud's regular STS endpoints are already FIPS endpoints.
    if (partition.id === "aws-us-gov") return endpointOf(`https://sts.${region}.amazonaws.com`, region);
    return endpointOf(`https://sts-fips.${region}.${partition.dnsSuffix}`, region);
  }
  if (dualStack) {
    if (!partition.supportsDualStack) {
      throw new StsConfigurationError("DualStack is enabled but this partition does not support DualStack");
    }
    return endpointOf(`https://sts.${region}.${partition.dualStackDnsSuffix}`, region);
  }
  // `aws-global` names the global endpoint even without `useGlobalEndpoint`.
  if (region === "aws-global") return endpointOf(GLOBAL_URL, GLOBAL_SIGNING_REGION);
  return endpointOf(`https://sts.${region}.${partition.dnsSuffix}`, region);
}

function endpointOf(url: string, signingRegion: string): ResolvedEndpoint {
  return { url, signingRegion, signingName: "sts" };
}

/** Refuses what fetch could not use, e.g. `localhost:4566` (which parses with scheme `localhost:`). */
function checkCustomEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // The endpoint is not echoed: it may carry user info.
    throw new StsConfigurationError("Invalid Configuration: endpoint is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new StsConfigurationError("Invalid Configuration: endpoint must be an http: or https: URL");
  }
  // fetch refuses such URLs, and its error would quote them.
  if (url.username !== "" || url.password !== "") {
    throw new StsConfigurationError("Invalid Configuration: endpoint must not contain user info");
  }
}
