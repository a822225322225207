// npm start: configuration -> database (create, migrate, seed when empty) -> gateway on HOST:PORT.
import "reflect-metadata";
import { loadConfig, ConfigError, type Config } from "./config.js";
import { openDatabase, postgresTarget, type Database } from "./db/database.js";
import { applyMigrations, readMigrations } from "./db/migrate.js";
import { buildServer } from "./server.js";
import { seedDefaultIfEmpty } from "./db/seed-on-start.js";

async function prepareDatabase(config: Config): Promise<Database> {
  const target = config.DATABASE_URL ? postgresTarget(config.DATABASE_URL) : ({ kind: "pglite", dataDir: config.pgliteDir } as const);
  const db = await openDatabase(target);
  if (config.migrateOnStart) {
    const applied = await applyMigrations(db.sql);
    if (applied.length) console.log(`database: applied ${applied.length} migration(s)`);
  } else {
    const have = await db.sql
      .query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`)
      .catch(() => []);
    const pending = readMigrations().filter((m) => !have.some((h) => h.migration_name === m.name));
    if (pending.length) {
      await db.close();
      throw new Error(`the database has ${pending.length} pending migration(s); run \`npm run db:migrate\` first (or set MIGRATE_ON_START=true)`);
    }
  }
  if (config.seedOnStart) await seedDefaultIfEmpty(db, config.SEED);
  return db;
}

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const db = await prepareDatabase(config);
  const app = await buildServer({ config, db });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, "shutting down");
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;
  console.log(`
safetynet-gateway ready in ${((Date.now() - started) / 1000).toFixed(1)} s
  GraphQL   ${url}/graphql   (database: ${db.target.kind === "pglite" ? `embedded PGlite in ${config.pgliteDir}` : "PostgreSQL"})
  health    ${url}/healthz   ready: ${url}/readyz

Try:
  curl -s ${url}/graphql -H 'content-type: application/json' \\
    -d '{"query":"{ households(first: 5) { totalCount edges { node { registryNo address currentCase { tier tierClass } members { name relation } } } } }"}'
`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `safetynet-gateway failed to start: ${err?.stack ?? err}`);
  process.exit(1);
});
