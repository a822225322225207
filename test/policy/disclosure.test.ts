/**
 * The resolver layer's withholding inside an eligibility (src/policy/disclosure.ts): a value taken from a
 * record is shown only to an audience that may read the field that record is read through
 * (src/policy/rules.ts) — DOMAIN §5: education never sees a diagnosis, departments see no incomes.
 */
import { expect, test } from "vitest";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import type { HouseholdFacts } from "../../src/domain/facts.js";
import { eligibilityView, mayRead } from "../../src/policy/disclosure.js";
import { POLICY } from "../../src/policy/rules.js";
import { seededParameterSet } from "../helpers/population-facts.js";

const DAY = new Date("2026-11-22T00:00:00Z");
const asOf = new Date("2026-10-01T00:00:00Z");
const facts: HouseholdFacts = {
  householdId: "h",
  registryNo: "r",
  districtCode: "500103",
  streetCode: "500103001",
  hukou: "URBAN",
  status: "ACTIVE",
  registry: { source: "registry", asOf },
  members: [
    {
      personId: "p1",
      idNumber: null,
      sex: "FEMALE",
      birthDate: new Date("1970-01-01T00:00:00Z"),
      relation: "HEAD",
      workAbility: "NONE",
      selfCare: "FULL",
      education: { ok: true, value: null },
      employment: { ok: true, value: null },
      medicalInsurance: {
        ok: true,
        value: { source: "medicalInsurance", asOf, stale: false, tier: 1, premiumSubsidyRatio: 0, premiumSubsidyFen: 0, inPolicyExpenseFen: 90000, outOfPocketFen: 90000, medicalAidPaidFen: 0, seriousDisease: "UREMIA", chronicDisease: null, year: 2026 },
      },
      disability: { ok: true, value: null },
    },
  ],
  incomes: [{ personId: null, source: "PENSION", monthlyFen: 30000, validFrom: new Date("2020-01-01T00:00:00Z"), validTo: null }],
  assets: [],
  cases: [],
  aidRecords: [],
  housing: { ok: true, value: null },
};
const result = evaluateEligibility(facts, seededParameterSet("500103001", DAY), DAY);
const inputs = (v: ReturnType<typeof eligibilityView>, source: string) => v.reasons.flatMap((r) => r.inputs).filter((i) => i.source === source);

test("mayRead follows the field policy: only 'read' discloses (a masked field does not)", () => {
  expect(mayRead("education", "Person.medicalInsurance")).toBe(false);
  expect(mayRead("medical_insurance", "Person.medicalInsurance")).toBe(true);
  expect(POLICY.AssistanceCase.monthlyFen.education).toEqual({ mask: "amountBand" });
  expect(mayRead("education", "AssistanceCase.monthlyFen")).toBe(false);
  expect(mayRead("education", undefined)).toBe(true);
  expect(mayRead(null, "Person.medicalInsurance")).toBe(true); // FIELD_POLICY=off
});

test("education: a rule that needs a medical value or an income is withheld as a whole (issue 12); parameters and the rest kept; the tier withheld", () => {
  const v = eligibilityView(result, "education");
  const c = eligibilityView(result, "civil_affairs");
  // the rules civil affairs sees with a medical input: withheld whole for education, inputs and all
  const medicalRules = c.reasons.filter((r) => r.inputs.some((i) => i.source === "medicalInsurance"));
  expect(medicalRules.length).toBeGreaterThan(0);
  for (const r of medicalRules)
    expect(v.reasons.find((x) => x.rule === r.rule && x.personId === r.personId)).toMatchObject({ outcome: "WITHHELD", explanation: null, withheld: true, inputs: [] });
  expect(inputs(v, "medicalInsurance")).toEqual([]);
  expect(v.reasons.flatMap((r) => r.inputs).filter((i) => i.name.includes("income") && i.source === "registry").every((i) => i.withheld)).toBe(true);
  expect(inputs(v, "policy").every((i) => i.value !== null && !i.withheld)).toBe(true);
  expect(JSON.stringify(v)).not.toContain("UREMIA");
  expect(JSON.stringify(v)).not.toContain("90000");
  const dibao = v.reasons.find((r) => r.rule === "DIBAO_INCOME")!;
  expect(dibao).toMatchObject({ outcome: "WITHHELD", explanation: null, withheld: true, inputs: [] });
  // amounts computed from a record education may not read: the dibao payment (income), the out-of-pocket aid (medical)
  expect(v.entitlements.find((e) => e.kind === "DIBAO_PAYMENT")).toMatchObject({ amountFen: null, withheld: true });
  expect(v.entitlements.find((e) => e.kind === "MEDICAL_OUT_OF_POCKET_AID")).toMatchObject({ amountFen: null, withheld: true, ratio: 0.7 });
  // the tier: a decision over every record, withheld from an audience that may not read them all; civil affairs sees it
  expect(v.tier).toBe("WITHHELD");
  expect(POLICY.Eligibility.persons.education).toBeUndefined(); // per-person tiers and the tier class: registry keepers only
  expect(POLICY.Eligibility.tierClass.education).toBeUndefined();
  expect(c.tier).toBe(result.tier);
  // the medical-insurance source is not listed for education at all
  expect(v.sources.map((s) => s.source)).not.toContain("medicalInsurance");
});

test("medical insurance sees its own values but not incomes; civil affairs sees everything", () => {
  const m = eligibilityView(result, "medical_insurance");
  expect(inputs(m, "medicalInsurance").every((i) => i.value !== null && !i.withheld)).toBe(true);
  expect(m.entitlements.find((e) => e.kind === "MEDICAL_OUT_OF_POCKET_AID")!.amountFen).toBe(63000);
  expect(m.entitlements.find((e) => e.kind === "DIBAO_PAYMENT")!.withheld).toBe(true);
  const c = eligibilityView(result, "civil_affairs");
  expect(c.reasons.flatMap((r) => r.inputs).some((i) => i.withheld)).toBe(false);
  expect(c.reasons.every((r) => r.explanation !== null)).toBe(true);
  expect(c.entitlements.find((e) => e.kind === "DIBAO_PAYMENT")!.amountFen).toBe(result.standardFen - 30000);
});

test("a street office reads what it investigates: every input and explanation, the diagnosis and the medical amounts included (issue 12)", () => {
  expect(POLICY.Person.medicalInsurance.street_office).toBe("read");
  expect(POLICY.Person.disability.street_office).toBe("read");
  const s = eligibilityView(result, "street_office");
  expect(inputs(s, "medicalInsurance").length).toBeGreaterThan(0);
  expect(s.reasons.flatMap((r) => r.inputs).some((i) => i.withheld)).toBe(false);
  expect(s.reasons.every((r) => r.explanation !== null && !r.withheld)).toBe(true);
  expect(JSON.stringify(s)).toContain("UREMIA");
  expect(s.entitlements.find((e) => e.kind === "MEDICAL_OUT_OF_POCKET_AID")!.amountFen).toBe(63000);
});
