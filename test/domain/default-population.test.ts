/**
 * Issue 5, "every tier occurs in the default data set": the default population (prisma/seed/generator.ts,
 * deterministic, no database), its department records derived exactly as the sandboxes derive them and
 * mapped through the connectors, evaluated by the pure evaluateEligibility. Every tier of DOMAIN §1
 * occurs, and the computed tier agrees with the registry case for the kinds generated to be in it.
 */
import { beforeAll, expect, test } from "vitest";
import { generatePopulation } from "../../prisma/seed/generator.js";
import type { SynthHousehold } from "../../prisma/seed/model.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import type { EligibilityResult } from "../../src/domain/facts.js";
import { deriveDepartments, factsOf, seededParameterSet } from "../helpers/population-facts.js";

const AS_OF = "2026-11-22";
const SEED = 20190101;
const DAY = new Date(`${AS_OF}T00:00:00Z`);

let evaluated: { h: SynthHousehold; r: EligibilityResult }[] = [];

beforeAll(() => {
  const all = [...generatePopulation({ seed: SEED, asOf: AS_OF })];
  const data = deriveDepartments(all, SEED, AS_OF);
  evaluated = all.map((h) => ({ h, r: evaluateEligibility(factsOf(h, data, DAY), seededParameterSet(h.streetCode, DAY), DAY) }));
});

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
  // no department failed in a pure derivation: every result is complete
  expect(evaluated.every(({ r }) => r.complete)).toBe(true);
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
  expect(share(byCase("DIBAO_MARGINAL"), (r) => r.tier === "DIBAO_MARGINAL")).toBe(1);
  // rigid expenditure: only where the medical system has no record of the ill member's spending
  expect(share(byCase("RIGID_EXPENDITURE"), (r) => r.tier === "RIGID_EXPENDITURE")).toBeGreaterThan(0.97);
  // single-person inclusion: the included member computes DIBAO alone unless a department has no record of them
  const inclusion = evaluated.filter(({ h }) => h.cases.some((c) => c.personIndex !== null && c.tier === "DIBAO" && c.status === "ACTIVE"));
  expect(inclusion.length).toBeGreaterThan(200);
  const agreed = inclusion.filter(({ h, r }) => {
    const c = h.cases.find((x) => x.personIndex !== null && x.tier === "DIBAO")!;
    return r.tier === "DIBAO_MARGINAL" && r.persons.some((p) => p.personId === h.members[c.personIndex!].id && p.tier === "DIBAO");
  });
  expect(agreed.length / inclusion.length).toBeGreaterThan(0.97);
  // rejected for assets: never eligible on income alone
  const rejectedAssets = evaluated.filter(({ h }) => h.cases.some((c) => c.status === "REJECTED" && c.note?.includes("存款")));
  expect(rejectedAssets.length).toBeGreaterThan(10);
  for (const { r } of rejectedAssets) expect(r.reasons.find((x) => x.rule === "ASSET_LIMIT")!.outcome).toBe("FAIL");
});
