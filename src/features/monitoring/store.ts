/**
 * Writing a shard's results — idempotent: the rows carry the run's evaluation instant (never the clock of
 * the write), so a shard written twice (a retried job, a worker killed after its commit) leaves the same
 * rows. In one transaction per shard:
 *   alerts    kept by difference per (view, household, opaque key): a new alert is inserted (first and last seen =
 *             the run), one whose content changed or that comes back after being resolved is rewritten (last seen = the
 *             run); an unchanged current alert is left as it is — the household's snapshot says when it was last
 *             evaluated, which is when such an alert was last seen (read.ts ALERT_LAST_SEEN). An alert the household no
 *             longer has is resolved by this run — unless its evidence rests on a source that failed or was stale for
 *             that household (absence of evidence is not evidence of absence); such a kept alert first takes its last
 *             sighting from the snapshot being replaced, so that no sighting is lost
 *   findings  kept by difference by id (new, changed or back are written); a household's finding no longer found is
 *             resolved by this run
 *   household the computed-tier snapshot, the failed/stale sources, the re-derived needs
 *   shard     DONE, and the run's counter (once)
 * A row last seen by a later run is never taken back by an earlier run's late shard: nothing of a household whose
 * snapshot is newer than this run's instant is written or resolved.
 */
import type { SqlExecutor } from "../../db/sql.js";
import type { IdentifiedFinding } from "../findings/audit-findings.js";
import type { HouseholdEvaluation } from "./evaluate.js";
import type { AlertFinding } from "../../domain/alerts.js";

export interface StoredAlertInput {
  householdId: string;
  view: string;
  /** the opaque key (al_…), as alert_action rows carry it */
  key: string;
  alert: AlertFinding;
}

export interface ShardResults {
  runId: string;
  shardNo: number;
  asOf: Date;
  evaluations: HouseholdEvaluation[];
  alerts: StoredAlertInput[];
  findings: IdentifiedFinding[];
  /** every household of the shard (also those with no alerts), for resolving */
  householdIds: string[];
  /** department sources read from the mirror / asked live for this shard */
  mirrorSources?: string[];
  liveSources?: string[];
}

const json = (x: unknown) => JSON.stringify(x);

/** The late-shard guard: the household's snapshot is newer than `instant` (a later run has evaluated it). */
const evaluatedAfter = (householdId: string, instant: string) => `EXISTS (SELECT 1 FROM monitoring_household m WHERE m.household_id = ${householdId} AND m.evaluated_at > ${instant})`;

