/**
 * Monitoring runs: planning (which households, in which shards), the shard job's handler, and the run's
 * end. A run is a row in monitoring_run; its shards are rows in monitoring_shard and jobs on the engine's
 * queue (src/monitoring/engine.ts). Any process with the same database and department access can work
 * shards (`npm run worker`, or the gateway's own worker on the embedded database).
 *
 *   full         every registry household, in id order, MONITOR_SHARD_SIZE per shard
 *   incremental  the households whose registry row changed since the previous run started (household.updated_at;
 *                every registry mutation bumps it), those never evaluated, those of the previous run's
 *                failed shards, those for which a department system failed when last evaluated, and — when the department mirror is present (issue 15: mirror_* tables) —
 *                those with a member whose mirrored record (or a housing record) was synced since then
 */
import { randomUUID } from "node:crypto";
import { analyzeTables, analyzeWhereGrown } from "../../db/analyze.js";
import type PgBoss from "pg-boss";
import type { Database } from "../../db/database.js";
import type { Household } from "../../db/generated/client.js";
import type { Pseudonymizer } from "../../policy/pseudonym.js";
import { opaqueAlertKey } from "../../policy/opaque.js";
import { findingsFactsOf, identifiedFindings } from "../findings/audit-findings.js";
import { householdsByIds } from "../households/loaders.js";
import { parametersInForce } from "../policy-parameters/in-force.js";
import { regionChain } from "../policy-parameters/region.js";
import type { ParameterSet, ParameterValue } from "../../domain/facts.js";
import { dayOf } from "../../domain/calendar.js";
import { evaluateHousehold } from "./evaluate.js";
import { alertViews } from "./views.js";
import { writeShard, type StoredAlertInput } from "./store.js";
import { SHARD_QUEUE, bossSchema } from "./engine.js";
import type { ShardFacts } from "./shard-facts.js";
import { discoverLeads, mirrorPresent } from "./leads.js";

export type RunMode = "FULL" | "INCREMENTAL";

export interface RunRow {
  id: string;
  mode: RunMode;
  status: "RUNNING" | "SUCCEEDED" | "PARTIAL" | "FAILED";
  as_of: Date;
  started_at: Date;
  finished_at: Date | null;
  households: number;
  shards_total: number;
  shards_done: number;
  shards_failed: number;
  shards_retried: number;
  counts: Record<string, Record<string, number>>;
  failed_sources: string[] | null;
  stale_sources: string[] | null;
  /** department sources some shard read from the mirror / asked live (a source can be both when its freshness changed during the run) */
  mirror_sources: string[] | null;
  live_sources: string[] | null;
}

export interface ShardJob {
  runId: string;
  shardNo: number;
}

export interface MonitorDeps {
  db: Database;
  boss: PgBoss;
  shardFacts: ShardFacts;
  pseudonyms: Pseudonymizer;
  shardSize: number;
  attempts: number;
}

const MIRROR_PERSON_TABLES = ["mirror_education", "mirror_employment", "mirror_medical_insurance", "mirror_disability"];


/**
 * The household ids an incremental run takes, given the previous run: a query (params $1 = the previous run's start,
 * $2 = its id), so planning never holds the registry's ids in memory.
 */
async function changedHouseholdsQuery(db: Database): Promise<string> {
  // person.id_number is char(18), the mirror's keys text: compared as char(18) (`::bpchar`), so that person's unique
  // index finds the few persons of the changed records (compared as text, every run read all of person)
  const parts = [
    `SELECT id FROM household WHERE updated_at >= $1::timestamptz`,
    `SELECT h.id FROM household h LEFT JOIN monitoring_household m ON m.household_id = h.id WHERE m.household_id IS NULL`,
    `SELECT unnest(household_ids) FROM monitoring_shard WHERE run_id = $2::uuid AND status <> 'DONE'`,
    // a department system failed for them last time: evaluated again until it answers
    `SELECT household_id FROM monitoring_household WHERE cardinality(failed_sources) > 0`,
  ];
  if (await mirrorPresent(db.sql)) {
    for (const t of MIRROR_PERSON_TABLES) parts.push(`SELECT p.household_id FROM person p JOIN ${t} m ON p.id_number = m.id_number::bpchar WHERE m.synced_at >= $1::timestamptz`);
    parts.push(`SELECT h.id FROM household h JOIN mirror_housing m ON m.registry_no = h.registry_no WHERE m.synced_at >= $1::timestamptz`);
    // keys the sync removed (a department delete, a record turned malformed): recorded by a trigger on each mirror table
    parts.push(`SELECT p.household_id FROM person p JOIN mirror_removed r ON p.id_number = r.key::bpchar AND r.source <> 'housing' WHERE r.removed_at >= $1::timestamptz`);
    parts.push(`SELECT h.id FROM household h JOIN mirror_removed r ON r.key = h.registry_no AND r.source = 'housing' WHERE r.removed_at >= $1::timestamptz`);
  }
  return `SELECT DISTINCT id FROM (${parts.join(" UNION ")}) AS c(id)`;
}

