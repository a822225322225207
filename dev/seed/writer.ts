/**
 * Streams a synthetic population into the registry tables, in batches of households. Each batch is
 * one transaction of six multi-row inserts, one per table, of the form
 *   INSERT INTO person (cols) SELECT * FROM unnest($1::text::uuid[], $2::text::text[], ...)
 * with one array parameter per column. The arrays are sent as PostgreSQL array literals in text
 * parameters and cast in SQL, so PGlite and node-postgres run exactly the same statement (neither
 * driver has to know the enum array types). On PostgreSQL several batches are written concurrently
 * on separate pool connections while the next batch is generated.
 */
import type { SqlExecutor } from "../../src/db/sql.js";
import type { SynthHousehold, SynthPolicyParameter, SynthStreet } from "./model.js";
import { policyParameters, streets } from "./generator.js";
import { uuidFromString } from "./rng.js";

export interface SeedStats {
  households: number;
  persons: number;
  incomes: number;
  assets: number;
  cases: number;
  aid: number;
  ms: number;
}

export interface SeedOptions {
  /** households per batch (one transaction); default 2,000 */
  batchSize?: number;
  /** called after each committed batch with the running totals */
  onProgress?: (persons: number, households: number) => void;
  /** batches in flight at once; default 3 on PostgreSQL, 1 on PGlite (one connection) */
  concurrency?: number;
  /** the streets the households refer to; default: the default set's streets */
  streets?: readonly SynthStreet[];
  /** default: policyParameters() */
  policyParameters?: readonly SynthPolicyParameter[];
}

type Scalar = string | number | boolean | bigint | null;

interface Table {
  name: string;
  columns: readonly (readonly [column: string, type: string])[];
}

const HOUSEHOLD: Table = {
  name: "household",
  columns: [["id", "uuid"], ["registry_no", "text"], ["district_code", "text"], ["street_code", "text"], ["address", "text"], ["hukou", '"HukouType"'], ["status", '"HouseholdStatus"'], ["phone", "text"], ["contact_consent", "boolean"]],
};
const PERSON: Table = {
  name: "person",
  columns: [["id", "uuid"], ["id_number", "text"], ["name", "text"], ["sex", '"Sex"'], ["birth_date", "date"], ["household_id", "uuid"], ["relation", '"Relation"'], ["work_ability", '"WorkAbility"'], ["self_care", '"SelfCare"'], ["deceased_on", "date"]],
};
const INCOME: Table = {
  name: "income",
  columns: [["id", "uuid"], ["household_id", "uuid"], ["person_id", "uuid"], ["source", '"IncomeSource"'], ["monthly_fen", "integer"], ["valid_from", "date"], ["valid_to", "date"]],
};
const ASSET: Table = {
  name: "asset",
  columns: [["id", "uuid"], ["household_id", "uuid"], ["kind", '"AssetKind"'], ["value_fen", "bigint"], ["description", "text"]],
};
const CASE: Table = {
  name: "assistance_case",
  columns: [["id", "uuid"], ["household_id", "uuid"], ["person_id", "uuid"], ["tier", '"Tier"'], ["tier_class", '"TierClass"'], ["status", '"CaseStatus"'], ["start_date", "date"], ["end_date", "date"], ["next_review_date", "date"], ["monthly_fen", "integer"], ["note", "text"]],
};
const AID: Table = {
  name: "aid_record",
  columns: [["id", "uuid"], ["household_id", "uuid"], ["person_id", "uuid"], ["case_id", "uuid"], ["program", '"AidProgram"'], ["amount_fen", "integer"], ["period_start", "date"], ["period_end", "date"], ["paid_at", "timestamptz"], ["idempotency_key", "text"], ["district_code", "text"]],
};
const TEMPORARY_AID: Table = {
  name: "temporary_aid_application",
  columns: [["id", "uuid"], ["household_id", "uuid"], ["person_id", "uuid"], ["kind", '"TemporaryAidKind"'], ["applied_on", "date"], ["status", '"TemporaryAidStatus"'], ["decided_on", "date"], ["amount_fen", "integer"], ["reason", "text"]],
};
const STREET: Table = { name: "street", columns: [["code", "text"], ["district_code", "text"], ["name", "text"]] };
const POLICY: Table = {
  name: "policy_parameter",
  columns: [["id", "uuid"], ["region_code", "text"], ["key", "text"], ["value", "numeric"], ["unit", '"ParameterUnit"'], ["effective_from", "date"], ["effective_to", "date"], ["source", "text"]],
};

