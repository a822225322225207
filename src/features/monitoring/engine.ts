/**
 * The job engine: pg-boss 10 (PostgreSQL-native: its queue is tables in its own schema of the gateway's
 * database, jobs are taken with SELECT … FOR UPDATE SKIP LOCKED, so any number of worker processes on
 * any number of machines share the shards; a job whose worker died expires and is retried elsewhere).
 *
 * On PostgreSQL pg-boss uses its own connection pool to the same server, schema `<app schema>_pgboss`
 * (`pgboss` for the public schema). On the embedded database (PGlite, one in-process PostgreSQL, which no
 * second process may open) pg-boss runs in the gateway's process over the same PGlite instance through
 * pg-boss's `db` option ({ executeSql }): parameterised statements go to PGlite's query, pg-boss's
 * multi-statement scripts (migrations, its locked BEGIN … COMMIT blocks) to PGlite's exec — each one call,
 * so PGlite's own mutex serialises them with every other query and transaction. Same queue, same jobs,
 * same handler on both databases.
 */
import PgBoss from "pg-boss";
import type { Database } from "../../db/database.js";

export const SHARD_QUEUE = "monitoring-shard";

export interface EngineSettings {
  /** attempts per shard (pg-boss retryLimit = attempts − 1) */
  attempts: number;
  /** seconds a shard job may run before pg-boss expires it and retries it (a killed worker's shard) */
  timeoutSeconds: number;
}

export function bossSchema(db: Database): string {
  return db.target.kind === "postgres" && db.target.schema !== "public" ? `${db.target.schema}_pgboss` : "pgboss";
}

export async function startEngine(db: Database, settings: EngineSettings): Promise<PgBoss> {
  const common = {
    schema: bossSchema(db),
    schedule: false,
    supervise: true,
    migrate: true,
    // expired jobs are found by the maintenance pass: often enough that a killed worker's shard moves on soon
    maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(settings.timeoutSeconds / 2))),
    monitorStateIntervalSeconds: 60,
  };
  let boss: PgBoss;
  if (db.target.kind === "postgres") {
    boss = new PgBoss({ ...common, connectionString: db.target.url, max: 4, application_name: "safetynet-monitoring" });
  } else {
    const pglite = db.pglite!;
    boss = new PgBoss({
      ...common,
      db: {
        async executeSql(text: string, values?: unknown[]) {
          if (values && values.length) return pglite.query(text, values);
          const results = await pglite.exec(text);
          return results.at(-1) ?? { rows: [] };
        },
      },
    });
  }
  boss.on("error", (err) => console.error(`monitoring job engine: ${err instanceof Error ? err.message : String(err)}`));
  await boss.start();
  const queue = { name: SHARD_QUEUE, retryLimit: settings.attempts - 1, retryDelay: 1, retryBackoff: false, expireInSeconds: settings.timeoutSeconds };
  if (!(await boss.getQueue(SHARD_QUEUE))) await boss.createQueue(SHARD_QUEUE, queue).catch(() => {});
  else await boss.updateQueue(SHARD_QUEUE, queue);
  return boss;
}
