import type { PrismaClient } from "../db/generated/client.js";
import { createRegistryLoaders } from "../features/households/loaders.js";
import { RequestMemo } from "../features/memo.js";
import type { RequestDeps } from "../features/request.js";
import type { Principal } from "../auth/principal.js";
import type { Loaders } from "../../connectors/kit/index.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import { householdScope } from "../policy/scope.js";
import type { OperationPlan } from "../policy/plan.js";
import type { RequestAudit } from "../audit/request.js";

/**
 * Everything a resolver may use for one request: the feature services' dependencies (RequestDeps, which
 * resolvers hand to the services) and what only the GraphQL layer uses. Built fresh per request: nothing
 * here is shared.
 */
export interface GatewayContext extends RequestDeps {
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
    memo: new RequestMemo(),
    ...(deps.audit && { audit: deps.audit(requestId, principal) }),
  };
}
