/**
 * Matching needs to charity resources (DOMAIN.md §2 charities: matched help). Pure: needs, resources and
 * the evaluation date in; scored matches out, each score explained part by part:
 *
 *   CATEGORY     40  the resource's category is the need's; 15 for a related category; 10 for a general (OTHER) fund
 *   DISTRICT     20  the resource names the need's street; 12 when it serves the need's whole district
 *   CONSTRAINTS  15  5 per constraint the need meets (tier, age band, disability) — a targeted offer fits better
 *   URGENCY      20  CRITICAL 20, HIGH 15, MEDIUM 8, LOW 3
 *   CAPACITY     10  the share of the resource still available, × 10, rounded
 *
 * A pair is no match at all (null) when the category is unrelated, the need's street is outside the
 * resource's area, a constraint fails (or cannot be checked), the resource is closed, out of its valid
 * period or used up, or the need is not open.
 */
import { ageBandBounds, URGENCY_RANK, type NeedCategory, type Urgency } from "./needs.js";
import type { Tier } from "./facts.js";

export interface MatchableNeed {
  id: string;
  category: NeedCategory;
  urgency: Urgency;
  status: "OPEN" | "CLAIMED" | "MET" | "CLOSED";
  districtCode: string;
  streetCode: string;
  tier: Tier | null;
  ageBand: string | null;
  disability: boolean;
  since: Date;
}

export interface MatchableResource {
  id: string;
  category: NeedCategory;
  status: "ACTIVE" | "CLOSED";
  quantity: number;
  remaining: number;
  /** district codes; empty = `charityDistricts` */
  districts: string[];
  /** street codes; empty = every street of the districts */
  streets: string[];
  /** the districts the charity serves (the default area) */
  charityDistricts: string[];
  tiers: Tier[];
  minAge: number | null;
  maxAge: number | null;
  disabilityRequired: boolean;
  validFrom: Date;
  validTo: Date | null;
}

export type ScorePartName = "CATEGORY" | "DISTRICT" | "CONSTRAINTS" | "URGENCY" | "CAPACITY";

export interface ScorePart {
  part: ScorePartName;
  points: number;
  max: number;
  explanation: string;
}

export interface Match {
  needId: string;
  resourceId: string;
  score: number;
  parts: ScorePart[];
}

export const MAX_SCORE = 40 + 20 + 15 + 20 + 10;

/** Categories a resource can also serve, in part (both directions). */
const RELATED: [NeedCategory, NeedCategory][] = [
  ["MEDICAL_COSTS", "ASSISTIVE_DEVICES"],
  ["CARE_VISITS", "ASSISTIVE_DEVICES"],
  ["FOOD", "WINTER_CLOTHING"],
  ["SCHOOL_COSTS", "JOB_TRAINING"],
];
const related = (a: NeedCategory, b: NeedCategory) => RELATED.some(([x, y]) => (x === a && y === b) || (x === b && y === a));

const URGENCY_POINTS: Record<Urgency, number> = { CRITICAL: 20, HIGH: 15, MEDIUM: 8, LOW: 3 };

function categoryPart(need: MatchableNeed, r: MatchableResource): ScorePart | null {
  if (r.category === need.category) return { part: "CATEGORY", points: 40, max: 40, explanation: `offers ${r.category}, the need's category` };
  if (related(r.category, need.category))
    return { part: "CATEGORY", points: 15, max: 40, explanation: `offers ${r.category}, related to ${need.category}` };
  if (r.category === "OTHER") return { part: "CATEGORY", points: 10, max: 40, explanation: `a general fund (OTHER) for ${need.category}` };
  return null;
}

function districtPart(need: MatchableNeed, r: MatchableResource): ScorePart | null {
  const districts = r.districts.length ? r.districts : r.charityDistricts;
  if (r.streets.length) {
    return r.streets.includes(need.streetCode)
      ? { part: "DISTRICT", points: 20, max: 20, explanation: `serves street ${need.streetCode}` }
      : null;
  }
  return districts.includes(need.districtCode)
    ? { part: "DISTRICT", points: 12, max: 20, explanation: `serves all of district ${need.districtCode}` }
    : null;
}

