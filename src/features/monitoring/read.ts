/**
 * Reads over the stored results of the monitoring runs: keyset pages (an index per order, so a city-wide
 * page costs the same at any depth), filtered by the principal's jurisdiction in the same WHERE clause
 * (out of scope is not found), and the run each list comes from.
 */
import type { Jurisdiction } from "../../auth/principal.js";
import { cityPrefix } from "../../policy/scope.js";
import type { RunRow } from "./runs.js";

/** Any row executor: the gateway's Prisma client (prismaExecutor) or a SqlExecutor. */
export interface Rows {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function scopeClause(j: Jurisdiction, p: Params, alias: string): string {
  switch (j.kind) {
    case "city":
      return `${alias}.district_code LIKE ${p.add(`${cityPrefix(j.city)}%`)}`;
    case "districts":
      return `${alias}.district_code = ANY(${p.add(j.districts)}::text[])`;
    case "streets":
      return `${alias}.street_code = ANY(${p.add(j.streets)}::text[])`;
  }
}

export interface StoredAlertRow {
  household_id: string;
  alert_key: string;
  kind: string;
  class: string;
  severity: string;
  department: string;
  person_id: string | null;
  message: string;
  reference: string;
  evidence: { name: string; value: string | number | boolean; source: string; asOf: string | null }[];
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  household_complete: boolean;
}

export interface AlertQuery {
  view: string;
  jurisdiction: Jurisdiction | null;
  district?: string;
  street?: string;
  kind?: string;
  alertClass?: string;
  severity?: string;
  department?: string;
  status?: string;
  /** include alerts a later run no longer saw */
  includeCleared?: boolean;
  after?: { householdId: string; key: string };
  first: number;
}

/** The status of an alert from its actions, in SQL (as statusOf in src/features/aid-chain/monitoring.ts). */
const ACTIONS = `LEFT JOIN LATERAL (
    SELECT bool_or(x.action = 'RESOLVE') AS resolved,
           (array_agg(x.action::text ORDER BY x.at DESC, x.id DESC))[1] AS last_action,
           (array_agg(x.department ORDER BY x.at DESC, x.id DESC) FILTER (WHERE x.action = 'PUSH'))[1] AS pushed_to
    FROM alert_action x WHERE x.household_id = a.household_id AND x.alert_key = a.alert_key) act ON true`;
const STATUS = `CASE WHEN act.resolved THEN 'RESOLVED' WHEN act.last_action IS NULL THEN 'OPEN' WHEN act.last_action = 'PUSH' THEN 'PUSHED' ELSE 'ACKNOWLEDGED' END`;

/**
 * When a stored alert was last seen (alias a, its household's snapshot m): runs keep alerts by difference (store.ts) — an
 * unchanged current alert is not rewritten — so a current alert was last seen by its household's latest evaluation when
 * that evaluation was sure of it (no source its evidence rests on failed or was stale), else when it was last written.
 */
export const ALERT_LAST_SEEN = `CASE WHEN a.resolved_at IS NULL AND m.evaluated_at > a.last_seen_at
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(a.evidence) e WHERE e->>'source' = ANY(m.failed_sources || m.stale_sources))
     THEN m.evaluated_at ELSE a.last_seen_at END`;

export async function alertPage(sql: Rows, q: AlertQuery): Promise<{ rows: StoredAlertRow[]; hasNextPage: boolean }> {
  const p = new Params();
  const where = [`a.view = ${p.add(q.view)}`];
  if (!q.includeCleared) where.push(`a.resolved_at IS NULL`);
  if (q.jurisdiction) where.push(scopeClause(q.jurisdiction, p, "a"));
  if (q.district) where.push(`a.district_code = ${p.add(q.district)}`);
  if (q.street) where.push(`a.street_code = ${p.add(q.street)}`);
  if (q.kind) where.push(`a.kind = ${p.add(q.kind)}`);
  if (q.alertClass) where.push(`a.class = ${p.add(q.alertClass)}`);
  if (q.severity) where.push(`a.severity = ${p.add(q.severity)}`);
  const needActions = Boolean(q.status || q.department);
  if (q.department) where.push(`(a.department = ${p.add(q.department)} OR act.pushed_to = ${p.add(q.department)})`);
  if (q.status) where.push(`${STATUS} = ${p.add(q.status)}`);
  if (q.after) where.push(`(a.household_id, a.alert_key) > (${p.add(q.after.householdId)}::uuid, ${p.add(q.after.key)})`);
  const rows = await sql.query<StoredAlertRow>(
    `SELECT a.household_id, a.alert_key, a.kind, a.class, a.severity, a.department, a.person_id, a.message, a.reference, a.evidence,
            a.first_seen_at, ${ALERT_LAST_SEEN} AS last_seen_at, a.resolved_at,
            COALESCE(cardinality(m.failed_sources) = 0 AND cardinality(m.stale_sources) = 0, true) AS household_complete
     FROM monitoring_alert a ${needActions ? ACTIONS : ""}
     LEFT JOIN monitoring_household m ON m.household_id = a.household_id
     WHERE ${where.join(" AND ")}
     ORDER BY a.household_id, a.alert_key
     LIMIT ${p.add(q.first + 1)}`,
    p.values,
  );
  return { rows: rows.slice(0, q.first), hasNextPage: rows.length > q.first };
}

export interface FindingQuery {
  jurisdiction: Jurisdiction | null;
  district?: string;
  street?: string;
  kind?: string;
  from?: Date;
  to?: Date;
  afterId?: string;
  first: number;
}

/**
 * A page of the current findings, keyset by id; with `count` (default true) also how many match the filter — the page and
 * the count are separate statements, sent at once (on PostgreSQL two pooled connections run them side by side); without
 * it (a client that did not ask for totalCount) totalCount is null and the count is not run.
 */
export async function findingPage(sql: Rows, q: FindingQuery, count = true): Promise<{ rows: { id: string; finding: any }[]; hasNextPage: boolean; totalCount: number | null }> {
  const p = new Params();
  const where = [`f.resolved_at IS NULL`];
  if (q.jurisdiction) where.push(scopeClause(q.jurisdiction, p, "f"));
  if (q.district) where.push(`f.district_code = ${p.add(q.district)}`);
  if (q.street) where.push(`f.street_code = ${p.add(q.street)}`);
  if (q.kind) where.push(`f.kind = ${p.add(q.kind)}`);
  if (q.from) where.push(`f.period_end >= ${p.add(q.from.toISOString().slice(0, 10))}::date`);
  if (q.to) where.push(`f.period_start <= ${p.add(q.to.toISOString().slice(0, 10))}::date`);
  const filtered = where.join(" AND ");
  const countValues = [...p.values];
  const pageWhere = q.afterId ? `${filtered} AND f.id > ${p.add(q.afterId)}` : filtered;
  const [rows, total] = await Promise.all([
    sql.query<{ id: string; finding: any }>(`SELECT f.id, f.finding FROM monitoring_finding f WHERE ${pageWhere} ORDER BY f.id LIMIT ${p.add(q.first + 1)}`, p.values),
    count ? sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM monitoring_finding f WHERE ${filtered}`, countValues) : null,
  ]);
  return { rows: rows.slice(0, q.first), hasNextPage: rows.length > q.first, totalCount: total ? total[0].n : null };
}

export async function runPage(sql: Rows, first: number, afterStartedAt?: { at: string; id: string }): Promise<{ rows: RunRow[]; hasNextPage: boolean }> {
  const rows = afterStartedAt
    ? await sql.query<RunRow>(`SELECT * FROM monitoring_run WHERE (started_at, id) < ($1::timestamptz, $2::uuid) ORDER BY started_at DESC, id DESC LIMIT $3`, [afterStartedAt.at, afterStartedAt.id, first + 1])
    : await sql.query<RunRow>(`SELECT * FROM monitoring_run ORDER BY started_at DESC, id DESC LIMIT $1`, [first + 1]);
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

export async function latestFinishedRun(sql: Rows): Promise<RunRow | null> {
  return (await sql.query<RunRow>(`SELECT * FROM monitoring_run WHERE status IN ('SUCCEEDED', 'PARTIAL') ORDER BY started_at DESC, id DESC LIMIT 1`))[0] ?? null;
}

export async function runById(sql: Rows, id: string): Promise<RunRow | null> {
  return (await sql.query<RunRow>(`SELECT * FROM monitoring_run WHERE id = $1::uuid`, [id]))[0] ?? null;
}

/** One stored alert of a view, current (for the alert mutations). */
export async function storedAlert(sql: Rows, view: string, householdId: string, key: string): Promise<StoredAlertRow | null> {
  const rows = await sql.query<StoredAlertRow>(
    `SELECT a.household_id, a.alert_key, a.kind, a.class, a.severity, a.department, a.person_id, a.message, a.reference, a.evidence,
            a.first_seen_at, ${ALERT_LAST_SEEN} AS last_seen_at, a.resolved_at, true AS household_complete
     FROM monitoring_alert a LEFT JOIN monitoring_household m ON m.household_id = a.household_id
     WHERE a.view = $1 AND a.household_id = $2::uuid AND a.alert_key = $3 AND a.resolved_at IS NULL`,
    [view, householdId, key],
  );
  return rows[0] ?? null;
}

export interface LeadRow {
  id: string;
  source: string;
  reason: string;
  id_number: string;
  household_id: string | null;
  district_code: string | null;
  street_code: string | null;
  evidence: { name: string; value: string | null; source: string; asOf: string | null }[];
  last_seen_at: Date;
  dismissed_at: Date | null;
  dismissed_by: string | null;
  dismiss_reason: string | null;
}

/**
 * When a lead was last found: a current lead, by the latest finished run (every run finds every current lead
 * again; discovery does not rewrite unchanged ones); a gone one, its stored last_seen_at.
 */
const LAST_SEEN = `CASE WHEN l.gone_run IS NULL THEN COALESCE((SELECT r.finished_at FROM monitoring_run r WHERE r.status IN ('SUCCEEDED', 'PARTIAL') ORDER BY r.started_at DESC, r.id DESC LIMIT 1), l.last_seen_at) ELSE l.last_seen_at END`;

export interface LeadQuery {
  jurisdiction: Jurisdiction | null;
  street?: string;
  source?: string;
  reason?: string;
  includeDismissed?: boolean;
  afterId?: string;
  first: number;
}

/** A lead's jurisdiction: its district/street; a lead without a street is a city-wide official's only. */
function leadScope(j: Jurisdiction, p: Params): string {
  switch (j.kind) {
    case "city":
      return `(l.district_code IS NULL OR l.district_code LIKE ${p.add(`${cityPrefix(j.city)}%`)})`;
    case "districts":
      return `l.district_code = ANY(${p.add(j.districts)}::text[])`;
    case "streets":
      return `l.street_code = ANY(${p.add(j.streets)}::text[])`;
  }
}

/** The current leads (those the latest finished run found: src/features/monitoring/leads.ts), keyset by id. */
export async function leadPage(sql: Rows, q: LeadQuery): Promise<{ rows: LeadRow[]; hasNextPage: boolean }> {
  const p = new Params();
  const where = [`l.gone_run IS NULL`];
  if (!q.includeDismissed) where.push(`l.dismissed_at IS NULL`);
  if (q.jurisdiction) where.push(leadScope(q.jurisdiction, p));
  if (q.street) where.push(`l.street_code = ${p.add(q.street)}`);
  if (q.source) where.push(`l.source = ${p.add(q.source)}`);
  if (q.reason) where.push(`l.reason = ${p.add(q.reason)}`);
  if (q.afterId) where.push(`l.id > ${p.add(q.afterId)}`);
  const rows = await sql.query<LeadRow>(
    `SELECT l.id, l.source, l.reason, l.id_number, l.household_id, l.district_code, l.street_code, l.evidence, ${LAST_SEEN} AS last_seen_at, l.dismissed_at, l.dismissed_by, l.dismiss_reason
     FROM monitoring_lead l WHERE ${where.join(" AND ")} ORDER BY l.id LIMIT ${p.add(q.first + 1)}`,
    p.values,
  );
  return { rows: rows.slice(0, q.first), hasNextPage: rows.length > q.first };
}

/** Dismisses a lead in scope (once); null when there is none in scope with this id. */
export async function dismissLead(sql: Rows, jurisdiction: Jurisdiction, id: string, by: string, reason: string): Promise<LeadRow | null> {
  const p = new Params();
  const idParam = p.add(id);
  const scope = leadScope(jurisdiction, p);
  const rows = await sql.query<LeadRow>(
    `UPDATE monitoring_lead l SET dismissed_at = COALESCE(l.dismissed_at, now()), dismissed_by = COALESCE(l.dismissed_by, ${p.add(by)}), dismiss_reason = COALESCE(l.dismiss_reason, ${p.add(reason)})
     WHERE l.id = ${idParam} AND ${scope}
     RETURNING l.id, l.source, l.reason, l.id_number, l.household_id, l.district_code, l.street_code, l.evidence, ${LAST_SEEN} AS last_seen_at, l.dismissed_at, l.dismissed_by, l.dismiss_reason`,
    p.values,
  );
  return rows[0] ?? null;
}
