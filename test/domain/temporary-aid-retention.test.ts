/**
 * Issue 13 point 7 — monitoring retention of refused temporary-aid applicants, table-driven at the boundaries.
 * 003 §5: 将不符合最低生活保障、特困人员救助供养、最低生活保障边缘家庭成员、临时救助条件的申请对象及退出不满两年的对象 …
 * 纳入低收入人口数据库实施动态监测. The end of the retention is computed here from the seed's rule (the decision day
 * plus MONITORING_RETENTION_YEARS calendar years, the last day included), and checked against the same rule for a
 * refused case, never taken from the function under test.
 */
import { describe, expect, test } from "vitest";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import type { CaseFact, EligibilityResult, HouseholdFacts, MemberFacts, TemporaryAidApplicationFact } from "../../src/domain/facts.js";
import { seededParameterSet } from "../helpers/population-facts.js";
import { none } from "./chain-fixtures.js";

const D = (iso: string) => new Date(`${iso}T00:00:00Z`);
const STREET = "500103001";
const P = seededParameterSet(STREET, D("2026-11-22"));
const YEARS = P.get("MONITORING_RETENTION_YEARS")!.value;
const STD = P.get("DIBAO_STANDARD_URBAN")!.value;

const head: MemberFacts = {
  personId: "p1",
  idNumber: null,
  sex: "MALE",
  birthDate: D("1980-01-01"),
  relation: "HEAD",
  workAbility: "FULL",
  selfCare: "FULL",
  education: none(),
  employment: none(),
  medicalInsurance: none(),
  disability: none(),
};
/** a household earning 3 × the standard: NOT_ELIGIBLE, where retention is judged */
function household(over: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    householdId: "h1",
    registryNo: "500103001-000001",
    districtCode: "500103",
    streetCode: STREET,
    hukou: "URBAN",
    status: "MONITORED",
    registry: { source: "registry", asOf: D("2026-09-01") },
    members: [head],
    incomes: [{ personId: "p1", source: "WAGES", monthlyFen: 3 * STD, validFrom: D("2020-01-01"), validTo: null }],
    assets: [],
    cases: [],
    aidRecords: [],
    housing: none(),
    ...over,
  };
}
const application = (over: Partial<TemporaryAidApplicationFact> = {}): TemporaryAidApplicationFact => ({
  id: "t1",
  personId: null,
  kind: "EMERGENCY",
  appliedOn: D("2024-11-01"),
  status: "REFUSED",
  decidedOn: D("2024-11-22"),
  amountFen: null,
  ...over,
});
const refusedCase = (end: string): CaseFact => ({
  id: "c1", personId: null, tier: "DIBAO_MARGINAL", tierClass: null, status: "REJECTED", startDate: D("2024-10-01"), endDate: D(end), nextReviewDate: null, monthlyFen: null,
});
const evaluate = (h: HouseholdFacts, on: string): EligibilityResult => evaluateEligibility(h, seededParameterSet(h.streetCode, D(on)), D(on));
const retention = (r: EligibilityResult) => r.reasons.find((x) => x.rule === "MONITORING_RETENTION");
const input = (r: EligibilityResult, name: string) => retention(r)?.inputs.find((i) => i.name === name)?.value;

/** The last day in the monitoring database by the seed's rule: the same month and day YEARS years on (29 Feb → 28 Feb). */
function lastDay(decided: string): string {
  const [y, m, d] = decided.split("-").map(Number);
  const last = new Date(Date.UTC(y + YEARS, m, 0)).getUTCDate();
  return `${y + YEARS}-${String(m).padStart(2, "0")}-${String(Math.min(d, last)).padStart(2, "0")}`;
}
const shift = (iso: string, days: number) => new Date(D(iso).getTime() + days * 86_400_000).toISOString().slice(0, 10);

