/**
 * The AWS partitions, reduced to what the STS endpoint rules read: how a region name maps to a
 * partition, the partition's DNS suffixes, and whether it offers FIPS and dual-stack endpoints.
 * Follows partitions.json version 1.1 (botocore).
 *
 * @module
 */

/** One AWS partition, as far as STS endpoint resolution needs it. */
export interface Partition {
  /** The partition id, e.g. `aws`, `aws-cn`, `aws-us-gov`. */
  readonly id: string;
  /** Region names of this partition that its {@link Partition.regionRegex} does not match (the `*-global` pseudo-regions). */
  readonly extraRegions: readonly string[];
  /** Matches the region names that belong to this partition. */
  readonly regionRegex: RegExp;
  /** DNS suffix of regional endpoints, e.g. `amazonaws.com`. */
  readonly dnsSuffix: string;
  /** DNS suffix of dual-stack (IPv4 and IPv6) endpoints, e.g. `api.aws`. */
  readonly dualStackDnsSuffix: string;
  /** Whether the partition offers FIPS endpoints. */
  readonly supportsFIPS: boolean;
  /** Whether the partition offers dual-stack endpoints. */
  readonly supportsDualStack: boolean;
}

/**
 * Every known partition, in the order partitions.json lists them (the order matters when matching
 * region names against the regexes). The first one, `aws`, is also the fallback for unknown names.
 */
export const PARTITIONS: readonly Partition[] = [
  {
    id: "aws",
    extraRegions: ["aws-global"],
    regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    dnsSuffix: "amazonaws.com",
    dualStackDnsSuffix: "api.aws",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-cn",
    extraRegions: ["aws-cn-global"],
    regionRegex: /^cn-\w+-\d+$/,
    dnsSuffix: "amazonaws.com.cn",
    dualStackDnsSuffix: "api.amazonwebservices.com.cn",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-eusc",
    extraRegions: [],
    regionRegex: /^eusc-(de)-\w+-\d+$/,
    dnsSuffix: "amazonaws.eu",
    dualStackDnsSuffix: "api.amazonwebservices.eu",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-iso",
    extraRegions: ["aws-iso-global"],
    regionRegex: /^us-iso-\w+-\d+$/,
    dnsSuffix: "c2s.ic.gov",
    dualStackDnsSuffix: "api.aws.ic.gov",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-iso-b",
    extraRegions: ["aws-iso-b-global"],
    regionRegex: /^us-isob-\w+-\d+$/,
    dnsSuffix: "sc2s.sgov.gov",
    dualStackDnsSuffix: "api.aws.scloud",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-iso-e",
    extraRegions: ["aws-iso-e-global"],
    regionRegex: /^eu-isoe-\w+-\d+$/,
    dnsSuffix: "cloud.adc-e.uk",
    dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-iso-f",
    extraRegions: ["aws-iso-f-global"],
    regionRegex: /^us-isof-\w+-\d+$/,
    dnsSuffix: "csp.hci.ic.gov",
    dualStackDnsSuffix: "api.aws.hci.ic.gov",
    supportsFIPS: true,
    supportsDualStack: true,
  },
  {
    id: "aws-us-gov",
    extraRegions: ["aws-us-gov-global"],
    regionRegex: /^us-gov-\w+-\d+$/,
    dnsSuffix: "amazonaws.com",
    dualStackDnsSuffix: "api.aws",
    supportsFIPS: true,
    supportsDualStack: true,
  },
];

const AWS = PARTITIONS[0] as Partition;

/**
 * The partition a region belongs to, as the rule set's `aws.partition` function decides it: an
 * explicitly listed region first, then the first partition whose regex matches, and otherwise
 * `aws`, so that a region newer than this table still resolves to an `amazonaws.com` endpoint.
 *
 * @param region A region name, e.g. `eu-west-1`, `cn-north-1` or `aws-global`.
 * @returns The partition (never undefined: unknown names fall back to `aws`).
 * @throws Never.
 * @example
 * ```ts
 * findPartition("cn-north-1").dnsSuffix; // "amazonaws.com.cn"
 * ```
 */
export function findPartition(region: string): Partition {
  for (const partition of PARTITIONS) {
    if (partition.extraRegions.includes(region)) return partition;
  }
  for (const partition of PARTITIONS) {
    if (partition.regionRegex.test(region)) return partition;
  }
  return AWS;
}
