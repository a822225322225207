/**
 * Temporary aid 临时救助 over real HTTP (issue 13 point 7, 003 §5: 将不符合…临时救助条件的申请对象 … 纳入低收入人口数据库实施
 * 动态监测): the seeded applications are the seed's own statement (dev/seed/temporary-aid.ts); a refusal recorded with
 * recordTemporaryAidApplication keeps a NOT_ELIGIBLE household in the monitoring database (eligibility's
 * MONITORING_RETENTION, PASS, with the decision's date) until MONITORING_RETENTION_YEARS after the decision; the
 * change is in the access log; bad input is BAD_USER_INPUT with its field and reason and changes nothing; departments
 * may neither read the applications nor record one. Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runSeed } from "../../dev/seed/run.js";
import { generatePopulation } from "../../dev/seed/generator.js";
import { temporaryAidOf } from "../../dev/seed/temporary-aid.js";
import type { SynthHousehold } from "../../dev/seed/model.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import { readRecords } from "../../src/audit/store.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

const POPULATION = { seed: 20190101, asOf: "2026-11-01", persons: 1500 } as const;
const NOW = new Date(`${POPULATION.asOf}T12:00:00Z`);
const RETENTION_YEARS = 2; // the seeded MONITORING_RETENTION_YEARS (dev/seed/reference.ts, 003 §5: 两年)
const CIVIL = { audience: "civil_affairs", city: "500000" } as const;

let gw: TestGateway;
let households: SynthHousehold[];

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    seed: async (db) => {
      await runSeed({ sql: db.sql, ...POPULATION, progress: "none" });
    },
    sandboxes: { ...POPULATION, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    audit: true,
  });
  households = [...generatePopulation(POPULATION)];
}, 300_000);
afterAll(async () => gw?.close());

const ok = <T = any>(res: { status: number; data?: T; errors?: unknown }): T => {
  expect(res.errors, JSON.stringify(res.errors)?.slice(0, 800)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.data as T;
};

/** The last day in the monitoring database by the seed's rule: the same month and day RETENTION_YEARS on (29 Feb → 28 Feb). */
function lastDay(decided: string): string {
  const [y, m, d] = decided.split("-").map(Number);
  const last = new Date(Date.UTC(y + RETENTION_YEARS, m, 0)).getUTCDate();
  return `${y + RETENTION_YEARS}-${String(m).padStart(2, "0")}-${String(Math.min(d, last)).padStart(2, "0")}`;
}

const ELIGIBILITY = `query E($id: ID!, $asOf: Date) {
  household(id: $id) { eligibility(asOf: $asOf) { tier reasons { rule outcome reference explanation inputs { name value } } } }
}`;
async function retention(id: string, asOf: string | null = null) {
  const e = ok(await gw.gql(ELIGIBILITY, { id, asOf }, CIVIL)).household.eligibility;
  const r = e.reasons.find((x: any) => x.rule === "MONITORING_RETENTION") ?? null;
  const input = (name: string) => r?.inputs.find((i: any) => i.name === name)?.value;
  return { tier: e.tier as string, reason: r, input };
}

