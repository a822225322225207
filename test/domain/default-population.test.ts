/**
 * Issue 5, "every tier occurs in the default data set": the default population (dev/seed/generator.ts,
 * deterministic, no database), its department records derived exactly as the sandboxes derive them and
 * mapped through the connectors, evaluated by the pure evaluateEligibility. Every tier of DOMAIN §1
 * occurs, and the computed tier agrees with the registry case for the kinds generated to be in it.
 */
import { beforeAll, expect, test } from "vitest";
import { generatePopulation } from "../../dev/seed/generator.js";
import type { SynthHousehold } from "../../dev/seed/model.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import type { EligibilityResult } from "../../src/domain/facts.js";
import { deriveDepartments, factsOf, seededParameterSet } from "../helpers/population-facts.js";
import { factsWithout } from "../../src/policy/noninterference.js";

const AS_OF = "2026-11-22";
const SEED = 20190101;
const DAY = new Date(`${AS_OF}T00:00:00Z`);

let evaluated: { h: SynthHousehold; r: EligibilityResult }[] = [];
let data: ReturnType<typeof deriveDepartments>;

beforeAll(() => {
  const all = [...generatePopulation({ seed: SEED, asOf: AS_OF })];
  data = deriveDepartments(all, SEED, AS_OF);
  evaluated = all.map((h) => ({ h, r: evaluateEligibility(factsOf(h, data, DAY), seededParameterSet(h.streetCode, DAY), DAY) }));
});

/** Any department record of the household the connectors flag stale (asOf older than 365 days). */
function anyStaleRecord(h: SynthHousehold): boolean {
  const f = factsOf(h, data, DAY);
  const recs = [f.housing, ...f.members.flatMap((m) => [m.education, m.employment, m.medicalInsurance, m.disability])];
  return recs.some((x) => x.ok && x.value !== null && (x.value as { stale: boolean }).stale);
}