export async function latestRun(db: Database, finishedOnly = true): Promise<RunRow | null> {
  const rows = await db.sql.query<RunRow>(
    `SELECT * FROM monitoring_run ${finishedOnly ? "WHERE status IN ('SUCCEEDED', 'PARTIAL')" : ""} ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

export async function getRun(db: Database, id: string): Promise<RunRow | null> {
  return (await db.sql.query<RunRow>(`SELECT * FROM monitoring_run WHERE id = $1::uuid`, [id]))[0] ?? null;
}

/**
 * Plans a run and enqueues its shards. INCREMENTAL without a finished previous run is FULL. A run is
 * refused while another is RUNNING (one at a time: their rows would interleave) — the running one is returned.
 */
export async function startRun(deps: MonitorDeps, mode: RunMode, asOf = new Date()): Promise<{ run: RunRow; started: boolean }> {
  const { db } = deps;
  const running = (await db.sql.query<RunRow>(`SELECT * FROM monitoring_run WHERE status = 'RUNNING' ORDER BY started_at LIMIT 1`))[0];
  if (running) return { run: running, started: false };
  const previous = mode === "INCREMENTAL" ? await latestRun(db) : null;
  const effective: RunMode = previous ? "INCREMENTAL" : "FULL";
  const id = randomUUID();
  // the shards, planned in the database (ids in order, MONITOR_SHARD_SIZE per shard): nothing of the registry is held here
  // (a full run: every household — there is no previous run, $1 and $2 are null)
  const households = previous ? await changedHouseholdsQuery(db) : `SELECT id FROM household WHERE $1::timestamptz IS NULL AND $2::uuid IS NULL`;
  const planned = await db.sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO monitoring_run (id, mode, status, as_of, registry_since, department_since, started_at, households, shards_total)
       VALUES ($1::uuid, $2, 'RUNNING', $3::timestamptz, $4::timestamptz, $4::timestamptz, now(), 0, 0)`,
      [id, effective, asOf.toISOString(), previous?.started_at ?? null],
    );
    const rows = await tx.query<{ shards: number; households: number }>(
      `WITH ids AS (${households}),
            numbered AS (SELECT id, (row_number() OVER (ORDER BY id) - 1) / $4::int AS shard_no FROM ids),
            inserted AS (INSERT INTO monitoring_shard (run_id, shard_no, household_ids)
                         SELECT $3::uuid, shard_no, array_agg(id ORDER BY id) FROM numbered GROUP BY shard_no RETURNING cardinality(household_ids) AS n)
       SELECT count(*)::int AS shards, coalesce(sum(n), 0)::int AS households FROM inserted`,
      [previous?.started_at ?? null, previous?.id ?? null, id, deps.shardSize],
    );
    await tx.query(`UPDATE monitoring_run SET households = $2, shards_total = $3 WHERE id = $1::uuid`, [id, rows[0].households, rows[0].shards]);
    return rows[0];
  });
  // removals the previous run already covered are of no further use (a day's margin for runs that overlap)
  if (previous) await db.sql.query(`DELETE FROM mirror_removed WHERE removed_at < $1::timestamptz - interval '1 day'`, [previous.started_at]).catch(() => {});
  for (let i = 0; i < planned.shards; i += 500)
    await deps.boss.insert(
      Array.from({ length: Math.min(500, planned.shards - i) }, (_, j) => ({ name: SHARD_QUEUE, data: { runId: id, shardNo: i + j } satisfies ShardJob })),
    );
  if (planned.shards === 0) await finishRun(db, id);
  return { run: (await getRun(db, id))!, started: true };
}

