import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import type { Database } from "../../src/db/database.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { bossSchema } from "../../src/features/monitoring/engine.js";

/**
 * The gateway's own schedules, as `npm start` runs them: the department mirror syncs at start and the first
 * monitoring run follows. The first run must wait for those first syncs and read the mirror — not ask every
 * department system live while the mirror is still loading (at the default set that was one employment call per
 * person). Oracle: the department systems' own request counters (lookup routes vs the bulk exchange's export and
 * change-feed routes, connectors/WIRE.md) and the raw monitoring_run row.
 */

const SEED = 23;
const AS_OF = "2026-11-01";
const PERSONS = 120;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({
    seed: async (db: Database) => runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" }),
    // every department request takes 300 ms more: the first syncs (a few export pages each) are still running when the
    // schedule could start its first run — the race this test is about is then lost without the wait, on any machine
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS, sandbox: { faults: { latencyMs: 300 } } },
    now: new Date(`${AS_OF}T10:00:00Z`),
    schedules: { mirrorSync: true, monitorInterval: 86_400 },
  });
});
afterAll(async () => {
  if (!gw) return;
  // the job engine's schema beside the test's own (PostgreSQL): the harness drops only the test's schema
  const boss = gw.db.target.kind === "postgres" ? bossSchema(gw.db) : null;
  const sql = gw.db.sql;
  if (boss) await gw.app.close().catch(() => {});
  if (boss) await sql.query(`DROP SCHEMA IF EXISTS "${boss}" CASCADE`).catch(() => {});
  await gw.close();
});

const BULK = /\/(export|changes)$/;
/** Requests each system served, split into the bulk exchange and everything else (lookups, tokens), its admin routes aside. */
async function requestsByKind(source: SourceName): Promise<{ bulk: number; other: number }> {
  const stats = (await fetch(`${gw.sandboxes!.urls[source]}/__sandbox/stats`).then((r) => r.json())) as { byRoute: Record<string, number> };
  let bulk = 0;
  let other = 0;
  for (const [route, n] of Object.entries(stats.byRoute)) {
    if (/__sandbox/.test(route)) continue;
    if (BULK.test(route.split(" ")[1] ?? "")) bulk += n;
    else if (!/health|token|oauth/i.test(route)) other += n;
  }
  return { bulk, other };
}

describe("the first monitoring run of a starting gateway", () => {
  it("waits for the mirror's first syncs, reads every source from the mirror and asks no department system live", async () => {
    type Row = { status: string; mirror_sources: string[] | null; live_sources: string[] | null; households: number };
    let run: Row | undefined;
    // no wall-clock bound of its own: the hook/test timeout bounds it (a loaded machine only waits longer)
    for (;;) {
      run = (await gw.db.sql.query<Row>(`SELECT status, mirror_sources, live_sources, households FROM monitoring_run ORDER BY started_at LIMIT 1`))[0];
      if (run && run.status !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const households = (await gw.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM household`))[0].n;
    expect(run.status).toBe("SUCCEEDED");
    expect(run.households).toBe(households);
    expect([...(run.mirror_sources ?? [])].sort()).toEqual([...SOURCES].sort());
    expect(run.live_sources ?? []).toEqual([]);
    for (const s of SOURCES) {
      const r = await requestsByKind(s);
      expect({ source: s, bulkUsed: r.bulk > 0, lookups: r.other }).toEqual({ source: s, bulkUsed: true, lookups: 0 });
    }
  });
});