describe("003 §5: a refused temporary-aid applicant stays in the monitoring database for MONITORING_RETENTION_YEARS", () => {
  const decisions = ["2024-11-22", "2024-02-29", "2025-01-31"];
  const rows = decisions.flatMap((decided): [string, string, string, "PASS" | "FAIL"][] => {
    const end = lastDay(decided);
    return [
      [`decided ${decided}: the day before the end (${shift(end, -1)})`, decided, shift(end, -1), "PASS"],
      [`decided ${decided}: on the end (${end})`, decided, end, "PASS"],
      [`decided ${decided}: the day after the end (${shift(end, 1)})`, decided, shift(end, 1), "FAIL"],
    ];
  });
  test.each(rows)("%s", (_n, decided, on, outcome) => {
    const r = evaluate(household({ temporaryAidApplications: [application({ decidedOn: D(decided), appliedOn: D(shift(decided, -10)) })] }), on);
    expect(r.tier).toBe("NOT_ELIGIBLE");
    expect(retention(r)).toMatchObject({ outcome, reference: expect.stringContaining("003 §5") });
    expect(input(r, "temporary aid decision date")).toBe(decided);
    expect(input(r, "temporary aid kind")).toBe("EMERGENCY");
    expect(input(r, "temporary aid application status")).toBe("REFUSED");
    if (outcome === "PASS") expect(retention(r)!.explanation).toContain(lastDay(decided));
    // the boundary is exactly the one of a refused case decided the same day
    const byCase = evaluate(household({ cases: [refusedCase(decided)] }), on);
    expect(retention(byCase)!.outcome).toBe(outcome);
  });
});

describe("003 §5: only a refusal retains (status of the application)", () => {
  const rows: [string, Partial<TemporaryAidApplicationFact>, "PASS" | null][] = [
    ["REFUSED (decided 2025-06-30): retained", { status: "REFUSED", decidedOn: D("2025-06-30") }, "PASS"],
    ["GRANTED: the household got the aid, no retention from it", { status: "GRANTED", decidedOn: D("2025-06-30"), amountFen: 200_000 }, null],
    ["APPLIED (not decided yet): no retention from it", { status: "APPLIED", decidedOn: null }, null],
    ["EXPENDITURE kind refused: retained like EMERGENCY", { status: "REFUSED", kind: "EXPENDITURE", decidedOn: D("2025-06-30") }, "PASS"],
  ];
  test.each(rows)("%s", (_n, over, outcome) => {
    const r = evaluate(household({ temporaryAidApplications: [application(over)] }), "2026-11-22");
    expect(r.tier).toBe("NOT_ELIGIBLE");
    expect(retention(r)?.outcome ?? null).toBe(outcome);
  });
});

describe("003 §5: the latest refusal or exit decides", () => {
  test("a case refused three years ago (out) and a temporary-aid refusal last year (in): retained by the temporary aid", () => {
    const r = evaluate(household({ cases: [refusedCase("2023-10-01")], temporaryAidApplications: [application({ decidedOn: D("2025-10-01") })] }), "2026-11-22");
    expect(retention(r)!.outcome).toBe("PASS");
    expect(input(r, "temporary aid decision date")).toBe("2025-10-01");
  });
  test("a temporary-aid refusal three years ago and a case refused last year: retained by the case", () => {
    const r = evaluate(household({ cases: [refusedCase("2025-10-01")], temporaryAidApplications: [application({ decidedOn: D("2023-10-01") })] }), "2026-11-22");
    expect(retention(r)!.outcome).toBe("PASS");
    expect(input(r, "case end date")).toBe("2025-10-01");
    expect(input(r, "temporary aid decision date")).toBeUndefined();
  });
  test("a granted application after an old refusal does not renew the retention", () => {
    const apps = [application({ id: "t1", decidedOn: D("2023-10-01") }), application({ id: "t2", status: "GRANTED", decidedOn: D("2025-10-01"), amountFen: 100_000 })];
    const r = evaluate(household({ temporaryAidApplications: apps }), "2026-11-22");
    expect(retention(r)!.outcome).toBe("FAIL");
    expect(input(r, "temporary aid decision date")).toBe("2023-10-01");
  });
});
