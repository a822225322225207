import path from "node:path";
import { mkdtempSync, cpSync, appendFileSync, rmSync } from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openTestDatabase } from "../helpers/database.js";
import { readPrismaSchema } from "../helpers/prisma-schema.js";
import { applyMigrations, defaultMigrationsDir, readMigrations } from "../../src/db/migrate.js";
import type { Database } from "../../src/db/database.js";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase(); // applies prisma/migrations
});
afterAll(async () => db?.close());

const declared = readPrismaSchema(path.resolve("prisma/schema.prisma"));

test("the migrations create exactly the tables schema.prisma declares", async () => {
  const rows = await db.sql.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const tables = rows.map((r) => r.table_name).filter((t) => t !== "_prisma_migrations").sort();
  expect(tables).toEqual([...declared.tables.keys()].sort());
});

test("every table has exactly the declared columns, types and nullability", async () => {
  const rows = await db.sql.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string; udt_name: string }>(
    `SELECT table_name, column_name, is_nullable, data_type, udt_name FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  for (const [table, columns] of declared.tables) {
    const actual = rows
      .filter((r) => r.table_name === table)
      .map((r) => ({
        column: r.column_name,
        nullable: r.is_nullable === "YES",
        pgType: r.data_type,
        ...(r.data_type === "USER-DEFINED" && { enumName: r.udt_name }),
      }))
      .sort((a, b) => a.column.localeCompare(b.column));
    expect(actual, `table ${table}`).toEqual([...columns].sort((a, b) => a.column.localeCompare(b.column)));
  }
});

test("every enum has exactly the declared values, in order", async () => {
  const rows = await db.sql.query<{ typname: string; enumlabel: string }>(
    `SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
     JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder`,
  );
  const actual = new Map<string, string[]>();
  for (const r of rows) actual.set(r.typname, [...(actual.get(r.typname) ?? []), r.enumlabel]);
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(declared.enums));
});

test("migrations are recorded like Prisma Migrate's and a second run applies nothing", async () => {
  const recorded = await db.sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
  expect(recorded.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name));
  expect(await applyMigrations(db.sql)).toEqual([]);
});

test("a migration edited after it was applied is refused", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  try {
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    const first = readMigrations(dir)[0].name;
    appendFileSync(path.join(dir, first, "migration.sql"), "\n-- edited\n");
    await expect(applyMigrations(db.sql, dir)).rejects.toThrow(/changed after it was applied/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
