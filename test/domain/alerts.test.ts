/**
 * Early-warning alerts (DOMAIN.md §3: cross-department comparison, classes (a)–(d); §1 gradual exit and
 * re-certification): table-driven, one row per rule and boundary.
 */
import { describe, expect, test } from "vitest";
import { ALERT_WINDOWS, deriveAlerts, type AlertFinding } from "../../src/domain/alerts.js";
import { addDays } from "../../src/domain/calendar.js";
import type { EligibilityResult, HouseholdFacts } from "../../src/domain/facts.js";
import { ASOF, aid, d, disability, education, eligibility, employment, entitlement, facts, failed, kase, medical, member, ok, param } from "./chain-fixtures.js";

type Want = [AlertFinding["kind"], AlertFinding["class"], AlertFinding["severity"], AlertFinding["department"]] | null;
type Row = [string, HouseholdFacts, EligibilityResult, Want];

const DIBAO = [kase()];
const daysBefore = (n: number) => addDays(ASOF, -n);
const e0 = eligibility();

const rows: Row[] = [
  // NEWLY_UNEMPLOYED — §2 employment, §3 registered unemployed
  [
    "registered unemployed exactly 90 days ago in an assisted household, nobody else working: implement employment help",
    facts({ cases: DIBAO, members: [member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED", registeredUnemployedSince: daysBefore(90) })) })] }),
    e0,
    ["NEWLY_UNEMPLOYED", "IMPLEMENT", "HIGH", "employment"],
  ],
  [
    "registered 91 days ago: outside the window",
    facts({ cases: DIBAO, members: [member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED", registeredUnemployedSince: daysBefore(91) })) })] }),
    e0,
    null,
  ],
  [
    "newly unemployed in a household with no case, another member working: possibly eligible, inform and push",
    facts({
      members: [
        member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED", registeredUnemployedSince: daysBefore(10) })) }),
        member("p2", { employment: ok(employment({ status: "EMPLOYED" })) }),
      ],
    }),
    e0,
    ["NEWLY_UNEMPLOYED", "INFORM_AND_PUSH", "MEDIUM", "civil_affairs"],
  ],
  // NEW_SEVERE_DISABILITY — §1 single-person inclusion, §2 nursing subsidy
  [
    "grade 2 certificate of exactly 90 days ago, no nursing subsidy: implement (federation)",
    facts({ cases: DIBAO, members: [member("p1", { disability: ok(disability({ grade: 2, asOf: daysBefore(90) })) })] }),
    e0,
    ["NEW_SEVERE_DISABILITY", "IMPLEMENT", "MEDIUM", "disability"],
  ],
  ["a certificate of 91 days ago is not new", facts({ cases: DIBAO, members: [member("p1", { disability: ok(disability({ asOf: daysBefore(91) })) })] }), e0, null],
  ["grade 3 is not severe", facts({ cases: DIBAO, members: [member("p1", { disability: ok(disability({ grade: 3, severe: false, asOf: daysBefore(5) })) })] }), e0, null],
  [
    "grade 1 with nursing subsidy in a household without dibao: single-person inclusion may apply",
    facts({ members: [member("p1", { disability: ok(disability({ grade: 1, nursingSubsidyFen: 15_000, asOf: daysBefore(5) })) })] }),
    e0,
    ["NEW_SEVERE_DISABILITY", "INFORM_AND_PUSH", "HIGH", "civil_affairs"],
  ],
  [
    "grade 1 with nursing subsidy in a dibao household: nothing to do",
    facts({ cases: DIBAO, members: [member("p1", { disability: ok(disability({ nursingSubsidyFen: 15_000, asOf: daysBefore(5) })) })] }),
    e0,
    null,
  ],
  // SERIOUS_DISEASE — §1 single-person inclusion, §2 medical aid
  [
    "seriously ill, household not on dibao: inform and push",
    facts({ members: [member("p1", { medicalInsurance: ok(medical({ seriousDisease: "THALASSEMIA", outOfPocketFen: 300_000, medicalAidPaidFen: 180_000 })) })] }),
    e0,
    ["SERIOUS_DISEASE", "INFORM_AND_PUSH", "MEDIUM", "civil_affairs"],
  ],
  [
    "seriously ill on dibao with aid as entitled: nothing to do",
    facts({ cases: DIBAO, members: [member("p1", { medicalInsurance: ok(medical({ seriousDisease: "CML", outOfPocketFen: 300_000, medicalAidPaidFen: 210_000 })) })] }),
    eligibility({ entitlements: [entitlement("MEDICAL_OUT_OF_POCKET_AID", "medical_insurance", "p1", { ratio: 0.7 })] }),
    null,
  ],
  [
    "seriously ill on dibao with aid below 70 %: implement (medical insurance)",
    facts({ cases: DIBAO, members: [member("p1", { medicalInsurance: ok(medical({ seriousDisease: "CML", outOfPocketFen: 300_000, medicalAidPaidFen: 100_000 })) })] }),
    eligibility({ entitlements: [entitlement("MEDICAL_OUT_OF_POCKET_AID", "medical_insurance", "p1", { ratio: 0.7 })] }),
    ["SERIOUS_DISEASE", "IMPLEMENT", "MEDIUM", "medical_insurance"],
  ],
  [
    "out of pocket left exactly at the large threshold: case conference",
    facts({ members: [member("p1", { medicalInsurance: ok(medical({ seriousDisease: "UREMIA", outOfPocketFen: ALERT_WINDOWS.largeOutOfPocketFen, medicalAidPaidFen: 0 })) })] }),
    e0,
    ["SERIOUS_DISEASE", "CASE_CONFERENCE", "HIGH", "civil_affairs"],
  ],
  // HARDSHIP_STUDENT — §2 education, §3 hardship students
  [
    "hardship student in a household with no assistance case and no aid",
    facts({ members: [member("p1", { education: ok(education({ hardshipStudent: true })) })] }),
    e0,
    ["HARDSHIP_STUDENT", "INFORM_AND_PUSH", "HIGH", "civil_affairs"],
  ],
  ["hardship student already covered by a case", facts({ cases: [kase({ tier: "DIBAO_MARGINAL", tierClass: null })], members: [member("p1", { education: ok(education({ hardshipStudent: true })) })] }), eligibility({ tier: "DIBAO_MARGINAL" }), null],
  // RIGID_EXPENDITURE_CROSSED — §1 rigid expenditure: spending / income > local ratio
  [
    "medical + education spending just over the ratio of annual income",
    facts({
      incomes: [{ personId: null, source: "WAGES", monthlyFen: 100_000, validFrom: d("2020-01-01"), validTo: null }],
      members: [member("p1", { medicalInsurance: ok(medical({ outOfPocketFen: 500_001 })) }), member("p2", { education: ok(education({ necessaryExpenseFen: 100_000 })) })],
    }),
    eligibility({ parametersUsed: [param("RIGID_EXPENDITURE_RATIO", 0.5)] }),
    ["RIGID_EXPENDITURE_CROSSED", "INFORM_AND_PUSH", "MEDIUM", "civil_affairs"],
  ],
  [
    "spending exactly at the ratio: not crossed",
    facts({
      incomes: [{ personId: null, source: "WAGES", monthlyFen: 100_000, validFrom: d("2020-01-01"), validTo: null }],
      members: [member("p1", { medicalInsurance: ok(medical({ outOfPocketFen: 500_000 })) }), member("p2", { education: ok(education({ necessaryExpenseFen: 100_000 })) })],
    }),
    eligibility({ parametersUsed: [param("RIGID_EXPENDITURE_RATIO", 0.5)] }),
    null,
  ],
  [
    "spending at least the whole annual income: case conference",
    facts({ incomes: [{ personId: null, source: "WAGES", monthlyFen: 100_000, validFrom: d("2020-01-01"), validTo: null }], members: [member("p1", { medicalInsurance: ok(medical({ outOfPocketFen: 1_200_000 })) })] }),
    eligibility({ parametersUsed: [param("RIGID_EXPENDITURE_RATIO", 0.5)] }),
    ["RIGID_EXPENDITURE_CROSSED", "CASE_CONFERENCE", "HIGH", "civil_affairs"],
  ],
  [
    "medical insurance down: spending unknown, no alert",
    facts({ incomes: [{ personId: null, source: "WAGES", monthlyFen: 100_000, validFrom: d("2020-01-01"), validTo: null }], members: [member("p1", { medicalInsurance: failed("medicalInsurance"), education: ok(education({ necessaryExpenseFen: 2_000_000 })) })] }),
    eligibility({ parametersUsed: [param("RIGID_EXPENDITURE_RATIO", 0.5)] }),
    null,
  ],
  // INCOME_ABOVE_STANDARD — §1 gradual exit, §3 (c)
  ["income one fen below the standard", facts({ cases: DIBAO }), eligibility({ incomePerCapitaFen: 79_999, standardFen: 80_000, marginalLimitFen: 120_000 }), null],
  [
    "income exactly at the standard: start the gradual exit",
    facts({ cases: DIBAO }),
    eligibility({ incomePerCapitaFen: 80_000, standardFen: 80_000, marginalLimitFen: 120_000 }),
    ["INCOME_ABOVE_STANDARD", "VERIFY_EXIT", "MEDIUM", "civil_affairs"],
  ],
  [
    "already in gradual exit: verify at its end",
    facts({ cases: [kase({ status: "GRADUAL_EXIT", endDate: d("2027-03-31") })] }),
    eligibility({ incomePerCapitaFen: 100_000, standardFen: 80_000, marginalLimitFen: 120_000 }),
    ["INCOME_ABOVE_STANDARD", "VERIFY_EXIT", "LOW", "civil_affairs"],
  ],
  [
    "income at 1.5 × the standard: termination check",
    facts({ cases: DIBAO }),
    eligibility({ incomePerCapitaFen: 120_000, standardFen: 80_000, marginalLimitFen: 120_000 }),
    ["INCOME_ABOVE_STANDARD", "VERIFY_EXIT", "HIGH", "civil_affairs"],
  ],
  [
    "a gradual exit whose grace ended yesterday, still open: termination check",
    facts({ cases: [kase({ status: "GRADUAL_EXIT", endDate: daysBefore(1) })] }),
    e0,
    ["INCOME_ABOVE_STANDARD", "VERIFY_EXIT", "HIGH", "civil_affairs"],
  ],
  // RECERTIFICATION_OVERDUE — §1 re-certification (002 #4)
  ["re-certification due today is not overdue", facts({ cases: [kase({ nextReviewDate: ASOF })] }), e0, null],
  ["due yesterday", facts({ cases: [kase({ nextReviewDate: daysBefore(1) })] }), e0, ["RECERTIFICATION_OVERDUE", "VERIFY_EXIT", "MEDIUM", "civil_affairs"]],
  ["due 90 days ago: still MEDIUM", facts({ cases: [kase({ nextReviewDate: daysBefore(90) })] }), e0, ["RECERTIFICATION_OVERDUE", "VERIFY_EXIT", "MEDIUM", "civil_affairs"]],
  ["due 91 days ago: HIGH", facts({ cases: [kase({ tier: "TEKUN", nextReviewDate: daysBefore(91) })] }), eligibility({ tier: "TEKUN" }), ["RECERTIFICATION_OVERDUE", "VERIFY_EXIT", "HIGH", "civil_affairs"]],
  ["a terminated case is not re-certified", facts({ cases: [kase({ status: "TERMINATED", nextReviewDate: daysBefore(30) })] }), e0, null],
];

describe("one alert per rule, classed per DOMAIN §3 (a) implement, (b) inform and push, (c) verify exit, (d) case conference", () => {
  test.each(rows)("%s", (_name, f, e, want) => {
    const got = deriveAlerts(f, e, ASOF);
    if (want === null) {
      expect(got).toEqual([]);
      return;
    }
    expect(got).toHaveLength(1);
    expect([got[0].kind, got[0].class, got[0].severity, got[0].department]).toEqual(want);
    expect(got[0].evidence.length).toBeGreaterThan(0);
    for (const ev of got[0].evidence) expect(ev.source).toMatch(/^(registry|policy|education|employment|medicalInsurance|disability|housing)$/);
    expect(got[0].sources).toEqual([...new Set(got[0].evidence.map((x) => x.source))].sort());
    expect(got[0].reference).toMatch(/DOMAIN §/);
  });
});

describe("keys and escalation", () => {
  const busy = facts({
    cases: [kase({ nextReviewDate: daysBefore(10) })],
    members: [
      member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED", registeredUnemployedSince: daysBefore(10) })) }),
      member("p2", { disability: ok(disability({ asOf: daysBefore(10) })) }),
    ],
  });

  test("three kinds at once for one household: all become a case conference (DOMAIN §3 (d))", () => {
    const got = deriveAlerts(busy, e0, ASOF);
    expect(new Set(got.map((a) => a.kind))).toEqual(new Set(["NEWLY_UNEMPLOYED", "NEW_SEVERE_DISABILITY", "RECERTIFICATION_OVERDUE"]));
    expect(new Set(got.map((a) => a.class))).toEqual(new Set(["CASE_CONFERENCE"]));
  });

  test("two kinds keep their own classes", () => {
    const got = deriveAlerts({ ...busy, cases: [kase()] }, e0, ASOF);
    expect(got.map((a) => a.class).sort()).toEqual(["IMPLEMENT", "IMPLEMENT"]);
  });

  test("the same facts give the same keys on another day and in another order; keys differ per alert", () => {
    const a = deriveAlerts(busy, e0, ASOF).map((x) => x.key);
    const b = deriveAlerts({ ...busy, members: [...busy.members].reverse(), aidRecords: [aid("DIBAO_PAYMENT", "2026-10-01", "2026-10-31")] }, e0, addDays(ASOF, 5)).map((x) => x.key);
    expect(new Set(b)).toEqual(new Set(a));
    expect(new Set(a).size).toBe(a.length);
    expect(a).toContain(`RECERTIFICATION_OVERDUE:case-1:${daysBefore(10).toISOString().slice(0, 10)}`);
  });
});
