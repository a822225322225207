/**
 * The aid chain and alerts over the whole default data set (Yuzhong, DOMAIN.md §6), without HTTP: the
 * duplicates found are exactly the ones the sandboxes planted (WIRE.md "Untidiness on purpose") plus the
 * generator's cross-district payments — no legitimate combination flagged — and every duplicate kind and
 * alert kind occurs (DOMAIN §3).
 */
import { beforeAll, expect, test } from "vitest";
import { generatePopulation } from "../../dev/seed/generator.js";
import type { SynthHousehold } from "../../dev/seed/model.js";
import type { SandboxDataSet } from "../../dev/sandboxes/index.js";
import { buildAidChain, type AidChain } from "../../src/domain/aid-chain.js";
import { ALERT_KINDS, deriveAlerts, type AlertFinding } from "../../src/domain/alerts.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import { deriveDepartments, factsOf, seededParameterSet } from "../helpers/population-facts.js";

const SEED = 20190101;
const AS_OF = "2026-11-01";
const NOW = new Date(`${AS_OF}T12:00:00Z`);

let households: SynthHousehold[];
let data: SandboxDataSet;
const chains = new Map<string, AidChain>();
const alerts: AlertFinding[] = [];

beforeAll(() => {
  households = [...generatePopulation({ seed: SEED, asOf: AS_OF })];
  data = deriveDepartments(households, SEED, AS_OF);
  for (const h of households) {
    const f = factsOf(h, data, NOW);
    const e = evaluateEligibility(f, seededParameterSet(h.streetCode, NOW), NOW);
    const c = buildAidChain(f, e, NOW);
    chains.set(h.id, c);
    alerts.push(...deriveAlerts(f, e, NOW, c));
  }
});

function idNumberOf(personId: string | null): string | null {
  for (const h of households) for (const m of h.members) if (m.id === personId) return m.idNumber;
  return null;
}

test("cross-source duplicates are exactly the sandbox-declared ones: nursing care and medical expense", () => {
  const found = (purpose: string) =>
    [...chains.values()]
      .flatMap((c) => c.duplicates)
      .filter((d) => d.kind === "CROSS_SOURCE" && d.purpose === purpose)
      .map((d) => idNumberOf(d.personId))
      .sort();
  expect(data.disability.untidy.duplicates.length).toBeGreaterThan(0);
  expect(data.medicalInsurance.untidy.duplicates.length).toBeGreaterThan(0);
  expect(found("NURSING_CARE")).toEqual([...data.disability.untidy.duplicates].sort());
  expect(found("MEDICAL_EXPENSE")).toEqual([...data.medicalInsurance.untidy.duplicates].sort());
  // no other cross-source purpose is ever flagged in the default data
  expect(new Set([...chains.values()].flatMap((c) => c.duplicates).filter((d) => d.kind === "CROSS_SOURCE").map((d) => d.purpose))).toEqual(
    new Set(["NURSING_CARE", "MEDICAL_EXPENSE"]),
  );
});

test("cross-district duplicates are exactly the generator's second-district payments", () => {
  const seeded = households
    .filter((h) => h.aid.some((a) => a.districtCode))
    .map((h) => h.id)
    .sort();
  const found = [...chains.entries()]
    .filter(([, c]) => c.duplicates.some((d) => d.kind === "CROSS_DISTRICT"))
    .map(([id]) => id)
    .sort();
  expect(seeded.length).toBeGreaterThan(0);
  expect(found).toEqual(seeded);
});

test("every alert kind occurs, and every class", () => {
  expect(new Set(alerts.map((a) => a.kind))).toEqual(new Set(ALERT_KINDS));
  expect(new Set(alerts.map((a) => a.class))).toEqual(new Set(["IMPLEMENT", "INFORM_AND_PUSH", "VERIFY_EXIT", "CASE_CONFERENCE"]));
  expect(new Set(alerts.map((a) => a.key)).size).toBe(alerts.length);
});

test("the issue's gap examples occur: senior-high fee waiver, TEKUN full premium, zero-employment help, A-class rent subsidy", () => {
  const gaps = [...chains.values()].flatMap((c) => c.gaps);
  const personOf = new Map(households.flatMap((h) => h.members.map((m) => [m.id, m] as const)));
  expect(gaps.some((g) => g.kind === "EDUCATION_FEE_WAIVER" && personOf.get(g.personId!)?.facts.school?.stage === "SENIOR")).toBe(true);
  expect(gaps.some((g) => g.kind === "MEDICAL_PREMIUM_SUBSIDY" && g.entitlement.ratio === 1)).toBe(true);
  expect(gaps.some((g) => g.kind === "EMPLOYMENT_ASSISTANCE" && g.department === "employment")).toBe(true);
  expect(gaps.some((g) => g.kind === "RENT_SUBSIDY_EQUAL_TO_RENT" && g.shortfall)).toBe(true);
  // all sources answered: nothing failed; what is incomplete is only so because a record is stale (issue 13 point 5)
  expect([...chains.values()].every((c) => c.failedSources.length === 0)).toBe(true);
  expect([...chains.values()].every((c) => c.incomplete.every((i) => i.code === "STALE_RECORD"))).toBe(true);
  expect([...chains.values()].every((c) => c.complete === (c.staleRecords.length === 0))).toBe(true);
  expect([...chains.values()].every((c) => c.links.filter((l) => l.stale).every((l) => c.staleRecords.some((s) => s.source === l.source)))).toBe(true);
});
