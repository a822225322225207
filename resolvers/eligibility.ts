import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Household } from "../schema/registry.js";
import { DateScalar } from "../schema/scalars.js";
import { Eligibility, HouseholdFactsInput } from "../schema/eligibility.js";
import type { GatewayContext } from "../src/graphql/context.js";
import type { Household as HouseholdRow } from "../src/db/generated/client.js";
import { badInput } from "../src/errors.js";
import { dayOf } from "../src/domain/calendar.js";
import { evaluateEligibility } from "../src/domain/eligibility.js";
import { MissingParameterError } from "../src/domain/observed.js";
import { eligibilityOf } from "../src/features/eligibility/eligibility.js";
import { parameterSet } from "../src/features/facts/gather.js";
import { caseworkerFacts, validateFactsInput } from "../src/features/eligibility/caseworker-facts.js";
import { streetInScope } from "../src/policy/scope.js";
import { eligibilityView } from "../src/policy/disclosure.js";
import { policyAudience } from "../src/features/aid-chain/monitoring.js";

/**
 * An evaluation date the caller chose with no policy parameters in force (before the parameters start) is bad
 * input, not a server error. Without a chosen date (today) a missing parameter is the registry's configuration
 * gap: POLICY_PARAMETER_MISSING (src/graphql/format-error.ts).
 */
async function orBadDate<T>(asOfGiven: boolean, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (asOfGiven && err instanceof MissingParameterError)
      throw badInput([{ field: "asOf", reason: "INVALID_DATE", message: `no policy parameters in force on asOf (${err.key})` }]);
    throw err;
  }
}

@Resolver(() => Household)
export class HouseholdEligibilityResolver {
  @FieldResolver(() => Eligibility, {
    nullable: true,
    description:
      "Explainable eligibility on asOf (default: today): the computed tier and per-member differences, the numbers, gradual exit, " +
      "re-certification, entitlements by department and every rule evaluated. complete = false when a department system failed.",
  })
  eligibility(
    @Root() h: Household,
    @Arg("asOf", () => DateScalar, { nullable: true }) asOf: Date | null,
    @Ctx() ctx: GatewayContext,
  ) {
    return orBadDate(asOf != null, async () => eligibilityView(await eligibilityOf(ctx, h as unknown as HouseholdRow, asOf ?? dayOf(ctx.now)), policyAudience(ctx)));
  }
}

@Resolver()
export class AssessEligibilityResolver {
  @Query(() => Eligibility, {
    nullable: true,
    description: "A trial calculation over facts a caseworker types in (before an application): the same evaluation as Household.eligibility. Nothing is stored.",
  })
  async assessEligibility(
    @Arg("input", () => HouseholdFactsInput) input: HouseholdFactsInput,
    @Arg("asOf", () => DateScalar, { nullable: true }) asOf: Date | null,
    @Ctx() ctx: GatewayContext,
  ) {
    const day = asOf ?? dayOf(ctx.now);
    const problems = validateFactsInput(input, day);
    const street = input.streetCode.trim() === "" ? null : await ctx.prisma.street.findUnique({ where: { code: input.streetCode } });
    // a street outside the principal's jurisdiction is reported exactly like an unknown one
    if (input.streetCode.trim() !== "" && (!street || !streetInScope(ctx.principal.jurisdiction, street)))
      problems.push({ field: "input.streetCode", reason: "UNKNOWN_STREET", message: "input.streetCode is not a street in your jurisdiction" });
    if (problems.length) throw badInput(problems);
    const facts = caseworkerFacts(input, street!.districtCode, day, ctx.now);
    return orBadDate(asOf != null, async () => eligibilityView(evaluateEligibility(facts, await parameterSet(ctx, input.streetCode, day), day), policyAudience(ctx)));
  }
}
