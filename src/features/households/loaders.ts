import DataLoader from "dataloader";
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { AidRecord, Asset, AssistanceCase, Household, Income, Person, Street, TemporaryAidApplication } from "../../db/generated/client.js";
import type { CharityDeliveryFact } from "../../domain/facts.js";

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

/** Per-request loaders; `scope` (the principal's jurisdiction) filters every household lookup. */
export function createRegistryLoaders(prisma: PrismaClient, scope: Prisma.HouseholdWhereInput = {}) {
  const ids = (keys: readonly string[]) => ({ in: [...keys] });
  return {
    household: new DataLoader<string, Household | null>(async (keys) =>
      byKey(keys, await prisma.household.findMany({ where: { AND: [scope, { id: ids(keys) }] } }), (h) => h.id),
    ),
    street: new DataLoader<string, Street | null>(async (keys) =>
      byKey(keys, await prisma.street.findMany({ where: { code: ids(keys) } }), (s) => s.code),
    ),
    members: new DataLoader<string, Person[]>(async (keys) => {
      const rows = await prisma.person.findMany({ where: { householdId: ids(keys) } });
      rows.sort(
        (a, b) =>
          relationOrder.indexOf(a.relation) - relationOrder.indexOf(b.relation) ||
          a.birthDate.getTime() - b.birthDate.getTime() ||
          a.idNumber.localeCompare(b.idNumber),
      );
      return groupBy(keys, rows, (p) => p.householdId);
    }),
    incomes: new DataLoader<string, Income[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.income.findMany({ where: { householdId: ids(keys) }, orderBy: [{ validFrom: "asc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    assets: new DataLoader<string, Asset[]>(async (keys) =>
      groupBy(keys, await prisma.asset.findMany({ where: { householdId: ids(keys) }, orderBy: { id: "asc" } }), (r) => r.householdId),
    ),
    cases: new DataLoader<string, AssistanceCase[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.assistanceCase.findMany({ where: { householdId: ids(keys) }, orderBy: [{ startDate: "desc" }, { id: "asc" }] }),
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
        await prisma.temporaryAidApplication.findMany({ where: { householdId: ids(keys) }, orderBy: [{ appliedOn: "asc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
    aidRecords: new DataLoader<string, AidRecord[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.aidRecord.findMany({ where: { householdId: ids(keys) }, orderBy: [{ periodStart: "desc" }, { id: "asc" }] }),
        (r) => r.householdId,
      ),
    ),
  };
}

export type RegistryLoaders = ReturnType<typeof createRegistryLoaders>;

/** A delivered charity claim as the facts hold it, with its household. */
export type CharityDelivery = CharityDeliveryFact & { householdId: string };
