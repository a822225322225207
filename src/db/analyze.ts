/**
 * Planner statistics after bulk writes. PostgreSQL plans from table statistics; a table filled in bulk
 * (a seed, a mirror's full load, a city-wide monitoring run) has none until ANALYZE runs — and autovacuum,
 * which would run it, may be off or minutes behind (it is off on the machines this project is tested on).
 * Without statistics the planner takes a 2,000,000-person registry for an empty one and answers a shard's
 * "rows of these 500 households" with a hash join over the whole table (1.5 s instead of a few ms,
 * measured), so every bulk writer ends with this. ANALYZE samples (30,000 rows per table by default), so it
 * costs well under a second per table at any size; it takes no lock that blocks reads or writes.
 */
import type { SqlExecutor } from "./sql.js";

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** ANALYZE the given tables of the connection's schema (names are the project's own table names). */
export async function analyzeTables(sql: SqlExecutor, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  for (const t of tables) if (!IDENTIFIER.test(t)) throw new Error(`analyzeTables: not a table name: ${t}`);
  await sql.exec(`ANALYZE ${tables.map((t) => `"${t}"`).join(", ")}`);
}