export async function writeShard(sql: SqlExecutor, r: ShardResults): Promise<boolean> {
  const at = r.asOf.toISOString();
  const byHousehold = new Map(r.evaluations.map((e) => [e.householdId, e]));
  return sql.transaction(async (tx) => {
    // alerts
    const rows = r.alerts.map((a) => {
      const e = byHousehold.get(a.householdId)!;
      return {
        household_id: a.householdId,
        view: a.view,
        alert_key: a.key,
        district_code: e.districtCode,
        street_code: e.streetCode,
        kind: a.alert.kind,
        class: a.alert.class,
        severity: a.alert.severity,
        department: a.alert.department,
        person_id: a.alert.personId,
        message: a.alert.message,
        reference: a.alert.reference,
        evidence: a.alert.evidence,
      };
    });
    // an alert resting on a source that failed or was stale for its household is written even when unchanged: its sighting
    // cannot be read off the household's snapshot (ALERT_LAST_SEEN), which is not sure of it
    const unsureOf = new Map(r.evaluations.map((e) => [e.householdId, new Set<string>([...e.failedSources, ...e.staleSources])]));
    const rests = (a: StoredAlertInput) => {
      const u = unsureOf.get(a.householdId);
      return u !== undefined && u.size > 0 && a.alert.evidence.some((x) => u.has(x.source));
    };
    const sure: typeof rows = [];
    const forced: typeof rows = [];
    rows.forEach((row, k) => (rests(r.alerts[k]) ? forced : sure).push(row));
    const upsert = (byDifference: boolean) => `INSERT INTO monitoring_alert (household_id, view, alert_key, district_code, street_code, kind, class, severity, department, person_id, message, reference, evidence,
                                       first_seen_run, first_seen_at, last_seen_run, last_seen_at)
         SELECT x.household_id, x.view, x.alert_key, x.district_code, x.street_code, x.kind, x.class, x.severity, x.department, x.person_id, x.message, x.reference, x.evidence,
                $2::uuid, $3::timestamptz, $2::uuid, $3::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS x(household_id uuid, view text, alert_key text, district_code text, street_code text, kind text, class text, severity text,
                                                 department text, person_id uuid, message text, reference text, evidence jsonb)
         ON CONFLICT (view, household_id, alert_key) DO UPDATE SET
           district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code, kind = EXCLUDED.kind, class = EXCLUDED.class,
           severity = EXCLUDED.severity, department = EXCLUDED.department, person_id = EXCLUDED.person_id, message = EXCLUDED.message,
           reference = EXCLUDED.reference, evidence = EXCLUDED.evidence, last_seen_run = EXCLUDED.last_seen_run, last_seen_at = EXCLUDED.last_seen_at,
           resolved_run = NULL, resolved_at = NULL
         WHERE monitoring_alert.last_seen_at <= EXCLUDED.last_seen_at
           ${
             byDifference
               ? `AND (monitoring_alert.resolved_at IS NOT NULL
                OR (monitoring_alert.district_code, monitoring_alert.street_code, monitoring_alert.kind, monitoring_alert.class, monitoring_alert.severity,
                    monitoring_alert.department, monitoring_alert.person_id, monitoring_alert.message, monitoring_alert.reference, monitoring_alert.evidence)
                   IS DISTINCT FROM (EXCLUDED.district_code, EXCLUDED.street_code, EXCLUDED.kind, EXCLUDED.class, EXCLUDED.severity,
                    EXCLUDED.department, EXCLUDED.person_id, EXCLUDED.message, EXCLUDED.reference, EXCLUDED.evidence))`
               : ""
           }
           AND NOT ${evaluatedAfter("EXCLUDED.household_id", "EXCLUDED.last_seen_at")}`;
    if (sure.length) await tx.query(upsert(true), [json(sure), r.runId, at]);
    if (forced.length) await tx.query(upsert(false), [json(forced), r.runId, at]);
    // the households this shard evaluated, with the sources that failed or were stale for each
    const evaluated = json([...unsureOf].map(([household_id, unsure]) => ({ household_id, unsure: [...unsure] })));
    const seenKeys = json(r.alerts.map((a) => ({ view: a.view, household_id: a.householdId, alert_key: a.key })));
    // alerts no longer seen: resolved, unless their evidence rests on a source that failed or was stale for the household.
    // Those kept that way were not seen by this run: their last sighting is the household's previous evaluation when that
    // one was sure of them (its snapshot, about to be replaced below), so it is recorded on them first.
    const notSeen = `a.household_id = h.household_id AND a.resolved_at IS NULL AND a.last_seen_at <= $3::timestamptz AND a.last_seen_run <> $4::uuid
         AND (a.view, a.household_id, a.alert_key) NOT IN (SELECT s.view, s.household_id, s.alert_key FROM jsonb_to_recordset($2::jsonb) AS s(view text, household_id uuid, alert_key text))`;
    const restsOn = (unsure: string) => `EXISTS (SELECT 1 FROM jsonb_array_elements(a.evidence) e WHERE e->>'source' = ANY(${unsure}))`;
    if ([...unsureOf.values()].some((u) => u.size > 0))
      await tx.query(
        `UPDATE monitoring_alert a SET last_seen_run = m.run_id, last_seen_at = m.evaluated_at
         FROM jsonb_to_recordset($1::jsonb) AS h(household_id uuid, unsure text[]), monitoring_household m
         WHERE ${notSeen} AND cardinality(h.unsure) > 0 AND ${restsOn("h.unsure")}
           AND m.household_id = a.household_id AND m.evaluated_at > a.last_seen_at AND m.evaluated_at <= $3::timestamptz
           AND NOT ${restsOn("m.failed_sources || m.stale_sources")}`,
        [evaluated, seenKeys, at, r.runId],
      );
    await tx.query(
      `UPDATE monitoring_alert a SET resolved_run = $4::uuid, resolved_at = $3::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS h(household_id uuid, unsure text[])
       WHERE ${notSeen} AND NOT ${restsOn("h.unsure")}
         AND NOT ${evaluatedAfter("a.household_id", "$3::timestamptz")}`,
      [evaluated, seenKeys, at, r.runId],
    );

    // findings
    const findings = r.findings.map((f) => ({
      id: f.id,
      household_id: f.householdId,
      district_code: f.districtCode,
      street_code: f.streetCode,
      kind: f.kind,
      period_start: f.periodStart.toISOString().slice(0, 10),
      period_end: f.periodEnd.toISOString().slice(0, 10),
      finding: { ...f, periodStart: f.periodStart.toISOString().slice(0, 10), periodEnd: f.periodEnd.toISOString().slice(0, 10) },
    }));
    if (findings.length)
      await tx.query(
        `INSERT INTO monitoring_finding (id, household_id, district_code, street_code, kind, period_start, period_end, finding, first_seen_run, first_seen_at, last_seen_run, last_seen_at)
         SELECT x.id, x.household_id, x.district_code, x.street_code, x.kind, x.period_start, x.period_end, x.finding, $2::uuid, $3::timestamptz, $2::uuid, $3::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, household_id uuid, district_code text, street_code text, kind text, period_start date, period_end date, finding jsonb)
         ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id, district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
           finding = EXCLUDED.finding, last_seen_run = EXCLUDED.last_seen_run, last_seen_at = EXCLUDED.last_seen_at, resolved_run = NULL, resolved_at = NULL
         WHERE monitoring_finding.last_seen_at <= EXCLUDED.last_seen_at
           AND (monitoring_finding.resolved_at IS NOT NULL
                OR (monitoring_finding.household_id, monitoring_finding.district_code, monitoring_finding.street_code, monitoring_finding.finding)
                   IS DISTINCT FROM (EXCLUDED.household_id, EXCLUDED.district_code, EXCLUDED.street_code, EXCLUDED.finding))
           AND NOT ${evaluatedAfter("EXCLUDED.household_id", "EXCLUDED.last_seen_at")}`,
        [json(findings), r.runId, at],
      );
    await tx.query(
      `UPDATE monitoring_finding f SET resolved_run = $3::uuid, resolved_at = $4::timestamptz
       WHERE f.household_id = ANY($1::uuid[]) AND f.resolved_at IS NULL AND f.last_seen_at <= $4::timestamptz AND f.last_seen_run <> $3::uuid AND NOT (f.id = ANY($2::text[]))
         AND NOT ${evaluatedAfter("f.household_id", "$4::timestamptz")}`,
      [r.householdIds.filter((h) => byHousehold.has(h)), r.findings.map((f) => f.id), r.runId, at],
    );

    // the household snapshot
    const snapshots = r.evaluations.map((e) => ({
      household_id: e.householdId,
      tier: e.tier,
      tier_class: e.tierClass,
      failed_sources: e.failedSources,
      stale_sources: e.staleSources,
      needs: e.needs,
    }));
    if (snapshots.length)
      await tx.query(
        `INSERT INTO monitoring_household (household_id, run_id, evaluated_at, tier, tier_class, failed_sources, stale_sources, needs)
         SELECT x.household_id, $2::uuid, $3::timestamptz, x.tier, x.tier_class,
                ARRAY(SELECT jsonb_array_elements_text(x.failed_sources)), ARRAY(SELECT jsonb_array_elements_text(x.stale_sources)), x.needs
         FROM jsonb_to_recordset($1::jsonb) AS x(household_id uuid, tier text, tier_class text, failed_sources jsonb, stale_sources jsonb, needs jsonb)
         ON CONFLICT (household_id) DO UPDATE SET run_id = EXCLUDED.run_id, evaluated_at = EXCLUDED.evaluated_at, tier = EXCLUDED.tier, tier_class = EXCLUDED.tier_class,
           failed_sources = EXCLUDED.failed_sources, stale_sources = EXCLUDED.stale_sources, needs = EXCLUDED.needs
         WHERE monitoring_household.evaluated_at <= EXCLUDED.evaluated_at`,
        [json(snapshots), r.runId, at],
      );

    // the shard, and the run's counter once
    const failed = [...new Set(r.evaluations.flatMap((e) => e.failedSources))].sort();
    const stale = [...new Set(r.evaluations.flatMap((e) => e.staleSources))].sort();
    const done = await tx.query(
      `UPDATE monitoring_shard SET status = 'DONE', error = NULL, finished_at = now(), failed_sources = $3::text[], stale_sources = $4::text[],
         mirror_sources = $5::text[], live_sources = $6::text[]
       WHERE run_id = $1::uuid AND shard_no = $2 AND status NOT IN ('DONE', 'FAILED') RETURNING shard_no`,
      [r.runId, r.shardNo, failed, stale, r.mirrorSources ?? [], r.liveSources ?? []],
    );
    if (done.length) await tx.query(`UPDATE monitoring_run SET shards_done = shards_done + 1 WHERE id = $1::uuid`, [r.runId]);
    // subscribers (Subscription.alertRaised, src/features/monitoring/raised.ts) learn of the shard at commit
    if (done.length && rows.length) await tx.query(`SELECT pg_notify('monitoring_alerts', current_schema() || ':' || $1 || ':' || $2)`, [r.runId, String(r.shardNo)]);
    return done.length > 0;
  });
}
