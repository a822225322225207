import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.js";
import type { SqlExecutor } from "./sql.js";
import { acquireOwnerLock, type OwnerLock } from "./owner-lock.js";
import { tracedPrismaAdapter, tracedSql } from "../telemetry/db-spans.js";

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string | null } // null: in memory (tests)
  | { kind: "postgres"; url: string; schema: string };

export interface Database {
  readonly target: DatabaseTarget;
  readonly prisma: PrismaClient;
  readonly sql: SqlExecutor;
  /** embedded database in a directory: this process's exclusive lock on it (src/db/owner-lock.ts) */
  readonly owner?: OwnerLock;
  /** embedded database: the PGlite instance itself (the job engine runs on it in-process, src/monitoring/engine.ts) */
  readonly pglite?: PGlite;
  close(): Promise<void>;
}

/** A PostgreSQL server that could not be reached or refused the connection: says where and why. */
export class DatabaseConnectError extends Error {
  readonly code = "DATABASE_UNREACHABLE";
  constructor(readonly where: string, readonly reason: string) {
    super(`cannot connect to PostgreSQL at ${where}: ${reason}`);
  }
}

/** host:port/database of a postgresql:// URL, without user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get("host") || "localhost";
    return `${host}:${u.port || "5432"}/${decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres"}`;
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

function connectReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e?.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ETIMEDOUT":
      return "connection timed out";
    case "3D000":
      return `database does not exist (${e.message})`;
    case "28P01":
    case "28000":
      return `authentication failed (${e.message})`;
    default:
      return e?.message || String(err);
  }
}

/** A PostgreSQL target's server accepts a connection (DatabaseConnectError otherwise); nothing for PGlite. */
export async function assertReachable(target: DatabaseTarget): Promise<void> {
  if (target.kind === "postgres") await connectProbe(target, false);
}

