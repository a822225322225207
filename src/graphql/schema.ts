import "reflect-metadata";
import { buildSchema } from "type-graphql";
import { printSchema, lexicographicSortSchema, type GraphQLSchema } from "graphql";
import { HouseholdResolver } from "../../resolvers/household.js";
import { HouseholdDepartmentsResolver, PersonDepartmentsResolver } from "../../resolvers/departments.js";
import { PersonResolver } from "../../resolvers/person.js";
import { RegistryMutationResolver } from "../../resolvers/registry-mutations.js";
import { PolicyResolver } from "../../resolvers/policy.js";
import { AssessEligibilityResolver, HouseholdEligibilityResolver } from "../../resolvers/eligibility.js";
import { CharityResolver, ClaimResolver, ContactConsentResolver, HouseholdNeedsResolver, NeedResolver, ResourceResolver } from "../../resolvers/charity.js";
import { CharityMutationResolver } from "../../resolvers/charity-mutations.js";
import { AuditResolver } from "../../resolvers/audit.js";
import { HouseholdAidChainResolver } from "../../resolvers/aid-chain.js";
import { AlertResolver, HouseholdAlertsResolver } from "../../resolvers/alerts.js";
import { TemporaryAidResolver } from "../../resolvers/temporary-aid.js";
import { buildGatewaySubgraph, subgraphTypeDefs } from "./subgraph.js";
import { print } from "graphql";

export const resolvers = [
  HouseholdResolver,
  PersonResolver,
  HouseholdDepartmentsResolver,
  PersonDepartmentsResolver,
  RegistryMutationResolver,
  PolicyResolver,
  HouseholdEligibilityResolver,
  AssessEligibilityResolver,
  NeedResolver,
  ResourceResolver,
  ClaimResolver,
  CharityResolver,
  ContactConsentResolver,
  HouseholdNeedsResolver,
  CharityMutationResolver,
  AuditResolver,
  HouseholdAidChainResolver,
  HouseholdAlertsResolver,
  AlertResolver,
  TemporaryAidResolver,
] as const;

let built: Promise<GraphQLSchema> | null = null;

/** The executable schema, built once per process (type-graphql metadata is global). */
export function gatewaySchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, validate: false, emitSchemaFile: false });
  return built;
}

let served: Promise<GraphQLSchema> | null = null;

/**
 * The schema the gateway serves: the client-facing schema as an Apollo Federation v2 subgraph (src/graphql/subgraph.ts:
 * plus `_service` and `_entities`). Built once per process.
 */
export function servedSchema(): Promise<GraphQLSchema> {
  served ??= gatewaySchema().then(buildGatewaySubgraph);
  return served;
}

/** The subgraph SDL as checked in at schema/subgraph.graphql (what `{ _service { sdl } }` answers is composed from it). */
export async function printedSubgraphTypeDefs(): Promise<string> {
  return print(subgraphTypeDefs(lexicographicSortSchema(await gatewaySchema()))) + "\n";
}

/** The client-facing schema as checked in at schema/schema.graphql (sorted, so diffs are stable). */
export async function printedSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await gatewaySchema())) + "\n";
}
