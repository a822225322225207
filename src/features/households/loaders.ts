import DataLoader from "dataloader";
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { AidRecord, Asset, AssistanceCase, Household, Income, Person, Street, TemporaryAidApplication } from "../../db/generated/client.js";
import type { CharityDeliveryFact } from "../../domain/facts.js";
import { queryPrepared, sqlLiteral, type SqlExecutor } from "../../db/sql.js";
import type { Jurisdiction } from "../../auth/principal.js";
import { cityPrefix } from "../../policy/scope.js";

/** Groups rows by a key, in the order of `keys`, so a DataLoader batch costs one query. */
export function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

export function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

const relationOrder = ["HEAD", "SPOUSE", "PARENT", "GRANDPARENT", "CHILD", "CHILD_IN_LAW", "GRANDCHILD", "SIBLING", "OTHER"];

/**
 * The hot loaders of every request (a household, its members) as plain SQL on the gateway's own executor: the same
 * rows as Prisma's findMany (tested against it), without Prisma's per-statement query-plan interpretation and result
 * mapping (≈ 0.6 ms of CPU per statement). `jurisdiction` is the principal's (householdScope's SQL twin).
 */
export interface RawRegistry {
  sql: SqlExecutor;
  jurisdiction: Jurisdiction | null;
}

const HOUSEHOLD_COLUMNS = `id::text AS id, registry_no AS "registryNo", district_code AS "districtCode", street_code AS "streetCode", address,
  hukou::text AS hukou, status::text AS status, phone, contact_consent AS "contactConsent", version, created_at AS "createdAt", updated_at AS "updatedAt"`;
const PERSON_COLUMNS = `id::text AS id, id_number AS "idNumber", name, sex::text AS sex, to_char(birth_date, 'YYYY-MM-DD') AS "birthDate",
  household_id::text AS "householdId", relation::text AS relation, work_ability::text AS "workAbility", self_care::text AS "selfCare",
  to_char(deceased_on, 'YYYY-MM-DD') AS "deceasedOn"`;

/** A DATE column read as text: the UTC midnight Prisma gives for @db.Date. */
const utcDate = (d: string | null): Date | null => (d === null ? null : new Date(`${d}T00:00:00.000Z`));
const instant = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** How a value enters a statement: a bound parameter, or inlined as a literal (a statement sent without parameters). */
type Bind = (value: string | readonly string[]) => string;

/** Binds as $n, pushing the value onto `params`. */
const bindParams = (params: unknown[]): Bind => (value) => `$${params.push(Array.isArray(value) ? [...value] : value)}`;
/** Inlines the value (node-postgres's escapeLiteral, through sqlLiteral). */
const bindLiteral: Bind = (value) => (typeof value === "string" ? sqlLiteral(value) : `ARRAY[${value.map(sqlLiteral).join(", ")}]`);

/** The principal's row scope as a WHERE condition on household (the twin of src/policy/scope.ts householdScope). */
function scopeCondition(j: Jurisdiction | null, bind: Bind): string {
  if (!j) return "TRUE";
  switch (j.kind) {
    case "city":
      return `starts_with(district_code, ${bind(cityPrefix(j.city))}::text)`;
    case "districts":
      return `district_code = ANY(${bind(j.districts)}::text[])`;
    case "streets":
      return `street_code = ANY(${bind(j.streets)}::text[])`;
  }
}

/** The statements of the two hot loaders: households matching `idCondition` within the scope, members of the households `ids` binds to. */
const householdsStatement = (idCondition: string, j: Jurisdiction | null, bind: Bind) =>
  `SELECT ${HOUSEHOLD_COLUMNS} FROM household WHERE ${idCondition} AND ${scopeCondition(j, bind)}`;
const membersStatement = (ids: string) => `SELECT ${PERSON_COLUMNS} FROM person WHERE household_id = ANY(${ids}::uuid[])`;

type HouseholdRow = Household & { createdAt: Date | string; updatedAt: Date | string };
type PersonRow = Omit<Person, "birthDate" | "deceasedOn"> & { birthDate: string; deceasedOn: string | null };
const householdOf = (r: HouseholdRow): Household => ({ ...r, createdAt: instant(r.createdAt), updatedAt: instant(r.updatedAt) });
const personOf = (r: PersonRow): Person => ({ ...r, birthDate: utcDate(r.birthDate)!, deceasedOn: utcDate(r.deceasedOn) });

