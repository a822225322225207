/**
 * evaluateEligibility, rule by rule (DOMAIN.md §1–§3), table-driven, at the boundaries: income exactly at
 * the standard, exactly 1.5 ×, assets exactly at the limit, age exactly 18, the day a grace period ends.
 * Facts are built by hand; the parameters are the seeded documented defaults (dev/seed/reference.ts)
 * selected for the street and date exactly as the gateway selects them.
 */
import { describe, expect, test } from "vitest";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import type { EligibilityResult, Fetched, HouseholdFacts, MemberFacts, ParameterSet } from "../../src/domain/facts.js";
import type { DisabilityRecord, EducationRecord, EmploymentRecord, HousingRecord, MedicalInsuranceRecord } from "../../src/domain/records.js";
import { seededParameterSet } from "../helpers/population-facts.js";
import { failed, none } from "./chain-fixtures.js";

const D = (iso: string) => new Date(`${iso}T00:00:00Z`);
const DAY = D("2026-11-22");
const YUZHONG_STREET = "500103001";
const RECORD_AS_OF = new Date("2026-10-01T02:00:00Z");
const REGISTRY_AS_OF = new Date("2026-09-01T08:00:00Z");

const params = (on = DAY, street = YUZHONG_STREET): ParameterSet => seededParameterSet(street, on);
const value = (key: string, on = DAY, street = YUZHONG_STREET) => params(on, street).get(key)!.value;
const STD = value("DIBAO_STANDARD_URBAN"); // 78000 (2025-07-01)
const STD_RURAL = value("DIBAO_STANDARD_RURAL");
const LIMIT = value("ASSET_LIMIT_DEPOSIT_PER_CAPITA"); // Yuzhong override

const sourced = <S extends string>(source: S) => ({ source, asOf: RECORD_AS_OF, stale: false });
const disability = (grade: 1 | 2 | 3 | 4): Fetched<DisabilityRecord> => ({
  ok: true,
  value: { ...sourced("disability" as const), certificateNo: "x", category: "PHYSICAL", grade, severe: grade <= 2, livingSubsidyFen: 0, nursingSubsidyFen: 0, rehabilitation: [], certificateStatus: "VALID" },
});
const medical = (outOfPocketFen: number, seriousDisease: string | null = null): Fetched<MedicalInsuranceRecord> => ({
  ok: true,
  value: { ...sourced("medicalInsurance" as const), tier: 1, premiumSubsidyRatio: 0, premiumSubsidyFen: 0, inPolicyExpenseFen: outOfPocketFen, outOfPocketFen, medicalAidPaidFen: 0, seriousDisease, chronicDisease: null, year: 2026 },
});
const school = (stage: EducationRecord["stage"], necessaryExpenseFen = 0): Fetched<EducationRecord> => ({
  ok: true,
  value: { ...sourced("education" as const), stage, schoolName: "s", schoolCode: "c", hardshipStudent: true, term: "2026-AUTUMN", aid: [], necessaryExpenseFen },
});
const job = (status: EmploymentRecord["status"]): Fetched<EmploymentRecord> => ({
  ok: true,
  value: { ...sourced("employment" as const), status, registeredUnemployedSince: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null },
});
const renting = (monthlyRentFen: number): Fetched<HousingRecord> => ({
  ok: true,
  value: { ...sourced("housing" as const), registryNo: "r", benefits: [{ type: "PUBLIC_RENTAL", status: "ACTIVE", monthlyRentFen, monthlySubsidyFen: null, grantFen: null, startDate: D("2024-01-01"), endDate: null }] },
});

/** birth date for someone who turns `age` on `on` (plus `days` later = younger by that many days) */
const bornYearsBefore = (age: number, on = DAY, days = 0) => new Date(Date.UTC(on.getUTCFullYear() - age, on.getUTCMonth(), on.getUTCDate() + days));

let seq = 0;
function member(over: Partial<MemberFacts> = {}): MemberFacts {
  return {
    personId: `p${++seq}`,
    idNumber: null,
    sex: "MALE",
    birthDate: bornYearsBefore(40),
    relation: "HEAD",
    workAbility: "FULL",
    selfCare: "FULL",
    education: none(),
    employment: job("UNEMPLOYED_REGISTERED"),
    medicalInsurance: none(),
    disability: none(),
    ...over,
  };
}
function household(over: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    householdId: "h1",
    registryNo: "500103001-000001",
    districtCode: "500103",
    streetCode: YUZHONG_STREET,
    hukou: "URBAN",
    status: "ACTIVE",
    registry: { source: "registry", asOf: REGISTRY_AS_OF },
    members: [member()],
    incomes: [],
    assets: [],
    cases: [],
    aidRecords: [],
    housing: none(),
    ...over,
  };
}
const income = (monthlyFen: number, personId: string | null = null, validFrom = D("2025-01-01"), validTo: Date | null = null) => ({ personId, source: "WAGES" as const, monthlyFen, validFrom, validTo });
const dibaoCase = (over: Partial<HouseholdFacts["cases"][number]> = {}): HouseholdFacts["cases"][number] => ({
  id: "c1", personId: null, tier: "DIBAO", tierClass: "DIBAO_B", status: "ACTIVE", startDate: D("2024-03-15"), endDate: null, nextReviewDate: null, monthlyFen: 50000, ...over,
});
const evaluate = (h: HouseholdFacts, on = DAY, street = h.streetCode): EligibilityResult => evaluateEligibility(h, params(on, street), on);
const reason = (r: EligibilityResult, rule: string, personId: string | null = null) => r.reasons.find((x) => x.rule === rule && (personId === null || x.personId === personId));
const people = (n: number) => Array.from({ length: n }, (_, i) => member({ relation: i === 0 ? "HEAD" : "CHILD", workAbility: "NONE", employment: none(), birthDate: bornYearsBefore(i === 0 ? 75 : 72) }));

