/**
 * `npm run model:sync -- <folder with the botocore files>`: regenerates test/aws-model/ from botocore's
 * STS files (service-2.json, endpoint-tests-1.json, partitions.json), documentation strings removed,
 * and records the source commit in test/aws-model/README.md when the folder's README names one.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { botocoreCommit, MODEL_FILES, strippedText } from "./aws-model.ts";

const source = process.argv[2];
if (!source) {
  console.error("usage: npm run model:sync -- <folder with service-2.json, endpoint-tests-1.json, partitions.json>");
  process.exit(2);
}
const from = resolve(source);
const to = resolve(import.meta.dirname, "../test/aws-model");
const missing = MODEL_FILES.filter((file) => !existsSync(join(from, file)));
if (missing.length > 0) {
  console.error(`model:sync: ${from} lacks ${missing.join(", ")}`);
  process.exit(1);
}

for (const file of MODEL_FILES) {
  const text = strippedText(readFileSync(join(from, file), "utf8"));
  const target = join(to, file);
  const before = existsSync(target) ? readFileSync(target, "utf8") : undefined;
  writeFileSync(target, text);
  console.log(`${before === text ? "unchanged" : "updated  "} test/aws-model/${file} (${text.length} bytes)`);
}

const commit = existsSync(join(from, "README.md")) ? botocoreCommit(readFileSync(join(from, "README.md"), "utf8")) : undefined;
const notice = join(to, "README.md");
if (commit && existsSync(notice)) {
  const text = readFileSync(notice, "utf8");
  const next = text.replace(/commit `[0-9a-f]{40}`/, `commit \`${commit}\``);
  if (next !== text) writeFileSync(notice, next);
  console.log(`botocore commit ${commit}${next === text ? " (unchanged)" : " recorded in test/aws-model/README.md"}`);
} else if (!commit) {
  console.log("the source folder names no botocore commit: update test/aws-model/README.md by hand");
}
