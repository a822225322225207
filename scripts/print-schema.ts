// Writes schema/schema.graphql (the client-facing schema) and schema/subgraph.graphql (the same as an Apollo
// Federation v2 subgraph: @link and @key; what a supergraph is composed from) from the code (npm run schema:print).
// A test fails when they differ.
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { printedSchema, printedSubgraphTypeDefs } from "../src/graphql/schema.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = path.join(root, "schema", "schema.graphql");
writeFileSync(target, await printedSchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
const subgraph = path.join(root, "schema", "subgraph.graphql");
writeFileSync(subgraph, await printedSubgraphTypeDefs());
console.log(`wrote ${path.relative(process.cwd(), subgraph)}`);