// ---------------------------------------------------------------------------------------------------

describe("DOMAIN §1 DIBAO: income per capita < the local standard (urban or rural by hukou), assets within rules", () => {
  const table: [string, Partial<HouseholdFacts>, number, string][] = [
    ["no income", {}, 0, "DIBAO"],
    ["1 fen below the standard per capita (3 members)", {}, STD * 3 - 1, "DIBAO"],
    ["exactly the standard per capita: not below it", {}, STD * 3, "DIBAO_MARGINAL"],
    ["rural hukou: 1 fen below the rural standard", { hukou: "RURAL" }, STD_RURAL * 3 - 1, "DIBAO"],
    ["rural hukou: exactly the rural standard", { hukou: "RURAL" }, STD_RURAL * 3, "DIBAO_MARGINAL"],
  ];
  test.each(table)("%s", (_name, over, total, tier) => {
    const r = evaluate(household({ members: people(3), incomes: [income(total)], ...over }));
    expect(r.tier).toBe(tier);
    expect(r.standardFen).toBe(over.hukou === "RURAL" ? STD_RURAL : STD);
    expect(r.incomePerCapitaFen).toBe(Math.round(total / 3));
    expect(reason(r, "DIBAO_INCOME")!.outcome).toBe(tier === "DIBAO" ? "PASS" : "FAIL");
    expect(r.complete).toBe(true);
  });

  test("counting rule: only incomes valid on the day count (validFrom ≤ day ≤ validTo, both inclusive), all members count", () => {
    const h = (incomes: HouseholdFacts["incomes"]) => household({ members: people(2), incomes });
    expect(evaluate(h([income(STD * 2, null, DAY)])).incomePerCapitaFen).toBe(STD); // starts today
    expect(evaluate(h([income(STD * 2, null, D("2026-11-23"))])).incomePerCapitaFen).toBe(0); // starts tomorrow
    expect(evaluate(h([income(STD * 2, null, D("2025-01-01"), DAY)])).incomePerCapitaFen).toBe(STD); // ends today
    expect(evaluate(h([income(STD * 2, null, D("2025-01-01"), D("2026-11-21"))])).incomePerCapitaFen).toBe(0); // ended yesterday
  });

  const assets: [string, HouseholdFacts["assets"], "PASS" | "FAIL"][] = [
    ["deposits exactly at the per-capita limit", [{ kind: "DEPOSIT", valueFen: LIMIT * 2 }], "PASS"],
    ["1 fen over the limit", [{ kind: "DEPOSIT", valueFen: LIMIT * 2 + 1 }], "FAIL"],
    ["deposits + securities over the limit", [{ kind: "DEPOSIT", valueFen: LIMIT * 2 }, { kind: "SECURITIES", valueFen: 1 }], "FAIL"],
    ["the home and a vehicle are not counted", [{ kind: "HOUSE", valueFen: 90_000_000 }, { kind: "VEHICLE", valueFen: 5_000_000 }], "PASS"],
  ];
  test.each(assets)("DOMAIN §1 assets: %s", (_name, list, outcome) => {
    const r = evaluate(household({ members: people(2), assets: list }));
    expect(reason(r, "ASSET_LIMIT")!.outcome).toBe(outcome);
    expect(r.tier).toBe(outcome === "PASS" ? "DIBAO" : "NOT_ELIGIBLE"); // over the limit: no dibao, marginal or rigid
  });

  test("the asset limit is the street's region's: Yuzhong's override, the city's value elsewhere (Bishan)", () => {
    const city = value("ASSET_LIMIT_DEPOSIT_PER_CAPITA", DAY, "500120001");
    expect(city).not.toBe(LIMIT);
    const over = [{ kind: "DEPOSIT" as const, valueFen: city + 1 }];
    expect(reason(evaluate(household({ assets: over })), "ASSET_LIMIT")!.outcome).toBe(city < LIMIT ? "PASS" : "FAIL");
    expect(reason(evaluate(household({ streetCode: "500120001", districtCode: "500120", assets: over })), "ASSET_LIMIT")!.outcome).toBe("FAIL");
  });

  test("a CLOSED household is not evaluated", () => {
    const r = evaluate(household({ status: "CLOSED" }));
    expect(r.tier).toBe("NOT_ELIGIBLE");
    expect(r.reasons.map((x) => x.rule)).toEqual(["HOUSEHOLD_OPEN"]);
  });
});

describe("DOMAIN §1 DIBAO_MARGINAL: not DIBAO, income per capita < 1.5 × the standard, assets within rules", () => {
  const m = value("MARGINAL_MULTIPLIER");
  const table: [string, number, string][] = [
    ["exactly the standard", STD * 2, "DIBAO_MARGINAL"],
    ["1 fen below 1.5 × the standard per capita", m * STD * 2 - 1, "DIBAO_MARGINAL"],
    ["exactly 1.5 × the standard", m * STD * 2, "NOT_ELIGIBLE"],
  ];
  test.each(table)("%s", (_name, total, tier) => {
    const r = evaluate(household({ members: people(2), incomes: [income(total)] }));
    expect(r.tier).toBe(tier);
    expect(r.marginalLimitFen).toBe(m * STD);
  });
});

