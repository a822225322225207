// npm run db:migrate — applies prisma/migrations to DATABASE_URL (or the embedded database).
import { loadConfig, ConfigError } from "../config.js";
import { ensureSchema, openDatabase, postgresTarget } from "./database.js";
import { applyMigrations } from "./migrate.js";

try {
  const config = loadConfig();
  const target = config.DATABASE_URL ? postgresTarget(config.DATABASE_URL) : ({ kind: "pglite", dataDir: config.pgliteDir } as const);
  await ensureSchema(target);
  const db = await openDatabase(target);
  const applied = await applyMigrations(db.sql);
  await db.close();
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date");
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
}
