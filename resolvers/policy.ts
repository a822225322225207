import { Arg, Ctx, Query, Resolver } from "type-graphql";
import { PolicyParameter } from "../schema/registry.js";
import { DateScalar } from "../schema/scalars.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput } from "../src/errors.js";
import { parametersInForce } from "../src/features/policy-parameters/in-force.js";
import { regionChain } from "../src/features/policy-parameters/region.js";

@Resolver()
export class PolicyResolver {
  @Query(() => [PolicyParameter], {
    description: "The policy parameters in force for a region (city, district or street code) on a date (default today).",
  })
  async policyParameters(
    @Arg("regionCode", () => String) regionCode: string,
    @Arg("on", () => DateScalar, { nullable: true }) on: Date | null,
    @Ctx() ctx: GatewayContext,
  ) {
    if (!/^\d{6}(\d{3})?$/.test(regionCode))
      throw badInput([{ field: "regionCode", reason: "INVALID_FORMAT", message: "regionCode must be a 6-digit region or 9-digit street code" }]);
    const rows = await ctx.prisma.policyParameter.findMany({ where: { regionCode: { in: regionChain(regionCode) } } });
    return parametersInForce(
      rows.map((r) => ({ ...r, value: r.value.toString() })),
      regionChain(regionCode),
      on ?? ctx.now,
    );
  }
}
