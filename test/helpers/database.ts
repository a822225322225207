import { randomBytes } from "node:crypto";
import pg from "pg";
import { ensureSchema, openDatabase, postgresTarget, type Database } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or — when DATABASE_URL
 * is set (CI's second pass) — a schema of its own on that PostgreSQL server, dropped on close, so
 * parallel test files and runs never see each other's data.
 */
export async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ kind: "pglite", dataDir: null });
    await applyMigrations(db.sql);
    return db;
  }
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const base = postgresTarget(url);
  if (base.kind !== "postgres") throw new Error("unreachable");
  const target = { kind: "postgres", url: base.url, schema } as const;
  await ensureSchema(target);
  const db = await openDatabase(target);
  await applyMigrations(db.sql);
  return {
    ...db,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: base.url });
      await c.connect();
      await c.query(`DROP SCHEMA "${schema}" CASCADE`);
      await c.end();
    },
  };
}
