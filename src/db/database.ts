import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.js";
import type { SqlExecutor } from "./sql.js";

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string | null } // null: in memory (tests)
  | { kind: "postgres"; url: string; schema: string };

export interface Database {
  readonly target: DatabaseTarget;
  readonly prisma: PrismaClient;
  readonly sql: SqlExecutor;
  close(): Promise<void>;
}

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
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
  } finally {
    await client.end();
  }
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "pglite") {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    const pglite = target.dataDir ? await PGlite.create(target.dataDir) : await PGlite.create();
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      target,
      prisma,
      sql: pgliteExecutor(pglite),
      async close() {
        await prisma.$disconnect();
        await pglite.close();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    options: `-c search_path=${target.schema}`,
  });
  pool.on("error", () => {}); // idle-client errors surface on the next query instead of crashing
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema: target.schema }) });
  return {
    target,
    prisma,
    sql: poolExecutor(pool),
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
  });
  return make(db);
}

function poolExecutor(pool: pg.Pool): SqlExecutor {
  const clientExecutor = (client: pg.PoolClient): SqlExecutor => ({
    kind: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as T[];
    },
    async exec(script: string) {
      await client.query(script);
    },
    transaction: (fn) => fn(clientExecutor(client)),
  });
  return {
    kind: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await pool.query(text, params)).rows as T[];
    },
    async exec(script: string) {
      await pool.query(script);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(clientExecutor(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