describe("DOMAIN §1 TEKUN (三无): no work ability, no income, no able supporter; minors until the limit in force (002 #3)", () => {
  const orphan = (birthDate: Date, over: Partial<MemberFacts> = {}) => member({ birthDate, workAbility: "FULL", employment: none(), ...over });
  const tekunCase = (personId: string | null = null) => ({ id: "t1", personId, tier: "TEKUN" as const, tierClass: "TEKUN_DISPERSED" as const, status: "ACTIVE" as const, startDate: D("2015-01-01"), endDate: null, nextReviewDate: null, monthlyFen: 100000 });

  const table: [string, Date, Partial<MemberFacts>, string][] = [
    ["a minor (the day before turning 18) who could work", bornYearsBefore(18, DAY, 1), {}, "PASS"],
    ["exactly 18 and able to work: no longer a minor", bornYearsBefore(18), {}, "FAIL"],
    ["exactly 18 with no work ability", bornYearsBefore(18), { workAbility: "NONE" }, "PASS"],
    ["an adult with partial work ability", bornYearsBefore(50), { workAbility: "PARTIAL" }, "FAIL"],
  ];
  test.each(table)("%s", (_name, birthDate, over, outcome) => {
    const p = orphan(birthDate, over);
    const r = evaluate(household({ members: [p], cases: [tekunCase()] }));
    expect(reason(r, "TEKUN_SANWU", p.personId)!.outcome).toBe(outcome);
    expect(r.tier).toBe(outcome === "PASS" ? "TEKUN" : "DIBAO"); // no income: dibao otherwise
    expect(reason(r, "TEKUN_SANWU", p.personId)!.inputs).toContainEqual(expect.objectContaining({ name: "TEKUN_MINOR_AGE_LIMIT", value: "18", source: "policy", asOf: D("2020-09-01") }));
  });

  test("the minor age limit is the one in force: 16 before 2020-09-01, 18 from then (002 #3)", () => {
    const p = orphan(D("2003-06-01")); // 17 in mid-2020
    expect(evaluate(household({ members: [p], cases: [tekunCase()] }), D("2020-08-31")).tier).not.toBe("TEKUN");
    expect(evaluate(household({ members: [p], cases: [tekunCase()] }), D("2020-09-01")).tier).toBe("TEKUN");
  });

  test("no income: one fen of own income fails it", () => {
    const p = member({ birthDate: bornYearsBefore(80), workAbility: "NONE" });
    expect(evaluate(household({ members: [p], cases: [tekunCase()] })).tier).toBe("TEKUN");
    expect(evaluate(household({ members: [p], cases: [tekunCase()], incomes: [income(1)] })).tier).toBe("DIBAO");
  });

  test("no supporter outside the household needs a finding: a TEKUN determination or a caseworker's", () => {
    const p = member({ birthDate: bornYearsBefore(80), workAbility: "NONE" });
    expect(evaluate(household({ members: [p] })).tier).toBe("DIBAO");
    expect(evaluate(household({ members: [{ ...p, noSupporterOutsideHousehold: true }] })).tier).toBe("TEKUN");
  });

  test("an able supporter in the household fails it; the household is TEKUN only when every member is; otherwise per person", () => {
    const old = member({ birthDate: bornYearsBefore(85), workAbility: "NONE", noSupporterOutsideHousehold: true });
    const son = member({ relation: "CHILD", birthDate: bornYearsBefore(50), workAbility: "FULL" });
    const r1 = evaluate(household({ members: [old, son] }));
    expect(reason(r1, "TEKUN_SANWU", old.personId)!.outcome).toBe("FAIL");
    expect(r1.persons).toEqual([]);
    // two members without work ability: one with a finding is TEKUN alone, the other is not
    const spouse = member({ relation: "SPOUSE", birthDate: bornYearsBefore(83), workAbility: "NONE" });
    const r2 = evaluate(household({ members: [old, spouse] }));
    expect(r2.tier).toBe("DIBAO");
    expect(r2.persons).toEqual([{ personId: old.personId, tier: "TEKUN", reason: expect.stringContaining("TEKUN") }]);
    const r3 = evaluate(household({ members: [old, { ...spouse, noSupporterOutsideHousehold: true }] }));
    expect(r3.tier).toBe("TEKUN");
  });
});

describe("DOMAIN §1 RIGID_EXPENDITURE: income < last year's disposable income, assets within rules, (medical + education) / income > ratio", () => {
  const ratio = value("RIGID_EXPENDITURE_RATIO");
  const disposable = value("PER_CAPITA_DISPOSABLE_INCOME_URBAN");
  const total = 2 * STD * 2; // 2 × the standard per capita, 2 members: above the marginal limit
  const annual = total * 12;
  const rigid = (medicalFen: number, educationFen: number, incomeTotal = total) =>
    household({
      members: [member({ medicalInsurance: medical(medicalFen, "UREMIA") }), member({ relation: "CHILD", birthDate: bornYearsBefore(16), education: school("SENIOR", educationFen) })],
      incomes: [income(incomeTotal)],
    });
  const table: [string, number, number, number, string][] = [
    ["spending 1 fen above the ratio", ratio * annual - 5000 + 1, 5000, total, "RIGID_EXPENDITURE"],
    ["spending exactly at the ratio: not above it", ratio * annual - 5000, 5000, total, "NOT_ELIGIBLE"],
    ["income per capita (annualised) exactly last year's disposable income", 10 ** 9, 0, disposable / 6, "NOT_ELIGIBLE"],
    ["income 1 fen per month below it", 10 ** 9, 0, disposable / 6 - 1, "RIGID_EXPENDITURE"],
  ];
  test.each(table)("%s", (_name, med, edu, incomeTotal, tier) => {
    const r = evaluate(rigid(med, edu, incomeTotal));
    expect(r.tier).toBe(tier);
    const inputs = reason(r, "RIGID_EXPENDITURE")!.inputs;
    expect(inputs).toContainEqual(expect.objectContaining({ name: "annual necessary education spending (fen)", source: "education", asOf: RECORD_AS_OF, basis: "Person.education" }));
    expect(inputs).toContainEqual(expect.objectContaining({ name: "annual out-of-pocket medical spending after medical aid (fen)", source: "medicalInsurance", asOf: RECORD_AS_OF }));
  });

  test("a failed medical source: UNKNOWN, complete false naming it, and the tier is not claimed", () => {
    const h = rigid(10 ** 9, 0);
    h.members[0] = { ...h.members[0], medicalInsurance: failed("medicalInsurance") };
    const r = evaluate(h);
    expect(reason(r, "RIGID_EXPENDITURE")!.outcome).toBe("UNKNOWN");
    expect(r.complete).toBe(false);
    expect(r.missingSources).toEqual(["medicalInsurance"]);
    expect(r.tier).toBe("NOT_ELIGIBLE");
    expect(reason(r, "COMPLETENESS")).toMatchObject({ outcome: "UNKNOWN", explanation: expect.stringContaining("not final") });
  });

  test("'no record' is a fact, not a failure: an uninsured member has no medical spending", () => {
    const h = rigid(10 ** 9, 0);
    h.members[0] = { ...h.members[0], medicalInsurance: none() };
    const r = evaluate(h);
    expect(r.complete).toBe(true);
    expect(reason(r, "RIGID_EXPENDITURE")!.outcome).toBe("FAIL");
  });
});

