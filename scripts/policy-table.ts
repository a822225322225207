// Rewrites the policy table in README.md (between <!-- policy-table:start --> and <!-- policy-table:end -->)
// from src/policy/rules.ts (npm run policy:table). A test fails when README.md's block is out of date.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { renderPolicyTable, replacePolicyBlock } from "../src/policy/table.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = path.join(root, "README.md");
const before = existsSync(target) ? readFileSync(target, "utf8") : "";
const after = replacePolicyBlock(before, renderPolicyTable());
if (after === before) {
  console.log(`${path.relative(process.cwd(), target)}: policy table already up to date`);
} else {
  writeFileSync(target, after);
  console.log(`wrote the policy table into ${path.relative(process.cwd(), target)}`);
}
