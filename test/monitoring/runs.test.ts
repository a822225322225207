import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun, workShards } from "../../src/features/monitoring/runs.js";
import { alertViews } from "../../src/features/monitoring/views.js";
import { findingsFor } from "../../src/features/findings/audit-findings.js";
import { apiAlerts, canonical, NOW, startMonitorHarness, storedAlerts, waitForRun, type MonitorHarness } from "./helpers.js";

let h: MonitorHarness;

beforeAll(async () => {
  h = await startMonitorHarness();
  await workShards(h.deps, { concurrency: 2 });
}, 240_000);
afterAll(async () => h?.close());

describe("a full monitoring run", () => {
  it("stores, per audience view, exactly the alerts the API computes household by household, and the findings", async () => {
    const { run, started } = await startRun(h.deps, "INCREMENTAL", NOW); // no previous run: full
    expect(started).toBe(true);
    expect(run.mode).toBe("FULL");
    const ended = await waitForRun(h, run.id);
    const households = await h.gw.db.prisma.household.count();
    if (ended.shards_failed) console.log(await h.gw.db.sql.query(`SELECT shard_no, error FROM monitoring_shard WHERE run_id = $1 AND error IS NOT NULL LIMIT 3`, [run.id]));
    expect(ended).toMatchObject({ status: "SUCCEEDED", households, shards_failed: 0 });
    expect(ended.shards_done).toBe(ended.shards_total);
    expect(ended.shards_total).toBe(Math.ceil(households / 100));

    const views = alertViews();
    expect(views[0].audiences).toEqual(["civil_affairs", "street_office", "auditor"]);
    let compared = 0;
    for (const view of views) {
      const [api, stored] = await Promise.all([apiAlerts(h.gw, view.name), storedAlerts(h, view.name)]);
      expect(api.size).toBe(households);
      expect(canonical(stored)).toEqual(canonical(api));
      compared += [...api.values()].reduce((n, l) => n + l.length, 0);
    }
    expect(compared).toBeGreaterThan(0);

    // findings: the API's own computation over the whole registry
    const oracle = await findingsFor(h.gw.db.prisma, {}, {});
    const rows = await h.gw.db.sql.query<{ id: string; household_id: string; kind: string }>(`SELECT id, household_id, kind FROM monitoring_finding WHERE resolved_at IS NULL ORDER BY id`);
    expect(oracle.length).toBeGreaterThan(0);
    expect(rows).toEqual(oracle.map((f) => ({ id: f.id, household_id: f.householdId, kind: f.kind })));
    // counts by kind recorded with the run, from the stored rows' independent grouping
    const byKind: Record<string, number> = {};
    for (const f of oracle) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    expect(ended.counts.findings).toEqual(byKind);
  }, 300_000);
});