describe("DOMAIN §1 single-person inclusion (单人户; 002 #3, 003 §8, 004 §1)", () => {
  const marginal = (extra: Partial<MemberFacts>) =>
    household({ members: [member(), member({ relation: "SPOUSE", workAbility: "NONE", employment: none(), ...extra })], incomes: [income(STD * 2 + 100)] });
  // 002 #3 "参照'单人户'纳入低保，补差发放低保金": the included member gets standard − own income (> 0, else not
  // included); the other member is then a household of their own, marginal only on their own income.
  // [name, the candidate's facts, own income, the other member's income, household tier, candidate's tier, payment]
  const table: [string, Partial<MemberFacts>, number, number, string, string | null, number | null][] = [
    ["grade 2, own income 1 fen below the standard: DIBAO alone, 补差 1 fen; the rest marginal", { disability: disability(2) }, STD - 1, STD + 1, "DIBAO_MARGINAL", "DIBAO", 1],
    ["grade 2, own income exactly the standard: 补差 0 → not included", { disability: disability(2) }, STD, STD + 1, "DIBAO_MARGINAL", null, null],
    ["grade 1, own income 0.6 × standard, the rest 1 fen below 1.5 ×: rest marginal", { disability: disability(1) }, 0.6 * STD, 1.5 * STD - 1, "DIBAO_MARGINAL", "DIBAO", 0.4 * STD],
    ["grade 1, own income 0.6 × standard, the rest exactly 1.5 ×: the rest is not marginal on its own", { disability: disability(1) }, 0.6 * STD, 1.5 * STD, "NOT_ELIGIBLE", "DIBAO", 0.4 * STD],
    ["grade 3 disability: not severe → no inclusion, the household marginal as a whole", { disability: disability(3) }, 0.6 * STD, 1.5 * STD, "DIBAO_MARGINAL", null, null],
    ["a serious disease, no own income: DIBAO alone at the full standard; the rest (2 × standard) not marginal", { medicalInsurance: medical(300000, "CANCER") }, 0, 2 * STD + 100, "NOT_ELIGIBLE", "DIBAO", STD],
  ];
  test.each(table)("in a marginal household, a member with %s", (_name, extra, own, other, tier, personTier, payment) => {
    const head = member({ personId: "p-head" });
    const cand = member({ personId: "p-cand", relation: "SPOUSE", workAbility: "NONE", employment: none(), ...extra });
    const h = household({ members: [head, cand], incomes: [income(other, "p-head"), ...(own > 0 ? [income(own, "p-cand")] : [])] });
    const r = evaluate(h);
    expect(reason(r, "MARGINAL_INCOME")!.outcome).toBe("PASS"); // the household as a whole is marginal
    expect(r.tier).toBe(tier);
    expect(r.persons).toEqual(personTier ? [{ personId: "p-cand", tier: personTier, reason: expect.stringContaining("单人户") }] : []);
    const pay = r.entitlements.filter((e) => e.kind === "DIBAO_PAYMENT");
    expect(pay).toEqual(payment === null ? [] : [expect.objectContaining({ personId: "p-cand", amountFen: payment })]);
    // never a 0-fen dibao, never a dibao-rate premium subsidy without a dibao
    if (payment === null) expect(r.entitlements.filter((e) => e.personId === "p-cand" && e.kind === "MEDICAL_PREMIUM_SUBSIDY").map((e) => e.ratio)).not.toContain(value("MEDICAL_PREMIUM_SUBSIDY_DIBAO"));
  });

  test("with the disability system down and no serious disease, the inclusion is UNKNOWN", () => {
    const r = evaluate(marginal({ disability: failed("disability"), medicalInsurance: none() }));
    expect(r.complete).toBe(false);
    expect(r.missingSources).toContain("disability");
    expect(r.reasons.filter((x) => x.rule === "SINGLE_PERSON_INCLUSION").map((x) => x.outcome)).toContain("UNKNOWN");
  });

  const oneperson: [string, Partial<MemberFacts>, boolean][] = [
    ["an unemployed adult with a grade 1 disability and no own income → DIBAO as a one-person household", { disability: disability(1), employment: job("NOT_IN_LABOUR_FORCE") }, true],
    ["employed → not included", { disability: disability(1), employment: job("EMPLOYED") }, false],
    ["grade 3 → not included", { disability: disability(3), employment: none() }, false],
  ];
  test.each(oneperson)("a household above the marginal limit, a member who is %s", (_name, extra, included) => {
    const h = household({ members: [member(), member({ relation: "CHILD", birthDate: bornYearsBefore(30), workAbility: "NONE", ...extra })], incomes: [income(STD * 4, "p-earner")] });
    const r = evaluate(h);
    expect(r.tier).toBe("NOT_ELIGIBLE");
    expect(r.persons.map((p) => p.tier)).toEqual(included ? ["DIBAO"] : []);
  });
});

