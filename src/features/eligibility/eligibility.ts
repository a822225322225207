/**
 * A household's eligibility for one request: gathers its facts (src/features/facts/gather.ts, memoised per
 * request) and the policy parameters in force for its street on the evaluation date, then runs the pure
 * evaluation (src/domain/eligibility.ts). Memoised per request and (household, asOf), so the
 * eligibility field, the aid chain and the alerts share one evaluation.
 */
import type { Household } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import type { EligibilityResult } from "../../domain/facts.js";
import { evaluateEligibility } from "../../domain/eligibility.js";
import { isoDay } from "../../domain/calendar.js";
import { householdFacts, parameterSet, type FactsDeps } from "../facts/gather.js";
import { memoSlot } from "../memo.js";
import { factsFor } from "../../policy/noninterference.js";

/** What a household's eligibility uses: its facts' dependencies and whose field policy applies. */
export type EligibilityDeps = FactsDeps & Pick<RequestDeps, "enforcePolicy" | "principal">;
type Deps = EligibilityDeps;

const evaluated = memoSlot<Promise<EligibilityResult>>();

export function eligibilityOf(deps: Deps, household: Household, asOf: Date): Promise<EligibilityResult> {
  return evaluated(deps.memo, `${household.id}|${isoDay(asOf)}`, () =>
    Promise.all([householdFacts(deps, household), parameterSet(deps, household.streetCode, asOf)]).then(([facts, params]) =>
      // over the records this request's audience may read (src/policy/noninterference.ts)
      evaluateEligibility(factsFor(facts, deps.enforcePolicy ? deps.principal.audience : null), params, asOf),
    ),
  );
}
