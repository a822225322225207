import DataLoader from "dataloader";
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { AidRecord, Asset, AssistanceCase, Household, Income, Person, Street, TemporaryAidApplication } from "../../db/generated/client.js";
import type { CharityDeliveryFact } from "../../domain/facts.js";
import { sqlLiteral, type SqlExecutor } from "../../db/sql.js";
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

/** The statements of the two hot loaders, over the household ids `ids` binds to. */
const householdsStatement = (ids: string, j: Jurisdiction | null, bind: Bind) =>
  `SELECT ${HOUSEHOLD_COLUMNS} FROM household WHERE id = ANY(${ids}::uuid[]) AND ${scopeCondition(j, bind)}`;
const membersStatement = (ids: string) => `SELECT ${PERSON_COLUMNS} FROM person WHERE household_id = ANY(${ids}::uuid[])`;

type HouseholdRow = Household & { createdAt: Date | string; updatedAt: Date | string };
type PersonRow = Omit<Person, "birthDate" | "deceasedOn"> & { birthDate: string; deceasedOn: string | null };
const householdOf = (r: HouseholdRow): Household => ({ ...r, createdAt: instant(r.createdAt), updatedAt: instant(r.updatedAt) });
const personOf = (r: PersonRow): Person => ({ ...r, birthDate: utcDate(r.birthDate)!, deceasedOn: utcDate(r.deceasedOn) });

