/**
 * The audit plugin: one access record per operation that can return household or person data, committed
 * before the response leaves. When the record cannot be written the response is replaced by an
 * AUDIT_UNAVAILABLE error and carries no data (fail closed).
 *
 * "How disclosed" comes from the operation plan (src/policy/plan.ts: read / masked / denied per field
 * coordinate). With FIELD_POLICY=off every field counts as read; a refused operation records what it
 * asked for as denied.
 */
import { createHash } from "node:crypto";
import type { ApolloServerPlugin, GraphQLRequestContext } from "@apollo/server";
import { isObjectType, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { GatewayContext } from "../graphql/context.js";
import { planOperation, type OperationPlan } from "../policy/plan.js";
import { AUDIENCES } from "../auth/principal.js";
import type { PolicyRules } from "../policy/rules.js";
import { disclosureOf, outcomeOf, type Disclosure } from "./record.js";
import type { OperationInfo } from "./request.js";
import type { AuditWriter } from "./writer.js";
import type { ErrorLog } from "../graphql/format-error.js";

/** Root fields that return no household or person data: an operation of only these is not recorded. */
export const UNRECORDED_ROOT_FIELDS: ReadonlySet<string> = new Set(["Query.policyParameters"]);

/** Every field readable by everyone: the plan of an operation when no field policy applies. */
function permissiveRules(schema: GraphQLSchema): PolicyRules {
  const everyone = Object.fromEntries(AUDIENCES.map((a) => [a, "read" as const]));
  const rules: PolicyRules = {};
  for (const type of Object.values(schema.getTypeMap()))
    if (isObjectType(type) && !type.name.startsWith("__"))
      rules[type.name] = Object.fromEntries(Object.keys(type.getFields()).map((f) => [f, everyone]));
  return rules;
}

type Rc = GraphQLRequestContext<GatewayContext>;

export function auditPlugin(schema: GraphQLSchema, writer: AuditWriter, log?: ErrorLog): ApolloServerPlugin<GatewayContext> {
  const rules = permissiveRules(schema);
  const everything = new WeakMap<object, Map<string, OperationPlan>>();
  const allFieldsOf = (rc: Rc, operation: OperationDefinitionNode): OperationPlan => {
    let perDoc = everything.get(rc.document!);
    if (!perDoc) everything.set(rc.document!, (perDoc = new Map()));
    const key = rc.operationName ?? "";
    let p = perDoc.get(key);
    if (!p) perDoc.set(key, (p = planOperation(schema, rc.document!, operation, "civil_affairs", rules)));
    return p;
  };

  const operationInfo = (rc: Rc, refused: boolean): OperationInfo | null => {
    const ctx = rc.contextValue;
    const operation = rc.operation;
    if (!operation || !ctx.audit) return null;
    let fields: Record<string, Disclosure>;
    if (ctx.plan && !refused) fields = disclosureOf(ctx.plan);
    else {
      const all = allFieldsOf(rc, operation);
      fields = disclosureOf(refused ? { read: [], masked: [], denied: all.read.map((coordinate) => ({ coordinate })) } : all);
    }
    return {
      operationType: operation.operation,
      operationName: rc.operationName ?? null,
      documentHash: rc.queryHash ?? createHash("sha256").update(rc.source ?? "").digest("hex"),
      variablesHash: ctx.audit.digest(rc.request.variables ?? {}),
      fields,
    };
  };

  const recordable = (rc: Rc, info: OperationInfo) => {
    const root = schema.getRootType(rc.operation!.operation)?.name ?? "";
    return Object.keys(info.fields).some((c) => c.startsWith(`${root}.`) && !UNRECORDED_ROOT_FIELDS.has(c));
  };

  return {
    async requestDidStart() {
      return {
        async executionDidStart(rc) {
          // the plan is final here (the authorization plugin's didResolveOperation has run)
          const audit = rc.contextValue.audit;
          if (audit && !audit.operation) audit.operation = operationInfo(rc, false);
        },
        async willSendResponse(rc) {
          const ctx = rc.contextValue;
          const audit = ctx?.audit;
          if (!audit || !ctx.principal || !rc.operation || rc.response.body.kind !== "single") return;
          const result = rc.response.body.singleResult;
          const executed = audit.operation !== null;
          if (!audit.operation) audit.operation = operationInfo(rc, true); // refused before execution
          if (!audit.operation || !recordable(rc, audit.operation)) return;
          if (audit.recorded.length && !audit.failed) return; // a mutation recorded itself, with its diff
          const codes = (result.errors ?? []).map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
          const hasData = result.data !== null && result.data !== undefined;
          try {
            if (audit.failed) throw new Error("the mutation's record could not be appended");
            await writer.append(audit.entry(outcomeOf(hasData, codes, !executed), codes, null));
          } catch (err) {
            log?.error({ err, requestId: ctx.requestId }, "audit log unavailable: response withheld");
            delete result.data;
            delete result.extensions;
            result.errors = [
              {
                message: "The access could not be recorded in the audit log; no data is returned. Try again later.",
                extensions: { code: "AUDIT_UNAVAILABLE", requestId: ctx.requestId },
              },
            ];
            rc.response.http.status = 503;
          }
        },
      };
    },
  };
}
