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

/** Table names are the project's own, spliced into statements: anything else is refused. */
function checkNames(tables: readonly string[]): void {
  for (const t of tables) if (!IDENTIFIER.test(t)) throw new Error(`not a table name: ${t}`);
}

/** ANALYZE the given tables of the connection's schema (names are the project's own table names). */
export async function analyzeTables(sql: SqlExecutor, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  checkNames(tables);
  await sql.exec(`ANALYZE ${tables.map((t) => `"${t}"`).join(", ")}`);
}

/**
 * ANALYZE those of `tables` changed by more than half the rows the last statistics counted (at least 1,000 rows) since
 * their last ANALYZE — what autovacuum would do, for a server where it is off or behind, at a coarser step (autovacuum
 * analyses after 10 %; a plan does not change within a factor of 1.5, and each ANALYZE of the stored alerts costs
 * ≈ 0.5 s at 2,000,000 persons: a first run from empty then analyses about 20 times instead of about 80). For writers that grow a table while planning against it: a first full monitoring run fills its stored
 * results from empty, and without statistics the planner took the stored alerts for a few hundred rows and resolved
 * each shard's alerts by scanning all of them (0.5–3 s per shard, growing with the table: measured at 2,000,000
 * persons). One process at a time (a transaction-level advisory lock; the others go on without waiting). PostgreSQL
 * only: returns the tables analysed (none on PGlite, whose single connection has no other writer to wait for).
 */
export async function analyzeWhereGrown(sql: SqlExecutor, kind: "pglite" | "postgres", tables: readonly string[]): Promise<string[]> {
  if (kind !== "postgres" || tables.length === 0) return [];
  checkNames(tables);
  const grown = await sql.query<{ relname: string }>(
    `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = current_schema() AND s.relname = ANY($1::text[])
        AND s.n_mod_since_analyze > greatest(1000, 0.5 * greatest(c.reltuples, 0))`,
    [[...tables]],
  );
  if (grown.length === 0) return [];
  return sql.transaction(async (tx) => {
    const [lock] = await tx.query<{ got: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('analyze ' || current_schema())) AS got`);
    if (!lock.got) return [];
    const names = grown.map((g) => g.relname);
    await analyzeTables(tx, names);
    return names;
  });
}
