import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { GraphQLError } from "graphql";
import type DataLoader from "dataloader";
import { Household, Person } from "../schema/registry.js";
import { Disability, Education, Employment, Housing, MedicalInsurance } from "../schema/departments.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { isUpstreamError } from "../connectors/kit/index.js";

/**
 * A department record through the request's DataLoader. A failed source gives null at this path and
 * one error carrying its code and source; the rest of the response is unaffected.
 */
async function fromSource<V extends { servedFrom?: string }>(loader: DataLoader<string, V | null>, key: string): Promise<V | null> {
  try {
    return await loader.load(key); // servedFrom: LIVE from the connectors, MIRROR from the mirror
  } catch (err) {
    if (isUpstreamError(err))
      throw new GraphQLError(err.message, { originalError: err, extensions: { code: err.code, source: err.source } });
    throw err;
  }
}

@Resolver(() => Person)
export class PersonDepartmentsResolver {
  @FieldResolver(() => Education, { nullable: true, description: "Enrolment and student aid (education); null when the system has no record." })
  education(@Root() p: Person, @Ctx() ctx: GatewayContext) {
    return fromSource(ctx.sources.education, p.idNumber);
  }

  @FieldResolver(() => Employment, { nullable: true, description: "Employment status and services (human resources & social security)." })
  employment(@Root() p: Person, @Ctx() ctx: GatewayContext) {
    return fromSource(ctx.sources.employment, p.idNumber);
  }

  @FieldResolver(() => MedicalInsurance, { nullable: true, description: "Medical insurance and medical aid (medical security bureau)." })
  medicalInsurance(@Root() p: Person, @Ctx() ctx: GatewayContext) {
    return fromSource(ctx.sources.medicalInsurance, p.idNumber);
  }

  @FieldResolver(() => Disability, { nullable: true, description: "Disability certificate and subsidies (disabled persons' federation)." })
  disability(@Root() p: Person, @Ctx() ctx: GatewayContext) {
    return fromSource(ctx.sources.disability, p.idNumber);
  }
}

@Resolver(() => Household)
export class HouseholdDepartmentsResolver {
  @FieldResolver(() => Housing, { nullable: true, description: "Housing assistance (housing & urban-rural development)." })
  housing(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return fromSource(ctx.sources.housing, h.registryNo);
  }
}