describe("DOMAIN §1 gradual exit (低保渐退; 002 #3, 004 一): income in [standard, 1.5 × standard), GRADUAL_EXIT_MONTHS from the income change", () => {
  // 002 #3 "家庭收入发生变化 … 给予6个月渐退期"; 004 一 "对低保对象实现就业后 … 给予6个月低保渐退期": the six months run
  // from the change (a member's job: the wage record's validFrom), not from the day someone asks.
  const rose = D("2026-09-10");
  const end = D("2027-03-10"); // rose + 6 months, by hand
  const exiting = (total: number, status: "ACTIVE" | "GRADUAL_EXIT" = "GRADUAL_EXIT", changeOn = rose, caseEnd = end) =>
    household({
      members: people(2),
      incomes: [income(STD, null, D("2025-01-01")), income(total - STD, "p-worker", changeOn)],
      cases: [dibaoCase({ status, endDate: status === "GRADUAL_EXIT" ? caseEnd : null, monthlyFen: 60000 })],
    });
  const table: [string, "ACTIVE" | "GRADUAL_EXIT", Date, number, string, Date | null][] = [
    ["the day the income changed: grace until change + 6 months", "GRADUAL_EXIT", rose, STD * 2, "DIBAO", end],
    ["income exactly the standard per capita: in grace", "GRADUAL_EXIT", DAY, STD * 2, "DIBAO", end],
    ["the day the grace period ends is still inside", "GRADUAL_EXIT", end, STD * 2, "DIBAO", end],
    ["the day after: out of dibao, a marginal household (003 §20)", "GRADUAL_EXIT", D("2027-03-11"), STD * 2, "DIBAO_MARGINAL", null],
    ["an ACTIVE case: the same six months from the change, not from the day asked", "ACTIVE", DAY, STD * 2, "DIBAO", end],
    ["an ACTIVE case asked later: the grace does not move", "ACTIVE", D("2027-02-01"), STD * 2, "DIBAO", end],
    ["an ACTIVE case asked after the six months: out", "ACTIVE", D("2027-03-11"), STD * 2, "DIBAO_MARGINAL", null],
    ["income 1 fen below 1.5 × the standard: grace", "GRADUAL_EXIT", DAY, 1.5 * STD * 2 - 1, "DIBAO", end],
    ["income exactly 1.5 × the standard: no grace", "GRADUAL_EXIT", DAY, 1.5 * STD * 2, "NOT_ELIGIBLE", null],
    ["income back below the standard: plain dibao", "GRADUAL_EXIT", DAY, STD * 2 - 1, "DIBAO", null],
  ];
  test.each(table)("%s", (_name, status, on, total, tier, ends) => {
    const r = evaluate(exiting(total, status), on);
    expect(r.tier).toBe(tier);
    expect(r.gradualExitEnds).toEqual(ends);
    if (ends) {
      expect(r.nextRecertification).toEqual(ends);
      expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "DIBAO_PAYMENT", personId: null, amountFen: 60000 })); // the former amount continues
      expect(reason(r, "GRADUAL_EXIT")!.inputs).toContainEqual(expect.objectContaining({ value: "2026-09-10" }));
    }
  });

  test("a change on 31 August: the grace ends on 28 February (month end clamped)", () => {
    const r = evaluate(exiting(STD * 2, "ACTIVE", D("2026-08-31")), D("2026-12-01"));
    expect(r.gradualExitEnds).toEqual(D("2027-02-28"));
    expect(evaluate(exiting(STD * 2, "ACTIVE", D("2026-08-31")), D("2027-03-01")).tier).toBe("DIBAO_MARGINAL");
  });

  test("income above the standard since before the dibao case began: the grace runs from the case start (long over)", () => {
    const h = household({ members: people(2), incomes: [income(STD * 2, null, D("2023-01-01"))], cases: [dibaoCase({ startDate: D("2024-03-15") })] });
    const r = evaluate(h);
    expect(r.tier).toBe("DIBAO_MARGINAL");
    expect(r.gradualExitEnds).toBeNull();
    expect(reason(r, "GRADUAL_EXIT")!.explanation).toContain("2024-09-15");
  });

  test("a dip below the standard restarts the count: the latest rise decides", () => {
    const h = household({
      members: people(2),
      incomes: [income(STD * 2, null, D("2025-01-01"), D("2026-06-30")), income(STD, null, D("2026-07-01"), D("2026-10-31")), income(STD * 2, null, D("2026-11-01"))],
      cases: [dibaoCase({ startDate: D("2024-03-15") })],
    });
    expect(evaluate(h).gradualExitEnds).toEqual(D("2027-05-01"));
  });
});

