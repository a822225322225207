/**
 * Issue 13 (rules a caseworker can trust), points 4, 5 and 7 — table-driven, at the boundaries, each row citing
 * the seed clause it checks. Facts are built by hand; the parameters are the seeded defaults
 * (dev/seed/reference.ts) selected for the street and date as the gateway selects them. Expected values come
 * from the seed's rule and the parameter values read here, never from the function under test.
 */
import { describe, expect, test } from "vitest";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import { buildAidChain } from "../../src/domain/aid-chain.js";
import { eligibilityView } from "../../src/policy/disclosure.js";
import type { EligibilityResult, Fetched, HouseholdFacts, MemberFacts } from "../../src/domain/facts.js";
import type { DisabilityRecord, EducationRecord, EmploymentRecord, HousingBenefit, HousingRecord, MedicalInsuranceRecord } from "../../src/domain/records.js";
import { seededParameterSet } from "../helpers/population-facts.js";
import { failed, none } from "./chain-fixtures.js";

const D = (iso: string) => new Date(`${iso}T00:00:00Z`);
const DAY = D("2026-11-22");
const STREET = "500103001";
const P = seededParameterSet(STREET, DAY);
const value = (key: string) => P.get(key)!.value;
const STD = value("DIBAO_STANDARD_URBAN");
const REC = D("2026-10-01");

const ok = <T>(v: T | null): Fetched<T> => ({ ok: true, value: v });
const medical = (over: Partial<MedicalInsuranceRecord> = {}): Fetched<MedicalInsuranceRecord> =>
  ok({ source: "medicalInsurance", asOf: REC, stale: false, tier: 1, premiumSubsidyRatio: 0, premiumSubsidyFen: 0, inPolicyExpenseFen: 0, outOfPocketFen: 0, medicalAidPaidFen: 0, seriousDisease: null, chronicDisease: null, year: 2026, ...over });
const school = (over: Partial<EducationRecord> = {}): Fetched<EducationRecord> =>
  ok({ source: "education", asOf: REC, stale: false, stage: "SENIOR", schoolName: "s", schoolCode: "c", hardshipStudent: false, term: "2026-AUTUMN", aid: [], necessaryExpenseFen: 0, ...over });
const job = (over: Partial<EmploymentRecord> = {}): Fetched<EmploymentRecord> =>
  ok({ source: "employment", asOf: REC, stale: false, status: "NOT_IN_LABOUR_FORCE", registeredUnemployedSince: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null, ...over });
const cert = (over: Partial<DisabilityRecord> = {}): Fetched<DisabilityRecord> =>
  ok({ source: "disability", asOf: REC, stale: false, certificateNo: "c", category: "PHYSICAL", grade: 3, severe: false, livingSubsidyFen: 0, nursingSubsidyFen: 0, rehabilitation: [], certificateStatus: "VALID", ...over });
const housingRecord = (benefits: Partial<HousingBenefit>[], asOf = REC): Fetched<HousingRecord> =>
  ok({
    source: "housing",
    asOf,
    stale: false,
    registryNo: "r",
    benefits: benefits.map((b) => ({ type: "RENTAL_SUBSIDY", status: "ACTIVE", monthlyRentFen: 60_000, monthlySubsidyFen: 30_000, grantFen: null, startDate: D("2025-01-01"), endDate: null, ...b })),
  });

