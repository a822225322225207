import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode, GraphQLSchema } from "graphql";
import type { GatewayContext } from "./context.js";
import { planOperation, forbidden, type OperationPlan } from "../policy/plan.js";
import { applyPlan } from "../policy/apply.js";
import { pseudonymKindOf } from "../policy/pseudonym.js";
import { refuseSuspendedCharity } from "../features/charity/suspension.js";

/**
 * Field authorization, decided once per operation (see src/policy/plan.ts). Plans are cached per
 * (validated document, operation name, audience): Apollo reuses the parsed document for a repeated
 * query, so a hot query costs one map lookup.
 */
export function authorizationPlugin(schema: GraphQLSchema): ApolloServerPlugin<GatewayContext> {
  const cache = new WeakMap<DocumentNode, Map<string, OperationPlan>>();
  return {
    async requestDidStart() {
      let plan: OperationPlan | null = null;
      return {
        async didResolveOperation(rc) {
          const principal = rc.contextValue.principal;
          if (!principal) return; // authorization switched off (bench comparison only)
          const operation = rc.operation;
          if (!operation) return; // unresolvable: refused by the input guard (src/app/edge/input-guard.ts) before anything runs
          if (operation.operation !== "query" && principal.audience === "auditor")
            throw forbidden("Auditors are read-only", "READ_ONLY_AUDIENCE");
          await refuseSuspendedCharity(rc.contextValue, operation);
          const key = `${rc.operationName ?? ""}\u0000${principal.audience}`;
          let perDoc = cache.get(rc.document);
          let p = perDoc?.get(key);
          if (!p) {
            p = planOperation(schema, rc.document, operation, principal.audience);
            if (!perDoc) cache.set(rc.document, (perDoc = new Map()));
            perDoc.set(key, p);
          }
          plan = p;
          rc.contextValue.plan = p;
          if (p.document !== rc.document) (rc as { document: DocumentNode }).document = p.document;
        },
        async willSendResponse(rc) {
          if (!plan || rc.response.body.kind !== "single") return;
          const result = rc.response.body.singleResult;
          if (plan.denied.length === 0 && plan.masked.length === 0) return;
          const principal = rc.contextValue.principal;
          const pseudonyms = rc.contextValue.pseudonyms;
          const errors = applyPlan(plan, result.data as Record<string, unknown> | null, {
            pseudonymize: (value, coordinate) =>
              pseudonyms && principal?.charityId
                ? pseudonyms.encode(principal.charityId, pseudonymKindOf(coordinate), value)
                : "",
          });
          if (errors.length) result.errors = [...(result.errors ?? []), ...errors];
        },
      };
    },
  };
}
