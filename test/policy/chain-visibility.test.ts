/**
 * What an audience sees of the aid chain's gaps (src/features/aid-chain/monitoring.ts visibleChain), against the policy
 * table itself (POLICY, looked up here): a gap is shown only to an audience that may read every source it rests on
 * (registry payments: Household.aidRecords; a department: its record's field), and an entitled amount computed from
 * a record the audience may not read is withheld — the dibao employment subsidy is computed from incomes
 * (Household.incomes), so employment and the federation, who may follow its gap, do not learn the household's
 * income through the amount; the TEKUN care subsidy and the living subsidy are set by policy parameters.
 */
import { expect, test } from "vitest";
import type { AidChain, Gap } from "../../src/domain/aid-chain.js";
import type { EligibilityResult, Entitlement, EntitlementKind } from "../../src/domain/facts.js";
import { AUDIENCES } from "../../src/policy/audiences.js";
import { POLICY } from "../../src/policy/rules.js";
import type { Audience } from "../../src/policy/audiences.js";
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

/** the oracle: the policy table's own entries */
const reads = (audience: Audience, coordinate: string) => {
  const [type, field] = coordinate.split(".");
  return POLICY[type]?.[field]?.[audience] === "read";
};
const SOURCE_FIELD: Record<string, string> = { registry: "Household.aidRecords", employment: "Person.employment", disability: "Person.disability" };
/** the record each amount is computed from (none: policy parameters alone) */
const AMOUNT_FROM: Partial<Record<EntitlementKind, string>> = { DIBAO_EMPLOYMENT_SUBSIDY: "Household.incomes" };

test("each audience sees exactly the gaps whose sources it may read, the amount withheld where it may not read the record it is computed from", () => {
  const seen = new Map<string, number>();
  for (const audience of AUDIENCES) {
    const chain = visibleChain(chainOf(gaps), audienceVisibility(audience));
    const expected = ENTITLEMENTS.filter(({ sources }) => sources.every((s) => reads(audience, SOURCE_FIELD[s]))).map(({ e }) => ({
      kind: e.kind,
      amountFen: e.amountFen !== null && AMOUNT_FROM[e.kind] && !reads(audience, AMOUNT_FROM[e.kind]!) ? null : e.amountFen,
    }));
    const got = (list: Gap[]) => list.map((g) => ({ kind: g.kind, amountFen: g.entitlement.amountFen }));
    expect(got(chain.gaps), audience).toEqual(expected);
    expect(got(chain.persons.flatMap((p) => p.gaps)), audience).toEqual(expected);
    for (const g of expected) seen.set(`${g.kind}:${g.amountFen === null ? "null" : "amount"}`, (seen.get(`${g.kind}:${g.amountFen === null ? "null" : "amount"}`) ?? 0) + 1);
  }
  // the table gives both outcomes for the subsidy computed from incomes: some audiences follow the gap without its amount
  expect(seen.get("DIBAO_EMPLOYMENT_SUBSIDY:null")).toBeGreaterThan(0);
  expect(seen.get("DIBAO_EMPLOYMENT_SUBSIDY:amount")).toBeGreaterThan(0);
});

test("employment follows the dibao employment subsidy's gap but not the amount computed from incomes; civil affairs sees it", () => {
  const kind = "DIBAO_EMPLOYMENT_SUBSIDY";
  const employment = visibleChain(chainOf(gaps), audienceVisibility("employment")).gaps.find((g) => g.kind === kind);
  expect(employment?.entitlement.amountFen).toBeNull();
  expect(employment!.entitlement.rule).toBe(`ENT_${kind}`);
  const civil = visibleChain(chainOf(gaps), audienceVisibility("civil_affairs")).gaps.find((g) => g.kind === kind);
  expect(civil!.entitlement.amountFen).toBe(31_500);
  // with the field policy off, nothing is withheld
  expect(visibleChain(chainOf(gaps), audienceVisibility(null)).gaps.map((g) => g.entitlement.amountFen)).toEqual([31_500, 40_000, null]);
  // the input chain is not changed
  expect(gaps[0].entitlement.amountFen).toBe(31_500);
});
