/**
 * One household as a monitoring run evaluates it: for each audience view (src/monitoring/views.ts) the
 * eligibility over the records that view may read, the aid chain and the alerts it may see — with the very
 * functions a request uses (src/registry/monitoring.ts monitoringFrom, src/domain/*) — plus the computed
 * tier, the sources that failed or were stale, and the re-derived needs (src/domain/needs.ts). Pure.
 */
import type { EligibilityResult, HouseholdFacts, ParameterSet } from "../../domain/facts.js";
import { evaluateEligibility } from "../../domain/eligibility.js";
import { alertCompleteness, type AlertFinding } from "../../domain/alerts.js";
import { deriveNeeds, type DerivedNeed } from "../../domain/needs.js";
import { dayOf } from "../../domain/calendar.js";
import { factsFor, withheldSources } from "../../policy/noninterference.js";
import { alertVisible, audienceVisibility, monitoringFrom } from "../aid-chain/monitoring.js";
import type { AlertView } from "./views.js";

export interface HouseholdEvaluation {
  householdId: string;
  districtCode: string;
  streetCode: string;
  /** per view name: the alerts that view's audiences see */
  alerts: Map<string, AlertFinding[]>;
  tier: EligibilityResult["tier"] | null;
  tierClass: string | null;
  failedSources: string[];
  staleSources: string[];
  needs: DerivedNeed[];
}

export function evaluateHousehold(facts: HouseholdFacts, params: ParameterSet, asOf: Date, views: readonly AlertView[]): HouseholdEvaluation {
  const day = dayOf(asOf);
  const alerts = new Map<string, AlertFinding[]>();
  let whole: ReturnType<typeof monitoringFrom> | null = null;
  let wholeEligibility: EligibilityResult | null = null;
  for (const view of views) {
    const audience = view.audiences[0];
    const eligibility = evaluateEligibility(factsFor(facts, audience), params, day);
    const m = monitoringFrom(facts, eligibility, asOf, audience);
    const visibility = audienceVisibility(audience);
    alerts.set(view.name, m.alerts.filter((a) => alertVisible(visibility, a)));
    if (!whole && withheldSources(audience).length === 0) {
      // a view over every record (the registry keepers'): the tier, completeness and needs come from it
      whole = m;
      wholeEligibility = eligibility;
    }
  }
  if (!whole || !wholeEligibility) {
    const eligibility = evaluateEligibility(facts, params, day);
    whole = monitoringFrom(facts, eligibility, asOf, null);
    wholeEligibility = eligibility;
  }
  const completeness = alertCompleteness(whole.chain);
  return {
    householdId: facts.householdId!,
    districtCode: facts.districtCode,
    streetCode: facts.streetCode,
    alerts,
    tier: wholeEligibility.tier,
    tierClass: wholeEligibility.tierClass ?? null,
    failedSources: completeness.failedSources,
    staleSources: completeness.staleSources,
    needs: deriveNeeds(facts, asOf, whole.chain.gaps.map((g) => ({ kind: g.kind, personId: g.personId }))),
  };
}
