import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { resolveEndpoint } from "../src/endpoints.ts";
import type { EndpointParams } from "../src/endpoints.ts";
import { StsConfigurationError } from "../src/errors.ts";
import { findPartition, PARTITIONS } from "../src/partitions.ts";
import { readModel } from "./aws-model/load.ts";

// The official cases, from the model copy the suite carries (test/aws-model/, documentation stripped).
interface EndpointTestCase {
  params?: {
    Region?: string;
    UseFIPS?: boolean;
    UseDualStack?: boolean;
    UseGlobalEndpoint?: boolean;
    Endpoint?: string;
  };
  expect:
    | { error: string }
    | { endpoint: { url: string; properties?: { authSchemes?: { signingName?: string; signingRegion?: string }[] } } };
}

const { testCases } = readModel<{ testCases: EndpointTestCase[] }>("endpoint-tests-1.json");

/** A test name from the case's parameters and expectation (the model copy carries no prose). */
function describeCase(tc: EndpointTestCase): string {
  const params = Object.entries(tc.params ?? {}).map(([k, v]) => `${k}=${v}`).join(", ") || "no parameters";
  return `${params} → ${"error" in tc.expect ? "error" : tc.expect.endpoint.url}`;
}

function toParams(p: EndpointTestCase["params"] = {}): EndpointParams {
  return {
    region: p.Region,
    useFipsEndpoint: p.UseFIPS,
    useDualstackEndpoint: p.UseDualStack,
    useGlobalEndpoint: p.UseGlobalEndpoint,
    endpoint: p.Endpoint,
  };
}

const EXPECTED_CASES = 69;
let ran = 0;

describe("endpoint-tests-1.json", () => {
  for (const [i, tc] of testCases.entries()) {
    test(`#${i}: ${describeCase(tc)}`, () => {
      const params = toParams(tc.params);
      if ("error" in tc.expect) {
        const expected = tc.expect.error;
        assert.throws(
          () => resolveEndpoint(params),
          (err: unknown) => err instanceof StsConfigurationError && err.message === expected,
        );
      } else {
        const { url, properties } = tc.expect.endpoint;
        const resolved = resolveEndpoint(params);
        assert.equal(resolved.url, url);
        assert.equal(resolved.signingName, "sts");
        const scheme = properties?.authSchemes?.[0];
        if (scheme?.signingRegion !== undefined) assert.equal(resolved.signingRegion, scheme.signingRegion);
        if (scheme?.signingName !== undefined) assert.equal(resolved.signingName, scheme.signingName);
      }
      ran++;
    });
  }

  // Declared last, so node:test runs it after every case above.
  test(`ran and passed all ${EXPECTED_CASES} cases`, () => {
    assert.equal(testCases.length, EXPECTED_CASES, "endpoint-tests-1.json changed size");
    assert.equal(ran, EXPECTED_CASES);
  });
});

