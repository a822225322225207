/**
 * analyzeWhereGrown (src/db/analyze.ts): statistics for tables a writer grows while planning against them. The oracle
 * is PostgreSQL's own catalog: pg_class.reltuples (-1 = never analysed; after ANALYZE of a small table, its exact row
 * count) and the activity counters (pg_stat_user_tables).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { ensureSchema, openDatabase, postgresTarget, type Database } from "../../src/db/database.js";
import { analyzeWhereGrown } from "../../src/db/analyze.js";

const url = process.env.DATABASE_URL;
const schema = `t_analyze_${randomBytes(5).toString("hex")}`;
let db: Database | undefined;

afterAll(async () => {
  await db?.close();
  if (!url) return;
  const c = new pg.Client({ connectionString: (postgresTarget(url) as { url: string }).url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!url)("analyzeWhereGrown on PostgreSQL", () => {
  test("analyses a table grown by more than half since its last statistics (at least 1,000 rows), not one below that, not one another process is analysing, and not twice", { timeout: 120_000 }, async () => {
    const target = { ...(postgresTarget(url!) as { kind: "postgres"; url: string }), schema };
    await ensureSchema(target);
    db = await openDatabase(target);
    const sql = db.sql;
    await sql.exec(`CREATE TABLE grown (x int); CREATE TABLE small (x int); CREATE TABLE locked (x int)`);
    await sql.exec(`INSERT INTO grown SELECT generate_series(1, 5000); INSERT INTO small SELECT generate_series(1, 500); INSERT INTO locked SELECT generate_series(1, 3000)`);
    const stats = async () =>
      Object.fromEntries(
        (
          await sql.query<{ relname: string; mods: number; reltuples: number }>(
            `SELECT s.relname, s.n_mod_since_analyze::int AS mods, c.reltuples::int AS reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = $1`,
            [schema],
          )
        ).map((r) => [r.relname, r]),
      );
    // the writer's counters reach the statistics system when its backend reports them (about a second after the write)
    for (let i = 0; i < 300; i++) {
      const s = await stats();
      if (s.grown?.mods === 5000 && s.small?.mods === 500 && s.locked?.mods === 3000) break;
      await sleep(200);
    }
    const before = await stats();
    expect([before.grown.reltuples, before.small.reltuples, before.locked.reltuples]).toEqual([-1, -1, -1]);

    // another process holds the analysis lock: nothing is analysed, nobody waits
    const other = new pg.Client({ connectionString: target.url });
    await other.connect();
    await other.query(`SET search_path TO "${schema}"`);
    await other.query("BEGIN");
    await other.query(`SELECT pg_advisory_xact_lock(hashtext('analyze ' || current_schema()))`);
    expect(await analyzeWhereGrown(sql, "postgres", ["grown", "small", "locked"])).toEqual([]);
    expect((await stats()).grown.reltuples).toBe(-1);
    await other.query("ROLLBACK");
    await other.end();

    expect((await analyzeWhereGrown(sql, "postgres", ["grown", "small"])).sort()).toEqual(["grown"]);
    const after = await stats();
    expect([after.grown.reltuples, after.small.reltuples, after.locked.reltuples]).toEqual([5000, -1, -1]);
    // analysed: its changes since are none, so a second call leaves it
    expect(await analyzeWhereGrown(sql, "postgres", ["grown", "small"])).toEqual([]);
    // grown by 40 % since: left; by 60 %: analysed again
    const settle = async (mods: number) => {
      for (let i = 0; i < 300 && (await stats()).grown.mods !== mods; i++) await sleep(200);
      expect((await stats()).grown.mods).toBe(mods);
    };
    await sql.exec(`INSERT INTO grown SELECT generate_series(1, 2000)`);
    await settle(2000);
    expect(await analyzeWhereGrown(sql, "postgres", ["grown"])).toEqual([]);
    await sql.exec(`INSERT INTO grown SELECT generate_series(1, 1000)`);
    await settle(3000);
    expect(await analyzeWhereGrown(sql, "postgres", ["grown"])).toEqual(["grown"]);
    expect((await stats()).grown.reltuples).toBe(8000);
    // a table not asked about is not analysed, however grown
    expect((await stats()).locked.reltuples).toBe(-1);
    await expect(analyzeWhereGrown(sql, "postgres", ["grown; DROP TABLE small"])).rejects.toThrow(/not a table name/);
  });
});

test("on the embedded database it does nothing (one connection, no other writer)", async () => {
  expect(await analyzeWhereGrown({} as never, "pglite", ["monitoring_alert"])).toEqual([]);
});
