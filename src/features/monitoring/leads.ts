/**
 * Proactive discovery (003 §2, §6): persons the departments know as hardship cases — hardship students,
 * registered unemployed, seriously ill, severely disabled, large medical or education spending — who belong
 * to no registry household, or whose household has no assistance case in force, become leads of class (b)
 * "possibly eligible, not covered", with the evidence and the responsible street. Read set-based from the
 * department mirror (issue 15's mirror_* tables: the only place where persons the registry does not know
 * appear at all), in one statement at the end of every run, which writes only the leads that are new, changed, back or
 * gone (so an unchanged city costs the run no writes here); absent mirror, no leads.
 *
 * The responsible street: the registry household's street; for a person the registry does not know, the
 * department record's `streetCode` / `districtCode` (the wire record's `residence`, connectors/WIRE.md, which
 * the four person-keyed systems send) — else (a record without a residence) none, and only a city-wide
 * official (civil affairs) sees the lead.
 */
import { createHash } from "node:crypto";
import type { RowExecutor } from "../../audit/store.js";
import { ALERT_WINDOWS } from "../../domain/alerts.js";

/** Necessary education spending (fen a year) that makes a lead on its own: 10,000 yuan (a monitoring choice). */
export const LARGE_EDUCATION_SPENDING_FEN = 1_000_000;

interface Rule {
  source: "education" | "employment" | "medicalInsurance" | "disability";
  table: string;
  reason: string;
  /**
   * the condition on the mirrored record `m.record`: word for word the predicate of the rule's partial index
   * (prisma/migrations/20261209100000_lead_discovery), so that discovery reads only the records that make a lead.
   * JSON comparisons, never a cast: a value of an unexpected type makes no lead and raises no error.
   */
  where: string;
  /** evidence: name and the SQL of its value */
  evidence: [string, string][];
}

const isNumberAtLeast = (field: string, min: number) => `jsonb_typeof(m.record -> '${field}') = 'number' AND (m.record -> '${field}') >= '${min}'::jsonb`;

export const LEAD_RULES: readonly Rule[] = [
  { source: "education", table: "mirror_education", reason: "HARDSHIP_STUDENT", where: `(m.record -> 'hardshipStudent') = 'true'::jsonb`, evidence: [["education.hardshipStudent", `m.record->>'hardshipStudent'`], ["education.schoolName", `m.record->>'schoolName'`]] },
  { source: "education", table: "mirror_education", reason: "LARGE_EDUCATION_SPENDING", where: isNumberAtLeast("necessaryExpenseFen", LARGE_EDUCATION_SPENDING_FEN), evidence: [["education.necessaryExpenseFen", `m.record->>'necessaryExpenseFen'`], ["education.schoolName", `m.record->>'schoolName'`]] },
  { source: "employment", table: "mirror_employment", reason: "REGISTERED_UNEMPLOYED", where: `(m.record ->> 'status') = 'UNEMPLOYED_REGISTERED'`, evidence: [["employment.status", `m.record->>'status'`], ["employment.registeredUnemployedSince", `m.record->>'registeredUnemployedSince'`]] },
  { source: "medicalInsurance", table: "mirror_medical_insurance", reason: "SERIOUS_DISEASE", where: `(m.record ->> 'seriousDisease') IS NOT NULL`, evidence: [["medicalInsurance.seriousDisease", `m.record->>'seriousDisease'`], ["medicalInsurance.year", `m.record->>'year'`]] },
  { source: "medicalInsurance", table: "mirror_medical_insurance", reason: "LARGE_MEDICAL_SPENDING", where: isNumberAtLeast("outOfPocketFen", ALERT_WINDOWS.largeOutOfPocketFen), evidence: [["medicalInsurance.outOfPocketFen", `m.record->>'outOfPocketFen'`], ["medicalInsurance.year", `m.record->>'year'`]] },
  { source: "disability", table: "mirror_disability", reason: "SEVERE_DISABILITY", where: `(m.record -> 'severe') = 'true'::jsonb`, evidence: [["disability.grade", `m.record->>'grade'`], ["disability.category", `m.record->>'category'`]] },
];

export const leadId = (source: string, reason: string, idNumber: string) => createHash("sha256").update(`${source}|${reason}|${idNumber}`).digest("hex").slice(0, 32);

export async function mirrorPresent(sql: RowExecutor): Promise<boolean> {
  const rows = await sql.query<{ t: string | null }>(`SELECT to_regclass('mirror_sync_state')::text AS t`);
  return rows[0]?.t != null;
}