describe("DOMAIN §1 re-certification (002 #4): TEKUN and stable dibao yearly, dibao with working-age members able to work every 6 months", () => {
  const table: [string, Partial<HouseholdFacts>, Date][] = [
    ["dibao with a working-age member able to work: every 6 months from the case start", { members: [member()], cases: [dibaoCase({ startDate: D("2024-03-15") })] }, D("2027-03-15")],
    ["dibao of elderly members: yearly", { members: people(2), cases: [dibaoCase({ startDate: D("2024-03-15") })] }, D("2027-03-15")],
    ["a review falling on the evaluation day counts as held: the next one", { members: [member()], cases: [dibaoCase({ startDate: D("2025-11-22") })] }, D("2027-05-22")],
    ["a working-age student is not 'able to work' here: yearly", { members: [member({ birthDate: bornYearsBefore(19), education: school("HIGHER") })], cases: [dibaoCase({ startDate: D("2025-05-01") })] }, D("2027-05-01")],
    ["no case yet: from the evaluation day", { members: [member()] }, D("2027-05-22")],
  ];
  test.each(table)("%s", (_name, over, next) => {
    const r = evaluate(household(over));
    expect(r.tier).toBe("DIBAO");
    expect(r.nextRecertification).toEqual(next);
  });
  test("semi-annual reviews step by 6 months", () => {
    expect(evaluate(household({ members: [member()], cases: [dibaoCase({ startDate: D("2024-06-30") })] })).nextRecertification).toEqual(D("2026-12-30"));
  });
});

describe("002 #13 dibao employment subsidy: the month's dibao reduction for a member who found work while on dibao, for at most a year", () => {
  // "对实现就业且正在享受低保待遇的登记失业低保家庭人员，按其家庭当月核减低保金总额，给予不超过1年的低保就业补贴"
  const MAX = value("DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS"); // 12
  const family = (wage: number, since: Date, status: EmploymentRecord["status"] = "EMPLOYED", pension = 40_000) =>
    household({
      members: [member({ personId: "p-worker", employment: job(status) }), ...people(2)],
      incomes: [income(pension, null, D("2023-01-01")), income(wage, "p-worker", since)],
      cases: [dibaoCase({ startDate: D("2024-03-15"), monthlyFen: 3 * STD - 40_000 })],
    });
  // [name, wage, since, status, expected subsidy, household tier]
  const table: [string, number, Date, EmploymentRecord["status"], number | null, string][] = [
    ["found work on 2026-06-01, household still below the standard: subsidy = the new wage", 100_000, D("2026-06-01"), "EMPLOYED", 100_000, "DIBAO"],
    ["flexible work counts as employment", 100_000, D("2026-06-01"), "FLEXIBLE", 100_000, "DIBAO"],
    [`work began ${MAX} months and 1 day before: the last day of the year`, 100_000, D("2025-11-23"), "EMPLOYED", 100_000, "DIBAO"],
    [`work began exactly ${MAX} months before: the year is over`, 100_000, D("2025-11-22"), "EMPLOYED", null, "DIBAO"],
    ["work began before the dibao case: not found while on dibao", 100_000, D("2024-03-14"), "EMPLOYED", null, "DIBAO"],
    ["earnings but not employed per the employment system", 100_000, D("2026-06-01"), "UNEMPLOYED_REGISTERED", null, "DIBAO"],
    ["the wage lifts the household to the standard: gradual exit, the dibao is not reduced → no subsidy", 3 * STD - 40_000, D("2026-06-01"), "EMPLOYED", null, "DIBAO"],
    ["the wage lifts it to 1.5 × the standard: off dibao, no subsidy", 4.5 * STD - 40_000, D("2026-06-01"), "EMPLOYED", null, "NOT_ELIGIBLE"],
  ];
  test.each(table)("%s", (_name, wage, since, status, subsidy, tier) => {
    const r = evaluate(family(wage, since, status));
    expect(r.tier).toBe(tier);
    const got = r.entitlements.filter((e) => e.kind === "DIBAO_EMPLOYMENT_SUBSIDY");
    expect(got).toEqual(subsidy === null ? [] : [expect.objectContaining({ personId: "p-worker", amountFen: subsidy, monthly: true, department: "employment" })]);
    if (subsidy !== null) {
      // the reduction it makes up: the dibao without the wage minus the dibao with it (by hand: 3 × standard − income)
      const dibao = r.entitlements.find((e) => e.kind === "DIBAO_PAYMENT" && e.personId === null)!;
      expect(dibao.amountFen).toBe(3 * STD - 40_000 - wage);
      expect(3 * STD - 40_000 - dibao.amountFen!).toBe(subsidy);
    }
    if (r.gradualExitEnds) expect(r.entitlements.find((e) => e.kind === "DIBAO_PAYMENT")!.amountFen).toBe(3 * STD - 40_000); // unreduced
  });
});

describe("002 #4 re-certification overdue: the registry's review date in the past is shown as it is, with overdue = true", () => {
  const elderly = () => member({ birthDate: bornYearsBefore(75), workAbility: "NONE", employment: none() });
  const tekun = (nextReviewDate: Date | null) =>
    household({ members: [elderly()], cases: [{ id: "t1", personId: null, tier: "TEKUN", tierClass: "TEKUN_DISPERSED", status: "ACTIVE", startDate: D("2015-11-02"), endDate: null, nextReviewDate, monthlyFen: 100000 }] });
  const table: [string, () => HouseholdFacts, Date, boolean][] = [
    ["TEKUN case overdue since 2026-11-02 (20 days before)", () => tekun(D("2026-11-02")), D("2026-11-02"), true],
    ["TEKUN review due the day before the evaluation day: overdue", () => tekun(D("2026-11-21")), D("2026-11-21"), true],
    ["TEKUN review due on the evaluation day: not yet overdue", () => tekun(DAY), DAY, false],
    ["TEKUN review due the day after: as recorded", () => tekun(D("2026-11-23")), D("2026-11-23"), false],
    ["dibao case with a semi-annual review overdue", () => household({ members: [member()], cases: [dibaoCase({ nextReviewDate: D("2026-09-15") })] }), D("2026-09-15"), true],
    ["no recorded date: computed from the case start, never overdue", () => tekun(null), D("2027-11-02"), false],
  ];
  test.each(table)("%s", (_name, h, next, overdue) => {
    const r = evaluate(h());
    expect(r.nextRecertification).toEqual(next);
    expect(r.overdue).toBe(overdue);
    if (overdue) expect(r.reasons.find((x) => x.rule === "RECERTIFICATION")!.outcome).toBe("FAIL");
  });
  test("a household with nothing to re-certify is not overdue", () => {
    const r = evaluate(household({ members: people(2), incomes: [income(STD * 2)] }));
    expect(r.nextRecertification).toBeNull();
    expect(r.overdue).toBe(false);
  });
});

