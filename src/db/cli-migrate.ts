// npm run db:migrate — applies prisma/migrations to DATABASE_URL (or the embedded database).
import { loadConfig, ConfigError } from "../app/config.js";
import { configuredTarget, ensureSchema, openDatabase } from "./database.js";
import { applyMigrations } from "./migrate.js";

try {
  const config = loadConfig();
  const target = configuredTarget(config);
  await ensureSchema(target);
  const db = await openDatabase(target);
  const applied = await applyMigrations(db.sql);
  await db.close();
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date");
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
}