async function rawHouseholds(raw: RawRegistry, keys: readonly string[]): Promise<Household[]> {
  const params: unknown[] = [];
  const bind = bindParams(params);
  const rows = await raw.sql.query<HouseholdRow>(householdsStatement(`id = ANY(${bind(keys)}::uuid[])`, raw.jurisdiction, bind), params);
  return rows.map(householdOf);
}

/**
 * Households by id through the executor, no jurisdiction (a monitoring shard: the whole registry), in the order of
 * `ids`, unknown ids left out — the rows `prisma.household.findMany({ where: { id: { in: ids } } })` gives.
 */
export async function householdsByIds(sql: SqlExecutor, ids: readonly string[]): Promise<Household[]> {
  const rows = byKey(ids, await rawHouseholds({ sql, jurisdiction: null }, ids.filter((k) => UUID.test(k))), (h) => h.id);
  return rows.filter((h): h is Household => h !== null);
}

async function rawMembers(raw: RawRegistry, keys: readonly string[]): Promise<Person[]> {
  const rows = await raw.sql.query<PersonRow>(membersStatement("$1"), [[...keys]]);
  return rows.map(personOf);
}

/**
 * One household (rawHouseholds' statement: the principal's scope applies) and its members (rawMembers' rows, as a
 * JSON array) in one statement, prepared: one round trip, parsed and planned once per connection (its text varies only
 * with the kind of jurisdiction). Null: the id is no uuid (the plain load answers it).
 */
async function rawHouseholdWithMembers(raw: RawRegistry, id: string): Promise<{ household: Household | null; members: Person[] } | null> {
  if (!UUID.test(id)) return null;
  const params: unknown[] = [];
  const bind = bindParams(params);
  const rows = await queryPrepared<HouseholdRow & { members: PersonRow[] | null }>(
    raw.sql,
    // the id as a scalar, not an array: PostgreSQL's estimate is then the same with and without the values, so after
    // five runs it keeps one generic plan instead of planning each call again (an array's length changes the estimate)
    `SELECT h.*, (SELECT json_agg(m) FROM (${membersStatement("ARRAY[h.id]")}) m) AS members
     FROM (${householdsStatement(`id = ${bind(id)}::uuid`, raw.jurisdiction, bind)}) h`,
    params,
  );
  // byKey's rule, as the plain load: an id that is not the row's own spelling (upper case) finds nothing
  if (rows[0]?.id !== id) return { household: null, members: [] };
  const { members, ...household } = rows[0];
  return { household: householdOf(household), members: (members ?? []).map(personOf) };
}

/**
 * The registry rows the computed fields read per household (incomes, assets, cases, aid records, temporary-aid
 * applications, delivered charity claims) as plain SQL on the executor: the rows and order of the Prisma statements
 * they replace (tested against them), without Prisma's per-statement cost. Each reader: its statement over the
 * household ids `ids` binds to, and the row as the loader gives it.
 */
interface FactReader<T> {
  statement(ids: string): string;
  of(row: Record<string, unknown>): T;
}
const reader = <R, T>(statement: (ids: string) => string, of: (row: R) => T): FactReader<T> => ({
  statement,
  of: of as unknown as (row: Record<string, unknown>) => T,
});

const dateText = (column: string, as: string) => `to_char(${column}, 'YYYY-MM-DD') AS "${as}"`;
type DateText<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] extends Date ? string : string | null };
const maybeInstant = (v: Date | string | null): Date | null => (v === null ? null : instant(v));

/** Delivered charity claims with their charity and resource: the SELECT … FROM … JOIN of the charityDeliveries loader. */
const CHARITY_DELIVERIES_SELECT = `SELECT c.id::text AS "claimId", c.charity_id AS "charityId", ch.name AS "charityName", c.resource_id::text AS "resourceId",
         n.category::text AS category, r.title AS benefit, r.unit::text AS unit, c.units, n.person_id::text AS "personId",
         c.delivered_at AS "deliveredAt", n.household_id::text AS "householdId"
  FROM claim c
  JOIN need n ON n.id = c.need_id
  JOIN charity ch ON ch.id = c.charity_id
  JOIN charity_resource r ON r.id = c.resource_id`;

