import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlExecutor } from "./sql.js";

/** prisma/migrations, found from this file whether run from source or from dist/. */
export function defaultMigrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "prisma", "migrations");
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error("prisma/migrations not found");
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = defaultMigrationsDir()): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Advisory-lock class for migrations; the second key is the schema's hash, so schemas migrate independently. */
const MIGRATION_LOCK_CLASS = 0x5e1f; // arbitrary, constant

/** Serializes migrators on one schema until the end of the current transaction. */
async function lockMigrations(tx: SqlExecutor): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1::int, hashtext(current_schema())) AS locked`, [MIGRATION_LOCK_CLASS]);
}

/**
 * Applies pending migrations in name order, each in its own transaction, recording them in
 * `_prisma_migrations` with Prisma Migrate's columns, so `prisma migrate status` (where the engine is
 * available) sees the same history. A changed, already-applied migration is an error, not a silent skip.
 *
 * Concurrent migrators (two gateways starting, a gateway and `npm run db:migrate`) serialize on a
 * PostgreSQL advisory lock keyed by the schema, taken inside every transaction: each migration is
 * applied exactly once, and a migrator that waited finds it applied and skips it.
 */
export async function applyMigrations(sql: SqlExecutor, dir?: string): Promise<string[]> {
  const migrations = readMigrations(dir);
  const applied = await sql.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
    return appliedChecksums(tx);
  });
  const done: string[] = [];
  for (const m of migrations) {
    const previous = applied.get(m.name);
    if (previous !== undefined) {
      if (previous !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
      continue;
    }
    const ran = await sql.transaction(async (tx) => {
      await lockMigrations(tx);
      // Another migrator may have applied it while this one waited for the lock.
      const now = (await appliedChecksums(tx, m.name)).get(m.name);
      if (now !== undefined) {
        if (now !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
        return false;
      }
      await tx.exec(m.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), 1)`,
        [randomUUID(), m.checksum, m.name],
      );
      return true;
    });
    if (ran) done.push(m.name);
  }
  return done;
}

async function appliedChecksums(sql: SqlExecutor, name?: string): Promise<Map<string, string>> {
  const rows = await sql.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL` +
      (name === undefined ? "" : ` AND migration_name = $1`),
    name === undefined ? [] : [name],
  );
  return new Map(rows.map((r) => [r.migration_name, r.checksum]));
}
