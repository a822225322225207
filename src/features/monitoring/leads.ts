/**
 * Proactive discovery (003 §2, §6): persons the departments know as hardship cases — hardship students,
 * registered unemployed, seriously ill, severely disabled, large medical or education spending — who belong
 * to no registry household, or whose household has no assistance case in force, become leads of class (b)
 * "possibly eligible, not covered", with the evidence and the responsible street. Read set-based from the
 * department mirror (issue 15's mirror_* tables: the only place where persons the registry does not know
 * appear at all), one statement per source, at the end of every run; absent mirror, no leads.
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
  /** the condition on the mirrored record `m.record` */
  where: string;
  /** evidence: name and the SQL of its value */
  evidence: [string, string][];
}

const RULES: Rule[] = [
  { source: "education", table: "mirror_education", reason: "HARDSHIP_STUDENT", where: `(m.record->>'hardshipStudent')::boolean`, evidence: [["education.hardshipStudent", `m.record->>'hardshipStudent'`], ["education.schoolName", `m.record->>'schoolName'`]] },
  { source: "education", table: "mirror_education", reason: "LARGE_EDUCATION_SPENDING", where: `(m.record->>'necessaryExpenseFen')::bigint >= ${LARGE_EDUCATION_SPENDING_FEN}`, evidence: [["education.necessaryExpenseFen", `m.record->>'necessaryExpenseFen'`], ["education.schoolName", `m.record->>'schoolName'`]] },
  { source: "employment", table: "mirror_employment", reason: "REGISTERED_UNEMPLOYED", where: `m.record->>'status' = 'UNEMPLOYED_REGISTERED'`, evidence: [["employment.status", `m.record->>'status'`], ["employment.registeredUnemployedSince", `m.record->>'registeredUnemployedSince'`]] },
  { source: "medicalInsurance", table: "mirror_medical_insurance", reason: "SERIOUS_DISEASE", where: `m.record->>'seriousDisease' IS NOT NULL`, evidence: [["medicalInsurance.seriousDisease", `m.record->>'seriousDisease'`], ["medicalInsurance.year", `m.record->>'year'`]] },
  { source: "medicalInsurance", table: "mirror_medical_insurance", reason: "LARGE_MEDICAL_SPENDING", where: `(m.record->>'outOfPocketFen')::bigint >= ${ALERT_WINDOWS.largeOutOfPocketFen}`, evidence: [["medicalInsurance.outOfPocketFen", `m.record->>'outOfPocketFen'`], ["medicalInsurance.year", `m.record->>'year'`]] },
  { source: "disability", table: "mirror_disability", reason: "SEVERE_DISABILITY", where: `(m.record->>'severe')::boolean`, evidence: [["disability.grade", `m.record->>'grade'`], ["disability.category", `m.record->>'category'`]] },
];

export const leadId = (source: string, reason: string, idNumber: string) => createHash("sha256").update(`${source}|${reason}|${idNumber}`).digest("hex").slice(0, 32);

export async function mirrorPresent(sql: RowExecutor): Promise<boolean> {
  const rows = await sql.query<{ t: string | null }>(`SELECT to_regclass('mirror_sync_state')::text AS t`);
  return rows[0]?.t != null;
}

/** Finds the leads over the mirror and stores them as seen by this run (idempotent). Returns how many were seen. */
export async function discoverLeads(sql: RowExecutor, runId: string, asOf: Date): Promise<number> {
  if (!(await mirrorPresent(sql))) return 0;
  const day = asOf.toISOString().slice(0, 10);
  let seen = 0;
  for (const r of RULES) {
    const evidence = `jsonb_build_array(${r.evidence.map(([name, value]) => `jsonb_build_object('name', '${name}', 'value', ${value}, 'source', '${r.source}', 'asOf', m.source_updated_at)`).join(", ")})`;
    const rows = await sql.query<{ n: number }>(
      `WITH found AS (
         SELECT m.id_number, p.household_id, COALESCE(h.district_code, m.record->>'districtCode') AS district_code,
                COALESCE(h.street_code, m.record->>'streetCode') AS street_code, ${evidence} AS evidence,
                CASE WHEN p.id IS NULL THEN 'NOT_IN_REGISTRY' ELSE 'NO_CASE' END AS coverage
         FROM ${r.table} m
         LEFT JOIN person p ON p.id_number = m.id_number
         LEFT JOIN household h ON h.id = p.household_id
         WHERE ${r.where}
           AND (p.id IS NULL OR NOT EXISTS (
             SELECT 1 FROM assistance_case c WHERE c.household_id = p.household_id AND c.status IN ('ACTIVE', 'GRADUAL_EXIT')
               AND c.start_date <= $2::date AND (c.end_date IS NULL OR c.end_date >= $2::date)))
       ), stored AS (
         INSERT INTO monitoring_lead (id, source, reason, id_number, household_id, district_code, street_code, evidence, first_seen_run, last_seen_run, last_seen_at)
         SELECT encode(sha256(convert_to('${r.source}|${r.reason}|' || f.id_number, 'UTF8')), 'hex')::varchar(32), '${r.source}', '${r.reason}', f.id_number, f.household_id,
                f.district_code, f.street_code, f.evidence || jsonb_build_array(jsonb_build_object('name', 'registry.coverage', 'value', f.coverage, 'source', 'registry', 'asOf', NULL)),
                $1::uuid, $1::uuid, now()
         FROM found f
         ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id, district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
           evidence = EXCLUDED.evidence, last_seen_run = EXCLUDED.last_seen_run, last_seen_at = EXCLUDED.last_seen_at
         RETURNING 1
       ) SELECT count(*)::int AS n FROM stored`,
      [runId, day],
    );
    seen += rows[0].n;
  }
  return seen;
}