/** The policy_parameter rows (dates as the UTC midnights Prisma gives for @db.Date). */
async function policyParameters(db: Database): Promise<ParameterValue[]> {
  const rows = await db.sql.query<{ key: string; value: string; unit: string; region_code: string; effective_from: string; effective_to: string | null; source: string }>(
    `SELECT key, value::text AS value, unit::text AS unit, region_code, to_char(effective_from, 'YYYY-MM-DD') AS effective_from,
            to_char(effective_to, 'YYYY-MM-DD') AS effective_to, source FROM policy_parameter`,
  );
  return rows.map((r) => ({
    key: r.key,
    value: Number(r.value),
    unit: r.unit as ParameterValue["unit"],
    regionCode: r.region_code,
    effectiveFrom: new Date(`${r.effective_from}T00:00:00.000Z`),
    effectiveTo: r.effective_to ? new Date(`${r.effective_to}T00:00:00.000Z`) : null,
    source: r.source,
  }));
}

interface RunParameters {
  /** every policy_parameter row (the findings pick theirs) */
  rows: ParameterValue[];
  /** the parameters in force per street on the run's day (memoised per street) */
  of(street: string): ParameterSet;
}

/** Per database: the parameters of the run this process works shards of — read once per run, not per shard. */
const parametersOfRun = new WeakMap<Database, { runId: string; parameters: Promise<RunParameters> }>();

/** The policy parameters of a run: read by the process's first shard of the run, the same for all its others. */
function runParameters(db: Database, runId: string, day: Date): Promise<RunParameters> {
  const cached = parametersOfRun.get(db);
  if (cached?.runId === runId) return cached.parameters;
  const parameters = policyParameters(db).then((rows): RunParameters => {
    const memo = new Map<string, ParameterSet>();
    return {
      rows,
      of(street) {
        let set = memo.get(street);
        if (!set) memo.set(street, (set = new Map(parametersInForce(rows, regionChain(street), day).map((r) => [r.key, r]))));
        return set;
      },
    };
  });
  parametersOfRun.set(db, { runId, parameters });
  // a failed read is not kept: the shard's retry reads again
  parameters.catch(() => parametersOfRun.get(db)?.parameters === parameters && parametersOfRun.delete(db));
  return parameters;
}

