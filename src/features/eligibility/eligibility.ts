/**
 * A household's eligibility for one request: gathers its facts (src/features/facts/gather.ts, memoised per
 * request) and the policy parameters in force for its street on the evaluation date, then runs the pure
 * evaluation (src/domain/eligibility.ts). Memoised per request and (household, asOf), so the
 * eligibility field, the aid chain and the alerts share one evaluation.
 */
import type { Household } from "../../db/generated/client.js";
import type { GatewayContext } from "../../graphql/context.js";
import type { EligibilityResult } from "../../domain/facts.js";
import { evaluateEligibility } from "../../domain/eligibility.js";
import { isoDay } from "../../domain/calendar.js";
import { householdFacts, parameterSet } from "../facts/gather.js";
import { perRequestMemo } from "../../graphql/per-request.js";
import { factsFor } from "../../policy/noninterference.js";

const evaluated = perRequestMemo<Promise<EligibilityResult>>();

export function eligibilityOf(ctx: GatewayContext, household: Household, asOf: Date): Promise<EligibilityResult> {
  return evaluated(ctx, `${household.id}|${isoDay(asOf)}`, () =>
    Promise.all([householdFacts(ctx, household), parameterSet(ctx, household.streetCode, asOf)]).then(([facts, params]) =>
      // over the records this request's audience may read (src/policy/noninterference.ts)
      evaluateEligibility(factsFor(facts, ctx.enforcePolicy ? ctx.principal.audience : null), params, asOf),
    ),
  );
}
