/**
 * The smallest SQL surface the gateway needs beside Prisma: migrations, bulk seeding and health checks.
 * Implemented for PGlite (embedded) and node-postgres (server), so both databases run the same SQL.
 */

export interface SqlExecutor {
  readonly kind: "pglite" | "postgres";
  /** One parameterised statement ($1, $2, ...). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * `query`, as a statement each connection prepares once and keeps (PostgreSQL then skips parsing it, and plans it
   * from its plan cache): for the hot statements of every request, whose texts are a small fixed set. Optional: PGlite
   * (in process) has no per-statement cost to save; call it through `queryPrepared`, which falls back to `query`.
   */
  prepared?<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Several statements without parameters (values inlined with sqlLiteral) in one round trip: each statement's rows,
   * parsed as `query` parses them. Optional (PGlite, in process, has no round trip to save).
   */
  statements?(script: string): Promise<Record<string, unknown>[][]>;
  /** Runs fn inside one transaction on one connection. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * `transaction`, with `first` (parameterless statements, e.g. taking an advisory lock) run right after BEGIN in
   * the same round trip to the database; `fn` gets the rows of the last of them (each statement runs with a
   * snapshot of its own, so one after a lock sees what committed before the lock was granted). Optional: a wrapper
   * without it makes callers run `first` themselves.
   */
  transactionWith?<T>(first: string, fn: (tx: SqlExecutor, opened: Record<string, unknown>[]) => Promise<T>): Promise<T>;
  /**
   * Only on the executor a `transactionWith` hands to its `fn`, where it can: `script` (parameterless statements,
   * values inlined with sqlLiteral) and COMMIT in one round trip — the transaction ends there (a failing statement
   * never reaches COMMIT, and the transaction rolls back). Each statement's rows, as `statements` gives them.
   */
  commitWith?(script: string): Promise<Record<string, unknown>[][]>;
}

/** `sql.prepared` where the executor has it, else `sql.query`: the same rows either way. */
export function queryPrepared<T = Record<string, unknown>>(sql: SqlExecutor, text: string, params: unknown[] = []): Promise<T[]> {
  return sql.prepared ? sql.prepared<T>(text, params) : sql.query<T>(text, params);
}

/**
 * A string as an SQL literal, exactly as node-postgres's escapeLiteral writes it (quotes doubled; backslashes doubled
 * in an E'' string, which it prefixes with a space) — tested against it. Written with replaceAll: escapeLiteral builds
 * its result a character at a time, which was ≈ 2 % of a live read's CPU on the access record's JSON (session 10).
 */
export function sqlLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL character cannot be an SQL literal");
  const quoted = value.includes("'") ? value.replaceAll("'", "''") : value;
  return value.includes("\\") ? ` E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}
