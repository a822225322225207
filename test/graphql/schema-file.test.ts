import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { printedSchema } from "../../src/graphql/schema.js";

test("schema/schema.graphql is the code's schema (run `npm run schema:print` after changing types)", async () => {
  const checkedIn = readFileSync("schema/schema.graphql", "utf8");
  expect(await printedSchema()).toBe(checkedIn);
});
