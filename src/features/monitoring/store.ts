/**
 * Writing a shard's results — idempotent: the rows carry the run's evaluation instant (never the clock of
 * the write), so a shard written twice (a retried job, a worker killed after its commit) leaves the same
 * rows. In one transaction per shard:
 *   alerts    upserted per (view, household, opaque key): first seen kept, last seen = the run; an alert the
 *             household no longer has is resolved by this run — unless its evidence rests on a source that
 *             failed or was stale for that household (absence of evidence is not evidence of absence)
 *   findings  upserted by id; a household's finding no longer found is resolved by this run
 *   household the computed-tier snapshot, the failed/stale sources, the re-derived needs
 *   shard     DONE, and the run's counter (once)
 * A row last seen by a later run is never taken back by an earlier run's late shard.
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

export async function writeShard(sql: SqlExecutor, r: ShardResults): Promise<boolean> {
  const at = r.asOf.toISOString();
  const byHousehold = new Map(r.evaluations.map((e) => [e.householdId, e]));
  const unsure = (householdId: string) => new Set([...(byHousehold.get(householdId)?.failedSources ?? []), ...(byHousehold.get(householdId)?.staleSources ?? [])]);
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
    if (rows.length)
      await tx.query(
        `INSERT INTO monitoring_alert (household_id, view, alert_key, district_code, street_code, kind, class, severity, department, person_id, message, reference, evidence,
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
         WHERE monitoring_alert.last_seen_at <= EXCLUDED.last_seen_at`,
        [json(rows), r.runId, at],
      );
    // alerts no longer seen: resolved, unless they rest on a source that failed or was stale for the household
    const seen = new Set(r.alerts.map((a) => `${a.view}|${a.householdId}|${a.key}`));
    const open = await tx.query<{ view: string; household_id: string; alert_key: string; evidence: { source: string }[] }>(
      `SELECT view, household_id, alert_key, evidence FROM monitoring_alert
       WHERE household_id = ANY($1::uuid[]) AND resolved_at IS NULL AND last_seen_at <= $2::timestamptz AND last_seen_run <> $3::uuid`,
      [r.householdIds, at, r.runId],
    );
    const resolve = open
      .filter((o) => !seen.has(`${o.view}|${o.household_id}|${o.alert_key}`))
      .filter((o) => {
        const u = unsure(o.household_id);
        return byHousehold.has(o.household_id) && !o.evidence.some((e) => u.has(e.source));
      })
      .map((o) => ({ view: o.view, household_id: o.household_id, alert_key: o.alert_key }));
    if (resolve.length)
      await tx.query(
        `UPDATE monitoring_alert a SET resolved_run = $2::uuid, resolved_at = $3::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS k(view text, household_id uuid, alert_key text)
         WHERE a.view = k.view AND a.household_id = k.household_id AND a.alert_key = k.alert_key AND a.resolved_at IS NULL`,
        [json(resolve), r.runId, at],
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
         WHERE monitoring_finding.last_seen_at <= EXCLUDED.last_seen_at`,
        [json(findings), r.runId, at],
      );
    await tx.query(
      `UPDATE monitoring_finding SET resolved_run = $3::uuid, resolved_at = $4::timestamptz
       WHERE household_id = ANY($1::uuid[]) AND resolved_at IS NULL AND last_seen_at <= $4::timestamptz AND last_seen_run <> $3::uuid AND NOT (id = ANY($2::text[]))`,
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
