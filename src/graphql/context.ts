import type { Prisma, PrismaClient } from "../db/generated/client.js";
import { createRegistryLoaders, type RegistryLoaders } from "../registry/loaders.js";
import type { Principal } from "../auth/principal.js";
import type { Loaders } from "../../connectors/kit/index.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import { householdScope } from "../policy/scope.js";

/** Everything a resolver may use for one request. Built fresh per request: nothing here is shared. */
export interface GatewayContext {
  requestId: string;
  prisma: PrismaClient;
  principal: Principal;
  /** the principal's row scope, as a household filter (out of scope = not found) */
  scope: Prisma.HouseholdWhereInput;
  /** false only when FIELD_POLICY=off (development/bench comparison) */
  enforcePolicy: boolean;
  loaders: RegistryLoaders;
  /** one DataLoader per department system, for this request only */
  sources: Loaders;
  pseudonyms: Pseudonymizer;
  /** The request's clock reading: every rule in one request sees the same "today". */
  now: Date;
}

export interface ContextDeps {
  prisma: PrismaClient;
  pseudonyms: Pseudonymizer;
  sources: () => Loaders;
  enforcePolicy: boolean;
}

export function createContext(deps: ContextDeps, requestId: string, principal: Principal, now = new Date()): GatewayContext {
  const scope = householdScope(principal.jurisdiction);
  return {
    requestId,
    prisma: deps.prisma,
    principal,
    scope,
    enforcePolicy: deps.enforcePolicy,
    loaders: createRegistryLoaders(deps.prisma, scope),
    sources: deps.sources(),
    pseudonyms: deps.pseudonyms,
    now,
  };
}
