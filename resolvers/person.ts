import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { Household, Person } from "../schema/registry.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput, notFound } from "../src/errors.js";
import { isValidIdNumber } from "../src/domain/idnumber.js";
import { ageOn } from "../src/domain/age.js";
import { LIVE_DESCRIPTION } from "./household.js";

@Resolver(() => Person)
export class PersonResolver {
  @Query(() => Person, { nullable: true, description: "One registered person by ID number; NOT_FOUND when there is none." })
  async person(@Arg("idNumber", () => String) idNumber: string, @Arg("live", () => Boolean, { defaultValue: false, description: LIVE_DESCRIPTION }) live: boolean, @Ctx() ctx: GatewayContext) {
    if (live) ctx.departments.live = true;
    if (!isValidIdNumber(idNumber))
      throw badInput([{ field: "idNumber", reason: "INVALID_ID_NUMBER", message: "idNumber is not a valid 18-character ID number" }]);
    const person = await ctx.prisma.person.findFirst({ where: { idNumber, household: ctx.scope } });
    if (!person) throw notFound("Person");
    return person;
  }

  @FieldResolver(() => Int, { description: "Age in whole years on the day of the request." })
  age(@Root() p: Person, @Ctx() ctx: GatewayContext) {
    return ageOn(p.birthDate, ctx.now);
  }

  @FieldResolver(() => Household)
  async household(@Root() p: Person, @Ctx() ctx: GatewayContext) {
    const h = await ctx.loaders.household.load(p.householdId);
    if (!h) throw notFound("Household");
    return h;
  }
}
