/**
 * Monitoring tests' shared pieces: a gateway + sandboxes over one population (test/integration/harness.ts),
 * the job engine on its database, the run's dependencies, and the API's own per-household answers — the
 * oracle the stored results are compared with (Household.alerts is computed per household on request,
 * independently of any run; the policy and domain tests validate it).
 */
import pg from "pg";
import type PgBoss from "pg-boss";
import { startUnifiedGateway, stats, NOW } from "../integration/harness.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import type { TestGateway } from "../helpers/gateway.js";
import { startEngine, bossSchema } from "../../src/features/monitoring/engine.js";
import { liveShardFacts, mirrorShardFacts } from "../../src/features/monitoring/shard-facts.js";
import { MONITOR_UPSTREAM_TIMEOUT_MS } from "../../src/app/departments.js";
import { createConnectors, createMetricsRegistry } from "../../connectors/kit/index.js";
import { getRun, startRun, workShards, type MonitorDeps, type RunMode, type RunRow } from "../../src/features/monitoring/runs.js";
import type { Audience } from "../../src/policy/audiences.js";
import type { Pseudonymizer } from "../../src/policy/pseudonym.js";

export { NOW };

export interface MonitorHarness {
  gw: TestGateway;
  boss: PgBoss;
  deps: MonitorDeps;
  close(): Promise<void>;
}

/** How old a sync may be for the mirror to serve, in these tests: longer than a test file runs (a test makes a source stale itself). */
export const MIRROR_MAX_AGE_MS = 6 * 3_600_000;

/**
 * Shards as the gateway wires them (src/app/gateway.ts): over the gateway's department mirror while a source is fresh,
 * else live. Nothing is synced here: without `gw.mirror.run(…)` every source is live.
 */
