import type { Prisma, PrismaClient } from "../db/generated/client.js";
import { createRegistryLoaders, type RegistryLoaders } from "../features/households/loaders.js";
import type { Principal } from "../auth/principal.js";
import type { Loaders } from "../../connectors/kit/index.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import { householdScope } from "../policy/scope.js";
import type { OperationPlan } from "../policy/plan.js";
import type { RequestAudit } from "../audit/request.js";

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
  /** the operation's field plan, set by the authorization plugin (absent when FIELD_POLICY=off) */
  plan?: OperationPlan;
  /** this request's access record in the making (absent when AUDIT_LOG=off): ids disclosed, mutation diffs */
  audit?: RequestAudit;
}

export interface ContextDeps {
  prisma: PrismaClient;
  pseudonyms: Pseudonymizer;
  sources: () => Loaders;
  enforcePolicy: boolean;
  /** per-request audit state (absent: no audit log) */
  audit?: (requestId: string, principal: Principal) => RequestAudit;
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
    ...(deps.audit && { audit: deps.audit(requestId, principal) }),
  };
}