function constraintsPart(need: MatchableNeed, r: MatchableResource): ScorePart | null {
  const met: string[] = [];
  if (r.tiers.length) {
    if (need.tier === null || !r.tiers.includes(need.tier)) return null;
    met.push(`tier ${need.tier} is one of ${r.tiers.join("/")}`);
  }
  if (r.minAge !== null || r.maxAge !== null) {
    const bounds = need.ageBand ? ageBandBounds(need.ageBand) : null;
    if (!bounds) return null; // a household-level need has no age to check
    const [from, to] = bounds;
    if (r.minAge !== null && from < r.minAge) return null;
    if (r.maxAge !== null && (to === null || to > r.maxAge)) return null;
    met.push(`age band ${need.ageBand} within ${r.minAge ?? 0}–${r.maxAge ?? "any"}`);
  }
  if (r.disabilityRequired) {
    if (!need.disability) return null;
    met.push("severe disability, as required");
  }
  return {
    part: "CONSTRAINTS",
    points: 5 * met.length,
    max: 15,
    explanation: met.length ? met.join("; ") : "no constraints (an untargeted offer)",
  };
}

function capacityPart(r: MatchableResource): ScorePart | null {
  if (r.remaining <= 0 || r.quantity <= 0) return null;
  const points = Math.round((10 * Math.min(r.remaining, r.quantity)) / r.quantity);
  return { part: "CAPACITY", points, max: 10, explanation: `${r.remaining} of ${r.quantity} still available` };
}

/** The scored match of one need with one resource on `asOf`, or null when the pair does not match. */
export function scoreMatch(need: MatchableNeed, r: MatchableResource, asOf: Date): Match | null {
  if (need.status !== "OPEN" || r.status !== "ACTIVE") return null;
  if (r.validFrom > asOf || (r.validTo !== null && r.validTo < asOf)) return null;
  const category = categoryPart(need, r);
  if (!category) return null;
  const district = districtPart(need, r);
  if (!district) return null;
  const constraints = constraintsPart(need, r);
  if (!constraints) return null;
  const capacity = capacityPart(r);
  if (!capacity) return null;
  const urgency: ScorePart = { part: "URGENCY", points: URGENCY_POINTS[need.urgency], max: 20, explanation: `urgency ${need.urgency}` };
  const parts = [category, district, constraints, urgency, capacity];
  return { needId: need.id, resourceId: r.id, score: parts.reduce((s, p) => s + p.points, 0), parts };
}

/** Best first: score, then the more urgent and longer-standing need, then ids (deterministic). */
function compare(needs: Map<string, MatchableNeed>) {
  return (a: Match, b: Match) => {
    if (b.score !== a.score) return b.score - a.score;
    const na = needs.get(a.needId)!;
    const nb = needs.get(b.needId)!;
    return (
      URGENCY_RANK[nb.urgency] - URGENCY_RANK[na.urgency] ||
      na.since.getTime() - nb.since.getTime() ||
      a.needId.localeCompare(b.needId) ||
      a.resourceId.localeCompare(b.resourceId)
    );
  };
}

/** Every match between the needs and the resources, best first. */
export function matchAll(needs: readonly MatchableNeed[], resources: readonly MatchableResource[], asOf: Date): Match[] {
  const out: Match[] = [];
  for (const n of needs)
    for (const r of resources) {
      const m = scoreMatch(n, r, asOf);
      if (m) out.push(m);
    }
  return out.sort(compare(new Map(needs.map((n) => [n.id, n]))));
}

/** The best `first` resources for one need. */
export function matchesForNeed(need: MatchableNeed, resources: readonly MatchableResource[], asOf: Date, first: number): Match[] {
  return matchAll([need], resources, asOf).slice(0, first);
}

/** The best `first` needs for one resource. */
export function matchesForResource(resource: MatchableResource, needs: readonly MatchableNeed[], asOf: Date, first: number): Match[] {
  return matchAll(needs, [resource], asOf).slice(0, first);
}