export async function startMonitorHarness(settings: { attempts?: number; timeoutSeconds?: number; shardSize?: number; pseudonyms?: Pseudonymizer; alertFeed?: boolean; audit?: boolean } = {}): Promise<MonitorHarness> {
  const maxAgeMs = Object.fromEntries(SOURCES.map((s) => [s, MIRROR_MAX_AGE_MS])) as Record<SourceName, number>;
  const gw = await startUnifiedGateway(undefined, undefined, { alertFeed: settings.alertFeed, audit: settings.audit, mirror: { maxAgeMs } });
  const attempts = settings.attempts ?? 3;
  const boss = await startEngine(gw.db, { attempts, timeoutSeconds: settings.timeoutSeconds ?? 600 });
  const pseudonyms = settings.pseudonyms ?? gw.pseudonyms;
  // the shards' own connectors to the same systems, as the gateway's monitoring connectors (src/app/departments.ts): a
  // deadline of MONITOR_UPSTREAM_TIMEOUT_MS and a queue as large as a shard asks for; records judged stale as of NOW
  const urls = gw.sandboxes!.urls;
  const upstream = { timeoutMs: MONITOR_UPSTREAM_TIMEOUT_MS, maxQueue: 1_000_000 };
  const monitoringConnectors = createConnectors(
    {
      education: { baseUrl: urls.education, ...upstream },
      employment: { baseUrl: urls.employment, ...upstream },
      housing: { baseUrl: urls.housing, ...upstream },
      medicalInsurance: { baseUrl: urls.medicalInsurance, ...gw.sandboxes!.medicalCredentials, ...upstream },
      disability: { baseUrl: urls.disability, ...upstream },
      clock: () => NOW,
    },
    createMetricsRegistry(),
  );
  const deps: MonitorDeps = {
    db: gw.db,
    boss,
    shardFacts: mirrorShardFacts(gw.db.prisma, monitoringConnectors, gw.mirror.mirror, pseudonyms, gw.mirror.clock, gw.db.sql),
    pseudonyms,
    shardSize: settings.shardSize ?? 100,
    attempts,
  };
  return {
    gw,
    boss,
    deps,
    async close() {
      await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
      await monitoringConnectors.close();
      const schema = bossSchema(gw.db);
      const target = gw.db.target;
      await gw.close();
      if (target.kind === "postgres") {
        const c = new pg.Client({ connectionString: target.url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
    },
  };
}

/** Polls the run row until it has ended (the test's timeout bounds it). */
export async function waitForRun(h: MonitorHarness, runId: string): Promise<RunRow> {
  for (;;) {
    const run = await getRun(h.gw.db, runId);
    if (run && run.status !== "RUNNING") return run;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface ApiAlert {
  key: string;
  kind: string;
  class: string;
  severity: string;
  department: string;
  personId: string | null;
  evidence: { name: string; value: string; source: string }[];
}

/**
 * Every household's alerts as the API computes them for one audience (Household.alerts, page by page), with every
 * department record read live from the systems themselves (`live: true`): the oracle never reads the mirror a run reads.
 */
export async function apiAlerts(gw: TestGateway, audience: Audience): Promise<Map<string, ApiAlert[]>> {
  const out = new Map<string, ApiAlert[]>();
  let after: string | null = null;
  for (;;) {
    const res: any = await gw.gql(
      `query($after: String) { households(first: 20, after: $after, live: true) { pageInfo { hasNextPage endCursor } edges { node { id alerts { key kind class severity department personId evidence { name value source } } } } } }`,
      { after },
      { audience },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    for (const e of res.data.households.edges) out.set(e.node.id, e.node.alerts);
    if (!res.data.households.pageInfo.hasNextPage) return out;
    after = res.data.households.pageInfo.endCursor;
  }
}

/** The stored current alerts of one view, per household, in the API's shape. */
export async function storedAlerts(h: MonitorHarness, view: string): Promise<Map<string, ApiAlert[]>> {
  const rows = await h.gw.db.sql.query<{ household_id: string; alert_key: string; kind: string; class: string; severity: string; department: string; person_id: string | null; evidence: any[] }>(
    `SELECT household_id, alert_key, kind, class, severity, department, person_id, evidence FROM monitoring_alert WHERE view = $1 AND resolved_at IS NULL`,
    [view],
  );
  const out = new Map<string, ApiAlert[]>();
  for (const r of rows) {
    const list = out.get(r.household_id) ?? [];
    list.push({ key: r.alert_key, kind: r.kind, class: r.class, severity: r.severity, department: r.department, personId: r.person_id, evidence: r.evidence.map((e) => ({ name: e.name, value: String(e.value), source: e.source })) });
    out.set(r.household_id, list);
  }
  return out;
}

/** A comparable form: per household, the sorted alerts. */
export function canonical(m: Map<string, ApiAlert[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [h, list] of [...m].sort(([a], [b]) => (a < b ? -1 : 1))) if (list.length) out[h] = list.map((a) => JSON.stringify(a)).sort();
  return out;
}

/** The stored results of every view, without run ids and instants: what two runs over the same facts must agree on. */
export async function results(h: MonitorHarness) {
  const q = (sql: string) => h.gw.db.sql.query(sql);
  return {
    alerts: await q(`SELECT view, household_id, alert_key, kind, class, severity, department, person_id, message, evidence FROM monitoring_alert WHERE resolved_at IS NULL ORDER BY 1, 2, 3`),
    findings: await q(`SELECT id, household_id, kind, finding FROM monitoring_finding WHERE resolved_at IS NULL ORDER BY id`),
    households: await q(`SELECT household_id, tier, tier_class, failed_sources, stale_sources, needs FROM monitoring_household ORDER BY household_id`),
  };
}

/**
 * The production monitoring run over an existing test gateway (one whose setup cannot be the harness's, e.g. the
 * policy matrix's): the job engine on the gateway's database, shards worked in this process, each run awaited.
 * `close` stops the engine and drops its schema (PostgreSQL); the gateway stays up.
 */
export async function monitorOn(gw: TestGateway, settings: { shardSize?: number; attempts?: number } = {}) {
  const attempts = settings.attempts ?? 3;
  const boss = await startEngine(gw.db, { attempts, timeoutSeconds: 600 });
  const deps: MonitorDeps = { db: gw.db, boss, shardFacts: liveShardFacts(gw.db.prisma, gw.connectors, gw.pseudonyms), pseudonyms: gw.pseudonyms, shardSize: settings.shardSize ?? 100, attempts };
  await workShards(deps, { pollingIntervalSeconds: 0.5 });
  return {
    deps,
    /** starts a run and waits until it has ended (the caller's timeout bounds it) */
    async run(mode: RunMode, asOf: Date): Promise<RunRow> {
      const { run, started } = await startRun(deps, mode, asOf);
      if (!started) throw new Error(`a monitoring run is already running: ${run.id}`);
      for (;;) {
        const row = await getRun(gw.db, run.id);
        if (row && row.status !== "RUNNING") return row;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
      const target = gw.db.target;
      if (target.kind === "postgres") {
        const c = new pg.Client({ connectionString: target.url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${bossSchema(gw.db)}" CASCADE`);
        await c.end();
      }
    },
  };
}

/**
 * Requests each department system has served so far, by its own counters (GET /__sandbox/stats; its admin routes
 * not counted): the lookup API and the bulk exchange alike.
 */
export async function departmentRequests(gw: TestGateway): Promise<Record<SourceName, number>> {
  const all = await Promise.all(SOURCES.map((s) => stats(gw, s)));
  return Object.fromEntries(
    SOURCES.map((s, i) => [s, Object.entries(all[i].byRoute).reduce((n, [route, count]) => n + (/__sandbox/.test(route) ? 0 : count), 0)]),
  ) as Record<SourceName, number>;
}

/** The requests each system served between two counts. */
export const requestsBetween = (before: Record<SourceName, number>, after: Record<SourceName, number>) =>
  Object.fromEntries(SOURCES.map((s) => [s, after[s] - before[s]])) as Record<SourceName, number>;

/** Every source synced into the gateway's mirror (full load the first time, then the change feeds). */
export async function syncMirror(gw: TestGateway): Promise<void> {
  for (const s of SOURCES) await gw.mirror.run(s);
}
