/**
 * The nearest STS region from each platform hint, the table's facts (opt-in regions), and the order
 * of candidates the table does not know.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { awsRegionInfo } from "../src/region-table.ts";
import { byDistance, DEFAULT_STS_REGIONS, distanceKm, locate, nearestRegions, regionCoordinates } from "../src/regions.ts";

const THREE = ["us-east-1", "eu-central-1", "ap-southeast-2"];

describe("locate and nearestRegions: one platform hint at a time", () => {
  const cases: [string, Parameters<typeof nearestRegions>[0], string, string][] = [
    ["Workers request.cf.colo (Sydney)", { cf: { colo: "SYD" } }, "cf.colo", "ap-southeast-2"],
    ["Workers request.cf.colo (Frankfurt)", { cf: { colo: "FRA", latitude: "-33.9", longitude: "151.2" } }, "cf.colo", "eu-central-1"],
    ["Workers request.cf latitude/longitude (strings, as Workers give them)", { cf: { colo: "ZZZ", latitude: "-33.86540", longitude: "151.20700" } }, "cf.latitude", "ap-southeast-2"],
    ["Workers request.cf latitude/longitude (numbers)", { cf: { latitude: 48.1, longitude: 11.6 } }, "cf.latitude", "eu-central-1"],
    ["Workers request.cf.continent only", { cf: { continent: "OC" } }, "cf.continent", "ap-southeast-2"],
    ["Deno Deploy DENO_REGION (gcp-europe-west3)", { denoRegion: "gcp-europe-west3" }, "DENO_REGION", "eu-central-1"],
    ["Deno Deploy DENO_REGION (asia-southeast1, no prefix)", { denoRegion: "asia-southeast1" }, "DENO_REGION", "ap-southeast-2"],
    ["Deno DENO_REGION naming an AWS region", { denoRegion: "us-east-1" }, "DENO_REGION", "us-east-1"],
    ["Fly.io FLY_REGION", { flyRegion: "syd" }, "FLY_REGION", "ap-southeast-2"],
    ["Vercel VERCEL_REGION", { vercelRegion: "fra1" }, "VERCEL_REGION", "eu-central-1"],
    ["AWS_REGION", { awsRegion: "ap-northeast-1" }, "AWS_REGION", "ap-southeast-2"],
  ];
  for (const [name, hints, source, nearest] of cases) {
    test(name, () => {
      assert.equal(locate(hints)?.source, source);
      assert.equal(nearestRegions(hints, THREE)[0], nearest);
    });
  }

  test("no hint: the candidates as given, so the first is the choice", () => {
    assert.equal(locate({}), undefined);
    assert.deepEqual(nearestRegions({}, THREE), THREE);
    assert.equal(nearestRegions({})[0], "us-east-1");
    // Hints that cannot be placed count as none.
    const unplaceable = { cf: { colo: "ZZZ", latitude: "", longitude: "abc", continent: "XX" }, denoRegion: "local", flyRegion: "", vercelRegion: "dev1", awsRegion: "nowhere-1" };
    assert.equal(locate(unplaceable), undefined);
    assert.deepEqual(nearestRegions(unplaceable, THREE), THREE);
  });

  test("request.cf wins over the environment; the environment in the documented order", () => {
    assert.equal(locate({ cf: { colo: "SYD" }, flyRegion: "fra", awsRegion: "us-east-1" })?.source, "cf.colo");
    assert.equal(locate({ denoRegion: "gcp-us-east4", flyRegion: "syd" })?.source, "DENO_REGION");
    assert.equal(locate({ flyRegion: "syd", vercelRegion: "iad1", awsRegion: "eu-west-1" })?.source, "FLY_REGION");
    assert.equal(locate({ vercelRegion: "iad1", awsRegion: "ap-southeast-2" })?.source, "VERCEL_REGION");
  });

  test("the whole order is by distance: the failover order from Sydney", () => {
    assert.deepEqual(nearestRegions({ cf: { colo: "SYD" } }, THREE), ["ap-southeast-2", "us-east-1", "eu-central-1"]);
    const fromLondon = nearestRegions({ flyRegion: "lhr" });
    assert.deepEqual(fromLondon.slice(0, 3), ["eu-west-2", "eu-west-3", "eu-west-1"]);
    assert.equal(fromLondon.length, DEFAULT_STS_REGIONS.length);
  });
});

describe("the region table", () => {
  test("opt-in regions are never default candidates, so never chosen unless listed", () => {
    for (const region of ["af-south-1", "ap-east-1", "me-south-1", "eu-south-1", "ap-southeast-4", "il-central-1", "ca-west-1"]) {
      assert.equal(awsRegionInfo(region)?.optIn, true, region);
      assert.ok(!DEFAULT_STS_REGIONS.includes(region), region);
    }
    // Running in Cape Town: the nearest enabled-by-default region, not af-south-1 …
    assert.notEqual(nearestRegions({ awsRegion: "af-south-1" })[0], "af-south-1");
    // … unless the app lists it.
    assert.equal(nearestRegions({ awsRegion: "af-south-1" }, ["eu-west-1", "af-south-1"])[0], "af-south-1");
    assert.equal(nearestRegions({ cf: { colo: "MEL" } }, ["ap-southeast-2", "ap-southeast-4"])[0], "ap-southeast-4");
  });

  test("the default candidates are the 17 regions every account has, us-east-1 first", () => {
    assert.equal(DEFAULT_STS_REGIONS[0], "us-east-1");
    assert.deepEqual([...DEFAULT_STS_REGIONS].sort(), [
      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
      "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
      "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ]);
  });

  test("distances are plausible (great circle)", () => {
    const km = (a: string, b: string) => distanceKm(regionCoordinates(a)!, regionCoordinates(b)!);
    assert.ok(Math.abs(km("us-east-1", "ap-southeast-2") - 15_700) < 300, String(km("us-east-1", "ap-southeast-2")));
    assert.ok(Math.abs(km("eu-west-2", "eu-west-3") - 340) < 40);
    assert.equal(km("eu-west-1", "eu-west-1"), 0);
  });

  test("regions the table does not know (other partitions, newer regions) follow, in the order given", () => {
    const order = byDistance(regionCoordinates("eu-west-1")!, ["us-gov-west-1", "us-east-1", "cn-north-1", "eu-west-2"]);
    assert.deepEqual(order, ["eu-west-2", "us-east-1", "us-gov-west-1", "cn-north-1"]);
    assert.deepEqual(nearestRegions({ flyRegion: "syd" }, ["us-gov-west-1", "us-gov-east-1"]), ["us-gov-west-1", "us-gov-east-1"]);
    assert.equal(awsRegionInfo("toString"), undefined); // no prototype lookups
  });
});