const FACT_READERS = {
  incomes: reader(
    (ids) => `SELECT id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", source::text AS source,
  monthly_fen AS "monthlyFen", ${dateText("valid_from", "validFrom")}, ${dateText("valid_to", "validTo")}
  FROM income WHERE household_id = ANY(${ids}::uuid[]) ORDER BY valid_from ASC, id ASC`,
    (r: DateText<Income, "validFrom" | "validTo">): Income => ({ ...r, validFrom: utcDate(r.validFrom)!, validTo: utcDate(r.validTo) }),
  ),
  assets: reader(
    (ids) => `SELECT id::text AS id, household_id::text AS "householdId", kind::text AS kind, value_fen::text AS "valueFen", description
  FROM asset WHERE household_id = ANY(${ids}::uuid[]) ORDER BY id ASC`,
    (r: Omit<Asset, "valueFen"> & { valueFen: string }): Asset => ({ ...r, valueFen: BigInt(r.valueFen) }),
  ),
  cases: reader(
    (ids) => `SELECT id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", tier::text AS tier,
  tier_class::text AS "tierClass", status::text AS status, ${dateText("start_date", "startDate")}, ${dateText("end_date", "endDate")},
  ${dateText("next_review_date", "nextReviewDate")}, monthly_fen AS "monthlyFen", note
  FROM assistance_case WHERE household_id = ANY(${ids}::uuid[]) ORDER BY start_date DESC, id ASC`,
    (r: DateText<AssistanceCase, "startDate" | "endDate" | "nextReviewDate">): AssistanceCase => ({
      ...r,
      startDate: utcDate(r.startDate)!,
      endDate: utcDate(r.endDate),
      nextReviewDate: utcDate(r.nextReviewDate),
    }),
  ),
  aidRecords: reader(
    (ids) => `SELECT id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", case_id::text AS "caseId",
  program::text AS program, amount_fen AS "amountFen", ${dateText("period_start", "periodStart")}, ${dateText("period_end", "periodEnd")},
  paid_at AS "paidAt", idempotency_key AS "idempotencyKey", district_code AS "districtCode"
  FROM aid_record WHERE household_id = ANY(${ids}::uuid[]) ORDER BY period_start DESC, id ASC`,
    (r: DateText<AidRecord, "periodStart" | "periodEnd"> & { paidAt: Date | string | null }): AidRecord => ({
      ...r,
      periodStart: utcDate(r.periodStart)!,
      periodEnd: utcDate(r.periodEnd)!,
      paidAt: maybeInstant(r.paidAt),
    }),
  ),
  temporaryAidApplications: reader(
    (ids) => `SELECT id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", kind::text AS kind,
  ${dateText("applied_on", "appliedOn")}, status::text AS status, ${dateText("decided_on", "decidedOn")}, amount_fen AS "amountFen", reason,
  recorded_at AS "recordedAt"
  FROM temporary_aid_application WHERE household_id = ANY(${ids}::uuid[]) ORDER BY applied_on ASC, id ASC`,
    (r: DateText<TemporaryAidApplication, "appliedOn" | "decidedOn"> & { recordedAt: Date | string }): TemporaryAidApplication => ({
      ...r,
      appliedOn: utcDate(r.appliedOn)!,
      decidedOn: utcDate(r.decidedOn),
      recordedAt: instant(r.recordedAt),
    }),
  ),
  charityDeliveries: reader(
    (ids) => `${CHARITY_DELIVERIES_SELECT} WHERE c.status = 'DELIVERED' AND n.household_id = ANY(${ids}::uuid[]) ORDER BY c.delivered_at ASC, c.id ASC`,
    (r: Omit<CharityDelivery, "deliveredAt"> & { deliveredAt: Date | string }): CharityDelivery => ({ ...r, deliveredAt: instant(r.deliveredAt) }),
  ),
};
type FactTable = keyof typeof FACT_READERS;
/** A household's rows of the fact tables, each in its loader's order. */
export type HouseholdFactRows = { [K in FactTable]: FactRow<K>[] };
const FACT_TABLES = Object.keys(FACT_READERS) as FactTable[];
type FactRow<K extends FactTable> = ReturnType<(typeof FACT_READERS)[K]["of"]>;

