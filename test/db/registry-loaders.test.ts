/**
 * The hot registry loaders (household, members) read through the gateway's own SQL executor (issue 15 point 5:
 * no Prisma query-plan interpretation on every request) must give exactly the rows Prisma gives: the oracle is
 * Prisma's findMany over the same seeded database (the loaders' previous implementation), for every household,
 * under each kind of jurisdiction, out-of-scope and unknown ids included.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Database } from "../../src/db/database.js";
import { runSeed } from "../../dev/seed/run.js";
import { createRegistryLoaders, householdsByIds } from "../../src/features/households/loaders.js";
import { householdScope } from "../../src/policy/scope.js";
import type { Jurisdiction } from "../../src/auth/principal.js";
import { openTestDatabase } from "../helpers/database.js";

let db: Database;
let ids: string[] = [];
let districts: string[] = [];
let streets: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase();
  await runSeed({ sql: db.sql, seed: 4242, asOf: "2026-11-01", persons: 400, progress: "none" });
  // a small population lives in one street: move every fifth household to another street of its district, so a
  // street scope leaves some out
  await db.sql.query(
    `UPDATE household h SET street_code = (SELECT s.code FROM street s WHERE s.district_code = h.district_code AND s.code <> h.street_code ORDER BY s.code LIMIT 1)
     WHERE h.id IN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM household) x WHERE x.n % 5 = 0)`,
  );
  ids = (await db.sql.query<{ id: string }>(`SELECT id::text AS id FROM household ORDER BY id`)).map((r) => r.id);
  districts = (await db.sql.query<{ d: string }>(`SELECT DISTINCT district_code AS d FROM household ORDER BY 1`)).map((r) => r.d);
  streets = (await db.sql.query<{ s: string }>(`SELECT DISTINCT street_code AS s FROM household ORDER BY 1`)).map((r) => r.s);
}, 120_000);
afterAll(async () => db?.close());

const jurisdictions = (): [string, Jurisdiction | null][] => [
  ["no scope", null],
  ["the city", { kind: "city", city: "500000" }],
  ["another city", { kind: "city", city: "510100" }],
  ["one district", { kind: "districts", districts: [districts[0]] }],
  ["one street", { kind: "streets", streets: [streets[0]] }],
];

test("the oracle: a population spread over several streets", () => {
  expect(ids.length).toBeGreaterThan(100);
  expect(streets.length).toBeGreaterThan(1);
});

test("household and members: the same rows (values and types) as Prisma, under every kind of jurisdiction", async () => {
  const unknown = "00000000-0000-4000-8000-000000000000";
  const keys = [...ids, unknown];
  for (const [label, j] of jurisdictions()) {
    const prisma = createRegistryLoaders(db.prisma, householdScope(j));
    const raw = createRegistryLoaders(db.prisma, householdScope(j), { sql: db.sql, jurisdiction: j });
    const [a, b] = await Promise.all([prisma.household.loadMany(keys), raw.household.loadMany(keys)]);
    expect(b, label).toEqual(a);
    // in scope: as many as the raw rows say (independent count)
    const inScope = a.filter((h) => h !== null).length;
    if (j === null) expect(inScope).toBe(ids.length);
    if (j?.kind === "city" && j.city === "510100") expect(inScope).toBe(0);
    if (j?.kind === "streets") expect(inScope).toBe((await db.sql.query(`SELECT 1 FROM household WHERE street_code = $1`, [j.streets[0]])).length);
    const [m1, m2] = await Promise.all([prisma.members.loadMany(keys), raw.members.loadMany(keys)]);
    expect(m2, label).toEqual(m1);
  }
  // types, not only values: Dates stay Dates (toEqual compares them by time)
  const one = await createRegistryLoaders(db.prisma, {}, { sql: db.sql, jurisdiction: null }).members.load(ids[0]);
  expect(one.length).toBeGreaterThan(0);
  expect(one[0].birthDate).toBeInstanceOf(Date);
  expect(one[0].birthDate.toISOString()).toMatch(/T00:00:00\.000Z$/);
});

test("incomes, assets, cases, aid records and temporary-aid applications: the same rows (values, types, order) as Prisma", async () => {
  const unknown = "00000000-0000-4000-8000-000000000000";
  const keys = [...ids, unknown];
  const prisma = createRegistryLoaders(db.prisma, {});
  const raw = createRegistryLoaders(db.prisma, {}, { sql: db.sql, jurisdiction: null });
  for (const loader of ["incomes", "assets", "cases", "aidRecords", "temporaryAidApplications"] as const) {
    const [a, b] = await Promise.all([prisma[loader].loadMany(keys), raw[loader].loadMany(keys)]);
    expect(b, loader).toEqual(a);
    // not vacuous: the rows the table holds (an independent count), every one of them answered
    const table = { incomes: "income", assets: "asset", cases: "assistance_case", aidRecords: "aid_record", temporaryAidApplications: "temporary_aid_application" }[loader];
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    expect(n, loader).toBeGreaterThan(0);
    expect(b.flat().length, loader).toBe(n);
  }
  // types, not only values (toEqual compares Dates by time): Dates stay Dates at UTC midnight, BIGINT a bigint
  const rows = await raw.aidRecords.loadMany(ids);
  const r = rows.flat().find((x) => !(x instanceof Error) && x.paidAt !== null) as Exclude<(typeof rows)[number], Error>[number];
  expect(r.periodStart).toBeInstanceOf(Date);
  expect(r.periodStart.toISOString()).toMatch(/T00:00:00\.000Z$/);
  expect(r.paidAt).toBeInstanceOf(Date);
  const asset = (await raw.assets.loadMany(ids)).flat()[0] as { valueFen: unknown };
  expect(typeof asset.valueFen).toBe("bigint");
});

test("a monitoring shard's households (householdsByIds): the rows and order of Prisma's findMany by id, unknown ids left out", async () => {
  const unknown = "00000000-0000-4000-8000-000000000000";
  // a shard's ids as planned: in id order (monitoring_shard.household_ids), here every third household plus an unknown id
  const shard = [...ids.filter((_, i) => i % 3 === 0), unknown].sort();
  const expected = await db.prisma.household.findMany({ where: { id: { in: shard } }, orderBy: { id: "asc" } });
  const got = await householdsByIds(db.sql, shard);
  expect(got).toEqual(expected);
  // the oracle's own count: the known ids of the shard
  expect(got.length).toBe(shard.length - 1);
  expect(got.map((h) => h.id)).toEqual(shard.filter((id) => id !== unknown));
  expect(got[0].updatedAt).toBeInstanceOf(Date);
});

test("householdWithMembers (household and members in one round trip): exactly Prisma's household and members, under every kind of jurisdiction", async () => {
  const unknown = "00000000-0000-4000-8000-000000000000";
  // a sample: every 7th household, an unknown id, an upper-case id (ids reach the loaders checked as uuids: isUuid)
  const sample = [...ids.filter((_, i) => i % 7 === 0), unknown, ids[1].toUpperCase()];
  let withMembers = 0;
  for (const [label, j] of jurisdictions()) {
    const prisma = createRegistryLoaders(db.prisma, householdScope(j));
    for (const id of sample) {
      const raw = createRegistryLoaders(db.prisma, householdScope(j), { sql: db.sql, jurisdiction: j });
      const h = await raw.householdWithMembers(id);
      expect(h, `${label} ${id}`).toEqual(await prisma.household.load(id));
      if (!h) continue;
      // the members the resolver then asks for: served from what was primed, equal to Prisma's
      const members = await raw.members.load(h.id);
      expect(members, `${label} ${id}`).toEqual(await prisma.members.load(h.id));
      if (members.length) withMembers++;
    }
  }
  expect(withMembers).toBeGreaterThan(10);
});

test("householdWithMembers reads both in one statement (one round trip; prepared on PostgreSQL), and the members load is served from it", async () => {
  const calls: string[] = [];
  const counted = {
    ...db.sql,
    query: (text: string, params?: unknown[]) => (calls.push("query"), db.sql.query(text, params)),
    ...(db.sql.prepared && { prepared: (text: string, params?: unknown[]) => (calls.push("prepared"), db.sql.prepared!(text, params)) }),
    ...(db.sql.statements && { statements: (script: string) => (calls.push("statements"), db.sql.statements!(script)) }),
  } as typeof db.sql;
  const loaders = createRegistryLoaders(db.prisma, {}, { sql: counted, jurisdiction: null });
  const h = await loaders.householdWithMembers(ids[3]);
  expect(h?.id).toBe(ids[3]);
  await loaders.members.load(ids[3]);
  expect(calls).toEqual(db.sql.kind === "postgres" ? ["prepared"] : ["query"]);
});

test("facts (a household's six fact tables for its computed fields): exactly Prisma's rows per table, in one statement batch on PostgreSQL (one round trip), the six loads elsewhere", async () => {
  const unknown = "00000000-0000-4000-8000-000000000000";
  const keys = [...ids, unknown];
  const prisma = createRegistryLoaders(db.prisma, {});
  const calls: string[] = [];
  const counted = {
    ...db.sql,
    query: (text: string, params?: unknown[]) => (calls.push("query"), db.sql.query(text, params)),
    ...(db.sql.statements && { statements: (script: string) => (calls.push("statements"), db.sql.statements!(script)) }),
  } as typeof db.sql;
  const raw = createRegistryLoaders(db.prisma, {}, { sql: counted, jurisdiction: null });
  const got = await raw.facts.loadMany(keys);
  expect(calls).toEqual(db.sql.kind === "postgres" ? ["statements"] : Array(6).fill("query"));
  for (const t of ["incomes", "assets", "cases", "aidRecords", "temporaryAidApplications"] as const) {
    const expected = await prisma[t].loadMany(keys);
    expect(got.map((f) => (f instanceof Error ? f : f[t])), t).toEqual(expected);
  }
  // charity deliveries: none in a seeded registry (claims come from charities' mutations; compared in test/charity/claims.test.ts)
  expect(got.every((f) => !(f instanceof Error) && f.charityDeliveries.length === 0)).toBe(true);
  // primed: the six loaders answer the same without another statement
  const before = calls.length;
  expect(await raw.incomes.load(ids[0])).toEqual((got[0] as { incomes: unknown }).incomes);
  expect(calls.length).toBe(before);
});