describe("DOMAIN §1 MONITORED and OTHER: only from the registry case; a tier computed from facts outranks them", () => {
  const flagged = (tier: "MONITORED" | "OTHER", total: number) =>
    household({ members: people(2), incomes: [income(total)], cases: [{ ...dibaoCase(), tier, tierClass: null, status: "ACTIVE", monthlyFen: null }] });
  test.each(["MONITORED", "OTHER"] as const)("%s", (tier) => {
    expect(evaluate(flagged(tier, STD * 4)).tier).toBe(tier);
    expect(reason(evaluate(flagged(tier, STD * 4)), `REGISTRY_${tier}`)!.explanation).toContain("can only come from the registry case");
    expect(evaluate(flagged(tier, STD * 2 - 1)).tier).toBe("DIBAO");
    expect(reason(evaluate(flagged(tier, STD * 2 - 1)), `REGISTRY_${tier}`)!.explanation).toContain("the facts give the stronger tier DIBAO");
    expect(evaluate(household({ members: people(2), incomes: [income(STD * 4)] })).tier).toBe("NOT_ELIGIBLE");
  });
  test("rejected or left: NOT_ELIGIBLE, in the monitoring database for MONITORING_RETENTION_YEARS (003 §5)", () => {
    const h = household({ members: people(2), incomes: [income(STD * 4)], cases: [dibaoCase({ status: "TERMINATED", endDate: D("2024-11-22") })] });
    expect(reason(evaluate(h), "MONITORING_RETENTION")).toMatchObject({ outcome: "PASS", explanation: expect.stringContaining("2026-11-22") });
    expect(reason(evaluate(h, D("2026-11-23")), "MONITORING_RETENTION")!.outcome).toBe("FAIL");
  });
});