/** Connects once to the server (and creates the target's schema when asked): a clear error when it cannot. */
async function connectProbe(target: Extract<DatabaseTarget, { kind: "postgres" }>, createSchema: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 30_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new DatabaseConnectError(describePostgresUrl(target.url), connectReason(err));
  }
  try {
    if (createSchema) {
      // Two migrators creating the same schema at once would collide in the catalog: one at a time.
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2)) AS locked`, [SCHEMA_LOCK_CLASS, target.schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
      await client.query("COMMIT");
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** Advisory-lock class for creating a schema (the same as the migrations', src/db/migrate.ts). */
const SCHEMA_LOCK_CLASS = 0x5e1f;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Reads the schema from a DATABASE_URL's `?schema=` parameter (Prisma's convention); default public. */
export function postgresTarget(url: string): DatabaseTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  if (!SCHEMA_NAME.test(schema)) throw new Error(`DATABASE_URL schema "${schema}" is not a plain lower-case identifier`);
  parsed.searchParams.delete("schema");
  return { kind: "postgres", url: parsed.toString(), schema };
}

/** The database a configuration names: DATABASE_URL, else embedded PGlite in its directory. */
export function configuredTarget(config: { DATABASE_URL?: string; pgliteDir: string }): DatabaseTarget {
  return config.DATABASE_URL ? postgresTarget(config.DATABASE_URL) : { kind: "pglite", dataDir: config.pgliteDir };
}

/** Creates the target's schema on a PostgreSQL server when it is not `public` and does not exist yet. */
export async function ensureSchema(target: DatabaseTarget): Promise<void> {
  if (target.kind !== "postgres" || target.schema === "public") return;
  await connectProbe(target, true);
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "pglite") {
    // One owner per data directory, taken before PGlite touches it (throws DatabaseBusyError).
    const owner = target.dataDir ? acquireOwnerLock(target.dataDir) : undefined;
    let pglite: PGlite;
    try {
      if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
      pglite = target.dataDir ? await PGlite.create(target.dataDir) : await PGlite.create();
    } catch (err) {
      owner?.release();
      throw err;
    }
    const prisma = new PrismaClient({ adapter: tracedPrismaAdapter(new PrismaPGlite(pglite)) });
    let closed = false;
    return {
      target,
      prisma,
      sql: tracedSql(pgliteExecutor(pglite)),
      owner,
      pglite,
      async close() {
        if (closed) return;
        closed = true;
        await prisma.$disconnect().catch(() => {});
        await pglite.close();
        // Released only once PGlite has closed the directory; a process that fails to close keeps it
        // until it exits (then its lock is a gone owner's, taken over by the next start).
        owner?.release();
      },
    };
  }
  await connectProbe(target, false);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    options: `-c search_path=${target.schema}`,
  });
  pool.on("error", () => {}); // idle-client errors surface on the next query instead of crashing
  const prisma = new PrismaClient({ adapter: tracedPrismaAdapter(new PrismaPg(pool, { schema: target.schema })) });
  return {
    target,
    prisma,
    sql: tracedSql(poolExecutor(pool)),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

type PGliteLike = Pick<PGlite, "query" | "exec">;

function pgliteExecutor(db: PGlite): SqlExecutor {
  const make = (conn: PGliteLike): SqlExecutor => ({
    kind: "pglite",
    async query<T>(text: string, params: unknown[] = []) {
      return (await conn.query<T>(text, params)).rows;
    },
    async exec(script: string) {
      await conn.exec(script);
    },
    transaction: (fn) => (conn === db ? db.transaction((tx) => fn(make(tx))) : fn(make(conn))),
    // in process: no round trip to save, the statements simply run first
    transactionWith: (first, fn) =>
      conn === db
        ? db.transaction(async (tx) => {
            const results = await tx.exec(first);
            return fn(make(tx), (results.at(-1)?.rows ?? []) as Record<string, unknown>[]);
          })
        : conn.exec(first).then((results) => fn(make(conn), (results.at(-1)?.rows ?? []) as Record<string, unknown>[])),
  });
  return make(db);
}

/** The rows of a simple-protocol query's last statement (pg answers several statements with an array of results). */
function lastRows(r: pg.QueryResult | pg.QueryResult[]): Record<string, unknown>[] {
  const last = Array.isArray(r) ? r[r.length - 1] : r;
  return last?.rows ?? [];
}

/** Each statement's rows of a simple-protocol query. */
function allRows(r: pg.QueryResult | pg.QueryResult[]): Record<string, unknown>[][] {
  return (Array.isArray(r) ? r : [r]).map((x) => x.rows);
}

/**
 * Names for prepared statements, one per text, the same on every connection of a pool (node-postgres prepares a
 * named statement on a connection the first time it runs there, and refuses a name reused for another text). At most
 * `max` texts are named: past that, `undefined` (the statement runs unnamed, parsed each time) — callers keep to a
 * small fixed set, this is only the bound on a mistake.
 */
function statementNames(max = 256): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined && names.size < max) names.set(text, (name = `gw_${names.size}`));
    return name;
  };
}

function poolExecutor(pool: pg.Pool): SqlExecutor {
  const nameOf = statementNames();
  const prepared = async <T>(q: pg.Pool | pg.PoolClient, text: string, params: unknown[] = []): Promise<T[]> =>
    (await q.query({ name: nameOf(text), text, values: params })).rows as T[];
  const transactionWith = async <T>(first: string, fn: (tx: SqlExecutor, opened: Record<string, unknown>[]) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      // one simple-protocol round trip for BEGIN and the statements that open the transaction
      const opened = await client.query(first ? `BEGIN; ${first}` : "BEGIN");
      let committed = false;
      const tx: SqlExecutor = {
        ...clientExecutor(client),
        commitWith: async (script) => {
          if (committed) throw new Error("commitWith: the transaction has ended");
          const rows = allRows(await client.query(`${script};\nCOMMIT`));
          committed = true;
          return rows.slice(0, -1);
        },
      };
      const result = await fn(tx, lastRows(opened));
      if (!committed) await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  };
  const clientExecutor = (client: pg.PoolClient): SqlExecutor => ({
    kind: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as T[];
    },
    prepared: (text, params) => prepared(client, text, params),
    async exec(script: string) {
      await client.query(script);
    },
    transaction: (fn) => fn(clientExecutor(client)),
    transactionWith: async (first, fn) => fn(clientExecutor(client), lastRows(await client.query(first))),
    statements: async (script) => allRows(await client.query(script)),
  });
  return {
    kind: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await pool.query(text, params)).rows as T[];
    },
    prepared: (text, params) => prepared(pool, text, params),
    async exec(script: string) {
      await pool.query(script);
    },
    transaction: (fn) => transactionWith("", fn),
    transactionWith,
    statements: async (script) => allRows(await pool.query(script)),
  };
}