/** One fact table's rows for the households `keys`, one statement with the ids bound. */
async function rawFactRows<K extends FactTable>(raw: RawRegistry, table: K, keys: readonly string[]): Promise<FactRow<K>[]> {
  if (!keys.length) return [];
  const r = FACT_READERS[table];
  return (await raw.sql.query(r.statement("$1"), [[...keys]])).map((row) => r.of(row) as FactRow<K>);
}

/** These fact tables' rows for the households `keys` in one round trip (the statements sent together, ids inlined); null: the executor cannot. */
async function rawAllFactRows(raw: RawRegistry, tables: readonly FactTable[], keys: readonly string[]): Promise<Partial<HouseholdFactRows> | null> {
  if (!raw.sql.statements) return null;
  const ids = bindLiteral(keys);
  const results = keys.length ? await raw.sql.statements(tables.map((t) => FACT_READERS[t].statement(ids)).join(";\n")) : tables.map(() => []);
  return Object.fromEntries(tables.map((t, i) => [t, results[i].map((row) => FACT_READERS[t].of(row))]));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The members loader's answer: per household, head first (relation order, then age, then id number). */
function membersByHousehold(keys: readonly string[], rows: Person[]): Person[][] {
  rows.sort(
    (a, b) =>
      relationOrder.indexOf(a.relation) - relationOrder.indexOf(b.relation) ||
      a.birthDate.getTime() - b.birthDate.getTime() ||
      a.idNumber.localeCompare(b.idNumber),
  );
  return groupBy(keys, rows, (p) => p.householdId);
}

/** Per-request loaders; `scope` (the principal's jurisdiction) filters every household lookup. */
export function createRegistryLoaders(prisma: PrismaClient, scope: Prisma.HouseholdWhereInput = {}, raw?: RawRegistry) {
  const ids = (keys: readonly string[]) => ({ in: [...keys] });
  // a key that is no uuid matches nothing (Prisma answers it so; the uuid[] cast would refuse the whole batch)
  const uuids = (keys: readonly string[]) => keys.filter((k) => UUID.test(k));
  // per fact table, the households its own loader has read (or is reading): the facts batch leaves those tables out
  const read = Object.fromEntries(FACT_TABLES.map((t) => [t, new Set<string>()])) as Record<FactTable, Set<string>>;
  const asked = (table: FactTable, keys: readonly string[]): true => {
    for (const k of keys) read[table].add(k);
    return true;
  };
  const loaders = {
    household: new DataLoader<string, Household | null>(async (keys) =>
      byKey(
        keys,
        raw ? await rawHouseholds(raw, uuids(keys)) : await prisma.household.findMany({ where: { AND: [scope, { id: ids(keys) }] } }),
        (h) => h.id,
      ),
    ),
    street: new DataLoader<string, Street | null>(async (keys) =>
      byKey(keys, await prisma.street.findMany({ where: { code: ids(keys) } }), (s) => s.code),
    ),
    members: new DataLoader<string, Person[]>(async (keys) =>
      membersByHousehold(keys, raw ? await rawMembers(raw, uuids(keys)) : await prisma.person.findMany({ where: { householdId: ids(keys) } })),
    ),
    incomes: new DataLoader<string, Income[]>(async (keys) =>
      asked("incomes", keys) &&
      groupBy(
        keys,
        raw ? await rawFactRows(raw, "incomes", uuids(keys)) : await prisma.income.findMany({ where: { householdId: ids(keys) }, orderBy: [{ validFrom: "asc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    assets: new DataLoader<string, Asset[]>(async (keys) =>
      asked("assets", keys) &&
      groupBy(
        keys,
        raw ? await rawFactRows(raw, "assets", uuids(keys)) : await prisma.asset.findMany({ where: { householdId: ids(keys) }, orderBy: { id: "asc" } }),
        (r) => r.householdId,
      ),
    ),
    cases: new DataLoader<string, AssistanceCase[]>(async (keys) =>
      asked("cases", keys) &&
      groupBy(
        keys,
        raw
          ? await rawFactRows(raw, "cases", uuids(keys))
          : await prisma.assistanceCase.findMany({ where: { householdId: ids(keys) }, orderBy: [{ startDate: "desc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    /**
     * Delivered charity claims per household, oldest first, with the charity and resource they came from: one
     * statement per batch (a Prisma `include` would read claim, need, charity and resource in four).
     */
    charityDeliveries: new DataLoader<string, CharityDelivery[]>(async (keys) => {
      asked("charityDeliveries", keys);
      if (raw) return groupBy(keys, await rawFactRows(raw, "charityDeliveries", uuids(keys)), (c) => c.householdId);
      const households = Prisma.join(keys.map((k) => Prisma.sql`${k}::uuid`));
      const rows = await prisma.$queryRaw<CharityDelivery[]>`${Prisma.raw(CHARITY_DELIVERIES_SELECT)} WHERE c.status = 'DELIVERED' AND n.household_id IN (${households})
        ORDER BY c.delivered_at ASC, c.id ASC`;
      return groupBy(keys, rows, (c) => c.householdId);
    }),
    /** temporary-aid applications per household, oldest application first: one statement per batch */
    temporaryAidApplications: new DataLoader<string, TemporaryAidApplication[]>(async (keys) =>
      asked("temporaryAidApplications", keys) &&
      groupBy(
        keys,
        raw
          ? await rawFactRows(raw, "temporaryAidApplications", uuids(keys))
          : await prisma.temporaryAidApplication.findMany({ where: { householdId: ids(keys) }, orderBy: [{ appliedOn: "asc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    aidRecords: new DataLoader<string, AidRecord[]>(async (keys) =>
      asked("aidRecords", keys) &&
      groupBy(
        keys,
        raw
          ? await rawFactRows(raw, "aidRecords", uuids(keys))
          : await prisma.aidRecord.findMany({ where: { householdId: ids(keys) }, orderBy: [{ periodStart: "desc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
  };
  /**
   * A household's rows of the six fact tables (what its computed fields read besides household and members): on
   * PostgreSQL the six statements of a batch in one round trip, primed into the six loaders exactly as they would have
   * loaded them (a key a loader already holds keeps its answer); anything else — no such executor, the combined read
   * failing — is the six loaders' own loads.
   */
  const facts = new DataLoader<string, HouseholdFactRows>(async (keys) => {
    const tables = FACT_TABLES.filter((t) => keys.some((k) => !read[t].has(k)));
    const all = raw && tables.length ? await rawAllFactRows(raw, tables, uuids(keys)).catch(() => null) : null;
    if (all)
      for (const t of tables) {
        const grouped = groupBy(keys, all[t] as { householdId: string }[], (r) => r.householdId);
        keys.forEach((k, i) => (loaders[t] as DataLoader<string, unknown[]>).prime(k, grouped[i]));
      }
    const perTable = await Promise.all(FACT_TABLES.map((t) => Promise.all(keys.map((k) => (loaders[t] as DataLoader<string, unknown[]>).load(k)))));
    return keys.map((_, i) => Object.fromEntries(FACT_TABLES.map((t, j) => [t, perTable[j][i]])) as HouseholdFactRows);
  });
  return {
    ...loaders,
    facts,
    /** `household.load(id)`, with the household's members read in the same round trip where it can (see loadHouseholdWithMembers) */
    householdWithMembers: (id: string) => loadHouseholdWithMembers(loaders, raw, id),
  };
}

export type RegistryLoaders = ReturnType<typeof createRegistryLoaders>;

/** A delivered charity claim as the facts hold it, with its household. */
export type CharityDelivery = CharityDeliveryFact & { householdId: string };

/**
 * `loaders.household.load(id)` when the members will be asked for next (household(id:) selecting members): on
 * PostgreSQL the household and its members in one round trip, primed into both loaders exactly as they would have
 * loaded them. Anything else — no such executor, a batch already cached, the combined read failing — is the plain load.
 */
async function loadHouseholdWithMembers(loaders: Pick<RegistryLoaders, "household" | "members">, raw: RawRegistry | undefined, id: string): Promise<Household | null> {
  if (raw) {
    const both = await rawHouseholdWithMembers(raw, id).catch(() => null);
    if (both) {
      loaders.household.prime(id, both.household);
      if (both.household) loaders.members.prime(both.household.id, membersByHousehold([both.household.id], both.members)[0]);
    }
  }
  return loaders.household.load(id);
}