describe("DOMAIN §1–§2 entitlements: one per beneficiary per kind, by department, with amounts or ratios", () => {
  const kinds = (r: EligibilityResult, personId: string | null) => r.entitlements.filter((e) => e.personId === personId).map((e) => e.kind).sort();

  test("priority members (000 二(一)): aged exactly 70, pre-school, students, disabled get the classified supplement; 69 does not", () => {
    const ratio = value("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO");
    const [p70, p69, p5, pupil, disabled] = [
      member({ birthDate: bornYearsBefore(70), workAbility: "NONE" }),
      member({ birthDate: bornYearsBefore(70, DAY, 1), workAbility: "NONE", relation: "SPOUSE" }),
      member({ birthDate: bornYearsBefore(5), workAbility: "NONE", relation: "GRANDCHILD", employment: none() }),
      member({ birthDate: bornYearsBefore(10), workAbility: "NONE", relation: "GRANDCHILD", employment: none(), education: school("PRIMARY") }),
      member({ birthDate: bornYearsBefore(40), workAbility: "NONE", relation: "CHILD", disability: disability(4) }),
    ];
    const r = evaluate(household({ members: [p70, p69, p5, pupil, disabled] }));
    const supplemented = r.entitlements.filter((e) => e.kind === "DIBAO_CLASSIFIED_SUPPLEMENT");
    expect(supplemented.map((e) => e.personId).sort()).toEqual([p70, p5, pupil, disabled].map((p) => p.personId).sort());
    expect(supplemented.every((e) => e.amountFen === Math.round(STD * ratio) && e.monthly)).toBe(true);
  });

  test("TEKUN: support = ratio × standard, care subsidy by self-care, premium subsidy 100 %, out-of-pocket aid 70 %", () => {
    const p = member({ birthDate: bornYearsBefore(88), workAbility: "NONE", selfCare: "NONE", noSupporterOutsideHousehold: true, medicalInsurance: medical(100000) });
    const r = evaluate(household({ members: [p] }));
    expect(r.tier).toBe("TEKUN");
    const get = (k: string) => r.entitlements.find((e) => e.kind === k && e.personId === p.personId)!;
    expect(get("TEKUN_SUPPORT").amountFen).toBe(Math.round((STD * value("TEKUN_BASIC_LIVING_RATIO")) / 100) * 100);
    expect(get("TEKUN_CARE_SUBSIDY").amountFen).toBe(value("TEKUN_CARE_SUBSIDY_NONE"));
    expect(get("MEDICAL_PREMIUM_SUBSIDY")).toMatchObject({ ratio: 1, department: "medical_insurance" });
    expect(get("MEDICAL_OUT_OF_POCKET_AID")).toMatchObject({ ratio: 0.7, amountFen: 70000 });
    expect(kinds(r, p.personId)).not.toContain("DISABILITY_NURSING_SUBSIDY");
  });

  test("DIBAO: senior-high student fee waiver and grant, grade 1 member's nursing subsidy, zero-employment assistance, Yuzhong A-class rent subsidy equal to rent", () => {
    const head = member({ birthDate: bornYearsBefore(45), workAbility: "PARTIAL", employment: job("UNEMPLOYED_REGISTERED") });
    const student = member({ relation: "CHILD", birthDate: bornYearsBefore(16), workAbility: "FULL", employment: none(), education: school("SENIOR") });
    const severe = member({ relation: "SPOUSE", birthDate: bornYearsBefore(44), workAbility: "NONE", employment: none(), disability: disability(1) });
    const r = evaluate(household({ members: [head, student, severe], housing: renting(45000) }));
    expect(r.tier).toBe("DIBAO");
    expect(r.tierClass).toBe("DIBAO_A"); // nobody of working age able to work fully outside school
    expect(kinds(r, student.personId)).toEqual(expect.arrayContaining(["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"]));
    expect(kinds(r, student.personId)).not.toContain("EDUCATION_FREE_TEXTBOOKS"); // 2018–2020 only
    expect(kinds(r, severe.personId)).toEqual(expect.arrayContaining(["DISABILITY_NURSING_SUBSIDY", "DISABILITY_LIVING_SUBSIDY"]));
    expect(kinds(r, head.personId)).toContain("EMPLOYMENT_ASSISTANCE");
    expect(kinds(r, student.personId)).not.toContain("EMPLOYMENT_ASSISTANCE");
    expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "RENT_SUBSIDY_EQUAL_TO_RENT", department: "housing", personId: null, amountFen: 45000, monthly: true }));
    expect(r.entitlements.filter((e) => e.kind === "MEDICAL_PREMIUM_SUBSIDY").map((e) => e.ratio)).toEqual([0.9, 0.9, 0.9]);
    // the same household with an employed member is no zero-employment household
    const r2 = evaluate(household({ members: [{ ...head, employment: job("FLEXIBLE") }, student, severe], housing: renting(45000) }));
    expect(r2.entitlements.some((e) => e.kind === "EMPLOYMENT_ASSISTANCE")).toBe(false);
  });

  const worker = () => member({ birthDate: bornYearsBefore(35), workAbility: "FULL", employment: job("UNEMPLOYED_REGISTERED") });
  const elder = () => member({ birthDate: bornYearsBefore(75), workAbility: "NONE", employment: none() });
  const housingTable: [string, Partial<HouseholdFacts>, string | null, string | null][] = [
    ["Yuzhong dibao A-class tenant → rent subsidy equal to the rent (001 (6))", { members: [elder()], housing: renting(38000) }, "DIBAO_A", "RENT_SUBSIDY_EQUAL_TO_RENT"],
    ["a working-age member able to work fully → class B: housing security, not the rent rule", { members: [worker()], housing: renting(38000) }, "DIBAO_B", "HOUSING_SECURITY"],
    ["A-class outside Yuzhong (Bishan) → housing security", { members: [elder()], housing: renting(38000), streetCode: "500120001", districtCode: "500120" }, "DIBAO_A", "HOUSING_SECURITY"],
    ["A-class not renting, owning no home → housing security", { members: [elder()] }, "DIBAO_A", "HOUSING_SECURITY"],
    ["owns a home → no housing entitlement", { members: [elder()], assets: [{ kind: "HOUSE", valueFen: 40_000_000 }] }, "DIBAO_A", null],
    ["rural hukou → no urban housing entitlement", { members: [elder()], hukou: "RURAL" }, "DIBAO_A", null],
  ];
  test.each(housingTable)("DOMAIN §1 A-class, §2 housing: %s", (_name, over, klass, kind) => {
    const r = evaluate(household(over));
    expect(r.tier).toBe("DIBAO");
    expect(r.tierClass).toBe(klass);
    expect(r.entitlements.filter((e) => e.department === "housing").map((e) => e.kind)).toEqual(kind ? [kind] : []);
  });

  test("the 2022 one-time subsidy (004) is given while its parameter is in force, urban dibao 127 yuan per person", () => {
    const on = D("2022-09-15");
    const r = evaluate(household({ members: people(2) }), on);
    expect(r.entitlements.filter((e) => e.kind === "ONE_TIME_SUBSIDY").map((e) => e.amountFen)).toEqual([12700, 12700]);
    expect(evaluate(household({ members: people(2) })).entitlements.some((e) => e.kind === "ONE_TIME_SUBSIDY")).toBe(false);
    expect(r.parametersUsed.find((p) => p.key === "DIBAO_STANDARD_URBAN")!.effectiveFrom).toEqual(D("2022-07-01"));
  });

  test("every reason input names its source and as-of time; parametersUsed lists the versions read", () => {
    const r = evaluate(household({ members: [member({ disability: disability(2) })], incomes: [income(1000)] }));
    for (const x of r.reasons)
      for (const i of x.inputs) {
        if (i.source === "registry") expect(i.asOf).toEqual(REGISTRY_AS_OF);
        else if (i.source === "policy") expect(i.asOf).toEqual(r.parametersUsed.find((p) => p.key === i.name)!.effectiveFrom);
        else expect(i.asOf).toEqual(i.value.endsWith("(no record)") ? null : RECORD_AS_OF); // "no record" has no as-of time
      }
    expect(r.parametersUsed.find((p) => p.key === "DIBAO_STANDARD_URBAN")).toMatchObject({ value: STD, effectiveFrom: D("2025-07-01"), regionCode: "500000" });
    expect(r.parametersUsed.find((p) => p.key === "ASSET_LIMIT_DEPOSIT_PER_CAPITA")!.regionCode).toBe("500103");
  });
});
