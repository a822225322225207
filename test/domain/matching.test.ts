/**
 * src/domain/matching.ts, table-driven: which pairs match, the score's parts and their explanations, and
 * the ranking.
 */
import { describe, expect, test } from "vitest";
import { MAX_SCORE, matchAll, matchesForNeed, matchesForResource, scoreMatch, type MatchableNeed, type MatchableResource } from "../../src/domain/matching.js";

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const ASOF = d("2026-11-22");

const need = (over: Partial<MatchableNeed> = {}): MatchableNeed => ({
  id: "n1",
  category: "SCHOOL_COSTS",
  urgency: "HIGH",
  status: "OPEN",
  districtCode: "500103",
  streetCode: "500103001",
  tier: "DIBAO_MARGINAL",
  ageBand: "15-17",
  disability: false,
  since: d("2026-09-01"),
  ...over,
});

const resource = (over: Partial<MatchableResource> = {}): MatchableResource => ({
  id: "r1",
  category: "SCHOOL_COSTS",
  status: "ACTIVE",
  quantity: 10,
  remaining: 10,
  districts: [],
  streets: [],
  charityDistricts: ["500103"],
  tiers: [],
  minAge: null,
  maxAge: null,
  disabilityRequired: false,
  validFrom: d("2026-01-01"),
  validTo: null,
  ...over,
});

const points = (n: MatchableNeed, r: MatchableResource) => {
  const m = scoreMatch(n, r, ASOF);
  return m && Object.fromEntries(m.parts.map((p) => [p.part, p.points]));
};

describe("score parts", () => {
  test.each<[string, MatchableNeed, MatchableResource, Record<string, number> | null]>([
    ["same category, whole district, no constraints, HIGH, full", need(), resource(), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 0, URGENCY: 15, CAPACITY: 10 }],
    ["the need's street named", need(), resource({ streets: ["500103001"] }), { CATEGORY: 40, DISTRICT: 20, CONSTRAINTS: 0, URGENCY: 15, CAPACITY: 10 }],
    ["streets named, not the need's", need(), resource({ streets: ["500103002"] }), null],
    ["another district", need({ districtCode: "500120", streetCode: "500120001" }), resource(), null],
    ["resource districts narrower than the charity's", need(), resource({ districts: ["500120"], charityDistricts: ["500103", "500120"] }), null],
    ["related category (job training for school costs)", need(), resource({ category: "JOB_TRAINING" }), { CATEGORY: 15, DISTRICT: 12, CONSTRAINTS: 0, URGENCY: 15, CAPACITY: 10 }],
    ["a general fund", need(), resource({ category: "OTHER" }), { CATEGORY: 10, DISTRICT: 12, CONSTRAINTS: 0, URGENCY: 15, CAPACITY: 10 }],
    ["unrelated category", need(), resource({ category: "RENT_HELP" }), null],
    ["tier constraint met, age band within, disability not required", need(), resource({ tiers: ["DIBAO", "DIBAO_MARGINAL"], minAge: 15, maxAge: 18 }), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 10, URGENCY: 15, CAPACITY: 10 }],
    ["tier constraint failed", need({ tier: "RIGID_EXPENDITURE" }), resource({ tiers: ["DIBAO"] }), null],
    ["tier constraint, need without tier", need({ tier: null }), resource({ tiers: ["DIBAO"] }), null],
    ["age band only partly within", need({ ageBand: "18-59" }), resource({ minAge: 16, maxAge: 22 }), null],
    ["70+ and an open-ended maximum", need({ ageBand: "70+", category: "CARE_VISITS" }), resource({ category: "CARE_VISITS", minAge: 60 }), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 5, URGENCY: 15, CAPACITY: 10 }],
    ["70+ and a maximum age", need({ ageBand: "70+", category: "CARE_VISITS" }), resource({ category: "CARE_VISITS", minAge: 60, maxAge: 90 }), null],
    ["an age band needed, the need is the household's", need({ ageBand: null }), resource({ minAge: 6 }), null],
    ["disability required and present", need({ disability: true, category: "ASSISTIVE_DEVICES" }), resource({ category: "ASSISTIVE_DEVICES", disabilityRequired: true }), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 5, URGENCY: 15, CAPACITY: 10 }],
    ["disability required, absent", need({ category: "ASSISTIVE_DEVICES" }), resource({ category: "ASSISTIVE_DEVICES", disabilityRequired: true }), null],
    ["urgency CRITICAL / LOW", need({ urgency: "CRITICAL" }), resource(), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 0, URGENCY: 20, CAPACITY: 10 }],
    ["capacity 3 of 10 → 3", need({ urgency: "LOW" }), resource({ remaining: 3 }), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 0, URGENCY: 3, CAPACITY: 3 }],
    ["used up", need(), resource({ remaining: 0 }), null],
    ["closed", need(), resource({ status: "CLOSED" }), null],
    ["not yet valid", need(), resource({ validFrom: d("2026-12-01") }), null],
    ["expired", need(), resource({ validTo: d("2026-11-21") }), null],
    ["valid through today", need(), resource({ validTo: ASOF }), { CATEGORY: 40, DISTRICT: 12, CONSTRAINTS: 0, URGENCY: 15, CAPACITY: 10 }],
    ["a claimed need matches nothing", need({ status: "CLAIMED" }), resource(), null],
  ])("%s", (_name, n, r, expected) => {
    expect(points(n, r)).toEqual(expected);
  });

  test("the score is the sum of its parts, each within its maximum, each explained", () => {
    const m = scoreMatch(need({ urgency: "CRITICAL" }), resource({ streets: ["500103001"], tiers: ["DIBAO_MARGINAL"], minAge: 15, maxAge: 17 }), ASOF)!;
    expect(m.score).toBe(m.parts.reduce((s, p) => s + p.points, 0));
    expect(m.score).toBe(40 + 20 + 10 + 20 + 10);
    for (const p of m.parts) {
      expect(p.points).toBeLessThanOrEqual(p.max);
      expect(p.explanation.length).toBeGreaterThan(5);
    }
    expect(m.parts.map((p) => p.max).reduce((a, b) => a + b, 0)).toBe(MAX_SCORE);
    expect(m.parts.find((p) => p.part === "DISTRICT")!.explanation).toContain("500103001");
    expect(m.parts.find((p) => p.part === "CONSTRAINTS")!.explanation).toContain("DIBAO_MARGINAL");
  });
});

