/**
 * One error-code module: every stable `extensions.code` is declared in src/errors.ts (ErrorCode), and the
 * codes that reach clients with their own message (CLIENT_CODES) are among them. A code written as a
 * literal anywhere in the production code must be one of ErrorCode's — or one of the few codes that are
 * not error codes (named below, with what they are).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { CLIENT_CODES, ErrorCode } from "../../src/errors.js";
import { sourceFiles } from "./imports.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NOT_ERROR_CODES = new Map([
  ["STALE_RECORD", "a fact's failure code in the aid chain's incomplete checks (data, not an error)"],
  ["WITHHELD", "the noninterference marker of a source an audience may not read (data)"],
  ["ERR_JOSE_GENERIC", "jose's own error code, matched when verifying a token"],
  ["EDGE_INVALID_UTF8", "an internal Fastify error code, mapped to BAD_REQUEST / INVALID_UTF8 (src/app/edge/http-errors.ts)"],
]);

/** Every `code: "X"` literal (upper-case codes) with its file and line. */
function codeLiterals(files: readonly string[], read: (f: string) => string): { where: string; code: string }[] {
  return files.flatMap((f) =>
    read(f)
      .split("\n")
      .flatMap((line, i) => [...line.matchAll(/\bcode:\s*"([A-Z][A-Z0-9_]+)"/g)].map((m) => ({ where: `${f}:${i + 1}`, code: m[1] }))),
  );
}

const declared = new Set<string>(Object.values(ErrorCode));
const undeclared = (found: { where: string; code: string }[]) => found.filter((c) => !declared.has(c.code) && !NOT_ERROR_CODES.has(c.code)).map((c) => `${c.where} ${c.code}`);

test("every code literal in the production code is declared in src/errors.ts", () => {
  const files = sourceFiles(REPO, ["src", "resolvers", "schema", "connectors"]);
  const found = codeLiterals(files, (f) => readFileSync(path.join(REPO, f), "utf8"));
  expect(found.length).toBeGreaterThan(5);
  expect(undeclared(found)).toEqual([]);
});

test("the codes clients see with their own message are declared codes", () => {
  expect([...CLIENT_CODES].filter((c) => !declared.has(c))).toEqual([]);
  expect(CLIENT_CODES.has(ErrorCode.INTERNAL_SERVER_ERROR)).toBe(false);
});

test("the rule can fail: an undeclared code is named with its file and line", () => {
  const text = 'throw new GraphQLError("no", { extensions: { code: "FORBIDDEN" } });\nreturn { extensions: { code: "NOT_ALLOWED_HERE" } };\n';
  expect(undeclared(codeLiterals(["src/x.ts"], () => text))).toEqual(["src/x.ts:2 NOT_ALLOWED_HERE"]);
});
