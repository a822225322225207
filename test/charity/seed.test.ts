/**
 * The default data set's charities, resources and needs (dev/seed/charities.ts): deterministic,
 * across the seeded streets, needs without identities, and matching visible at once.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { openTestDatabase } from "../helpers/database.js";
import type { Database } from "../../src/db/database.js";
import { runSeed } from "../../dev/seed/run.js";
import { SEED_CHARITIES, seedCharities } from "../../dev/seed/charities.js";
import { matchAll, type MatchableResource } from "../../src/domain/matching.js";
import { matchableNeed, matchableResource } from "../../src/features/charity/requests.js";

let db: Database;
const AS_OF = "2026-11-22";

beforeAll(async () => {
  db = await openTestDatabase();
  await runSeed({ sql: db.sql, seed: 11, asOf: AS_OF, persons: 1500, progress: "none" });
});
afterAll(async () => db?.close());

const snapshot = async () => {
  const p = db.prisma;
  return JSON.stringify(
    await Promise.all([
      p.charity.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true, districts: true } }),
      p.charityResource.findMany({ orderBy: { id: "asc" }, select: { id: true, title: true, quantity: true, streets: true, validFrom: true, validTo: true } }),
      p.need.findMany({ orderBy: { id: "asc" }, select: { id: true, householdId: true, personId: true, category: true, urgency: true, origin: true, since: true } }),
    ]),
  );
};

test("the seeded charities, resources and needs: synthetic names, resources in every seeded street, needs of several kinds", async () => {
  const p = db.prisma;
  const charities = await p.charity.findMany();
  expect(charities.map((c) => c.id).sort()).toEqual(SEED_CHARITIES.map((c) => c.id).sort());
  expect(charities.every((c) => c.name.includes("合成数据"))).toBe(true);
  const streets = (await p.household.findMany({ distinct: ["streetCode"], select: { streetCode: true } })).map((h) => h.streetCode).sort();
  const resources = await p.charityResource.findMany();
  for (const s of streets) expect(resources.some((r) => r.streets.includes(s)), s).toBe(true);
  const needs = await p.need.findMany();
  expect(new Set(needs.map((n) => n.category)).size).toBeGreaterThanOrEqual(3);
  expect(needs.some((n) => n.origin === "MANUAL") && needs.some((n) => n.origin === "DERIVED")).toBe(true);
  // every need belongs to a household of its own street, and a person need to a member of that household
  const households = new Map((await p.household.findMany()).map((h) => [h.id, h]));
  const persons = new Map((await p.person.findMany()).map((x) => [x.id, x]));
  for (const n of needs) {
    expect(households.get(n.householdId)!.streetCode).toBe(n.streetCode);
    if (n.personId) expect(persons.get(n.personId)!.householdId).toBe(n.householdId);
    expect(n.reason).not.toMatch(/\d{17}[\dX]/); // no ID number in a reason
  }
});

test("matching is visible at first start: every seeded street has open needs with at least one match", async () => {
  const p = db.prisma;
  const resources = (await p.charityResource.findMany({ include: { charity: { select: { districts: true, status: true } } } })).map(matchableResource) as MatchableResource[];
  const needs = await p.need.findMany({ where: { status: "OPEN" } });
  const asOf = new Date(`${AS_OF}T00:00:00Z`);
  const byStreet = new Map<string, number>();
  const categories = new Set<string>();
  for (const m of matchAll(needs.map(matchableNeed), resources, asOf)) {
    const n = needs.find((x) => x.id === m.needId)!;
    byStreet.set(n.streetCode, (byStreet.get(n.streetCode) ?? 0) + 1);
    categories.add(n.category);
  }
  const streets = [...new Set(needs.map((n) => n.streetCode))];
  expect(streets.length).toBeGreaterThan(0);
  for (const s of streets) expect(byStreet.get(s) ?? 0, s).toBeGreaterThan(0);
  expect(categories.size).toBeGreaterThanOrEqual(3);
});

test("deterministic: seeding the same population again gives the same charities, resources and needs", async () => {
  const first = await snapshot();
  await seedCharities(db.sql, AS_OF);
  expect(await snapshot()).toBe(first);
});

test("the development charity token (npm start prints it) speaks for a seeded charity that has resources to match", async () => {
  const { DEV_CHARITY_ID } = await import("../../dev/keys/dev-keys.js");
  const charity = await db.prisma.charity.findUnique({ where: { id: DEV_CHARITY_ID } });
  expect(charity?.status).toBe("ACTIVE");
  expect(await db.prisma.charityResource.count({ where: { OR: [{ charityId: DEV_CHARITY_ID }, { shared: true }] } })).toBeGreaterThan(0);
});
