/** Temporary aid 临时救助: recording an application and its decision, and a household's applications. Thin — the write is src/features/temporary-aid/service.ts. */
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Household } from "../schema/registry.js";
import { TemporaryAidApplication, TemporaryAidApplicationInput } from "../schema/temporary-aid.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { recordTemporaryAidApplication } from "../src/features/temporary-aid/service.js";

@Resolver(() => Household)
export class TemporaryAidResolver {
  @Mutation(() => TemporaryAidApplication, {
    description:
      "Records a temporary-aid application and its decision (civil affairs, street offices within their jurisdiction). A REFUSED application keeps the household in the monitoring database (003 §5).",
  })
  recordTemporaryAidApplication(@Arg("input", () => TemporaryAidApplicationInput) input: TemporaryAidApplicationInput, @Ctx() ctx: GatewayContext) {
    return recordTemporaryAidApplication(ctx, input);
  }

  @FieldResolver(() => [TemporaryAidApplication], { nullable: true, description: "Temporary-aid applications and their decisions, oldest application first." })
  temporaryAidApplications(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.temporaryAidApplications.load(h.id);
  }
}
