/**
 * The synthetic population generator: pure, deterministic (same options -> identical output) and
 * streaming (one household at a time; memory does not grow with the population size).
 *
 * Default set (no `persons`): Yuzhong district 500103 as in DOMAIN.md §6 / seed 001: 11 streets
 * plus the welfare home, with exactly the table's dibao / TEKUN / registered special-hardship
 * persons per street (10,875 / 340 / 803 = 12,018), plus households of the other tiers and
 * outcomes that the table does not count (marginal, rigid expenditure, return-to-poverty
 * monitoring, applicants, suspended, rejected, left, deceased).
 *
 * With `persons: N`: Yuzhong as above, then generated streets in the other Chongqing districts with
 * the same mix per street (each street takes the profile of one Yuzhong street, scaled), until about
 * N persons.
 *
 * HOW "ASSISTED PERSONS" ARE COUNTED (the per-street table): a member is assisted when a case that
 * covers them has tier DIBAO, TEKUN or OTHER (registered special hardship, 特殊困难家庭建档) and status
 * ACTIVE or GRADUAL_EXIT (a household in its 6-month gradual-exit period still receives dibao).
 * A case covers a member when its personIndex is that member (single-person inclusion, a registered
 * individual) or when its personIndex is null (the household's case covers every member, as dibao
 * is granted to the household and civil affairs counts every member of it). A member's own case
 * wins over the household's. `assistedTier()` implements this and `facts.assisted` is set from it.
 * So everybody in a dibao household is a dibao recipient; non-assisted persons are the members of
 * marginal, rigid-expenditure, monitored, applicant, suspended, rejected, left and closed
 * households, and the other members of households where only one person is included (single-person
 * inclusion 单人户, a registered individual).
 */
import type { IsoDate, SynthHousehold } from "./model.js";
import { EXPECTED_YUZHONG, EXTRA_RATIOS, ExtraKind, StreetPlan, planStreets } from "./population/street-plan.js";
import { Gen, Kind } from "./population/state.js";
import { SIZE_DIST, SIZE_DIST_NON_POOR } from "./population/composition.js";
import { buildHousehold, pickSize } from "./population/household.js";

// the generator's public API (the parts are under ./population/)
export { policyParameters, PolicyTable, PARAM, YUZHONG_STREETS, YUZHONG_CODE, CITY_CODE } from "./reference.js";
export { addDays, addMonths, addYears, ageOn, daysToIso, isoToDays } from "./population/dates.js";
export { assistedTier, isPriorityMember, isWorkingAge, type AssistedTier } from "./population/counting.js";
export { streets } from "./population/street-plan.js";
export { CROSS_DISTRICT_RATE } from "./population/aid-records.js";

export interface GenerateOptions {
  seed: number;
  /** approximate number of persons; absent = the default Yuzhong set */
  persons?: number;
  /** the "today" of the data set: ages, case dates, review dates and the 12 months of payments */
  asOf: IsoDate;
}

interface Quotas {
  dibao: number;
  tekun: number;
  registered: number;
  extras: Map<ExtraKind, number>;
}

function quotasOf(street: StreetPlan): Quotas {
  const extras = new Map<ExtraKind, number>();
  if (!street.welfareHome) for (const [k, r] of EXTRA_RATIOS) extras.set(k, Math.max(1, Math.round(street.dibao * r)));
  return { dibao: street.dibao, tekun: street.tekun, registered: street.registered, extras };
}

/** Picks the next household of the street (kind, size) and takes it off the quotas; null when done. */
function nextUnit(g: Gen, street: StreetPlan, q: Quotas): { kind: Kind; size: number } | null {
  const rng = g.unitRng;
  const items: string[] = [];
  const weights: number[] = [];
  if (q.dibao > 0) items.push("dibao"), weights.push(q.dibao / 2.4);
  if (q.tekun > 0) items.push("tekun"), weights.push(q.tekun);
  if (q.registered > 0) items.push("registered"), weights.push(q.registered / 2);
  for (const [k, v] of q.extras) if (v > 0) items.push(k), weights.push(v);
  if (items.length === 0) return null;
  const choice = rng.weighted(items, weights);
  if (choice === "tekun") {
    q.tekun--;
    return { kind: "TEKUN", size: 1 };
  }
  if (choice === "dibao") {
    if (street.welfareHome) {
      q.dibao--;
      return { kind: "DIBAO", size: 1 };
    }
    const variant = rng.weightedPairs<Kind>([["DIBAO", 895], ["DIBAO_GRADUAL", 40], ["DIBAO_INCLUSION", 60], ["DIBAO_ORPHAN18", 5]]);
    if (variant === "DIBAO_INCLUSION") {
      q.dibao--;
      return { kind: variant, size: pickSize(g, SIZE_DIST_NON_POOR, 2, 5) };
    }
    if (variant === "DIBAO_ORPHAN18") {
      q.dibao--;
      return { kind: variant, size: 1 };
    }
    const size = Math.min(q.dibao, pickSize(g, SIZE_DIST, variant === "DIBAO_GRADUAL" ? 2 : 1, 6));
    if (variant === "DIBAO_GRADUAL" && size < 2) {
      q.dibao -= size;
      return { kind: "DIBAO", size };
    }
    q.dibao -= size;
    return { kind: variant, size };
  }
  if (choice === "registered") {
    if (rng.chance(0.3)) {
      q.registered--;
      return { kind: "REGISTERED_INDIVIDUAL", size: pickSize(g, SIZE_DIST_NON_POOR, 2, 4) };
    }
    const size = Math.min(q.registered, pickSize(g, SIZE_DIST, 1, 4));
    q.registered -= size;
    return { kind: "REGISTERED", size };
  }
  const kind = choice as ExtraKind;
  q.extras.set(kind, q.extras.get(kind)! - 1);
  const single = kind === "ORPHAN18_LEFT" || kind === "DECEASED";
  return { kind, size: single ? 1 : pickSize(g, kind === "APPLIED" || kind === "SUSPENDED" ? SIZE_DIST : SIZE_DIST_NON_POOR, 1, 6) };
}

/**
 * Streams the population, one household at a time. Deterministic for (seed, persons, asOf).
 * asOf must be 2017-01-01 or later (the policy parameters start in 2016).
 */
export function* generatePopulation(opts: GenerateOptions): Generator<SynthHousehold, void, undefined> {
  const g = new Gen(opts.seed, opts.asOf);
  const plans = planStreets(opts.persons);
  let persons = 0;
  for (const street of plans) {
    const q = quotasOf(street);
    let seq = 0;
    for (;;) {
      const unit = nextUnit(g, street, q);
      if (!unit) break;
      g.startHousehold(street.code, ++seq);
      const { household } = buildHousehold(g, street, unit.kind, unit.size, seq);
      persons += household.members.length;
      yield household;
      if (opts.persons !== undefined && persons >= opts.persons) return;
    }
  }
}

/** Expected number of persons for progress reporting (exact counts depend on the seed). */
export function estimatePersons(opts: { persons?: number }): number {
  return opts.persons ?? Math.round(EXPECTED_YUZHONG);
}
