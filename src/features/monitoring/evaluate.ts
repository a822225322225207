/**
 * One household as a monitoring run evaluates it: for each audience view (src/monitoring/views.ts) the
 * eligibility over the records that view may read, the aid chain and the alerts it may see — with the very
 * functions a request uses (src/features/aid-chain/monitoring.ts monitoringFrom: factsFor, evaluateEligibility, the
 * aid chain's core that buildAidChain builds on, deriveAlerts) — plus the computed tier, the sources that failed or
 * were stale, and the re-derived needs (src/domain/needs.ts). Pure.
 */
import type { EligibilityResult, HouseholdFacts, ParameterSet } from "../../domain/facts.js";
import { evaluateEligibility } from "../../domain/eligibility.js";
import { alertCompleteness, deriveAlerts, type AlertFinding } from "../../domain/alerts.js";
import { aidChainCore, type ChainCore } from "../../domain/aid-chain.js";
import { deriveNeeds, type DerivedNeed } from "../../domain/needs.js";
import { dayOf } from "../../domain/calendar.js";
import { factsWithout, withheldSources } from "../../policy/noninterference.js";
import type { SourceName } from "../../domain/records.js";
import { alertVisible, audienceVisibility } from "../aid-chain/monitoring.js";
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

interface PreparedView {
  name: string;
  audience: AlertView["audiences"][number];
  /** the department sources the view withholds (withheldSources of its audience) */
  withheld: readonly SourceName[];
  /** the view reads every department record */
  whole: boolean;
  visible(a: AlertFinding): boolean;
}

/** No stored output reads the eligibility's reasons (rules with their inputs and explanations): not built. */
const LEAN = { explain: false } as const;

const prepared = new WeakMap<readonly AlertView[], PreparedView[]>();

/**
 * The views with what a household's evaluation asks of the field policy worked out once (the policy is fixed for
 * the process): whether a view withholds a source, and whether it may read an evidence item — memoised per
 * (source, name), the same answers audienceVisibility gives.
 */
function prepare(views: readonly AlertView[]): PreparedView[] {
  let p = prepared.get(views);
  if (!p) {
    p = views.map((view) => {
      const audience = view.audiences[0];
      const visibility = audienceVisibility(audience);
      const answers = new Map<string, boolean>();
      const readable = (source: AlertFinding["evidence"][number]["source"], name: string) => {
        const key = `${source}\u0000${name}`;
        let r = answers.get(key);
        if (r === undefined) answers.set(key, (r = visibility.readable(source, name)));
        return r;
      };
      const memoised = { readable, amountReadable: visibility.amountReadable };
      const withheld = withheldSources(audience);
      return { name: view.name, audience, withheld, whole: withheld.length === 0, visible: (a: AlertFinding) => alertVisible(memoised, a) };
    });
    prepared.set(views, p);
  }
  return p;
}

export function evaluateHousehold(facts: HouseholdFacts, params: ParameterSet, asOf: Date, views: readonly AlertView[]): HouseholdEvaluation {
  const day = dayOf(asOf);
  const alerts = new Map<string, AlertFinding[]>();
  let whole: ChainCore | null = null;
  let wholeEligibility: EligibilityResult | null = null;
  for (const view of prepare(views)) {
    // what factsFor / monitoringFrom give the view's audience, its withheld sources worked out once
    const seen = factsWithout(facts, view.withheld);
    const eligibility = evaluateEligibility(seen, params, day, LEAN);
    // the aid chain as monitoringFrom builds it, less what no output here reads (its duplicates and per-person lists):
    // the alerts read its links and gaps, the snapshot its gaps, failed sources and stale records
    const chain = aidChainCore(seen, eligibility, asOf);
    alerts.set(view.name, deriveAlerts(seen, eligibility, asOf, chain).filter(view.visible));
    if (!whole && view.whole) {
      // a view over every record (the registry keepers'): the tier, completeness and needs come from it
      whole = chain;
      wholeEligibility = eligibility;
    }
  }
  if (!whole || !wholeEligibility) {
    const eligibility = evaluateEligibility(facts, params, day, LEAN);
    whole = aidChainCore(facts, eligibility, asOf);
    wholeEligibility = eligibility;
  }
  const completeness = alertCompleteness(whole);
  return {
    householdId: facts.householdId!,
    districtCode: facts.districtCode,
    streetCode: facts.streetCode,
    alerts,
    tier: wholeEligibility.tier,
    tierClass: wholeEligibility.tierClass ?? null,
    failedSources: completeness.failedSources,
    staleSources: completeness.staleSources,
    needs: deriveNeeds(facts, asOf, whole.gaps.map((g) => ({ kind: g.kind, personId: g.personId }))),
  };
}