/** The household-level registry case in force on the day (as the sandboxes read it). */
const householdCase = (h: SynthHousehold) =>
  h.cases.find((c) => c.personIndex === null && (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT") && c.startDate <= AS_OF && (c.endDate === null || c.endDate >= AS_OF)) ?? null;

test("every tier of DOMAIN §1 occurs in the default data set, household-level and per person", () => {
  const tiers = new Map<string, number>();
  for (const { r } of evaluated) tiers.set(r.tier, (tiers.get(r.tier) ?? 0) + 1);
  for (const t of ["DIBAO", "TEKUN", "DIBAO_MARGINAL", "RIGID_EXPENDITURE", "MONITORED", "OTHER", "NOT_ELIGIBLE"]) expect(tiers.get(t) ?? 0, t).toBeGreaterThan(0);
  const personTiers = new Set(evaluated.flatMap(({ r }) => r.persons.map((p) => p.tier)));
  expect(personTiers).toContain("DIBAO"); // single-person inclusion
  expect(personTiers).toContain("OTHER"); // registered special-hardship individuals
  // no department failed in a pure derivation: a result is complete exactly when no department record is stale
  // (issue 13 point 5; oracle: the connectors' own `stale` flag, asOf older than 365 days — the sandboxes make
  // stale records 2–5 years old and fresh ones at most 120 days old, so both notions select the same records)
  const mismatched = evaluated.filter(({ h, r }) => r.complete === anyStaleRecord(h));
  expect(mismatched.map(({ h }) => h.registryNo)).toEqual([]);
  expect(evaluated.some(({ r }) => !r.complete)).toBe(true);
  // the published 340 TEKUN persons are all TEKUN households of one person (DOMAIN §6)
  expect(tiers.get("TEKUN")).toBe(340);
});

test("the computed tier agrees with the registry for the kinds generated to be in it", () => {
  const byCase = (tier: string, status?: string) => evaluated.filter(({ h }) => {
    const c = householdCase(h);
    return c !== null && c.tier === tier && (status === undefined || c.status === status) && h.cases.every((x) => x.personIndex === null);
  });
  const share = (list: typeof evaluated, ok: (r: EligibilityResult) => boolean) => list.filter(({ r }) => ok(r)).length / list.length;

  const dibao = byCase("DIBAO", "ACTIVE");
  expect(dibao.length).toBeGreaterThan(3000);
  expect(share(dibao, (r) => r.tier === "DIBAO")).toBe(1);
  const gradual = byCase("DIBAO", "GRADUAL_EXIT");
  expect(gradual.length).toBeGreaterThan(50);
  for (const { h, r } of gradual) {
    expect(r.tier).toBe("DIBAO");
    expect(r.gradualExitEnds?.toISOString().slice(0, 10)).toBe(householdCase(h)!.endDate);
  }
  expect(share(byCase("TEKUN"), (r) => r.tier === "TEKUN")).toBe(1);
  // marginal: the tier agrees, except where a member the seed made severely disabled (grade 1–2) or seriously ill is
  // included alone (002 #3, 003 §8) and the others, a household of their own, are not marginal on their income
  const marginalCases = byCase("DIBAO_MARGINAL");
  const includable = (h: SynthHousehold, personId: string) => {
    const p = h.members.find((m) => m.id === personId)!;
    return (p.facts.disability !== null && p.facts.disability !== undefined && p.facts.disability.grade <= 2) || !!p.facts.seriousIllness;
  };
  const unexplained = marginalCases.filter(({ h, r }) => r.tier !== "DIBAO_MARGINAL" && !r.persons.some((p) => p.tier === "DIBAO" && includable(h, p.personId)));
  expect(unexplained.map(({ h }) => h.registryNo)).toEqual([]);
  expect(share(marginalCases, (r) => r.tier === "DIBAO_MARGINAL")).toBeGreaterThan(0.8);
  // rigid expenditure (003 §1): the test counts what the family bears after medical aid (issue 13 point 7). The
  // generator raises the ill member's gross spending so that what is left after medical aid (at least 60 %, 003 §9)
  // still crosses the ratio; those whose raw records cross it are expected RIGID (oracle: the raw records and the
  // parameters), and every one that does not is explained by a medical or school record missing or stale
  const rigidCases = byCase("RIGID_EXPENDITURE");
  const crossesNet = ({ h }: (typeof evaluated)[number]) => {
    const f = factsOf(h, data, DAY);
    const params = seededParameterSet(h.streetCode, DAY);
    const ratio = params.get("RIGID_EXPENDITURE_RATIO")!.value;
    const disposable = params.get(h.hukou === "URBAN" ? "PER_CAPITA_DISPOSABLE_INCOME_URBAN" : "PER_CAPITA_DISPOSABLE_INCOME_RURAL")!.value;
    if (f.members.some((m) => !m.medicalInsurance.ok || (m.medicalInsurance.value?.stale ?? false) || !m.education.ok || (m.education.value?.stale ?? false))) return false;
    const annual = 12 * f.incomes.filter((i) => i.validFrom <= DAY && (i.validTo === null || i.validTo >= DAY)).reduce((s, i) => s + i.monthlyFen, 0);
    const spending = f.members.reduce((s, m) => {
      const mi = m.medicalInsurance.ok ? m.medicalInsurance.value : null;
      const ed = m.education.ok ? m.education.value : null;
      return s + Math.max(0, (mi?.outOfPocketFen ?? 0) - (mi?.medicalAidPaidFen ?? 0)) + (ed?.necessaryExpenseFen ?? 0);
    }, 0);
    return annual < disposable * f.members.length && (annual === 0 ? spending > 0 : spending > ratio * annual);
  };
  const netRigid = rigidCases.filter(crossesNet);
  const recordGap = ({ h }: (typeof evaluated)[number]) =>
    factsOf(h, data, DAY).members.some((m) => !m.medicalInsurance.ok || m.medicalInsurance.value === null || m.medicalInsurance.value.stale || (m.education.ok && (m.education.value?.stale ?? false)));
  expect(rigidCases.filter((x) => !crossesNet(x) && !recordGap(x)).map(({ h }) => h.registryNo)).toEqual([]);
  expect(netRigid.length / rigidCases.length).toBeGreaterThan(0.85);
  expect(share(netRigid, (r) => r.tier === "RIGID_EXPENDITURE")).toBeGreaterThan(0.97);
  // and none whose net spending stays at or under the ratio is RIGID
  expect(rigidCases.filter((x) => !crossesNet(x) && x.r.complete && x.r.tier === "RIGID_EXPENDITURE").length).toBe(0);
  // single-person inclusion: the included member computes DIBAO alone unless a department has no record of them
  // (or, issue 13 point 5, the household's records are stale: then the evaluation is incomplete and says so)
  // The generator draws the inclusion kind for 6% of its dibao households (over 200 of them); the sandboxes make each
  // record stale with probability 3% (STALE_RATE) and report which keys they made stale. An inclusion household has
  // 2–5 members with several records each, so about a fifth of them hold a stale record; those are exactly the ones
  // the sandboxes' own reports name (independent of the connectors' `stale` flag), and at least 150 are left.
  const inclusionAll = evaluated.filter(({ h }) => h.cases.some((c) => c.personIndex !== null && c.tier === "DIBAO" && c.status === "ACTIVE"));
  expect(inclusionAll.length).toBeGreaterThan(200);
  const reportedStale = new Set([data.education, data.employment, data.medicalInsurance, data.disability, data.housing].flatMap((d) => d.untidy.stale));
  const staleByReport = (h: SynthHousehold) => reportedStale.has(h.registryNo) || h.members.some((m) => reportedStale.has(m.idNumber));
  const inclusion = inclusionAll.filter(({ h }) => !anyStaleRecord(h));
  expect(inclusion.map(({ h }) => h.registryNo)).toEqual(inclusionAll.filter(({ h }) => !staleByReport(h)).map(({ h }) => h.registryNo));
  expect(inclusion.length).toBeGreaterThan(150);
  expect(inclusion.length / inclusionAll.length).toBeGreaterThan(0.7);
  const seededMember = (h: SynthHousehold) => h.members[h.cases.find((x) => x.personIndex !== null && x.tier === "DIBAO")!.personIndex!].id;
  const agreed = inclusion.filter(({ h, r }) => r.persons.some((p) => p.personId === seededMember(h) && p.tier === "DIBAO"));
  expect(agreed.length / inclusion.length).toBeGreaterThan(0.97);
  // the others, a household of their own (002 #3 单人户), are generated marginal on their own income: where the seeded
  // member is the only one included, the household is DIBAO_MARGINAL (another severely disabled or ill member
  // included too takes their income and their share away from the rest, which then may not be marginal)
  const alone = agreed.filter(({ r }) => r.persons.filter((p) => p.tier === "DIBAO").length === 1);
  expect(alone.length / inclusion.length).toBeGreaterThan(0.85);
  expect(alone.filter(({ r }) => r.tier !== "DIBAO_MARGINAL").map(({ h }) => h.registryNo)).toEqual([]);
  // 补差 (002 #3): the one-person payment is the standard − the member's own income, never 0 fen
  for (const { h, r } of agreed) {
    const own = h.incomes.filter((i) => i.personIndex !== null && h.members[i.personIndex].id === seededMember(h) && i.validFrom <= AS_OF && (i.validTo === null || i.validTo >= AS_OF)).reduce((s, i) => s + i.monthlyFen, 0);
    const pay = r.entitlements.find((e) => e.kind === "DIBAO_PAYMENT" && e.personId === seededMember(h))!;
    expect(pay.amountFen).toBe(r.standardFen - own);
    expect(pay.amountFen).toBeGreaterThan(0);
  }
  // rejected for assets: never eligible on income alone
  const rejectedAssets = evaluated.filter(({ h }) => h.cases.some((c) => c.status === "REJECTED" && c.note?.includes("存款")));
  expect(rejectedAssets.length).toBeGreaterThan(10);
  for (const { r } of rejectedAssets) expect(r.reasons.find((x) => x.rule === "ASSET_LIMIT")!.outcome).toBe("FAIL");
});

test("002 #13 dibao employment subsidy over the default set: only on a reduced dibao, equal to the new earnings from the raw rows, within a year", () => {
  let n = 0;
  for (const { h, r } of evaluated) {
    for (const e of r.entitlements.filter((x) => x.kind === "DIBAO_EMPLOYMENT_SUBSIDY")) {
      expect(r.tier).toBe("DIBAO");
      expect(r.gradualExitEnds).toBeNull(); // never on top of an unreduced dibao
      const c = householdCase(h)!;
      const i = h.members.findIndex((m) => m.id === e.personId);
      const yearBefore = `${Number(AS_OF.slice(0, 4)) - 1}${AS_OF.slice(4)}`;
      const fresh = h.incomes.filter((x) => x.personIndex === i && ["WAGES", "BUSINESS", "AGRICULTURE"].includes(x.source) && x.validFrom >= c.startDate && x.validFrom > yearBefore && x.validFrom <= AS_OF && (x.validTo === null || x.validTo >= AS_OF));
      expect(e.amountFen).toBe(fresh.reduce((s, x) => s + x.monthlyFen, 0));
      expect(e.amountFen).toBeGreaterThan(0);
      n++;
    }
    if (r.gradualExitEnds) expect(r.entitlements.some((x) => x.kind === "DIBAO_EMPLOYMENT_SUBSIDY")).toBe(false);
  }
  expect(n).toBeGreaterThan(20);
});

test("without explanation (what a monitoring run asks for) every household of the default set gets the same result with no reasons — also with each department's records withheld", () => {
  let compared = 0;
  let explainedUnknown = 0;
  const differing: string[] = [];
  for (const { h, r } of evaluated) {
    const facts = factsOf(h, data, DAY);
    const params = seededParameterSet(h.streetCode, DAY);
    // the records each audience view withholds (src/features/monitoring/views.ts): failed sources make rules UNKNOWN
    for (const withheld of [[], ["education", "employment", "medicalInsurance", "housing"], ["medicalInsurance", "housing", "disability"]] as const) {
      const seen = factsWithout(facts, withheld);
      const full = withheld.length === 0 ? r : evaluateEligibility(seen, params, DAY);
      const lean = evaluateEligibility(seen, params, DAY, { explain: false });
      expect(lean.reasons).toEqual([]);
      if (JSON.stringify({ ...full, reasons: [] }) !== JSON.stringify(lean)) differing.push(`${h.registryNo} withholding ${withheld.join(",")}`);
      if (full.reasons.some((x) => x.outcome === "UNKNOWN")) explainedUnknown++;
      compared++;
    }
  }
  expect(differing).toEqual([]);
  expect(compared).toBe(3 * evaluated.length);
  // the explained evaluations do record reasons, UNKNOWN ones among them (withheld and stale records)
  expect(evaluated.every(({ r }) => r.reasons.length > 0)).toBe(true);
  expect(explainedUnknown).toBeGreaterThan(evaluated.length);
});
