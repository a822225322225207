/**
 * The explicit dependencies of the feature services for one request. A service names the ones it uses
 * (`Pick<RequestDeps, "prisma" | "now">`) and never takes the GraphQL context: src/graphql/context.ts
 * builds, per request, a GatewayContext that is these dependencies plus what only the GraphQL layer uses
 * (the operation's field plan, the access record in the making).
 */
import type { Prisma, PrismaClient } from "../db/generated/client.js";
import type { Principal } from "../auth/principal.js";
import type { Loaders } from "../../connectors/kit/index.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import type { RegistryLoaders } from "./households/loaders.js";
import type { RequestMemo } from "./memo.js";

export interface RequestDeps {
  requestId: string;
  /** the registry database */
  prisma: PrismaClient;
  principal: Principal;
  /** the principal's row scope, as a household filter (out of scope = not found) */
  scope: Prisma.HouseholdWhereInput;
  /** false only when FIELD_POLICY=off (development/bench comparison) */
  enforcePolicy: boolean;
  /** the registry's DataLoaders, for this request only */
  loaders: RegistryLoaders;
  /** one DataLoader per department system, for this request only */
  sources: Loaders;
  pseudonyms: Pseudonymizer;
  /** The request's clock reading: every rule in one request sees the same "today". */
  now: Date;
  /** values computed once per request and shared by every field that needs them */
  memo: RequestMemo;
}
