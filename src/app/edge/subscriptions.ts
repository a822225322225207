/**
 * Subscriptions over graphql-ws on the gateway's own HTTP server (path /graphql, WebSocket upgrade only;
 * a subscription sent over plain HTTP is still refused by the input guard). Each connection authenticates
 * once with the bearer token in connection_init's payload (`{ authorization: "Bearer …" }`), verified like an
 * HTTP request's; a bad token closes the connection (4403). Each subscription is planned against the field
 * policy like any operation (a denied field refuses it) and recorded in the access log when it starts; every
 * alert delivered is recorded too, with the household and person it discloses — as a query's answer is.
 */
import type { Server } from "node:http";
import { createHash, randomUUID } from "node:crypto";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { GraphQLError, getOperationAST, parse, validate, type ExecutionArgs, type GraphQLSchema } from "graphql";
import type { Verifier } from "../../auth/verify.js";
import type { Principal } from "../../auth/principal.js";
import { createContext, type ContextDeps, type GatewayContext } from "../../graphql/context.js";
import { planOperation } from "../../policy/plan.js";
import { RequestAudit } from "../../audit/request.js";
import type { AuditWriter } from "../../audit/writer.js";
import type { Digester } from "../../audit/digest.js";
import type { Disclosure } from "../../audit/record.js";
import type { AlertFeed } from "../../features/monitoring/raised.js";

export interface SubscriptionDeps {
  server: Server;
  schema: GraphQLSchema;
  verifier: Verifier;
  contextDeps: ContextDeps;
  feed: AlertFeed;
  enforcePolicy: boolean;
  audit?: { writer: AuditWriter; digest: Digester };
  clock: () => Date;
  onError: (err: unknown) => void;
}

type Extra = { principal?: Principal };

export function serveSubscriptions(deps: SubscriptionDeps): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: deps.server, path: "/graphql" });
  const fieldsOf = new WeakMap<object, Record<string, Disclosure>>();
  const record = async (ctx: GatewayContext, args: ExecutionArgs, households: (string | null)[], persons: (string | null)[]) => {
    if (!deps.audit) return;
    const a = new RequestAudit(deps.audit.writer, ctx.requestId, ctx.principal, deps.audit.digest, deps.clock);
    const op = getOperationAST(args.document, args.operationName);
    a.operation = {
      operationType: "subscription",
      operationName: op?.name?.value ?? null,
      documentHash: createHash("sha256").update(JSON.stringify(args.document.loc?.source.body ?? "")).digest("hex"),
      variablesHash: a.digest(args.variableValues ?? {}),
      fields: fieldsOf.get(args.document) ?? {},
      recordable: true,
    };
    a.disclose({ households, persons });
    await deps.audit.writer.append(a.entry("OK", [], null));
  };
  const cleanup = useServer<Record<string, unknown>, Extra>(
    {
      schema: deps.schema,
      async onConnect(ctx) {
        const auth = ctx.connectionParams?.authorization;
        try {
          (ctx.extra as Extra).principal = await deps.verifier.verify(typeof auth === "string" ? auth : undefined);
          return true;
        } catch {
          return false; // 4403 Forbidden
        }
      },
      async onSubscribe(ctx, _id, payload) {
        const principal = (ctx.extra as Extra).principal!;
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError("Syntax Error")];
        }
        const errors = validate(deps.schema, document);
        if (errors.length) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation || operation.operation !== "subscription") return [new GraphQLError("Only subscriptions are served over this connection", { extensions: { code: "BAD_REQUEST" } })];
        let executed = document;
        if (deps.enforcePolicy) {
          try {
            const plan = planOperation(deps.schema, document, operation, principal.audience);
            if (plan.denied.length) throw new GraphQLError(`Your audience may not read ${plan.denied.map((d) => d.coordinate).join(", ")}`, { extensions: { code: "FORBIDDEN" } });
            executed = plan.document;
            fieldsOf.set(executed, Object.fromEntries([...plan.read.map((c) => [c, "read" as const]), ...plan.masked.map((m) => [m.coordinate, "masked" as const])]));
          } catch (err) {
            return [err instanceof GraphQLError ? err : new GraphQLError("Forbidden", { extensions: { code: "FORBIDDEN" } })];
          }
        }
        const contextValue: GatewayContext = { ...createContext(deps.contextDeps, randomUUID(), principal, deps.clock()), alertFeed: deps.feed };
        const args: ExecutionArgs = { schema: deps.schema, document: executed, operationName: payload.operationName, variableValues: payload.variables ?? undefined, contextValue };
        // the subscription itself is recorded when it starts (who asked for what)
        await record(contextValue, args, [], []).catch(deps.onError);
        return args;
      },
      async onNext(_ctx, _id, _payload, args, result) {
        const alert = (result.data as { alertRaised?: { householdId?: string; personId?: string | null } } | undefined)?.alertRaised;
        if (alert) await record(args.contextValue as GatewayContext, args, [alert.householdId ?? null], [alert.personId ?? null]).catch(deps.onError);
      },
    },
    wss,
  );
  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
