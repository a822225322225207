/**
 * The audit plugin: an access record per operation that can return household or person data, committed
 * before the response leaves. When the record cannot be written the response is replaced by an
 * AUDIT_UNAVAILABLE error and carries no data (fail closed). A live query's record may already be in the
 * chain, written while its department calls were out (RequestAudit.departmentCallsStarted); `commit` keeps it
 * when the response says the same and appends the response's own record otherwise.
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
import { disclosureOf, outcomeOf, type Disclosure, type PlanCoordinates } from "./record.js";
import type { OperationInfo } from "./request.js";
import type { AuditWriter } from "./writer.js";
import type { ErrorLog } from "../graphql/format-error.js";
import { AUDIT_UNAVAILABLE_MESSAGE, ErrorCode } from "../errors.js";

/** Root fields that return no household or person data: an operation of only these is not recorded. */
export const UNRECORDED_ROOT_FIELDS: ReadonlySet<string> = new Set(["Query.policyParameters", "Query._service"]);

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

/** The operation type of a record whose operation could not be resolved (never reached planning). */
export const UNRESOLVED = "unresolved";
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;
/** A client-given operationName goes into the record only when it is a GraphQL name (no NUL, no 10 kB). */
const nameOrNull = (name: unknown) => (typeof name === "string" && GRAPHQL_NAME.test(name) ? name : null);

/** An operation's coordinates with how each was disclosed, and whether an operation of them is recorded. */
interface Disclosed {
  fields: Record<string, Disclosure>;
  recordable: boolean;
}

export function auditPlugin(schema: GraphQLSchema, writer: AuditWriter, log?: ErrorLog): ApolloServerPlugin<GatewayContext> {
  const rules = permissiveRules(schema);
  const disclosedOf = (operation: OperationDefinitionNode, plan: PlanCoordinates): Disclosed => {
    const fields = disclosureOf(plan);
    const root = schema.getRootType(operation.operation)?.name ?? "";
    return { fields, recordable: Object.keys(fields).some((c) => c.startsWith(`${root}.`) && !UNRECORDED_ROOT_FIELDS.has(c)) };
  };
  // Plans are cached per document by the authorization plugin, so what they disclose is computed once per
  // plan here too: a repeated query costs map lookups, not a walk of its coordinates per request.
  const byPlan = new WeakMap<OperationPlan, Disclosed>();
  const planned = (operation: OperationDefinitionNode, plan: OperationPlan): Disclosed => {
    let d = byPlan.get(plan);
    if (!d) byPlan.set(plan, (d = disclosedOf(operation, plan)));
    return d;
  };
  // Without a plan (FIELD_POLICY=off) or refused before execution: every coordinate the operation asked
  // for, read (or denied), per (document, operation name).
  const unplanned = new WeakMap<object, Map<string, { all: Disclosed; refused: Disclosed }>>();
  const allFieldsOf = (rc: Rc, operation: OperationDefinitionNode, refused: boolean): Disclosed => {
    let perDoc = unplanned.get(rc.document!);
    if (!perDoc) unplanned.set(rc.document!, (perDoc = new Map()));
    const key = rc.operationName ?? "";
    let p = perDoc.get(key);
    if (!p) {
      const all = planOperation(schema, rc.document!, operation, "civil_affairs", rules);
      perDoc.set(
        key,
        (p = {
          all: disclosedOf(operation, all),
          refused: disclosedOf(operation, { read: [], masked: [], denied: all.read.map((coordinate) => ({ coordinate })) }),
        }),
      );
    }
    return refused ? p.refused : p.all;
  };

  const operationInfo = (rc: Rc, refused: boolean): OperationInfo | null => {
    const ctx = rc.contextValue;
    const operation = rc.operation;
    if (!ctx.audit) return null;
    const documentHash = rc.queryHash ?? createHash("sha256").update(rc.source ?? "").digest("hex");
    const variablesHash = ctx.audit.digest(rc.request.variables ?? {});
    // refused before an operation was resolved (a syntax or validation error, several operations and no
    // operationName, an unknown operationName): what was asked for is the document and the variables
    if (!operation)
      return { operationType: UNRESOLVED, operationName: nameOrNull(rc.request.operationName), documentHash, variablesHash, fields: {}, recordable: true };
    // an operation type the schema does not serve (subscription): nothing could be planned
    if (!schema.getRootType(operation.operation))
      return { operationType: operation.operation, operationName: rc.operationName ?? null, documentHash, variablesHash, fields: {}, recordable: true };
    const { fields, recordable } = ctx.plan && !refused ? planned(operation, ctx.plan) : allFieldsOf(rc, operation, refused);
    return {
      operationType: operation.operation,
      operationName: rc.operationName ?? null,
      documentHash,
      variablesHash,
      fields,
      // every refusal is recorded, whatever it asked for (probing is what an auditor looks for)
      recordable: recordable || refused,
    };
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
          if (!audit || !ctx.principal || rc.response.body.kind !== "single") return;
          const result = rc.response.body.singleResult;
          const codes = (result.errors ?? []).map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
          // data: at least one root field answered (a nullable root nulled by its error disclosed nothing)
          const hasData = result.data !== null && result.data !== undefined && Object.values(result.data).some((v) => v !== null);
          // Refused: never executed (refused by a plugin, at parsing, validation or operation resolution), or
          // executed without a `data` key because its variables did not coerce (graphql-js answers so only
          // when the operation could not start). A refused operation records what it asked for as denied.
          const refused =
            audit.operation === null || (result.data === undefined && codes.length > 0 && codes.every((c) => c === ErrorCode.BAD_USER_INPUT));
          try {
            if (refused && !audit.recorded.length) audit.operation = operationInfo(rc, true);
            if (!audit.operation?.recordable) return;
            if (audit.recorded.length && !audit.failed) return; // a mutation recorded itself, with its diff
            if (audit.failed) throw new Error("the mutation's record could not be appended", { cause: audit.failure });
            await audit.commit(audit.entry(outcomeOf(hasData, codes, refused), codes, null));
          } catch (err) {
            // the database's own error, not only that there was one (a mutation's failed append keeps it as the cause)
            const cause = err instanceof Error && err.cause !== undefined ? err.cause : undefined;
            log?.error({ err, ...(cause !== undefined && { cause }), requestId: ctx.requestId }, "audit log unavailable: response withheld");
            delete result.data;
            delete result.extensions;
            result.errors = [
              { message: AUDIT_UNAVAILABLE_MESSAGE, extensions: { code: ErrorCode.AUDIT_UNAVAILABLE, requestId: ctx.requestId } },
            ];
            rc.response.http.status = 503;
          }
        },
      };
    },
  };
}
