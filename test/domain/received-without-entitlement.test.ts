/**
 * Issue 13 point 10: RECEIVED_WITHOUT_ENTITLEMENT (004 五(三), 002 #35) — a benefit received with no entitlement.
 * Boundaries by hand, then over the default data set cross-checked with the raw rows: the housing sandbox's own
 * benefit items (before the connector) and the generator's registry assets; the dibao part with the raw income
 * rows and the seeded policy table.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { generatePopulation, PolicyTable, policyParameters } from "../../dev/seed/generator.js";
import type { SynthHousehold } from "../../dev/seed/model.js";
import type { SandboxDataSet } from "../../dev/sandboxes/index.js";
import { deriveDepartments, factsOf, findingsFactsOf, seededDibaoStandard, seededGraceParameters } from "../../dev/seed/population-facts.js";
import { auditFindings, type Finding, type FindingsFacts, type HousingBenefitFact } from "../../src/domain/audit-findings.js";

const D = (iso: string) => new Date(`${iso}T00:00:00Z`);
const SEED = 20190101;
const AS_OF = "2026-11-22";

const base = (over: Partial<FindingsFacts> = {}): FindingsFacts => ({
  householdId: "h1", districtCode: "500103", streetCode: "500103001", hukou: "URBAN",
  members: [{ id: "m1", deceasedOn: null }], cases: [], payments: [], incomes: [], asOf: D(AS_OF), ...over,
});
const subsidy = (over: Partial<HousingBenefitFact> = {}): HousingBenefitFact => ({ type: "RENTAL_SUBSIDY", status: "ACTIVE", monthlySubsidyFen: 36_000, startDate: D("2026-03-01"), endDate: null, ...over });
const run = (f: FindingsFacts) => auditFindings(f, seededDibaoStandard(), seededGraceParameters()).filter((x) => x.kind === "RECEIVED_WITHOUT_ENTITLEMENT");

describe("a rental subsidy to a household owning a home (002 #11–12, 003 §11: housing security for those without one)", () => {
  const home = [{ kind: "HOUSE", valueFen: 30_000_000 }];
  // [name, assets, benefit, expected period, expected amount]
  const table: [string, { kind: string; valueFen: number }[], HousingBenefitFact, [string, string] | null, number | null][] = [
    ["an active subsidy since March, a home: March..as-of, 9 months", home, subsidy(), ["2026-03-01", AS_OF], 9 * 36_000],
    ["an ended subsidy, a home: its own period", home, subsidy({ status: "ENDED", startDate: D("2025-01-01"), endDate: D("2025-06-30") }), ["2025-01-01", "2025-06-30"], 6 * 36_000],
    ["no home: entitled, no finding", [], subsidy(), null, null],
    ["a HOUSE asset worth 0 fen (a share given up): no finding", [{ kind: "HOUSE", valueFen: 0 }], subsidy(), null, null],
    ["a vehicle is not a home", [{ kind: "VEHICLE", valueFen: 9_000_000 }], subsidy(), null, null],
    ["only applied for: nothing received", home, subsidy({ status: "APPLIED" }), null, null],
    ["public rental housing without a subsidy amount: not a rental subsidy", home, subsidy({ type: "PUBLIC_RENTAL", monthlySubsidyFen: null }), null, null],
  ];
  test.each(table)("%s", (_name, assets, benefit, period, amount) => {
    const got = run(base({ assets, housingBenefits: [benefit] }));
    if (period === null) return expect(got).toEqual([]);
    expect(got).toHaveLength(1);
    const [f] = got;
    expect([f.periodStart.toISOString().slice(0, 10), f.periodEnd.toISOString().slice(0, 10)]).toEqual(period);
    expect(f.amountFen).toBe(amount);
    expect(f.paymentIds).toEqual([]);
    expect(Object.fromEntries(f.evidence.map((e) => [e.name, e.value]))).toMatchObject({ period: `${period[0]}..${period[1]}`, benefit: expect.stringContaining("RENTAL_SUBSIDY"), decidingFact: expect.stringContaining("HOUSE") });
  });
});

describe("dibao help continuing after the household computes NOT_ELIGIBLE by income (≥ 1.5 × the standard)", () => {
  const std = new PolicyTable(policyParameters()).value("DIBAO_STANDARD_URBAN", "2026-10-01", "500103");
  const pay = { id: "pay1", personId: null, caseId: "c1", program: "DIBAO_PAYMENT" as const, amountFen: 50_000, periodStart: D("2026-10-01"), periodEnd: D("2026-10-31"), paidAt: null, districtCode: null };
  const c = { id: "c1", personId: null, tier: "DIBAO", status: "ACTIVE", startDate: D("2024-01-01"), endDate: null, nextReviewDate: null };
  const table: [string, number, string | null][] = [
    ["income 1 fen below 1.5 × the standard, for years: past the grace → ABOVE_THRESHOLD_NO_GRACE, not this", 1.5 * std * 2 - 1, "ABOVE_THRESHOLD_NO_GRACE"],
    ["income exactly 1.5 × the standard → RECEIVED_WITHOUT_ENTITLEMENT", 1.5 * std * 2, "RECEIVED_WITHOUT_ENTITLEMENT"],
    ["income below the standard: entitled", std * 2 - 1, null],
  ];
  test.each(table)("%s", (_name, total, kind) => {
    const f = base({ members: [{ id: "m1", deceasedOn: null }, { id: "m2", deceasedOn: null }], cases: [c], payments: [pay], incomes: [{ monthlyFen: total, validFrom: D("2024-01-01"), validTo: null }] });
    const got = auditFindings(f, seededDibaoStandard(), seededGraceParameters()).filter((x) => x.kind === "ABOVE_THRESHOLD_NO_GRACE" || x.kind === "RECEIVED_WITHOUT_ENTITLEMENT");
    expect(got.map((x) => x.kind)).toEqual(kind ? [kind] : []); // one finding per payment, never both
    if (kind === "RECEIVED_WITHOUT_ENTITLEMENT") expect(got[0].evidence.find((e) => e.name === "period")!.value).toBe("2026-10-01..2026-10-31");
  });
});

describe("over the default data set, against the raw rows", () => {
  let households: SynthHousehold[] = [];
  let data: SandboxDataSet;
  const found = new Map<string, Finding[]>();
  beforeAll(() => {
    households = [...generatePopulation({ seed: SEED, asOf: AS_OF })];
    data = deriveDepartments(households, SEED, AS_OF);
    const now = D(AS_OF);
    for (const h of households) found.set(h.id, run(findingsFactsOf(h, factsOf(h, data, now))));
  }, 300_000);

  test("rental subsidies to home owners: exactly the raw housing items of RENTAL_SUBSIDY with an amount, received, in a household with a HOUSE asset", () => {
    let expected = 0;
    for (const h of households) {
      const owns = h.assets.some((a) => a.kind === "HOUSE" && a.valueFen > 0n);
      const raw = (data.housing.households.get(h.registryNo)?.items ?? []) as { benefitType: string; state: string; monthlySubsidyFen: number | null; startDate: string }[];
      const want = owns ? raw.filter((b) => b.benefitType === "RENTAL_SUBSIDY" && b.state !== "APPLIED" && (b.monthlySubsidyFen ?? 0) > 0).map((b) => b.startDate).sort() : [];
      const got = (found.get(h.id) ?? []).filter((f) => f.paymentIds.length === 0).map((f) => f.periodStart.toISOString().slice(0, 10)).sort();
      expect(got, h.registryNo).toEqual(want);
      expected += want.length;
    }
    expect(expected).toBeGreaterThan(50);
  });

  test("dibao paid at or above 1.5 × the standard: each finding's payment, by the raw income rows and the policy table", () => {
    const policy = new PolicyTable(policyParameters());
    let n = 0;
    for (const h of households) {
      for (const f of (found.get(h.id) ?? []).filter((x) => x.paymentIds.length === 1)) {
        const p = h.aid.find((a) => a.id === f.paymentIds[0])!;
        expect(p.program).toBe("DIBAO_PAYMENT");
        const income = h.incomes.filter((i) => i.validFrom <= p.periodStart && (i.validTo === null || i.validTo >= p.periodStart)).reduce((s, i) => s + i.monthlyFen, 0);
        const alive = h.members.filter((m) => !m.facts.deceasedOn || m.facts.deceasedOn >= p.periodStart).length;
        const standard = policy.value(h.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", p.periodStart, h.districtCode);
        expect(income).toBeGreaterThanOrEqual(policy.value("MARGINAL_MULTIPLIER", p.periodStart, h.districtCode) * standard * alive);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });
});
