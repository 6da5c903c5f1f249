/** Reads one of the STS model files the suite carries (test/aws-model/, documentation stripped). */
import { readFileSync } from "node:fs";

export type ModelFile = "service-2.json" | "endpoint-tests-1.json" | "partitions.json";

export function readModel<T>(file: ModelFile): T {
  return JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8")) as T;
}