function insertSql(t: Table, onConflict = ""): string {
  const cols = t.columns.map(([c]) => `"${c}"`).join(", ");
  const arrays = t.columns.map(([, type], i) => `$${i + 1}::text::${type}[]`).join(", ");
  return `INSERT INTO "${t.name}" (${cols}) SELECT * FROM unnest(${arrays})${onConflict}`;
}

const SQL = new Map<Table, string>([HOUSEHOLD, PERSON, INCOME, ASSET, CASE, AID, TEMPORARY_AID].map((t) => [t, insertSql(t)]));

const NEEDS_QUOTING = /[",\\{}\s]|^NULL$/i;

/** Column-wise buffers that render as PostgreSQL array literals. */
class Columns {
  private readonly parts: string[][];
  rows = 0;

  constructor(private readonly table: Table) {
    this.parts = table.columns.map(() => []);
  }

  add(...values: Scalar[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      let s: string;
      if (v === null) s = "NULL";
      else if (typeof v === "string") s = v === "" || NEEDS_QUOTING.test(v) ? `"${v.replace(/[\\"]/g, "\\$&")}"` : v;
      else s = String(v);
      this.parts[i].push(s);
    }
    this.rows++;
  }

  params(): string[] {
    return this.parts.map((p) => `{${p.join(",")}}`);
  }

  get sql(): string {
    return SQL.get(this.table) ?? insertSql(this.table);
  }
}

interface Batch {
  households: Columns;
  persons: Columns;
  incomes: Columns;
  assets: Columns;
  cases: Columns;
  aid: Columns;
  temporaryAid: Columns;
  nHouseholds: number;
  nPersons: number;
}

function newBatch(): Batch {
  return {
    households: new Columns(HOUSEHOLD),
    persons: new Columns(PERSON),
    incomes: new Columns(INCOME),
    assets: new Columns(ASSET),
    cases: new Columns(CASE),
    aid: new Columns(AID),
    temporaryAid: new Columns(TEMPORARY_AID),
    nHouseholds: 0,
    nPersons: 0,
  };
}

function addHousehold(b: Batch, h: SynthHousehold): void {
  b.households.add(h.id, h.registryNo, h.districtCode, h.streetCode, h.address, h.hukou, h.status, h.phone, h.contactConsent);
  const personId = (i: number | null) => (i === null ? null : h.members[i].id);
  for (const p of h.members) b.persons.add(p.id, p.idNumber, p.name, p.sex, p.birthDate, h.id, p.relation, p.workAbility, p.selfCare, p.facts.deceasedOn ?? null);
  for (const x of h.incomes) b.incomes.add(x.id, h.id, personId(x.personIndex), x.source, x.monthlyFen, x.validFrom, x.validTo);
  for (const a of h.assets) b.assets.add(a.id, h.id, a.kind, a.valueFen, a.description);
  for (const c of h.cases) {
    b.cases.add(c.id, h.id, personId(c.personIndex), c.tier, c.tierClass, c.status, c.startDate, c.endDate, c.nextReviewDate, c.monthlyFen, c.note);
  }
  for (const a of h.aid) {
    const caseId = a.caseIndex === null ? null : h.cases[a.caseIndex].id;
    b.aid.add(a.id, h.id, personId(a.personIndex), caseId, a.program, a.amountFen, a.periodStart, a.periodEnd, a.paidAt, a.idempotencyKey, a.districtCode ?? null);
  }
  // attached by dev/seed/temporary-aid.ts (withTemporaryAid)
  for (const t of h.temporaryAid ?? []) b.temporaryAid.add(t.id, h.id, t.personId, t.kind, t.appliedOn, t.status, t.decidedOn, t.amountFen, t.reason);
  b.nHouseholds++;
  b.nPersons += h.members.length;
}

async function writeBatch(sql: SqlExecutor, b: Batch): Promise<void> {
  await sql.transaction(async (tx) => {
    // a lost seed batch after a server crash is re-seeded, not recovered: don't wait for the WAL flush
    if (tx.kind === "postgres") await tx.query("SET LOCAL synchronous_commit = off");
    // parents before children (foreign keys)
    for (const cols of [b.households, b.persons, b.incomes, b.assets, b.cases, b.aid, b.temporaryAid]) {
      if (cols.rows > 0) await tx.query(cols.sql, cols.params());
    }
  });
}

/** Streets and policy parameters (idempotent: existing rows are kept). */
export async function writeReferenceData(
  sql: SqlExecutor,
  streetRows: readonly SynthStreet[] = streets(),
  params: readonly SynthPolicyParameter[] = policyParameters(),
): Promise<void> {
  const s = new Columns(STREET);
  for (const r of streetRows) s.add(r.code, r.districtCode, r.name);
  const p = new Columns(POLICY);
  for (const r of params) {
    p.add(uuidFromString(`${r.regionCode}|${r.key}|${r.effectiveFrom}`), r.regionCode, r.key, r.value, r.unit, r.effectiveFrom, r.effectiveTo, r.source);
  }
  await sql.transaction(async (tx) => {
    if (s.rows) await tx.query(insertSql(STREET, " ON CONFLICT (code) DO NOTHING"), s.params());
    if (p.rows) await tx.query(insertSql(POLICY, ' ON CONFLICT ("region_code", "key", "effective_from") DO NOTHING'), p.params());
  });
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes streets and policy parameters, then the households in batches. Returns row counts and the
 * elapsed milliseconds. Memory is bounded by batchSize × concurrency households.
 */
export async function seedDatabase(sql: SqlExecutor, households: Iterable<SynthHousehold>, opts: SeedOptions = {}): Promise<SeedStats> {
  const started = Date.now();
  const batchSize = Math.max(1, opts.batchSize ?? 2000);
  const concurrency = Math.max(1, opts.concurrency ?? (sql.kind === "postgres" ? 3 : 1));
  await writeReferenceData(sql, opts.streets ?? streets(), opts.policyParameters ?? policyParameters());

  const stats: SeedStats = { households: 0, persons: 0, incomes: 0, assets: 0, cases: 0, aid: 0, ms: 0 };
  let committedPersons = 0;
  let committedHouseholds = 0;
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;

  const launch = async (b: Batch) => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (failure) return;
    const p: Promise<void> = writeBatch(sql, b).then(
      () => {
        committedPersons += b.nPersons;
        committedHouseholds += b.nHouseholds;
        opts.onProgress?.(committedPersons, committedHouseholds);
      },
      (err) => {
        failure ??= err;
      },
    );
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };

  let batch = newBatch();
  for (const h of households) {
    addHousehold(batch, h);
    stats.households++;
    stats.persons += h.members.length;
    stats.incomes += h.incomes.length;
    stats.assets += h.assets.length;
    stats.cases += h.cases.length;
    stats.aid += h.aid.length;
    // let the in-flight batches' statements progress while this one is generated
    if (concurrency > 1 && inflight.size > 0 && batch.nHouseholds % 100 === 0) await yieldToEventLoop();
    if (batch.nHouseholds >= batchSize) {
      await launch(batch);
      if (failure) break;
      batch = newBatch();
    }
  }
  if (!failure && batch.nHouseholds > 0) await launch(batch);
  await Promise.all(inflight);
  if (failure) throw failure;
  stats.ms = Date.now() - started;
  return stats;
}

/** True when the registry holds at least one household. */
export async function isSeeded(sql: SqlExecutor): Promise<boolean> {
  const rows = await sql.query<{ seeded: boolean }>(`SELECT EXISTS (SELECT 1 FROM "household") AS seeded`);
  return rows[0]?.seeded === true;
}

/** The registry tables, children first. */
export const REGISTRY_TABLES = ["temporary_aid_application", "aid_record", "assistance_case", "asset", "income", "person", "household", "street", "policy_parameter", "seed_run"] as const;

/** Empties the registry tables (and, through CASCADE, rows of other tables that reference them). */
export async function truncateRegistry(sql: SqlExecutor): Promise<void> {
  await sql.exec(`TRUNCATE ${REGISTRY_TABLES.map((t) => `"${t}"`).join(", ")} CASCADE`);
}
