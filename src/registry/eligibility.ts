/**
 * A household's eligibility for one request: gathers its facts (src/registry/facts.ts, memoised per
 * request) and the policy parameters in force for its street on the evaluation date, then runs the pure
 * evaluation (src/domain/eligibility.ts). Memoised per request and (household, asOf), so the
 * eligibility field, the aid chain and the alerts share one evaluation.
 */
import type { Household } from "../db/generated/client.js";
import type { GatewayContext } from "../graphql/context.js";
import type { EligibilityResult } from "../domain/facts.js";
import { evaluateEligibility } from "../domain/eligibility.js";
import { householdFacts, parameterSet } from "./facts.js";

const evaluated = new WeakMap<GatewayContext, Map<string, Promise<EligibilityResult>>>();

export function eligibilityOf(ctx: GatewayContext, household: Household, asOf: Date): Promise<EligibilityResult> {
  let perRequest = evaluated.get(ctx);
  if (!perRequest) evaluated.set(ctx, (perRequest = new Map()));
  const key = `${household.id}|${asOf.toISOString().slice(0, 10)}`;
  let result = perRequest.get(key);
  if (!result) {
    result = Promise.all([householdFacts(ctx, household), parameterSet(ctx, household.streetCode, asOf)]).then(([facts, params]) =>
      evaluateEligibility(facts, params, asOf),
    );
    perRequest.set(key, result);
  }
  return result;
}
