/**
 * Proactive discovery (003 §2, §6): persons the departments know as hardship cases — hardship students,
 * registered unemployed, seriously ill, severely disabled, large medical or education spending — who belong
 * to no registry household, or whose household has no assistance case in force, become leads of class (b)
 * "possibly eligible, not covered", with the evidence and the responsible street. Read set-based from the
 * department mirror (issue 15's mirror_* tables: the only place where persons the registry does not know
 * appear at all), at the end of every run, writing only the leads that are new, changed, back or gone (so an
 * unchanged city costs the run no writes here); absent mirror, no leads.
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
  /** evidence: its name and the record's field that gives its value */
  evidence: [string, string][];
}

const isNumberAtLeast = (field: string, min: number) => `jsonb_typeof(m.record -> '${field}') = 'number' AND (m.record -> '${field}') >= '${min}'::jsonb`;

export const LEAD_RULES: readonly Rule[] = [
  { source: "education", table: "mirror_education", reason: "HARDSHIP_STUDENT", where: `(m.record -> 'hardshipStudent') = 'true'::jsonb`, evidence: [["education.hardshipStudent", "hardshipStudent"], ["education.schoolName", "schoolName"]] },
  { source: "education", table: "mirror_education", reason: "LARGE_EDUCATION_SPENDING", where: isNumberAtLeast("necessaryExpenseFen", LARGE_EDUCATION_SPENDING_FEN), evidence: [["education.necessaryExpenseFen", "necessaryExpenseFen"], ["education.schoolName", "schoolName"]] },
  { source: "employment", table: "mirror_employment", reason: "REGISTERED_UNEMPLOYED", where: `(m.record ->> 'status') = 'UNEMPLOYED_REGISTERED'`, evidence: [["employment.status", "status"], ["employment.registeredUnemployedSince", "registeredUnemployedSince"]] },
  { source: "medicalInsurance", table: "mirror_medical_insurance", reason: "SERIOUS_DISEASE", where: `jsonb_typeof(m.record -> 'seriousDisease') = 'string'`, evidence: [["medicalInsurance.seriousDisease", "seriousDisease"], ["medicalInsurance.year", "year"]] },
  { source: "medicalInsurance", table: "mirror_medical_insurance", reason: "LARGE_MEDICAL_SPENDING", where: isNumberAtLeast("outOfPocketFen", ALERT_WINDOWS.largeOutOfPocketFen), evidence: [["medicalInsurance.outOfPocketFen", "outOfPocketFen"], ["medicalInsurance.year", "year"]] },
  { source: "disability", table: "mirror_disability", reason: "SEVERE_DISABILITY", where: `(m.record -> 'severe') = 'true'::jsonb`, evidence: [["disability.grade", "grade"], ["disability.category", "category"]] },
];

export const leadId = (source: string, reason: string, idNumber: string) => createHash("sha256").update(`${source}|${reason}|${idNumber}`).digest("hex").slice(0, 32);

export async function mirrorPresent(sql: RowExecutor): Promise<boolean> {
  const rows = await sql.query<{ t: string | null }>(`SELECT to_regclass('mirror_sync_state')::text AS t`);
  return rows[0]?.t != null;
}

/** The four person-keyed mirror tables the rules read. */
const LEAD_TABLES = [...new Set(LEAD_RULES.map((r) => r.table))];

/**
 * One rule's hits: the mirrored records that satisfy it, as (rule number, key, record) — all of them (through the
 * rule's partial index), or those of the candidates in `lead_candidate` (through the table's key). What a lead shows
 * (source, reason, evidence, the record's street) is built from the record only for the hits that are leads (`shown`).
 */
function hitsOf(r: Rule, rule: number, candidates: boolean): string {
  const select = `SELECT ${rule} AS rule, m.id_number, m.record, m.source_updated_at`;
  if (!candidates) return `${select} FROM ${r.table} m WHERE ${r.where}`;
  // per candidate, its record by the table's key (OFFSET 0 keeps the lookup per candidate: the planner cannot know how
  // few records satisfy a rule, and would otherwise read all of them to join with the candidates)
  return `SELECT x.* FROM lead_candidate k CROSS JOIN LATERAL (${select} FROM ${r.table} m WHERE m.id_number = k.id_number AND ${r.where} OFFSET 0) AS x`;
}

/** A hit's rule as SQL over `x.rule`: its source, its reason, its evidence (from `x.record` as `m`). */
function shown(what: "source" | "reason" | "evidence"): string {
  const value = (r: Rule) =>
    what === "evidence"
      ? `jsonb_build_array(${r.evidence.map(([name, field]) => `jsonb_build_object('name', '${name}', 'value', x.record->>'${field}', 'source', '${r.source}', 'asOf', x.source_updated_at)`).join(", ")})`
      : `'${r[what]}'`;
  return `(CASE x.rule ${LEAD_RULES.map((r, i) => `WHEN ${i} THEN ${value(r)}`).join(" ")} END)`;
}

