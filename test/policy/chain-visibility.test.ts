/**
 * What an audience sees of the aid chain's gaps (src/features/aid-chain/monitoring.ts visibleChain): an entitled amount
 * computed from a record the audience may not read is withheld exactly as Eligibility withholds it
 * (src/policy/disclosure.ts) — the dibao employment subsidy is computed from incomes, so employment and the
 * federation, who may follow its gap, do not learn the household's income through the amount.
 */
import { expect, test } from "vitest";
import type { AidChain, Gap } from "../../src/domain/aid-chain.js";
import type { EligibilityResult, Entitlement, EntitlementKind } from "../../src/domain/facts.js";
import { AUDIENCES } from "../../src/policy/audiences.js";
import { eligibilityView } from "../../src/policy/disclosure.js";
import { audienceVisibility, visibleChain } from "../../src/features/aid-chain/monitoring.js";

const DAY = new Date("2026-11-22T00:00:00Z");
const PERSON = "00000000-0000-4000-8000-000000000001";

const entitlement = (kind: EntitlementKind, department: Entitlement["department"], amountFen: number | null): Entitlement => ({
  kind,
  department,
  personId: PERSON,
  amountFen,
  monthly: true,
  ratio: null,
  rule: `ENT_${kind}`,
  reference: "DOMAIN §2",
});

/** A gap for each entitlement, judged against the sources the chain would look at for it. */
const ENTITLEMENTS: { e: Entitlement; sources: Gap["sources"] }[] = [
  { e: entitlement("DIBAO_EMPLOYMENT_SUBSIDY", "employment", 31_500), sources: ["employment"] },
  { e: entitlement("TEKUN_CARE_SUBSIDY", "civil_affairs", 40_000), sources: ["registry", "disability"] },
  { e: entitlement("DISABILITY_LIVING_SUBSIDY", "disability", null), sources: ["disability"] },
];

function chainOf(gaps: Gap[]): AidChain {
  return {
    asOf: DAY,
    links: [],
    householdLinks: [],
    persons: [{ personId: PERSON, links: [], gaps, duplicates: [] }],
    gaps,
    duplicates: [],
    incomplete: [],
    complete: true,
    failedSources: [],
  };
}

const gaps: Gap[] = ENTITLEMENTS.map(({ e, sources }) => ({
  key: `${e.kind}:${PERSON}`,
  kind: e.kind,
  personId: PERSON,
  department: e.department,
  entitlement: e,
  shortfall: false,
  reason: `entitled to ${e.kind}`,
  sources,
  links: [],
}));

const eligibility = { entitlements: ENTITLEMENTS.map((x) => x.e), reasons: [], persons: [], missingSources: [], parametersUsed: [] } as unknown as EligibilityResult;

test("a gap's entitled amount is withheld from an audience exactly where Eligibility withholds the entitlement's amount", () => {
  let withheldSomewhere = 0;
  for (const audience of AUDIENCES) {
    const chain = visibleChain(chainOf(gaps), audienceVisibility(audience));
    const entitlements = eligibilityView(eligibility, audience).entitlements;
    for (const gap of [...chain.gaps, ...chain.persons.flatMap((p) => p.gaps)]) {
      const e = entitlements.find((x) => x.kind === gap.kind)!;
      expect(gap.entitlement.amountFen, `${audience} ${gap.kind}`).toBe(e.amountFen);
      if (e.withheld) withheldSomewhere++;
    }
  }
  expect(withheldSomewhere).toBeGreaterThan(0);
});

test("employment follows the dibao employment subsidy's gap but not the amount computed from incomes; civil affairs sees it", () => {
  const kind = "DIBAO_EMPLOYMENT_SUBSIDY";
  const employment = visibleChain(chainOf(gaps), audienceVisibility("employment")).gaps.find((g) => g.kind === kind);
  expect(employment).toBeDefined();
  expect(employment!.entitlement.amountFen).toBeNull();
  expect(employment!.entitlement.rule).toBe(`ENT_${kind}`);
  const civil = visibleChain(chainOf(gaps), audienceVisibility("civil_affairs")).gaps.find((g) => g.kind === kind);
  expect(civil!.entitlement.amountFen).toBe(31_500);
  // with the field policy off, nothing is withheld
  expect(visibleChain(chainOf(gaps), audienceVisibility(null)).gaps.map((g) => g.entitlement.amountFen)).toEqual([31_500, 40_000, null]);
  // the input chain is not changed
  expect(gaps[0].entitlement.amountFen).toBe(31_500);
});
