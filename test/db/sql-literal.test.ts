/**
 * sqlLiteral against two oracles: node-postgres's own escapeLiteral (the same text, character for character) and the
 * database of the run (the literal, sent as a statement, reads back as the original string).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import pg from "pg";
import { sqlLiteral } from "../../src/db/sql.js";
import { openTestDatabase } from "../helpers/database.js";
import type { Database } from "../../src/db/database.js";
import { Rng } from "../../dev/seed/rng.js";

const FIXED = [
  "",
  "plain",
  "it's",
  "''",
  "back\\slash",
  "\\",
  "'\\'",
  "ends with \\",
  "new\nline\ttab\r",
  '{"a":"b\\"c","d":"\\u0027"}',
  "低保 重庆市渝中区 七星岗",
  "emoji 👪 and surrogates",
  "E'not a prefix'",
  "$$ dollar $tag$",
];

function randomStrings(n: number): string[] {
  const rng = new Rng(20261207);
  const alphabet = ["a", "Z", "0", " ", "'", "\\", '"', "\n", "低", "👪", "$", ";", "-", "E"];
  return Array.from({ length: n }, () => Array.from({ length: rng.int(0, 40) }, () => alphabet[rng.int(0, alphabet.length - 1)]).join(""));
}

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db?.close());

test("sqlLiteral writes exactly what node-postgres's escapeLiteral writes", () => {
  for (const s of [...FIXED, ...randomStrings(2000)]) expect(sqlLiteral(s), JSON.stringify(s)).toBe(pg.escapeLiteral(s));
});

test("a literal sent to the database reads back as the original string", async () => {
  const values = [...FIXED, ...randomStrings(200)];
  const rows = await db.sql.query<{ v: string }>(values.map((s, i) => `SELECT ${i} AS i, ${sqlLiteral(s)}::text AS v`).join(" UNION ALL ") + " ORDER BY i");
  expect(rows.map((r) => r.v)).toEqual(values);
});

test("a NUL character is refused (PostgreSQL text cannot hold it)", () => {
  expect(() => sqlLiteral("a\0b")).toThrow(/NUL/);
});