export interface LeadDiscovery {
  /** current leads after the run (a full run found them all; an incremental run kept those of others) */
  current: number;
  /** of those, written: new, with changed evidence, household or street, or back after they had gone */
  written: number;
  /** leads the run no longer found (gone with it) */
  gone: number;
  /** an incremental run: the persons it looked at again (null: a full run looked at everyone) */
  candidates: number | null;
}

/** What changed since the previous finished run, for an incremental run's discovery. */
export interface LeadChangesSince {
  /** the previous run's start: mirror records synced and registry households updated from then on */
  startedAt: Date;
  /** the previous run's day: cases that came into or went out of force between that day and this run's */
  asOf: Date;
}

/**
 * Above this many candidates an incremental run's discovery reads every flagged record instead (as a full run does):
 * per candidate it probes six partial indexes and the registry, against ≈ 1.1 million flagged records read in one pass
 * at 2,000,000 persons.
 */
export const CANDIDATES_FOR_ALL = 100_000;

/**
 * Finds the leads over the mirror as of the run's day and brings monitoring_lead up to date: a lead found is current
 * (`gone_run` NULL) and written only when it is new, changed or back; a current lead not found any more has gone with
 * this run (`gone_run`), its `last_seen_*` the previous finished run's. Unchanged leads are not touched, so a run over
 * an unchanged city writes nothing here. Idempotent.
 *
 * A full run (`since` null) looks at every flagged record. An incremental run looks again only at the persons whom
 * something since the previous run may have made or unmade a lead — a record of theirs synced into or removed from the
 * mirror, their household updated in the registry (members, address, cases: the registry's writers touch
 * `household.updated_at`, as the incremental evaluation of households relies on too), a case of their household that
 * came into or went out of force between the two runs' days, or a current lead of theirs whose household was updated
 * (a person who left the registry) — and leaves every other lead as it is: nothing else can have changed it.
 *
 * Inside the transaction that ends the run (after the run's own row says it has finished): candidates and the leads
 * found are collected in temporary tables of that transaction, with their keys and their own statistics, so that the
 * comparisons with the stored leads are index or hash joins whatever the planner believed about the tables before.
 */
