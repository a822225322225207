import { test, expect } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { openTestDatabase } from "../helpers/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import type { SqlExecutor } from "../../src/db/sql.js";
import { generatePopulation, policyParameters, streets } from "../../dev/seed/generator.js";
import { isSeeded, seedDatabase, type SeedStats } from "../../dev/seed/writer.js";
import { AlreadySeededError, runSeed } from "../../dev/seed/run.js";
import type { SynthHousehold } from "../../dev/seed/model.js";

const AS_OF = "2026-11-22";

function expectedCounts(households: SynthHousehold[]) {
  return {
    household: households.length,
    person: households.reduce((s, h) => s + h.members.length, 0),
    income: households.reduce((s, h) => s + h.incomes.length, 0),
    asset: households.reduce((s, h) => s + h.assets.length, 0),
    assistance_case: households.reduce((s, h) => s + h.cases.length, 0),
    aid_record: households.reduce((s, h) => s + h.aid.length, 0),
  };
}

async function tableCounts(sql: SqlExecutor) {
  const out: Record<string, number> = {};
  for (const t of ["household", "person", "income", "asset", "assistance_case", "aid_record", "street", "policy_parameter"]) {
    out[t] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`))[0].n;
  }
  return out;
}

/** Seeds a small population and checks that the database holds exactly what the generator produced. */
async function roundTrip(sql: SqlExecutor, opts: { batchSize: number; concurrency?: number }) {
  const households = [...generatePopulation({ seed: 11, asOf: AS_OF, persons: 2_500 })];
  expect(await isSeeded(sql)).toBe(false);
  const progress: number[] = [];
  const stats: SeedStats = await seedDatabase(sql, households, { ...opts, onProgress: (p) => progress.push(p) });
  expect(await isSeeded(sql)).toBe(true);
  const expected = expectedCounts(households);
  expect(stats).toMatchObject({
    households: expected.household,
    persons: expected.person,
    incomes: expected.income,
    assets: expected.asset,
    cases: expected.assistance_case,
    aid: expected.aid_record,
  });
  expect(stats.persons).toBeGreaterThanOrEqual(2_500);
  const counts = await tableCounts(sql);
  expect(counts).toEqual({ ...expected, street: streets().length, policy_parameter: policyParameters().length });
  expect(Math.max(...progress)).toBe(stats.persons);
  expect(progress.length).toBe(Math.ceil(households.length / opts.batchSize));

  // sums and a few rows, field by field
  const fen = await sql.query<{ aid: string; income: string; assets: string }>(
    `SELECT (SELECT sum(amount_fen) FROM aid_record)::text AS aid, (SELECT sum(monthly_fen) FROM income)::text AS income, (SELECT sum(value_fen) FROM asset)::text AS assets`,
  );
  expect(fen[0].aid).toBe(String(households.reduce((s, h) => s + h.aid.reduce((t, a) => t + a.amountFen, 0), 0)));
  expect(fen[0].income).toBe(String(households.reduce((s, h) => s + h.incomes.reduce((t, a) => t + a.monthlyFen, 0), 0)));
  expect(fen[0].assets).toBe(String(households.reduce((s, h) => s + h.assets.reduce((t, a) => t + a.valueFen, 0n), 0n)));
  const h = households.find((x) => x.cases.some((c) => c.personIndex !== null) && x.phone !== null && x.aid.length > 0)!;
  const [row] = await sql.query<Record<string, unknown>>(
    `SELECT registry_no, street_code, address, hukou::text, status::text, phone, contact_consent FROM household WHERE id = $1`,
    [h.id],
  );
  expect(row).toEqual({ registry_no: h.registryNo, street_code: h.streetCode, address: h.address, hukou: h.hukou, status: h.status, phone: h.phone, contact_consent: h.contactConsent });
  const people = await sql.query<Record<string, unknown>>(
    `SELECT id::text, id_number, name, sex::text, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, relation::text, work_ability::text, self_care::text FROM person WHERE household_id = $1 ORDER BY id`,
    [h.id],
  );
  expect(people).toEqual(
    [...h.members]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((p) => ({ id: p.id, id_number: p.idNumber, name: p.name, sex: p.sex, birth_date: p.birthDate, relation: p.relation, work_ability: p.workAbility, self_care: p.selfCare })),
  );
  const c = h.cases.find((x) => x.personIndex !== null)!;
  const [caseRow] = await sql.query<Record<string, unknown>>(
    `SELECT person_id::text, tier::text, tier_class::text, status::text, to_char(start_date, 'YYYY-MM-DD') AS start_date, monthly_fen, note FROM assistance_case WHERE id = $1`,
    [c.id],
  );
  expect(caseRow).toEqual({ person_id: h.members[c.personIndex!].id, tier: c.tier, tier_class: c.tierClass, status: c.status, start_date: c.startDate, monthly_fen: c.monthlyFen, note: c.note });
  const a = h.aid[0];
  const [aidRow] = await sql.query<Record<string, unknown>>(
    `SELECT case_id::text, program::text, amount_fen, to_char(period_start, 'YYYY-MM-DD') AS period_start, idempotency_key, to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS paid_at FROM aid_record WHERE id = $1`,
    [a.id],
  );
  expect(aidRow).toEqual({ case_id: a.caseIndex === null ? null : h.cases[a.caseIndex].id, program: a.program, amount_fen: a.amountFen, period_start: a.periodStart, idempotency_key: a.idempotencyKey, paid_at: a.paidAt });
  // the seeded policy parameters are readable as numbers
  const [std] = await sql.query<{ value: string }>(
    `SELECT value::text FROM policy_parameter WHERE region_code = '500000' AND key = 'ONE_TIME_SUBSIDY_TEKUN'`,
  );
  expect(Number(std.value)).toBe(16500);
}

test("writer round trip on in-memory PGlite; runSeed refuses a seeded database unless forced", async () => {
  const db = await openDatabase({ kind: "pglite", dataDir: null });
  try {
    await applyMigrations(db.sql);
    await roundTrip(db.sql, { batchSize: 300 });

    await expect(runSeed({ sql: db.sql, persons: 500, asOf: AS_OF, progress: "none" })).rejects.toBeInstanceOf(AlreadySeededError);
    const skipped = await runSeed({ sql: db.sql, persons: 500, asOf: AS_OF, progress: "none", ifEmpty: true });
    expect(skipped.skipped).toBe(true);
    const lines: string[] = [];
    const forced = await runSeed({ sql: db.sql, persons: 500, seed: 5, asOf: AS_OF, force: true, progress: "lines", batchSize: 50, log: (l) => lines.push(l) });
    expect(forced.skipped).toBe(false);
    expect(forced.seed).toBe(5);
    const counts = await tableCounts(db.sql);
    expect(counts.person).toBe(forced.stats!.persons);
    expect(counts.household).toBe(forced.stats!.households);
    expect(lines.at(-1)).toMatch(/^seeding: 100% /);
  } finally {
    await db.close();
  }
});

test.skipIf(!process.env.DATABASE_URL)("writer round trip on PostgreSQL in a fresh schema (DATABASE_URL)", async () => {
  const db = await openTestDatabase(); // a fresh, migrated schema of its own, dropped on close
  try {
    await roundTrip(db.sql, { batchSize: 200, concurrency: 3 });
  } finally {
    await db.close();
  }
});