/** One rule's hits: the mirrored records that satisfy it, with the rule's evidence (read through its partial index). */
function hitsOf(r: Rule): string {
  const evidence = `jsonb_build_array(${r.evidence.map(([name, value]) => `jsonb_build_object('name', '${name}', 'value', ${value}, 'source', '${r.source}', 'asOf', m.source_updated_at)`).join(", ")})`;
  return `SELECT '${r.source}'::text AS source, '${r.reason}'::text AS reason, m.id_number, m.record->>'districtCode' AS district_code, m.record->>'streetCode' AS street_code, ${evidence} AS evidence
          FROM ${r.table} m WHERE ${r.where}`;
}

export interface LeadDiscovery {
  /** leads the run found (current after it) */
  seen: number;
  /** of those, written: new, with changed evidence, household or street, or back after they had gone */
  written: number;
  /** leads the run no longer found (gone with it) */
  gone: number;
}

/**
 * Finds the leads over the mirror as of the run's day and brings monitoring_lead up to date in one statement:
 * a lead found is current (`gone_run` NULL) and written only when it is new, changed or back; a current lead not
 * found any more has gone with this run (`gone_run`), its `last_seen_*` the previous finished run's. Unchanged
 * leads are not touched, so a run over an unchanged city writes nothing here. Idempotent. Run it inside the
 * transaction that ends the run (after the run's own row says it has finished).
 */
export async function discoverLeads(sql: RowExecutor, runId: string, asOf: Date): Promise<LeadDiscovery> {
  if (!(await mirrorPresent(sql))) return { seen: 0, written: 0, gone: 0 };
  const day = asOf.toISOString().slice(0, 10);
  const rows = await sql.query<LeadDiscovery>(
    `WITH covered AS MATERIALIZED (
       SELECT DISTINCT c.household_id FROM assistance_case c
       WHERE c.status IN ('ACTIVE', 'GRADUAL_EXIT') AND c.start_date <= $2::date AND (c.end_date IS NULL OR c.end_date >= $2::date)
     ), hits AS (
       ${LEAD_RULES.map(hitsOf).join(" UNION ALL ")}
     ), found AS MATERIALIZED (
       SELECT encode(sha256(convert_to(x.source || '|' || x.reason || '|' || x.id_number, 'UTF8')), 'hex')::varchar(32) AS id,
              x.source, x.reason, x.id_number, p.household_id,
              COALESCE(h.district_code, x.district_code) AS district_code, COALESCE(h.street_code, x.street_code) AS street_code,
              x.evidence || jsonb_build_array(jsonb_build_object('name', 'registry.coverage', 'value', CASE WHEN p.id IS NULL THEN 'NOT_IN_REGISTRY' ELSE 'NO_CASE' END, 'source', 'registry', 'asOf', NULL)) AS evidence
       FROM hits x
       LEFT JOIN person p ON p.id_number = x.id_number::bpchar
       LEFT JOIN household h ON h.id = p.household_id
       WHERE p.id IS NULL OR NOT EXISTS (SELECT 1 FROM covered c WHERE c.household_id = p.household_id)
     ), written AS (
       INSERT INTO monitoring_lead AS l (id, source, reason, id_number, household_id, district_code, street_code, evidence, first_seen_run, last_seen_run, last_seen_at)
       SELECT f.id, f.source, f.reason, f.id_number, f.household_id, f.district_code, f.street_code, f.evidence, $1::uuid, $1::uuid, now() FROM found f
       ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id, district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
         evidence = EXCLUDED.evidence, last_seen_run = EXCLUDED.last_seen_run, last_seen_at = EXCLUDED.last_seen_at, gone_run = NULL, gone_at = NULL
       WHERE l.gone_run IS NOT NULL
          OR (l.household_id, l.district_code, l.street_code, l.evidence) IS DISTINCT FROM (EXCLUDED.household_id, EXCLUDED.district_code, EXCLUDED.street_code, EXCLUDED.evidence)
       RETURNING 1
     ), previous AS (
       SELECT r.id, r.finished_at FROM monitoring_run r
       WHERE r.status IN ('SUCCEEDED', 'PARTIAL') AND r.id <> $1::uuid ORDER BY r.started_at DESC, r.id DESC LIMIT 1
     ), gone AS (
       UPDATE monitoring_lead l SET gone_run = $1::uuid, gone_at = now(),
         last_seen_run = COALESCE((SELECT id FROM previous), l.last_seen_run), last_seen_at = COALESCE((SELECT finished_at FROM previous), l.last_seen_at)
       WHERE l.gone_run IS NULL AND NOT EXISTS (SELECT 1 FROM found f WHERE f.id = l.id)
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM found)::int AS seen, (SELECT count(*) FROM written)::int AS written, (SELECT count(*) FROM gone)::int AS gone`,
    [runId, day],
  );
  return rows[0];
}