let seq = 0;
function member(over: Partial<MemberFacts> = {}): MemberFacts {
  return {
    personId: `p${++seq}`,
    idNumber: null,
    sex: "MALE",
    birthDate: D("1986-01-01"),
    relation: "HEAD",
    workAbility: "PARTIAL",
    selfCare: "FULL",
    education: none(),
    employment: job(),
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
    streetCode: STREET,
    hukou: "URBAN",
    status: "ACTIVE",
    registry: { source: "registry", asOf: D("2026-09-01") },
    members: [member()],
    incomes: [],
    assets: [],
    cases: [],
    aidRecords: [],
    housing: none(),
    ...over,
  };
}
const income = (monthlyFen: number, personId: string | null = null) => ({ personId, source: "WAGES" as const, monthlyFen, validFrom: D("2020-01-01"), validTo: null });
const evaluate = (h: HouseholdFacts, on = DAY): EligibilityResult => evaluateEligibility(h, seededParameterSet(h.streetCode, on), on);
const reason = (r: EligibilityResult, rule: string, personId?: string) => r.reasons.find((x) => x.rule === rule && (personId === undefined || x.personId === personId));
const ent = (r: EligibilityResult, kind: string, personId: string | null = null) => r.entitlements.find((e) => e.kind === kind && (personId === null || e.personId === personId));