/** One at a time, in arrival order (a process's shards take turns evaluating). */
class Turns {
  private tail: Promise<void> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const result = this.tail.then(f);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
const evaluating = new Turns();

/** The longest a shard's evaluation runs without yielding to the event loop (ms). */
const YIELD_EVERY_MS = 5;

let viewsOfProcess: { views: ReturnType<typeof alertViews>; key: string } | null = null;
/** The audience views, derived from the field policy once per process (the same list while the policy is the same). */
function shardViews() {
  const views = alertViews();
  const key = JSON.stringify(views);
  if (!viewsOfProcess || viewsOfProcess.key !== key) viewsOfProcess = { views, key };
  return viewsOfProcess.views;
}

/** The shard job: evaluate its households and write the results (idempotent). Throws to have the engine retry. */
export async function processShard(deps: MonitorDeps, job: ShardJob, hooks?: { beforeWrite?: () => Promise<void> }): Promise<"done" | "skipped" | "failed"> {
  const { db } = deps;
  const claimed = await db.sql.query<{ household_ids: string[]; attempts: number }>(
    `UPDATE monitoring_shard SET attempts = attempts + 1, status = 'RUNNING' WHERE run_id = $1::uuid AND shard_no = $2 AND status NOT IN ('DONE', 'FAILED') RETURNING household_ids, attempts`,
    [job.runId, job.shardNo],
  );
  if (!claimed.length) return "skipped";
  const { household_ids: ids, attempts } = claimed[0];
  try {
    const run = (await getRun(db, job.runId))!;
    const asOf = new Date(run.as_of);
    // in id order: the shard's ids are (planned ORDER BY id)
    const households: Household[] = await householdsByIds(db.sql, ids);
    const [{ facts, members, mirror: mirrorSources, live: liveSources }, params] = await Promise.all([
      deps.shardFacts.facts(households, asOf),
      runParameters(db, job.runId, dayOf(asOf)),
    ]);
    const views = shardViews();
    // CPU-bound: yield to the event loop every few milliseconds, so this process's other work (another shard's department
    // calls and their deadlines, the gateway's requests, in-process sandboxes) is not starved for a whole shard.
    // One shard of the process evaluates at a time: the others' reads and writes go on meanwhile, so the shards of a
    // process pipeline (one evaluates while the next reads and the last writes) instead of running in lockstep.
    const evaluations: ReturnType<typeof evaluateHousehold>[] = [];
    await evaluating.run(async () => {
      let slice = performance.now();
      for (const f of facts) {
        evaluations.push(evaluateHousehold(f, params.of(f.streetCode), asOf, views));
        if (performance.now() - slice >= YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
    });
    // the audit findings over the registry rows the gathering read (what findingsFor reads for the API)
    const findings = identifiedFindings(facts.map((f, i) => findingsFactsOf(f, members[i])), params.rows);
    // an alert several views see has one opaque key (a keyed hash of household and domain key): made once per shard
    const opaque = new Map<string, string>();
    const keyOf = (householdId: string, key: string) => {
      const k = `${householdId}\u0000${key}`;
      let o = opaque.get(k);
      if (o === undefined) opaque.set(k, (o = opaqueAlertKey(deps.pseudonyms, householdId, key)));
      return o;
    };
    const alerts: StoredAlertInput[] = evaluations.flatMap((e) =>
      [...e.alerts].flatMap(([view, list]) => list.map((alert) => ({ householdId: e.householdId, view, key: keyOf(e.householdId, alert.key), alert }))),
    );
    await hooks?.beforeWrite?.();
    await writeShard(db.sql, { runId: job.runId, shardNo: job.shardNo, asOf, evaluations, alerts, findings, householdIds: ids, mirrorSources, liveSources });
    // the stored results' statistics kept up as a run grows them (src/db/analyze.ts): a planning aid, never the shard's failure
    await analyzeWhereGrown(db.sql, db.target.kind, GROWN_DURING_RUN).catch(() => []);
    await finishRun(db, job.runId);
    return "done";
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db.sql.query(`UPDATE monitoring_shard SET error = $3 WHERE run_id = $1::uuid AND shard_no = $2`, [job.runId, job.shardNo, message.slice(0, 2000)]);
    if (attempts >= deps.attempts) {
      await failShard(db, job, message);
      return "failed";
    }
    throw err;
  }
}

async function failShard(db: Database, job: ShardJob, message: string): Promise<void> {
  const marked = await db.sql.query(
    `UPDATE monitoring_shard SET status = 'FAILED', error = $3, finished_at = now() WHERE run_id = $1::uuid AND shard_no = $2 AND status NOT IN ('DONE', 'FAILED') RETURNING shard_no`,
    [job.runId, job.shardNo, message.slice(0, 2000)],
  );
  if (marked.length) await db.sql.query(`UPDATE monitoring_run SET shards_failed = shards_failed + 1 WHERE id = $1::uuid`, [job.runId]);
  await finishRun(db, job.runId);
}

/**
 * Shards whose job the engine gave up on without our handler recording it (the worker was killed on the
 * last attempt): failed with the engine's reason. Called by whoever follows a run.
 */
export async function reapFailedShards(deps: MonitorDeps, runId: string): Promise<void> {
  const schema = bossSchema(deps.db);
  const rows = await deps.db.sql.query<{ shard_no: number; output: unknown }>(
    `SELECT (j.data->>'shardNo')::int AS shard_no, j.output FROM ${schema}.job j
     JOIN monitoring_shard s ON s.run_id = (j.data->>'runId')::uuid AND s.shard_no = (j.data->>'shardNo')::int
     WHERE j.name = $1 AND j.data->>'runId' = $2 AND j.state = 'failed' AND s.status NOT IN ('DONE', 'FAILED')`,
    [SHARD_QUEUE, runId],
  );
  for (const r of rows) await failShard(deps.db, { runId, shardNo: r.shard_no }, `job failed: ${JSON.stringify(r.output ?? null).slice(0, 500)}`);
}

/** Ends the run once every shard is done or failed: status, counts by kind, the sources that failed or were stale. Once. */
export async function finishRun(db: Database, runId: string): Promise<boolean> {
  return db.sql.transaction(async (tx) => {
    const ended = await tx.query<{ id: string; mode: RunMode }>(
      `UPDATE monitoring_run SET status = CASE WHEN shards_failed > 0 THEN 'PARTIAL' ELSE 'SUCCEEDED' END, finished_at = now()
       WHERE id = $1::uuid AND status = 'RUNNING' AND shards_done + shards_failed >= shards_total RETURNING id, mode`,
      [runId],
    );
    if (!ended.length) return false;
    const view = alertViews()[0]?.name ?? "civil_affairs";
    // one after the other: a transaction is one connection
    const alerts = await tx.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM monitoring_alert WHERE view = $1 AND resolved_at IS NULL GROUP BY kind ORDER BY kind`, [view]);
    const findings = await tx.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM monitoring_finding WHERE resolved_at IS NULL GROUP BY kind ORDER BY kind`);
    const sources = await tx.query<{ failed: string[] | null; stale: string[] | null; mirror: string[] | null; live: string[] | null; retried: number }>(
      `SELECT ARRAY(SELECT DISTINCT unnest(failed_sources) FROM monitoring_shard WHERE run_id = $1::uuid ORDER BY 1) AS failed,
              ARRAY(SELECT DISTINCT unnest(stale_sources) FROM monitoring_shard WHERE run_id = $1::uuid ORDER BY 1) AS stale,
              ARRAY(SELECT DISTINCT unnest(mirror_sources) FROM monitoring_shard WHERE run_id = $1::uuid ORDER BY 1) AS mirror,
              ARRAY(SELECT DISTINCT unnest(live_sources) FROM monitoring_shard WHERE run_id = $1::uuid ORDER BY 1) AS live,
              (SELECT count(*)::int FROM monitoring_shard WHERE run_id = $1::uuid AND attempts > 1) AS retried`,
      [runId],
    );
    // proactive discovery over the department mirror (src/features/monitoring/leads.ts)
    // (an incremental run: only the persons something changed for since the previous finished run)
    // (the previous run: the one whose start the run was planned from, `registry_since`)
    const run = (await tx.query<{ as_of: Date; previous_started_at: Date | null; previous_as_of: Date | null }>(
      `SELECT r.as_of, p.started_at AS previous_started_at, p.as_of AS previous_as_of FROM monitoring_run r
       LEFT JOIN LATERAL (SELECT started_at, as_of FROM monitoring_run x WHERE x.status IN ('SUCCEEDED', 'PARTIAL') AND x.id <> r.id AND x.started_at = r.registry_since
                          ORDER BY x.id LIMIT 1) p ON r.mode = 'INCREMENTAL'
       WHERE r.id = $1::uuid`,
      [runId],
    ))[0];
    const since = run.previous_started_at && run.previous_as_of ? { startedAt: new Date(run.previous_started_at), asOf: new Date(run.previous_as_of) } : null;
    const leads = await discoverLeads(tx, runId, new Date(run.as_of), since);
    const counts = { alerts: Object.fromEntries(alerts.map((r) => [r.kind, r.n])), findings: Object.fromEntries(findings.map((r) => [r.kind, r.n])), leads: { CURRENT: leads.current, WRITTEN: leads.written, GONE: leads.gone, ...(leads.candidates !== null && { CANDIDATES: leads.candidates }) } };
    await tx.query(
      `UPDATE monitoring_run SET counts = $2::jsonb, failed_sources = $3::text[], stale_sources = $4::text[], shards_retried = $5, mirror_sources = $6::text[], live_sources = $7::text[]
       WHERE id = $1::uuid`,
      [runId, JSON.stringify(counts), sources[0].failed ?? [], sources[0].stale ?? [], sources[0].retried, sources[0].mirror ?? [], sources[0].live ?? []],
    );
    // a full run rewrote the stored results city-wide: planner statistics for the reads that page over them
    // (src/db/analyze.ts), before the run is seen to have ended
    if (ended[0].mode === "FULL") await analyzeTables(tx, STORED_RESULT_TABLES);
    return true;
  });
}

/** The tables a run writes its results to. */
const STORED_RESULT_TABLES = ["monitoring_alert", "monitoring_finding", "monitoring_household", "monitoring_lead"];
/** The stored results a run's shards write (the leads are written at the run's end). */
const GROWN_DURING_RUN = STORED_RESULT_TABLES.filter((t) => t !== "monitoring_lead");

/**
 * Shards one process works at once by default: two, so one shard's reads and writes (the database, the department
 * mirror) overlap another's evaluation (CPU) — with one, the process idled about a quarter of a run on its queries.
 */
export const DEFAULT_SHARD_CONCURRENCY = 2;

/** Works shards in this process (the gateway on the embedded database, `npm run worker`). */
export async function workShards(deps: MonitorDeps, options: { concurrency?: number; pollingIntervalSeconds?: number } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < (options.concurrency ?? DEFAULT_SHARD_CONCURRENCY); i++)
    ids.push(
      await deps.boss.work<ShardJob>(SHARD_QUEUE, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 }, async ([job]) => {
        await processShard(deps, job.data);
      }),
    );
  return ids;
}