const tableCount = async (table: string) => Number((await gw.db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`))[0].n);
const applications = () => tableCount("temporary_aid_application");
/** The access record of one request: a refused mutation is recorded too, with its error and no changes. */
async function recordOf(requestId: string) {
  const found = (await readRecords(gw.db.sql, 0, 100_000)).filter((r) => r.requestId === requestId);
  expect(found).toHaveLength(1);
  return found[0];
}
let requestSeq = 0;
/** Records with a fresh request id; expects nothing written: no new row, the access record holds the error and no change. */
async function refused(input: Record<string, unknown>, as: Parameters<TestGateway["gql"]>[2]) {
  const before = await applications();
  const requestId = `temporary-aid-refused-${++requestSeq}`;
  const res = await gw.gql(RECORD, { input }, as, { "x-request-id": requestId });
  expect(res.data?.recordTemporaryAidApplication ?? null).toBeNull();
  expect(await applications()).toBe(before);
  const record = await recordOf(requestId);
  expect(record.changes ?? null).toBeNull();
  expect(record.outcome).not.toBe("OK");
  return res;
}

describe("the default data set: the seed's statement is what the registry holds", () => {
  test("every seeded application, row for row", async () => {
    const expected = households
      .flatMap((h) => temporaryAidOf(h, POPULATION.asOf).map((t) => ({ ...t, householdId: h.id })))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(new Set(expected.map((t) => t.status))).toEqual(new Set(["REFUSED", "GRANTED", "APPLIED"]));
    const rows = await gw.db.sql.query<Record<string, unknown>>(
      `SELECT id::text AS id, household_id::text AS "householdId", person_id::text AS "personId", kind::text AS kind,
              to_char(applied_on, 'YYYY-MM-DD') AS "appliedOn", status::text AS status, to_char(decided_on, 'YYYY-MM-DD') AS "decidedOn",
              amount_fen AS "amountFen", reason
       FROM temporary_aid_application ORDER BY id`,
    );
    expect(rows).toEqual(expected);
  });

  test("a household the seed says was refused within two years, and that computes NOT_ELIGIBLE, is retained with the seed's decision date", async () => {
    const asOf = POPULATION.asOf;
    const refused = households
      .map((h) => ({ h, t: temporaryAidOf(h, asOf).find((x) => x.status === "REFUSED" && lastDay(x.decidedOn!) >= asOf) }))
      .filter((x): x is { h: SynthHousehold; t: NonNullable<typeof x.t> } => x.t !== undefined);
    expect(refused.length).toBeGreaterThan(0);
    let checked = 0;
    for (const { h, t } of refused) {
      const r = await retention(h.id);
      if (r.tier !== "NOT_ELIGIBLE") continue; // retention is judged for households not eligible for a tier
      // a later refusal or exit recorded as a case would be the one that decides (the seed's rule: the latest)
      const laterCase = h.cases.some((c) => (c.status === "REJECTED" || c.status === "TERMINATED") && c.endDate !== null && c.endDate > t.decidedOn! && c.tier !== "OTHER" && c.tier !== "MONITORED");
      expect(r.reason, h.registryNo).toMatchObject({ outcome: "PASS" });
      if (laterCase) continue;
      expect(r.input("temporary aid decision date"), h.registryNo).toBe(t.decidedOn);
      expect(r.input("temporary aid kind")).toBe(t.kind);
      expect(r.reason.explanation).toContain(lastDay(t.decidedOn!));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

// a household registered for this test: one member earning 3 × any standard (NOT_ELIGIBLE), no department records
const STREET = "500103001";
const HEAD_ID = makeIdNumber("500103", "1979-05-06", 731);
const OTHER_ID = makeIdNumber("500103", "1983-07-08", 733);
let householdId: string;
let headPersonId: string;
let otherPersonId: string;

const RECORD = `mutation T($input: TemporaryAidApplicationInput!) {
  recordTemporaryAidApplication(input: $input) { id personId kind appliedOn status decidedOn amountFen reason }
}`;

describe("recordTemporaryAidApplication → monitoring retention (003 §5)", () => {
  beforeAll(async () => {
    const register = `mutation R($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { id members { id idNumber } } }`;
    const base = { districtCode: "500103", streetCode: STREET, hukou: "URBAN" };
    const a = ok(await gw.gql(register, {
      input: { ...base, address: "渝中区七星岗街道测试路 1 号", members: [{ idNumber: HEAD_ID, name: "临甲", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }],
        incomes: [{ source: "WAGES", monthlyFen: 900_000, earnerIdNumber: HEAD_ID, validFrom: "2024-01-01" }] },
    }));
    householdId = a.registerHousehold.id;
    headPersonId = a.registerHousehold.members[0].id;
    const b = ok(await gw.gql(register, {
      input: { ...base, address: "渝中区七星岗街道测试路 2 号", members: [{ idNumber: OTHER_ID, name: "临乙", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }] },
    }));
    otherPersonId = b.registerHousehold.members[0].id;
  });

  test("a refusal recorded by the street office: MONITORING_RETENTION PASS with its date, in the log with its change; FAIL the day after the two years", async () => {
    const before = await retention(householdId);
    expect(before.tier).toBe("NOT_ELIGIBLE");
    expect(before.reason).toBeNull();

    const input = { householdId, personId: headPersonId, kind: "EXPENDITURE", appliedOn: "2025-02-20", status: "REFUSED", decidedOn: "2025-03-10", reason: "家庭收入高于标准" };
    const res = await gw.gql(RECORD, { input }, { audience: "street_office", street: STREET }, { "x-request-id": "temporary-aid-0001" });
    const saved = ok(res).recordTemporaryAidApplication;
    expect(saved).toMatchObject({ personId: headPersonId, kind: "EXPENDITURE", appliedOn: "2025-02-20", status: "REFUSED", decidedOn: "2025-03-10", amountFen: null, reason: "家庭收入高于标准" });
    const row = await gw.db.prisma.temporaryAidApplication.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row).toMatchObject({ householdId, personId: headPersonId, kind: "EXPENDITURE", status: "REFUSED", amountFen: null });
    expect(row.decidedOn!.toISOString().slice(0, 10)).toBe("2025-03-10");

    const after = await retention(householdId);
    expect(after.tier).toBe("NOT_ELIGIBLE");
    expect(after.reason).toMatchObject({ outcome: "PASS", reference: expect.stringContaining("003 §5") });
    expect(after.input("temporary aid decision date")).toBe("2025-03-10");
    expect(after.input("temporary aid kind")).toBe("EXPENDITURE");
    expect(after.reason.explanation).toContain(lastDay("2025-03-10"));
    expect((await retention(householdId, lastDay("2025-03-10"))).reason.outcome).toBe("PASS");
    const dayAfter = new Date(Date.parse(`${lastDay("2025-03-10")}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect((await retention(householdId, dayAfter)).reason.outcome).toBe("FAIL");

    const listed = ok(await gw.gql(`query($id: ID!) { household(id: $id) { temporaryAidApplications { id status decidedOn kind } } }`, { id: householdId }, { audience: "auditor", city: "500000", purpose: "test: temporary aid" }));
    expect(listed.household.temporaryAidApplications).toEqual([{ id: saved.id, status: "REFUSED", decidedOn: "2025-03-10", kind: "EXPENDITURE" }]);

    const record = await recordOf("temporary-aid-0001");
    expect(record).toMatchObject({ operationType: "mutation", audience: "street_office", outcome: "OK", households: [householdId], persons: [headPersonId] });
    expect(record.fields["Mutation.recordTemporaryAidApplication"]).toBe("read");
    const changes = Object.fromEntries(record.changes!.map((c) => [c.path, c]));
    expect(changes["temporaryAidApplication.id"]).toEqual({ path: "temporaryAidApplication.id", before: null, after: saved.id });
    expect(changes["temporaryAidApplication.status"]).toMatchObject({ before: null, after: "REFUSED" });
    expect(changes["temporaryAidApplication.decidedOn"].after).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(JSON.stringify(record)).not.toContain("家庭收入高于标准");
  });

  test("a later grant is recorded with its amount and retains nothing of its own: the refusal still decides", async () => {
    const res = await gw.gql(RECORD, { input: { householdId, kind: "EMERGENCY", appliedOn: "2026-10-01", status: "GRANTED", decidedOn: "2026-10-08", amountFen: 150_000 } }, CIVIL);
    expect(ok(res).recordTemporaryAidApplication).toMatchObject({ status: "GRANTED", amountFen: 150_000, decidedOn: "2026-10-08", personId: null });
    const r = await retention(householdId);
    expect(r.reason).toMatchObject({ outcome: "PASS" });
    expect(r.input("temporary aid decision date")).toBe("2025-03-10");
  });

  type Over = Record<string, unknown> | (() => Record<string, unknown>);
  const bad: [string, Over, string, string][] = [
    ["applied in the future", { appliedOn: "2026-11-02", status: "APPLIED", decidedOn: null }, "DATE_IN_FUTURE", "input.appliedOn"],
    ["decided in the future", { decidedOn: "2026-11-02" }, "DATE_IN_FUTURE", "input.decidedOn"],
    ["decided before the application", { appliedOn: "2026-03-10", decidedOn: "2026-03-09" }, "DATE_RANGE", "input.decidedOn"],
    ["a refusal without its decision date", { decidedOn: null }, "REQUIRED", "input.decidedOn"],
    ["a decision date on an application still APPLIED", { status: "APPLIED" }, "NOT_APPLICABLE", "input.decidedOn"],
    ["an amount on a refusal", { amountFen: 100_000 }, "NOT_APPLICABLE", "input.amountFen"],
    ["a grant without its amount", { status: "GRANTED" }, "REQUIRED", "input.amountFen"],
    ["a negative grant", { status: "GRANTED", amountFen: -1 }, "NEGATIVE_AMOUNT", "input.amountFen"],
    ["a grant of 0", { status: "GRANTED", amountFen: 0 }, "NOT_POSITIVE", "input.amountFen"],
    ["a person of another household", () => ({ personId: otherPersonId }), "NOT_A_MEMBER", "input.personId"],
    ["a reason longer than 200 characters", { reason: "理".repeat(201) }, "TOO_LONG", "input.reason"],
    ["a household id that is not one", { householdId: "not-a-household" }, "INVALID_ID", "input.householdId"],
  ];
  test.each(bad)("%s: BAD_USER_INPUT %s at %s, nothing written", async (_name, over, reason, field) => {
    const input = { householdId, kind: "EMERGENCY", appliedOn: "2026-03-01", status: "REFUSED", decidedOn: "2026-03-15", ...(typeof over === "function" ? over() : over) };
    const res = await refused(input, CIVIL);
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason, field });
  });

  test("outside the street office's jurisdiction: NOT_FOUND, nothing written", async () => {
    const input = { householdId, kind: "EMERGENCY", appliedOn: "2026-03-01", status: "REFUSED", decidedOn: "2026-03-15" };
    const res = await refused(input, { audience: "street_office", street: "500103002" });
    expect(res.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});

describe("who may read and record temporary aid", () => {
  test.each(["education", "employment", "housing", "medical_insurance", "disability", "health"])("%s: Household.temporaryAidApplications is FORBIDDEN (null at its path, siblings resolve)", async (audience) => {
    const res = await gw.gql(`query($id: ID!) { household(id: $id) { id temporaryAidApplications { id status } } }`, { id: householdId }, { audience, city: "500000" } as never);
    expect(res.data.household.id).toBe(householdId);
    expect(res.data.household.temporaryAidApplications).toBeNull();
    expect(res.errors?.map((e) => [e.extensions?.code, e.path?.join(".")])).toEqual([["FORBIDDEN", "household.temporaryAidApplications"]]);
  });

  test.each(["education", "auditor"])("%s: recordTemporaryAidApplication is FORBIDDEN, nothing written", async (audience) => {
    const input = { householdId, kind: "EMERGENCY", appliedOn: "2026-03-01", status: "REFUSED", decidedOn: "2026-03-15" };
    const res = await refused(input, { audience, city: "500000", purpose: "test: temporary aid" } as never);
    expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});
