/** The civil-affairs registry's mutations: thin — the writes, their validation and transactions are src/features/households/service.ts. */
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import { Household } from "../schema/registry.js";
import { RegisterHouseholdInput, UpdateHouseholdInput } from "../schema/inputs.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { registerHousehold, updateHousehold } from "../src/features/households/service.js";

@Resolver()
export class RegistryMutationResolver {
  @Mutation(() => Household, { description: "Registers a household with its members, incomes and assets (civil affairs)." })
  registerHousehold(@Arg("input", () => RegisterHouseholdInput) input: RegisterHouseholdInput, @Ctx() ctx: GatewayContext) {
    return registerHousehold(ctx, input);
  }

  @Mutation(() => Household, {
    description: "Changes a household. `version` must be the one last read; a stale version is rejected with STALE_VERSION.",
  })
  updateHousehold(
    @Arg("id", () => ID) id: string,
    @Arg("version", () => Int) version: number,
    @Arg("input", () => UpdateHouseholdInput) input: UpdateHouseholdInput,
    @Ctx() ctx: GatewayContext,
  ) {
    return updateHousehold(ctx, id, version, input);
  }
}