export async function discoverLeads(sql: RowExecutor, runId: string, asOf: Date, since: LeadChangesSince | null = null): Promise<LeadDiscovery> {
  if (!(await mirrorPresent(sql))) return { current: 0, written: 0, gone: 0, candidates: null };
  const day = asOf.toISOString().slice(0, 10);
  let candidates: number | null = null;
  if (since) {
    await sql.query(`CREATE TEMPORARY TABLE lead_candidate (id_number text PRIMARY KEY) ON COMMIT DROP`);
    const rows = await sql.query<{ n: number }>(
      `WITH inserted AS (
         INSERT INTO lead_candidate (id_number)
         SELECT DISTINCT k FROM (
           ${LEAD_TABLES.map((t) => `SELECT id_number FROM ${t} WHERE synced_at >= $1::timestamptz`).join(" UNION ALL ")}
           UNION ALL SELECT key FROM mirror_removed WHERE removed_at >= $1::timestamptz AND source <> 'housing'
           UNION ALL SELECT p.id_number::text FROM household h JOIN person p ON p.household_id = h.id WHERE h.updated_at >= $1::timestamptz
           UNION ALL SELECT l.id_number FROM monitoring_lead l JOIN household h ON h.id = l.household_id WHERE l.gone_run IS NULL AND h.updated_at >= $1::timestamptz
           UNION ALL SELECT l.id_number FROM monitoring_lead l WHERE l.gone_run IS NULL AND l.household_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM household h WHERE h.id = l.household_id)
           UNION ALL SELECT p.id_number::text FROM assistance_case c JOIN person p ON p.household_id = c.household_id
             WHERE (c.start_date > least($2::date, $3::date) AND c.start_date <= greatest($2::date, $3::date))
                OR (c.end_date >= least($2::date, $3::date) AND c.end_date < greatest($2::date, $3::date))
         ) AS changed(k)
         RETURNING 1
       ) SELECT count(*)::int AS n FROM inserted`,
      [since.startedAt.toISOString(), since.asOf.toISOString().slice(0, 10), day],
    );
    candidates = rows[0].n;
    if (candidates > CANDIDATES_FOR_ALL) {
      // so many (a full resync of a mirror table, a city-wide registry load) that reading every flagged record is cheaper
      await sql.query(`DROP TABLE lead_candidate`);
      since = null;
    } else await sql.query(`ANALYZE lead_candidate`);
  }
  await sql.query(
    `CREATE TEMPORARY TABLE lead_found (id varchar(32) PRIMARY KEY, source text NOT NULL, reason text NOT NULL, id_number text NOT NULL,
       household_id uuid, district_code text, street_code text, evidence jsonb NOT NULL) ON COMMIT DROP`,
  );
  // the records that make a lead, their person and household, less the households with a case in force on the day
  // (an anti-join; a person in no household has none)
  const found = await sql.query<{ n: number }>(
    `WITH inserted AS (
       INSERT INTO lead_found (id, source, reason, id_number, household_id, district_code, street_code, evidence)
       SELECT left(encode(sha256(convert_to(${shown("source")} || '|' || ${shown("reason")} || '|' || x.id_number, 'UTF8')), 'hex'), 32),
              ${shown("source")}, ${shown("reason")}, x.id_number, p.household_id,
              COALESCE(h.district_code, x.record->>'districtCode'), COALESCE(h.street_code, x.record->>'streetCode'),
              ${shown("evidence")} || jsonb_build_array(jsonb_build_object('name', 'registry.coverage', 'value', CASE WHEN p.id IS NULL THEN 'NOT_IN_REGISTRY' ELSE 'NO_CASE' END, 'source', 'registry', 'asOf', NULL))
       FROM (${LEAD_RULES.map((r, i) => hitsOf(r, i, since !== null)).join(" UNION ALL ")}) AS x
       ${since ? `LEFT JOIN LATERAL (SELECT p.id, p.household_id FROM person p WHERE p.id_number = x.id_number::bpchar OFFSET 0) AS p ON true` : `LEFT JOIN person p ON p.id_number = x.id_number::bpchar`}
       LEFT JOIN household h ON h.id = p.household_id
       WHERE NOT EXISTS (SELECT 1 FROM assistance_case c WHERE c.household_id = p.household_id AND c.status IN ('ACTIVE', 'GRADUAL_EXIT')
                           AND c.start_date <= $1::date AND (c.end_date IS NULL OR c.end_date >= $1::date))
       RETURNING 1
     ) SELECT count(*)::int AS n FROM inserted`,
    [day],
  );
  await sql.query(`ANALYZE lead_found`);
  const written = await sql.query<{ n: number }>(
    `WITH written AS (
       INSERT INTO monitoring_lead AS l (id, source, reason, id_number, household_id, district_code, street_code, evidence, first_seen_run, last_seen_run, last_seen_at)
       SELECT f.id, f.source, f.reason, f.id_number, f.household_id, f.district_code, f.street_code, f.evidence, $1::uuid, $1::uuid, now() FROM lead_found f
       ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id, district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
         evidence = EXCLUDED.evidence, last_seen_run = EXCLUDED.last_seen_run, last_seen_at = EXCLUDED.last_seen_at, gone_run = NULL, gone_at = NULL
       WHERE l.gone_run IS NOT NULL
          OR (l.household_id, l.district_code, l.street_code, l.evidence) IS DISTINCT FROM (EXCLUDED.household_id, EXCLUDED.district_code, EXCLUDED.street_code, EXCLUDED.evidence)
       RETURNING 1
     ) SELECT count(*)::int AS n FROM written`,
    [runId],
  );
  // a full run: every current lead not found has gone; an incremental run: those of its candidates
  const gone = await sql.query<{ n: number }>(
    `WITH previous AS (
       SELECT r.id, r.finished_at FROM monitoring_run r
       WHERE r.status IN ('SUCCEEDED', 'PARTIAL') AND r.id <> $1::uuid ORDER BY r.started_at DESC, r.id DESC LIMIT 1
     ), gone AS (
       UPDATE monitoring_lead l SET gone_run = $1::uuid, gone_at = now(),
         last_seen_run = COALESCE((SELECT id FROM previous), l.last_seen_run), last_seen_at = COALESCE((SELECT finished_at FROM previous), l.last_seen_at)
       WHERE l.gone_run IS NULL AND NOT EXISTS (SELECT 1 FROM lead_found f WHERE f.id = l.id)
         ${since ? `AND EXISTS (SELECT 1 FROM lead_candidate k WHERE k.id_number = l.id_number)` : ""}
       RETURNING 1
     ) SELECT count(*)::int AS n FROM gone`,
    [runId],
  );
  await sql.query(`DROP TABLE lead_found`);
  if (since) await sql.query(`DROP TABLE lead_candidate`);
  const current = since ? (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM monitoring_lead WHERE gone_run IS NULL`))[0].n : found[0].n;
  return { current, written: written[0].n, gone: gone[0].n, candidates };
}
