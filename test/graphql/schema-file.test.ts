import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { printedSchema, printedSubgraphTypeDefs } from "../../src/graphql/schema.js";

test("schema/schema.graphql is the code's schema (run `npm run schema:print` after changing types)", async () => {
  const checkedIn = readFileSync("schema/schema.graphql", "utf8");
  expect(await printedSchema()).toBe(checkedIn);
});

test("schema/subgraph.graphql is the code's subgraph SDL: the client schema with @link and @key (run `npm run schema:print`)", async () => {
  const checkedIn = readFileSync("schema/subgraph.graphql", "utf8");
  expect(await printedSubgraphTypeDefs()).toBe(checkedIn);
  expect(checkedIn).toContain(`type Household @key(fields: "id")`);
  expect(checkedIn).toContain(`type Person @key(fields: "id")`);
});
