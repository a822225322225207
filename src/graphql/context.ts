import type { PrismaClient } from "../db/generated/client.js";
import type { SqlExecutor } from "../db/sql.js";
import { createRegistryLoaders } from "../features/households/loaders.js";
import { RequestMemo } from "../features/memo.js";
import type { RequestDeps } from "../features/request.js";
import type { Principal } from "../auth/principal.js";
import type { DepartmentMode, LoaderOptions, Loaders, MirrorService } from "../../connectors/kit/index.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import { householdScope } from "../policy/scope.js";
import type { OperationPlan } from "../policy/plan.js";
import type { RequestAudit } from "../audit/request.js";
import type { AlertFeed } from "../features/monitoring/raised.js";

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
  /** `live: true` on a root field sets `live`: this request's department records are read from the systems */
  departments: DepartmentMode;
  /** the department mirror (absent: every department read is live) */
  mirror?: MirrorService;
  /** subscriptions (graphql-ws): the stream of alerts the monitoring runs raise */
  alertFeed?: AlertFeed;
}

export interface ContextDeps {
  prisma: PrismaClient;
  /** the gateway's own SQL executor: the hot registry loaders (household, members) read through it instead of Prisma */
  sql?: SqlExecutor;
  pseudonyms: Pseudonymizer;
  /** `live`: the request's live loaders, told when a batch goes to a department system (the early access record) */
  sources: (mode: DepartmentMode, live: LoaderOptions) => Loaders;
  mirror?: MirrorService;
  enforcePolicy: boolean;
  /** per-request audit state (absent: no audit log) */
  audit?: (requestId: string, principal: Principal) => RequestAudit;
}

export function createContext(deps: ContextDeps, requestId: string, principal: Principal, now = new Date()): GatewayContext {
  const scope = householdScope(principal.jurisdiction);
  const departments: DepartmentMode = { live: false };
  const audit = deps.audit?.(requestId, principal);
  return {
    requestId,
    prisma: deps.prisma,
    principal,
    scope,
    enforcePolicy: deps.enforcePolicy,
    loaders: createRegistryLoaders(deps.prisma, scope, deps.sql && { sql: deps.sql, jurisdiction: principal.jurisdiction }),
    // a query's access record is committed while its department calls are out (RequestAudit.departmentCallsStarted)
    sources: deps.sources(departments, audit ? { onBatch: audit.departmentCallsStarted } : {}),
    departments,
    ...(deps.mirror && { mirror: deps.mirror }),
    pseudonyms: deps.pseudonyms,
    now,
    memo: new RequestMemo(),
    ...(audit && { audit }),
  };
}
