/**
 * The direction of the layers (README, Architecture): the feature services take explicit dependencies
 * and plain input objects, so nothing under src/features/ imports the API layer — src/graphql/ (the
 * GraphQL context), schema/ (type-graphql classes), resolvers/ — or the assembly (src/app/); the pure
 * domain imports nothing outside itself (test/architecture/dev-boundary.test.ts).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { format, importsOf, readImports, sourceFiles, type FoundImport } from "./imports.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const API = ["src/graphql/", "schema/", "resolvers/", "src/app/"];

function upward(imports: readonly FoundImport[]): FoundImport[] {
  return imports.filter((i) => i.file.startsWith("src/features/") && i.target !== null && API.some((p) => i.target!.startsWith(p)));
}

test("no feature service imports the API layer or the assembly", () => {
  const files = sourceFiles(REPO, ["src/features"]);
  expect(files).toEqual(expect.arrayContaining(["src/features/facts/gather.ts", "src/features/charity/claims.ts", "src/features/households/validate.ts"]));
  expect(upward(readImports(REPO, files)).map(format)).toEqual([]);
});

test("the rule can fail: a service taking the GraphQL context, a validator taking a type-graphql class", () => {
  const imports = [
    ...importsOf("src/features/facts/gather.ts", 'import type { GatewayContext } from "../../graphql/context.js";\n'),
    ...importsOf("src/features/households/validate.ts", 'import { x } from "./inputs.js";\nimport type { PersonInput } from "../../../schema/inputs.js";\n'),
  ];
  expect(upward(imports).map(format)).toEqual([
    'src/features/facts/gather.ts:1 type-only import of "../../graphql/context.js" (src/graphql/context.ts)',
    'src/features/households/validate.ts:2 type-only import of "../../../schema/inputs.js" (schema/inputs.ts)',
  ]);
});
