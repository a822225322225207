/**
 * Concurrent migrators on one PostgreSQL schema (two gateways starting, a gateway and `db:migrate`):
 * they serialize on the advisory lock, all succeed, and every migration is applied exactly once.
 * Oracle: the migration folders on disk and the raw `_prisma_migrations` rows.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureSchema, openDatabase, postgresTarget, type Database } from "../../src/db/database.js";
import { applyMigrations, readMigrations } from "../../src/db/migrate.js";
import { baseEnv, buildProject, removeBuild, runNode } from "./processes.js";

const url = process.env.DATABASE_URL;
const schemas: string[] = [];
let out: string | undefined;

beforeAll(async () => {
  if (url) out = await buildProject();
}, 300_000);

afterAll(async () => {
  await removeBuild(out);
  if (!url || !schemas.length) return;
  const c = new pg.Client({ connectionString: (postgresTarget(url) as { url: string }).url });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await c.end();
});

describe.skipIf(!url)("migrations under a database lock (PostgreSQL)", () => {
  test("four migrators started at once on a fresh schema all succeed; each migration is applied exactly once", { timeout: 300_000 }, async () => {
    const expected = readMigrations().map((m) => m.name);
    expect(expected.length).toBeGreaterThan(1);
    for (let round = 0; round < 3; round++) {
      const schema = `t_migr_${randomBytes(5).toString("hex")}`;
      schemas.push(schema);
      const target = { ...(postgresTarget(url!) as { kind: "postgres"; url: string }), schema };
      // What `db:migrate` does, four times at once: create the schema, open, migrate.
      const dbs: Database[] = [];
      const migrator = async () => {
        await ensureSchema(target);
        const db = await openDatabase(target);
        dbs.push(db);
        return applyMigrations(db.sql);
      };
      try {
        const results = await Promise.allSettled(Array.from({ length: 4 }, migrator));
        const failures = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
        expect(failures).toEqual([]);
        const applied = results.flatMap((r) => (r as PromiseFulfilledResult<string[]>).value);
        expect([...applied].sort()).toEqual([...expected].sort()); // each applied by exactly one migrator
        const rows = await dbs[0].sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
        expect(rows.map((r) => r.migration_name)).toEqual([...expected].sort());
        // The tables were made in this schema (audit_log: one of the migrations).
        const tables = await dbs[0].sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'audit_log'`, [schema]);
        expect(tables[0].n).toBe("1");
        // A later migrator finds nothing to do.
        expect(await applyMigrations(dbs[1].sql)).toEqual([]);
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    }
  });

  test("three `db:migrate` processes at once on a fresh schema all exit 0; the migrations are applied once", { timeout: 300_000 }, async () => {
    const schema = `t_migr_${randomBytes(5).toString("hex")}`;
    schemas.push(schema);
    const u = new URL((postgresTarget(url!) as { url: string }).url);
    u.searchParams.set("schema", schema);
    const env = baseEnv({ DATABASE_URL: u.toString() });
    const runs = await Promise.all(Array.from({ length: 3 }, () => runNode(out!, "src/db/cli-migrate.js", [], env)));
    for (const r of runs) expect(r.code, r.stdout + r.stderr).toBe(0);
    const applied = runs.flatMap((r) => /applied \d+ migration\(s\): (.*)/.exec(r.stdout)?.[1].split(", ") ?? []);
    expect(applied.sort()).toEqual(readMigrations().map((m) => m.name).sort());
    const c = new pg.Client({ connectionString: (postgresTarget(url!) as { url: string }).url });
    await c.connect();
    try {
      const rows = await c.query(`SELECT migration_name FROM "${schema}"."_prisma_migrations" ORDER BY 1`);
      expect(rows.rows.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name).sort());
    } finally {
      await c.end();
    }
  });
});
