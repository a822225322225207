// Writes schema/schema.graphql from the code's schema (npm run schema:print). A test fails when they differ.
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { printedSchema } from "../src/graphql/schema.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = path.join(root, "schema", "schema.graphql");
writeFileSync(target, await printedSchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