// ---------------------------------------------------------------------------------------------------------
describe("point 4 — housing security only where the facts establish it (003 §11: 符合当地城市住房保障条件; 002 #11–12)", () => {
  // a DIBAO household (income 0): the tier gives urban housing security to those without a home of their own
  type Row = [string, Partial<HouseholdFacts>, "UNVERIFIED" | "ESTABLISHED" | null, "gap" | "unverified" | "incomplete" | "none"];
  const rows: Row[] = [
    ["no home recorded, no finding, no housing record: UNVERIFIED, a thing to check — not a gap", {}, "UNVERIFIED", "unverified"],
    ["caseworker finding NO_HOME: established, and not received → gap", { housingCondition: "NO_HOME" }, "ESTABLISHED", "gap"],
    ["caseworker finding RENTING: established → gap", { housingCondition: "RENTING" }, "ESTABLISHED", "gap"],
    ["the housing department already pays a rental subsidy: established and received", { housing: housingRecord([{}]) }, "ESTABLISHED", "none"],
    ["an ENDED rental subsidy does not establish it: UNVERIFIED", { housing: housingRecord([{ status: "ENDED", endDate: D("2025-12-31") }]) }, "UNVERIFIED", "unverified"],
    ["a HOUSE asset: not entitled", { assets: [{ kind: "HOUSE", valueFen: 50_000_000 }] }, null, "none"],
    ["caseworker finding OWNS_HOME: not entitled", { housingCondition: "OWNS_HOME" }, null, "none"],
    ["the housing system failed and nothing else decides: unchecked (incomplete), not a gap", { housing: failed("housing") }, "UNVERIFIED", "incomplete"],
    ["rural hukou: no urban housing security", { hukou: "RURAL" }, null, "none"],
  ];
  test.each(rows)("%s", (_n, over, status, chainWant) => {
    const h = household({ streetCode: "500120001", districtCode: "500120", ...over });
    const r = evaluate(h);
    expect(r.tier).toBe("DIBAO");
    const e = ent(r, "HOUSING_SECURITY");
    expect(e?.status ?? null).toBe(status);
    if (status === "UNVERIFIED") expect(e!.missing!.join(" ")).toMatch(/housing conditions/);
    const chain = buildAidChain(h, r, DAY);
    const got = chain.gaps.some((g) => g.kind === "HOUSING_SECURITY")
      ? "gap"
      : chain.unverified.some((u) => u.kind === "HOUSING_SECURITY")
        ? "unverified"
        : chain.incomplete.some((i) => i.kind === "HOUSING_SECURITY")
          ? "incomplete"
          : "none";
    expect(got).toBe(chainWant);
  });

  test("a home owner with an active rental subsidy: not entitled, and the reason says to verify the benefit", () => {
    const r = evaluate(household({ streetCode: "500120001", districtCode: "500120", assets: [{ kind: "HOUSE", valueFen: 1 }], housing: housingRecord([{}]) }));
    expect(ent(r, "HOUSING_SECURITY")).toBeUndefined();
    expect(reason(r, "ENT_HOUSING")).toMatchObject({ outcome: "FAIL", explanation: expect.stringContaining("verify the housing benefit") });
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("point 5 — freshness: a record outside the evaluation's period is stale (windows: FRESHNESS_* parameters)", () => {
  const years = value("FRESHNESS_MEDICAL_SETTLEMENT_YEARS"); // 1
  const termMonths = value("FRESHNESS_EDUCATION_TERM_MONTHS"); // 1
  const months = { disability: value("FRESHNESS_DISABILITY_MONTHS"), employment: value("FRESHNESS_EMPLOYMENT_MONTHS"), housing: value("FRESHNESS_HOUSING_MONTHS") };
  // 2026-SPRING ends 2026-08-31 (src/domain/periods.ts termPeriod); it counts for termMonths more
  const springEnd = D("2026-08-31");
  const springUntil = D("2026-09-30"); // springEnd + FRESHNESS_EDUCATION_TERM_MONTHS (1, asserted below)
  type Row = [string, (m: MemberFacts, h: HouseholdFacts) => void, Date, boolean, string];
  const rows: Row[] = [
    [`settlement year ${DAY.getUTCFullYear() - years}: current (${years} year back allowed)`, (m) => (m.medicalInsurance = medical({ year: DAY.getUTCFullYear() - years })), DAY, false, "medicalInsurance"],
    [`settlement year ${DAY.getUTCFullYear() - years - 1}: stale (the 2022-record case)`, (m) => (m.medicalInsurance = medical({ year: DAY.getUTCFullYear() - years - 1 })), DAY, true, "medicalInsurance"],
    ["term 2026-SPRING on the last day it counts", (m) => (m.education = school({ term: "2026-SPRING" })), springUntil, false, "education"],
    ["term 2026-SPRING the day after", (m) => (m.education = school({ term: "2026-SPRING" })), new Date(springUntil.getTime() + 86_400_000), true, "education"],
    [`a certificate confirmed exactly ${months.disability} months before`, (m) => (m.disability = cert({ asOf: D("2025-11-22") })), DAY, false, "disability"],
    [`a certificate confirmed ${months.disability} months and a day before`, (m) => (m.disability = cert({ asOf: D("2025-11-21") })), DAY, true, "disability"],
    [`an employment status confirmed exactly ${months.employment} months before`, (m) => (m.employment = job({ asOf: D("2025-11-22") })), DAY, false, "employment"],
    [`an employment status confirmed ${months.employment} months and a day before`, (m) => (m.employment = job({ asOf: D("2025-11-21") })), DAY, true, "employment"],
    [`a housing record confirmed exactly ${months.housing} months before`, (_m, h) => (h.housing = housingRecord([], D("2025-11-22"))), DAY, false, "housing"],
    [`a housing record confirmed ${months.housing} months and a day before`, (_m, h) => (h.housing = housingRecord([], D("2025-11-21"))), DAY, true, "housing"],
  ];
  test.each(rows)("%s", (_n, set, on, stale, source) => {
    expect([termMonths, springEnd < springUntil]).toEqual([1, true]);
    const m = member();
    const h = household({ members: [m] });
    set(m, h);
    const r = evaluate(h, on);
    expect(r.complete).toBe(!stale);
    expect((r.staleRecords ?? []).map((s) => s.source)).toEqual(stale ? [source] : []);
    const view = eligibilityView(r, null);
    const entry = view.sources.find((s) => s.source === source);
    if (stale) {
      expect(entry).toMatchObject({ answered: true, stale: true });
      expect(reason(r, "FRESHNESS")).toMatchObject({ outcome: "UNKNOWN", personId: source === "housing" ? null : m.personId });
      // the entitlements of an incomplete evaluation are provisional
      expect(r.entitlements.length).toBeGreaterThan(0);
      expect(r.entitlements.every((e) => e.provisional)).toBe(true);
    } else {
      expect(reason(r, "FRESHNESS")).toBeUndefined();
      expect(r.entitlements.every((e) => e.provisional === false)).toBe(true);
    }
  });

  test("a stale medical record feeds no rule: the rules needing it are UNKNOWN and say it is stale (not 'did not answer')", () => {
    const m = member({ medicalInsurance: medical({ year: 2022, outOfPocketFen: 10 ** 8, seriousDisease: "UREMIA" }) });
    const r = evaluate(household({ members: [m], incomes: [income(3 * STD)] }));
    const oop = reason(r, "ENT_MEDICAL_OUT_OF_POCKET", m.personId) ?? reason(r, "RIGID_EXPENDITURE");
    expect(oop!.outcome).toBe("UNKNOWN");
    expect(oop!.explanation).toMatch(/stale/);
    expect(r.tier).not.toBe("RIGID_EXPENDITURE");
  });

  test("the aid chain marks the stale record's links and judges no gap on them (STALE_RECORD, not a gap)", () => {
    const m = member({ medicalInsurance: medical({ year: 2022, premiumSubsidyFen: 34_200, premiumSubsidyRatio: 0.9 }) });
    const h = household({ members: [m] });
    const r = evaluate(h);
    const chain = buildAidChain(h, r, DAY);
    const premiumLink = chain.links.find((l) => l.program === "MEDICAL_PREMIUM_SUBSIDY")!;
    expect(premiumLink.stale).toBe(true);
    expect(chain.gaps.filter((g) => g.department === "medical_insurance")).toEqual([]);
    expect(chain.complete).toBe(false);
    expect(chain.incomplete.filter((i) => i.department === "medical_insurance").every((i) => i.code === "STALE_RECORD")).toBe(true);
  });

  test("sources[].answered is false for a source that failed for one member only, even where no rule needed it", () => {
    // a DIBAO household where the second member's disability record failed; the TEKUN / inclusion rules do not need it
    const a = member();
    const b = member({ relation: "SPOUSE", disability: failed("disability") });
    const r = evaluate(household({ members: [a, b] }));
    const view = eligibilityView(r, null);
    expect(r.failedSources).toEqual(["disability"]);
    expect(view.sources.find((s) => s.source === "disability")).toMatchObject({ answered: false });
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("point 7 — education by stage (002 #8; 003 §10)", () => {
  // household tier by income: 0 → DIBAO; 1.2 × STD → DIBAO_MARGINAL; rigid: above 1.5 × with large school costs
  type Row = [string, number, EducationRecord["stage"], number, string[]];
  const rigidIncome = 2 * STD; // 2 members: 1 × STD per capita... above 1.5 × only with 1 member; see below
  const rows: Row[] = [
    ["DIBAO student in higher education: national student loan, not a grant (002 #8 国家助学贷款)", 0, "HIGHER", 0, ["EDUCATION_STUDENT_LOAN"]],
    ["marginal student in higher education: student loan (003 §10 助学贷款)", Math.round(1.2 * STD) * 2, "HIGHER", 0, ["EDUCATION_STUDENT_LOAN"]],
    ["DIBAO senior-high: fee waiver + national grant (002 #8)", 0, "SENIOR", 0, ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"]],
    ["DIBAO vocational: fee waiver + national grant (002 #8 学费、国家助学金、住宿费)", 0, "VOCATIONAL", 0, ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"]],
    ["DIBAO pre-school: fee waiver + living subsidy (002 #8 保教费、生活费)", 0, "PRESCHOOL", 0, ["EDUCATION_FEE_WAIVER", "EDUCATION_LIVING_SUBSIDY"]],
    ["rigid-expenditure household's senior-high student: included (003 §10 刚性支出困难家庭对象)", rigidIncome * 2, "SENIOR", 10 ** 8, ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"]],
  ];
  test.each(rows)("%s", (_n, total, stage, expense, kinds) => {
    const head = member();
    const child = member({ relation: "CHILD", birthDate: D("2008-06-01"), education: school({ stage, necessaryExpenseFen: expense }) });
    const r = evaluate(household({ members: [head, child], incomes: total ? [income(total)] : [] }));
    if (expense > 0) expect(r.tier).toBe("RIGID_EXPENDITURE");
    const got = r.entitlements.filter((e) => e.department === "education" && e.personId === child.personId).map((e) => e.kind).sort();
    expect(got).toEqual([...kinds].sort());
  });
});

describe("point 7 — education for the OTHER tier (003 §10 其他经济困难家庭对象)", () => {
  // income far above the marginal limit and the disposable income: only the registry's OTHER case gives a tier
  const highIncome = 10 * STD;
  const otherCase = (personId: string | null) => ({ id: "c-other", tier: "OTHER" as const, tierClass: null, status: "ACTIVE" as const, personId, startDate: D("2024-01-01"), endDate: null, nextReviewDate: null, monthlyFen: null });
  const rows: [string, "household" | "student" | "none", EducationRecord["stage"], string[]][] = [
    ["a household-level OTHER case: its senior-high student gets fee waiver + national grant", "household", "SENIOR", ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"]],
    ["a person-level OTHER case on the student: pre-school fee waiver + living subsidy", "student", "PRESCHOOL", ["EDUCATION_FEE_WAIVER", "EDUCATION_LIVING_SUBSIDY"]],
    ["no OTHER case, the same income: NOT_ELIGIBLE, no education aid", "none", "SENIOR", []],
  ];
  test.each(rows)("%s", (_n, where, stage, kinds) => {
    const head = member();
    const child = member({ relation: "CHILD", birthDate: D("2010-06-01"), education: school({ stage, necessaryExpenseFen: 0 }) });
    const cases = where === "none" ? [] : [otherCase(where === "student" ? child.personId : null)];
    const r = evaluate(household({ members: [head, child], incomes: [income(highIncome)], cases }));
    const childTier = r.persons.find((p) => p.personId === child.personId)?.tier ?? r.tier;
    expect(childTier).toBe(where === "none" ? "NOT_ELIGIBLE" : "OTHER");
    const got = r.entitlements.filter((e) => e.department === "education" && e.personId === child.personId).map((e) => e.kind).sort();
    expect(got).toEqual([...kinds].sort());
  });
});

describe("point 7 — medical premium: tier 1 by tier, tier 2 at 100 % of the tier-1 personal premium (003 §9)", () => {
  const rows: [string, Fetched<MedicalInsuranceRecord>, number | null, string][] = [
    ["DIBAO member in tier 1: MEDICAL_PREMIUM_SUBSIDY_DIBAO", medical({ tier: 1 }), value("MEDICAL_PREMIUM_SUBSIDY_DIBAO"), "ESTABLISHED"],
    ["DIBAO member who chose tier 2: MEDICAL_PREMIUM_SUBSIDY_TIER2 (统一按照一档个人缴费标准的100%)", medical({ tier: 2 }), value("MEDICAL_PREMIUM_SUBSIDY_TIER2"), "ESTABLISHED"],
    ["not insured (no record): the tier-1 ratio", none(), value("MEDICAL_PREMIUM_SUBSIDY_DIBAO"), "ESTABLISHED"],
    ["the medical system failed: the tier is unknown, the ratio with it — UNVERIFIED", failed("medicalInsurance"), null, "UNVERIFIED"],
  ];
  test.each(rows)("%s", (_n, mi, ratio, status) => {
    const m = member({ medicalInsurance: mi });
    const r = evaluate(household({ members: [m] }));
    const e = ent(r, "MEDICAL_PREMIUM_SUBSIDY", m.personId)!;
    expect([e.ratio, e.status]).toEqual([ratio, status]);
  });
});

describe("point 7 — the rigid-expenditure test counts what the family bears after medical aid (003 §1, §9)", () => {
  const ratio = value("RIGID_EXPENDITURE_RATIO");
  const total = 2 * STD; // one member at 2 × the standard: above the marginal limit, below the disposable income
  const annual = total * 12;
  const rows: [string, number, number, string][] = [
    ["net of medical aid 1 fen above the ratio: RIGID", ratio * annual + 1 + 500_000, 500_000, "RIGID_EXPENDITURE"],
    ["net exactly at the ratio: not above it", ratio * annual + 500_000, 500_000, "NOT_ELIGIBLE"],
    ["gross far above the ratio but medical aid paid most of it: not rigid", 4 * ratio * annual, 4 * ratio * annual - 1000, "NOT_ELIGIBLE"],
  ];
  test.each(rows)("%s", (_n, oop, aid, tier) => {
    const r = evaluate(household({ members: [member({ medicalInsurance: medical({ outOfPocketFen: oop, medicalAidPaidFen: aid }) })], incomes: [income(total)] }));
    expect(r.tier).toBe(tier);
  });
});

describe("point 7 — monitoring retention (003 §5: 不符合…申请对象及退出不满两年的对象)", () => {
  const years = value("MONITORING_RETENTION_YEARS");
  const kase = (tier: "DIBAO" | "TEKUN" | "DIBAO_MARGINAL" | "RIGID_EXPENDITURE", status: "REJECTED" | "TERMINATED", end: string) => ({
    id: "c1",
    personId: null,
    tier,
    tierClass: null,
    status,
    startDate: D("2023-01-01"),
    endDate: D(end),
    nextReviewDate: null,
    monthlyFen: null,
  });
  const until = `${2024 + years}-11-22`;
  const rows: [string, ReturnType<typeof kase>, string, "PASS" | "FAIL"][] = [
    ["a refused marginal applicant, on the last day of the two years", kase("DIBAO_MARGINAL", "REJECTED", "2024-11-22"), until, "PASS"],
    ["a refused marginal applicant, the day after", kase("DIBAO_MARGINAL", "REJECTED", "2024-11-22"), `${2024 + years}-11-23`, "FAIL"],
    ["a household that left rigid-expenditure status", kase("RIGID_EXPENDITURE", "TERMINATED", "2025-06-30"), "2026-11-22", "PASS"],
    ["a refused dibao applicant (as before)", kase("DIBAO", "REJECTED", "2025-06-30"), "2026-11-22", "PASS"],
  ];
  test.each(rows)("%s", (_n, c, on, outcome) => {
    const r = evaluate(household({ members: [member()], incomes: [income(3 * STD)], cases: [c] }), D(on));
    expect(r.tier).toBe("NOT_ELIGIBLE");
    expect(reason(r, "MONITORING_RETENTION")!.outcome).toBe(outcome);
  });
});

describe("point 7/8 — serious disease only from the code list (003 §8 single-person inclusion)", () => {
  const rows: [string, string, boolean][] = [
    ["THALASSEMIA (on the list): the member goes on dibao alone", "THALASSEMIA", true],
    ["COMMON_COLD (not on the list): no inclusion", "COMMON_COLD", false],
  ];
  test.each(rows)("%s", (_n, code, included) => {
    // household income per capita 1.2 × standard (marginal, 002 #3); the ill member's own income 0.95 × standard is
    // below the standard (补差 > 0), and the remaining member alone (1.45 × standard) stays marginal on their own
    // (MARGINAL_INCOME_REST), so the household stays DIBAO_MARGINAL whether or not the member is included
    const head = member();
    const ill = member({ relation: "SPOUSE", medicalInsurance: medical({ seriousDisease: code }) });
    const r = evaluate(household({ members: [head, ill], incomes: [income(Math.round(0.95 * STD), ill.personId), income(Math.round(1.45 * STD), head.personId)] }));
    expect(r.tier).toBe("DIBAO_MARGINAL");
    expect(r.persons.some((p) => p.personId === ill.personId && p.tier === "DIBAO")).toBe(included);
  });
});