describe("ranking", () => {
  test("a need's resources best first, limited to `first`", () => {
    const rs = [resource({ id: "general", category: "OTHER" }), resource({ id: "exact" }), resource({ id: "street", streets: ["500103001"] }), resource({ id: "rent", category: "RENT_HELP" })];
    expect(matchesForNeed(need(), rs, ASOF, 10).map((m) => m.resourceId)).toEqual(["street", "exact", "general"]);
    expect(matchesForNeed(need(), rs, ASOF, 2).map((m) => m.resourceId)).toEqual(["street", "exact"]);
  });

  test("a resource's needs best first; equal scores: more urgent, then longer-standing, then id", () => {
    const ns = [
      need({ id: "c", urgency: "MEDIUM", since: d("2026-01-01") }),
      need({ id: "b", urgency: "HIGH", since: d("2026-10-01") }),
      need({ id: "a", urgency: "HIGH", since: d("2026-10-01") }),
      need({ id: "old", urgency: "HIGH", since: d("2025-10-01") }),
      need({ id: "far", districtCode: "500120", streetCode: "500120001" }),
    ];
    expect(matchesForResource(resource(), ns, ASOF, 10).map((m) => m.needId)).toEqual(["old", "a", "b", "c"]);
  });

  test("matchAll pairs every need with every fitting resource", () => {
    const ns = [need({ id: "n1" }), need({ id: "n2", category: "RENT_HELP" })];
    const rs = [resource({ id: "r1" }), resource({ id: "r2", category: "RENT_HELP" }), resource({ id: "r3", category: "OTHER" })];
    expect(matchAll(ns, rs, ASOF).map((m) => `${m.needId}/${m.resourceId}`).sort()).toEqual(["n1/r1", "n1/r3", "n2/r2", "n2/r3"]);
  });
});
