/**
 * src/domain/needs.ts, table-driven: which situations and aid-chain gaps become which needs, and what a
 * need says (urgency, tier, age band, disability) — never who.
 */
import { describe, expect, test } from "vitest";
import { ageBand, ageBandBounds, deriveNeeds, householdTier, type NeedGap } from "../../src/domain/needs.js";
import type { HouseholdFacts } from "../../src/domain/facts.js";
import { d, disability, education, employment, facts, failed, kase, medical, member, ok } from "./chain-fixtures.js";

const WINTER = d("2026-11-22");
const SUMMER = d("2026-06-15");
const summary = (f: HouseholdFacts, asOf: Date, gaps: NeedGap[] = []) =>
  deriveNeeds(f, asOf, gaps).map((n) => ({ key: n.key, urgency: n.urgency, rules: n.rules, tier: n.tier, ageBand: n.ageBand, disability: n.disability }));

describe("situations → needs", () => {
  test.each<[string, HouseholdFacts, Date, ReturnType<typeof summary>]>([
    [
      "a senior-high student in a marginal household with no national grant → school costs, HIGH",
      facts({ cases: [kase({ tier: "DIBAO_MARGINAL", tierClass: null })], members: [member("p1"), member("p2", { relation: "CHILD", birthDate: d("2010-03-01"), education: ok(education({ stage: "SENIOR", aid: [{ item: "FEE_WAIVER", term: "2026-AUTUMN", amountFen: 100 }] })) })] }),
      SUMMER,
      [{ key: "SCHOOL_COSTS:p2", urgency: "HIGH", rules: ["SCHOOL_SENIOR_NO_GRANT"], tier: "DIBAO_MARGINAL", ageBand: "15-17", disability: false }],
    ],
    [
      "the same student with a national grant → nothing",
      facts({ cases: [kase({ tier: "DIBAO_MARGINAL", tierClass: null })], members: [member("p2", { birthDate: d("2010-03-01"), education: ok(education({ aid: [{ item: "NATIONAL_GRANT", term: "2026-AUTUMN", amountFen: 100 }] })) })] }),
      SUMMER,
      [],
    ],
    [
      "a senior-high student of a dibao household → nothing situational (the grant is an entitlement: a gap, if missing)",
      facts({ cases: [kase()], members: [member("p2", { birthDate: d("2010-03-01"), education: ok(education()) })] }),
      SUMMER,
      [],
    ],
    [
      "a grade-1 physically disabled member without an assistive device → devices, HIGH",
      facts({ cases: [kase()], members: [member("p1", { disability: ok(disability({ category: "PHYSICAL", grade: 1, severe: true, rehabilitation: [] })) })] }),
      SUMMER,
      [{ key: "ASSISTIVE_DEVICES:p1", urgency: "HIGH", rules: ["DEVICE_SEVERE_NO_DEVICE"], tier: "DIBAO", ageBand: "18-59", disability: true }],
    ],
    [
      "grade 2 → devices, MEDIUM",
      facts({ members: [member("p1", { disability: ok(disability({ category: "VISUAL", grade: 2, severe: true, rehabilitation: [] })) })] }),
      SUMMER,
      [{ key: "ASSISTIVE_DEVICES:p1", urgency: "MEDIUM", rules: ["DEVICE_SEVERE_NO_DEVICE"], tier: null, ageBand: "18-59", disability: true }],
    ],
    [
      "a device on record, or an intellectual disability → nothing",
      facts({ members: [member("p1", { disability: ok(disability({ category: "PHYSICAL", grade: 1, severe: true, rehabilitation: ["ASSISTIVE_DEVICE"] })) }), member("p2", { disability: ok(disability({ category: "INTELLECTUAL", grade: 1, severe: true, rehabilitation: [] })) })] }),
      SUMMER,
      [],
    ],
    [
      "aged 70+ without self-care → care visits HIGH; partial → MEDIUM",
      facts({ members: [member("p1", { birthDate: d("1950-01-01"), selfCare: "NONE" }), member("p2", { birthDate: d("1954-01-01"), selfCare: "PARTIAL" })] }),
      SUMMER,
      [
        { key: "CARE_VISITS:p1", urgency: "HIGH", rules: ["CARE_ELDERLY"], tier: null, ageBand: "70+", disability: false },
        { key: "CARE_VISITS:p2", urgency: "MEDIUM", rules: ["CARE_ELDERLY"], tier: null, ageBand: "70+", disability: false },
      ],
    ],
    [
      "registered unemployed, able to work, no recent training → job training",
      facts({ members: [member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED", trainings: [{ course: "x", completedOn: d("2025-01-01") }] })) })] }),
      SUMMER,
      [{ key: "JOB_TRAINING:p1", urgency: "MEDIUM", rules: ["JOB_UNEMPLOYED_NO_TRAINING"], tier: null, ageBand: "18-59", disability: false }],
    ],
    [
      "a training in the last year → nothing",
      facts({ members: [member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED", trainings: [{ course: "x", completedOn: d("2026-03-01") }] })) })] }),
      SUMMER,
      [],
    ],
    [
      "a serious disease with out-of-pocket costs → medical costs",
      facts({ members: [member("p1", { medicalInsurance: ok(medical({ seriousDisease: "THALASSEMIA", outOfPocketFen: 120_000 })) })] }),
      SUMMER,
      [{ key: "MEDICAL_COSTS:p1", urgency: "HIGH", rules: ["MEDICAL_SERIOUS_OUT_OF_POCKET"], tier: null, ageBand: "18-59", disability: false }],
    ],
    [
      "winter, a dibao household with a child under 6 → winter clothing for the household",
      facts({ cases: [kase()], members: [member("p1"), member("p2", { relation: "CHILD", birthDate: d("2023-05-01") })] }),
      WINTER,
      [{ key: "WINTER_CLOTHING:-", urgency: "MEDIUM", rules: ["WINTER_VULNERABLE"], tier: "DIBAO", ageBand: null, disability: false }],
    ],
    ["the same household in summer → nothing", facts({ cases: [kase()], members: [member("p1"), member("p2", { birthDate: d("2023-05-01") })] }), SUMMER, []],
    [
      "a failed department source decides nothing (unknown is not a need)",
      facts({ cases: [kase({ tier: "DIBAO_MARGINAL", tierClass: null })], members: [member("p1", { education: failed("education"), disability: failed("disability") })] }),
      SUMMER,
      [],
    ],
  ])("%s", (_name, f, asOf, expected) => {
    expect(summary(f, asOf)).toEqual(expected);
  });
});

describe("aid-chain gaps → needs", () => {
  test.each<[string, NeedGap[], { key: string; urgency: string; rules: string[] }[]]>([
    ["no dibao payment → food, CRITICAL", [{ kind: "DIBAO_PAYMENT", personId: null }], [{ key: "FOOD:-", urgency: "CRITICAL", rules: ["GAP_DIBAO_PAYMENT"] }]],
    ["no rental subsidy → rent help", [{ kind: "HOUSING_SECURITY", personId: null }], [{ key: "RENT_HELP:-", urgency: "HIGH", rules: ["GAP_HOUSING_SECURITY"] }]],
    ["no child rehabilitation → devices for that child", [{ kind: "CHILD_REHABILITATION", personId: "p1" }], [{ key: "ASSISTIVE_DEVICES:p1", urgency: "HIGH", rules: ["GAP_CHILD_REHABILITATION"] }]],
    [
      "two gaps of one category and person → one need, the higher urgency, both rules",
      [{ kind: "EDUCATION_FREE_TEXTBOOKS", personId: "p1" }, { kind: "EDUCATION_NATIONAL_GRANT", personId: "p1" }],
      [{ key: "SCHOOL_COSTS:p1", urgency: "HIGH", rules: ["GAP_EDUCATION_FREE_TEXTBOOKS", "GAP_EDUCATION_NATIONAL_GRANT"] }],
    ],
  ])("%s", (_name, gaps, expected) => {
    expect(deriveNeeds(facts(), SUMMER, gaps).map((n) => ({ key: n.key, urgency: n.urgency, rules: n.rules }))).toEqual(expected);
  });

  test("a situation and a gap for the same thing are one need (same key), whichever found it", () => {
    const f = facts({ cases: [kase({ tier: "DIBAO_MARGINAL", tierClass: null })], members: [member("p2", { birthDate: d("2010-03-01"), education: ok(education()) })] });
    const needs = deriveNeeds(f, SUMMER, [{ kind: "EDUCATION_LIVING_SUBSIDY", personId: "p2" }]);
    expect(needs.map((n) => [n.key, n.urgency, n.rules])).toEqual([["SCHOOL_COSTS:p2", "HIGH", ["SCHOOL_SENIOR_NO_GRANT", "GAP_EDUCATION_LIVING_SUBSIDY"]]]);
  });
});

test("a need's reasons never carry the ID number or the registry number", () => {
  const f = facts({ cases: [kase({ tier: "DIBAO_MARGINAL", tierClass: null })], members: [member("p1", { birthDate: d("1950-01-01"), selfCare: "NONE", disability: ok(disability({ grade: 1, severe: true, category: "PHYSICAL", rehabilitation: [] })) })] });
  const text = JSON.stringify(deriveNeeds(f, WINTER, [{ kind: "DIBAO_PAYMENT", personId: null }]).map((n) => n.reasons));
  expect(text).not.toContain(f.members[0].idNumber!);
  expect(text).not.toContain(f.registryNo!);
  expect(text).toContain("70+");
});

test.each([
  [0, "0-5"], [5, "0-5"], [6, "6-14"], [14, "6-14"], [15, "15-17"], [17, "15-17"], [18, "18-59"], [59, "18-59"], [60, "60-69"], [69, "60-69"], [70, "70+"], [101, "70+"],
])("age %i is in band %s, and the band's bounds contain it", (age, band) => {
  expect(ageBand(age)).toBe(band);
  const [from, to] = ageBandBounds(band)!;
  expect(age >= from && (to === null || age <= to)).toBe(true);
});

test("householdTier: the household case in force; a single-person case when there is none; ended cases do not count", () => {
  expect(householdTier({ cases: [kase({ tier: "TEKUN" })] }, SUMMER)).toBe("TEKUN");
  expect(householdTier({ cases: [kase({ tier: "DIBAO", personId: "p1" })] }, SUMMER)).toBe("DIBAO");
  expect(householdTier({ cases: [kase({ tier: "DIBAO", personId: "p1" }), kase({ tier: "DIBAO_MARGINAL" })] }, SUMMER)).toBe("DIBAO_MARGINAL");
  expect(householdTier({ cases: [kase({ status: "TERMINATED" })] }, SUMMER)).toBeNull();
  expect(householdTier({ cases: [kase({ endDate: d("2026-01-01") })] }, SUMMER)).toBeNull();
});