async function rawHouseholds(raw: RawRegistry, keys: readonly string[]): Promise<Household[]> {
  const params: unknown[] = [];
  const bind = bindParams(params);
  const rows = await raw.sql.query<HouseholdRow>(householdsStatement(bind(keys), raw.jurisdiction, bind), params);
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
 * One household (rawHouseholds' statement) and its members (rawMembers') in one round trip: the same two statements
 * with the values inlined (the id is a checked uuid), sent together. Null: the executor cannot (PGlite, in process).
 */
async function rawHouseholdWithMembers(raw: RawRegistry, id: string): Promise<{ household: Household | null; members: Person[] } | null> {
  if (!raw.sql.statements || !UUID.test(id)) return null;
  const ids = bindLiteral([id]);
  const [households, members] = await raw.sql.statements(`${householdsStatement(ids, raw.jurisdiction, bindLiteral)};\n${membersStatement(ids)}`);
  const household = byKey([id], (households as HouseholdRow[]).map(householdOf), (h) => h.id)[0];
  return { household, members: (members as PersonRow[]).map(personOf) };
}

/**
 * The registry's per-household tables as plain SQL on the executor (the twins of the Prisma findMany each loader makes
 * without `raw`, tested against it): the rows Prisma gives — enums and uuids as text, DATE columns as UTC midnights,
 * BIGINT as bigint — in the loader's order.
 */
interface ChildTable {
  table: string;
  columns: string;
  order: string;
  /** DATE columns (read as 'YYYY-MM-DD') */
  dates: readonly string[];
  /** BIGINT columns */
  bigints?: readonly string[];
}

const CHILD_TABLES = {
  incomes: {
    table: "income",
    columns: `id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", source::text AS source, monthly_fen AS "monthlyFen",
      to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo"`,
    order: "valid_from ASC, id ASC",
    dates: ["validFrom", "validTo"],
  },
  assets: {
    table: "asset",
    columns: `id::text AS id, household_id::text AS "householdId", kind::text AS kind, value_fen::text AS "valueFen", description`,
    order: "id ASC",
    dates: [],
    bigints: ["valueFen"],
  },
  cases: {
    table: "assistance_case",
    columns: `id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", tier::text AS tier, tier_class::text AS "tierClass",
      status::text AS status, to_char(start_date, 'YYYY-MM-DD') AS "startDate", to_char(end_date, 'YYYY-MM-DD') AS "endDate",
      to_char(next_review_date, 'YYYY-MM-DD') AS "nextReviewDate", monthly_fen AS "monthlyFen", note`,
    order: "start_date DESC, id ASC",
    dates: ["startDate", "endDate", "nextReviewDate"],
  },
  aidRecords: {
    table: "aid_record",
    columns: `id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", case_id::text AS "caseId", program::text AS program,
      amount_fen AS "amountFen", to_char(period_start, 'YYYY-MM-DD') AS "periodStart", to_char(period_end, 'YYYY-MM-DD') AS "periodEnd", paid_at AS "paidAt",
      idempotency_key AS "idempotencyKey", district_code AS "districtCode"`,
    order: "period_start DESC, id ASC",
    dates: ["periodStart", "periodEnd"],
  },
  temporaryAidApplications: {
    table: "temporary_aid_application",
    columns: `id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", kind::text AS kind, to_char(applied_on, 'YYYY-MM-DD') AS "appliedOn",
      status::text AS status, to_char(decided_on, 'YYYY-MM-DD') AS "decidedOn", amount_fen AS "amountFen", reason, recorded_at AS "recordedAt"`,
    order: "applied_on ASC, id ASC",
    dates: ["appliedOn", "decidedOn"],
  },
} satisfies Record<string, ChildTable>;

async function rawChildRows<T>(raw: RawRegistry, spec: ChildTable, keys: readonly string[]): Promise<T[]> {
  const rows = await raw.sql.query<Record<string, unknown>>(`SELECT ${spec.columns} FROM ${spec.table} WHERE household_id = ANY($1::uuid[]) ORDER BY ${spec.order}`, [[...keys]]);
  for (const r of rows) {
    for (const d of spec.dates) r[d] = utcDate(r[d] as string | null);
    for (const b of spec.bigints ?? []) r[b] = BigInt(r[b] as string);
    // a timestamptz as the executor parses it (node-postgres and PGlite: a Date)
    if ("paidAt" in r && r.paidAt !== null) r.paidAt = instant(r.paidAt as Date | string);
    if ("recordedAt" in r) r.recordedAt = instant(r.recordedAt as Date | string);
  }
  return rows as T[];
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
      groupBy(
        keys,
        raw
          ? await rawChildRows<Income>(raw, CHILD_TABLES.incomes, uuids(keys))
          : await prisma.income.findMany({ where: { householdId: ids(keys) }, orderBy: [{ validFrom: "asc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    assets: new DataLoader<string, Asset[]>(async (keys) =>
      groupBy(
        keys,
        raw ? await rawChildRows<Asset>(raw, CHILD_TABLES.assets, uuids(keys)) : await prisma.asset.findMany({ where: { householdId: ids(keys) }, orderBy: { id: "asc" } }),
        (r) => r.householdId,
      ),
    ),
    cases: new DataLoader<string, AssistanceCase[]>(async (keys) =>
      groupBy(
        keys,
        raw
          ? await rawChildRows<AssistanceCase>(raw, CHILD_TABLES.cases, uuids(keys))
          : await prisma.assistanceCase.findMany({ where: { householdId: ids(keys) }, orderBy: [{ startDate: "desc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    /**
     * Delivered charity claims per household, oldest first, with the charity and resource they came from: one
     * statement per batch (a Prisma `include` would read claim, need, charity and resource in four).
     */
    charityDeliveries: new DataLoader<string, CharityDelivery[]>(async (keys) => {
      const households = Prisma.join(keys.map((k) => Prisma.sql`${k}::uuid`));
      const rows = await prisma.$queryRaw<CharityDelivery[]>`
        SELECT c.id::text AS "claimId", c.charity_id AS "charityId", ch.name AS "charityName", c.resource_id::text AS "resourceId",
               n.category::text AS category, r.title AS benefit, r.unit::text AS unit, c.units, n.person_id::text AS "personId",
               c.delivered_at AS "deliveredAt", n.household_id::text AS "householdId"
        FROM claim c
        JOIN need n ON n.id = c.need_id
        JOIN charity ch ON ch.id = c.charity_id
        JOIN charity_resource r ON r.id = c.resource_id
        WHERE c.status = 'DELIVERED' AND n.household_id IN (${households})
        ORDER BY c.delivered_at ASC, c.id ASC`;
      return groupBy(keys, rows, (c) => c.householdId);
    }),
    /** temporary-aid applications per household, oldest application first: one statement per batch */
    temporaryAidApplications: new DataLoader<string, TemporaryAidApplication[]>(async (keys) =>
      groupBy(
        keys,
        raw
          ? await rawChildRows<TemporaryAidApplication>(raw, CHILD_TABLES.temporaryAidApplications, uuids(keys))
          : await prisma.temporaryAidApplication.findMany({ where: { householdId: ids(keys) }, orderBy: [{ appliedOn: "asc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    aidRecords: new DataLoader<string, AidRecord[]>(async (keys) =>
      groupBy(
        keys,
        raw
          ? await rawChildRows<AidRecord>(raw, CHILD_TABLES.aidRecords, uuids(keys))
          : await prisma.aidRecord.findMany({ where: { householdId: ids(keys) }, orderBy: [{ periodStart: "desc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
  };
  return {
    ...loaders,
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