describe("resolveEndpoint", () => {
  test("signs with the region itself when the rules name no signing region", () => {
    assert.deepEqual(resolveEndpoint({ region: "eu-west-1" }), {
      url: "https://sts.eu-west-1.amazonaws.com",
      signingRegion: "eu-west-1",
      signingName: "sts",
    });
    assert.equal(resolveEndpoint({ region: "us-gov-west-1", useFipsEndpoint: true }).signingRegion, "us-gov-west-1");
  });

  test("useGlobalEndpoint only moves legacy regions, and not with FIPS or dual-stack", () => {
    assert.deepEqual(resolveEndpoint({ region: "eu-west-1", useGlobalEndpoint: true }), {
      url: "https://sts.amazonaws.com",
      signingRegion: "us-east-1",
      signingName: "sts",
    });
    assert.equal(resolveEndpoint({ region: "eu-south-1", useGlobalEndpoint: true }).url, "https://sts.eu-south-1.amazonaws.com");
    assert.equal(resolveEndpoint({ region: "cn-north-1", useGlobalEndpoint: true }).url, "https://sts.cn-north-1.amazonaws.com.cn");
    assert.equal(
      resolveEndpoint({ region: "eu-west-1", useGlobalEndpoint: true, useFipsEndpoint: true }).url,
      "https://sts-fips.eu-west-1.amazonaws.com",
    );
    assert.equal(
      resolveEndpoint({ region: "eu-west-1", useGlobalEndpoint: true, useDualstackEndpoint: true }).url,
      "https://sts.eu-west-1.api.aws",
    );
  });

  test("keeps a custom endpoint exactly, path included, and signs with the configured region", () => {
    const r = resolveEndpoint({ region: "eu-west-1", endpoint: "https://vpce-0abc.sts.eu-west-1.vpce.amazonaws.com/prefix/" });
    assert.equal(r.url, "https://vpce-0abc.sts.eu-west-1.vpce.amazonaws.com/prefix/");
    assert.equal(r.signingRegion, "eu-west-1");
    assert.equal(resolveEndpoint({ region: "us-east-1", endpoint: "http://localhost:4566" }).url, "http://localhost:4566");
  });

  test("a custom endpoint without a region signs for us-east-1", () => {
    assert.equal(resolveEndpoint({ endpoint: "https://example.com" }).signingRegion, "us-east-1");
  });

  test("refuses a custom endpoint fetch could not use, without echoing it", () => {
    const withUserInfo = ["https://user:hunter2@sts.example.com", "http://AKIDhunter2@127.0.0.1:4566/"];
    for (const endpoint of ["", "not a url", "localhost:4566", "ftp://example.com", "https://user:hunter2@", ...withUserInfo]) {
      assert.throws(
        () => resolveEndpoint({ region: "us-east-1", endpoint }),
        (err: unknown) => err instanceof StsConfigurationError && !err.message.includes("hunter2"),
        endpoint,
      );
    }
  });

  test("refuses a region that is not a valid host label", () => {
    for (const region of ["", "us-east-1.evil.example", "us-east-1/", "eu west 1", "-us-east-1", "us-east-1-", "a".repeat(64), "us_east_1", "us-east-1#"]) {
      assert.throws(
        () => resolveEndpoint({ region }),
        (err: unknown) => err instanceof StsConfigurationError && err.code === "STS_CONFIGURATION_ERROR",
        JSON.stringify(region),
      );
    }
    // also when the region would only be used for signing
    assert.throws(() => resolveEndpoint({ region: "a.b", endpoint: "https://example.com" }), StsConfigurationError);
    // a label of exactly 63 characters is fine
    assert.equal(resolveEndpoint({ region: "a".repeat(63) }).url, `https://sts.${"a".repeat(63)}.amazonaws.com`);
  });

  test("missing region and endpoint is a configuration error", () => {
    assert.throws(() => resolveEndpoint({}), StsConfigurationError);
    assert.throws(() => resolveEndpoint({ useGlobalEndpoint: true }), /Missing Region/);
  });

  test("uses each partition's suffixes", () => {
    assert.equal(resolveEndpoint({ region: "cn-northwest-1", useFipsEndpoint: true }).url, "https://sts-fips.cn-northwest-1.amazonaws.com.cn");
    assert.equal(resolveEndpoint({ region: "us-gov-east-1" }).url, "https://sts.us-gov-east-1.amazonaws.com");
    assert.equal(resolveEndpoint({ region: "us-gov-west-1", useDualstackEndpoint: true }).url, "https://sts.us-gov-west-1.api.aws");
    assert.equal(resolveEndpoint({ region: "us-iso-west-1", useDualstackEndpoint: true }).url, "https://sts.us-iso-west-1.api.aws.ic.gov");
    assert.equal(resolveEndpoint({ region: "us-isob-west-1" }).url, "https://sts.us-isob-west-1.sc2s.sgov.gov");
    assert.equal(resolveEndpoint({ region: "eu-isoe-west-1" }).url, "https://sts.eu-isoe-west-1.cloud.adc-e.uk");
    assert.equal(resolveEndpoint({ region: "us-isof-south-1", useFipsEndpoint: true }).url, "https://sts-fips.us-isof-south-1.csp.hci.ic.gov");
    assert.equal(resolveEndpoint({ region: "eusc-de-east-1" }).url, "https://sts.eusc-de-east-1.amazonaws.eu");
    // pseudo-regions listed by name rather than matched by regex
    assert.equal(resolveEndpoint({ region: "aws-cn-global" }).url, "https://sts.aws-cn-global.amazonaws.com.cn");
    // a region newer than the table falls back to the aws partition
    assert.equal(resolveEndpoint({ region: "xx-new-1" }).url, "https://sts.xx-new-1.amazonaws.com");
  });
});

describe("partitions table", () => {
  interface ModelPartition {
    id: string;
    regionRegex: string;
    regions: Record<string, unknown>;
    outputs: { dnsSuffix: string; dualStackDnsSuffix: string; supportsFIPS: boolean; supportsDualStack: boolean };
  }
  const model = readModel<{ partitions: ModelPartition[] }>("partitions.json");

  test("agrees with partitions.json", () => {
    assert.deepEqual(PARTITIONS.map((p) => p.id), model.partitions.map((p) => p.id));
    for (const mp of model.partitions) {
      const p = PARTITIONS.find((x) => x.id === mp.id);
      assert.ok(p);
      assert.equal(p.regionRegex.source, mp.regionRegex.replaceAll("\\-", "-"), mp.id);
      assert.equal(p.dnsSuffix, mp.outputs.dnsSuffix, mp.id);
      assert.equal(p.dualStackDnsSuffix, mp.outputs.dualStackDnsSuffix, mp.id);
      assert.equal(p.supportsFIPS, mp.outputs.supportsFIPS, mp.id);
      assert.equal(p.supportsDualStack, mp.outputs.supportsDualStack, mp.id);
      for (const region of Object.keys(mp.regions)) assert.equal(findPartition(region).id, mp.id, region);
    }
  });
});
