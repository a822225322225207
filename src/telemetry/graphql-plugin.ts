/**
 * The Apollo side of the request telemetry (request.ts): names the operation span and the request's log
 * lines once the operation is resolved, and hands the response's errors to the request's state. The name
 * is the bounded label of metrics.ts (never variables, never the document).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../graphql/context.js";
import { operationTypeLabel, type GatewayMetrics } from "./metrics.js";
import { GRAPHQL_ATTR, graphqlRequestOf, logOperation } from "./request.js";

export function telemetryPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart(start) {
      const state = graphqlRequestOf(start.contextValue);
      if (!state) return;
      state.audience = start.contextValue?.principal?.audience;
      const response = start.response;
      state.errors = () => (response.body?.kind === "single" ? response.body.singleResult.errors : undefined);
      return {
        async didResolveOperation(rc) {
          state.operation = metrics.operationNames.label(rc.operationName, true);
          state.type = operationTypeLabel(rc.operation?.operation);
          state.span.updateName(`${state.type} ${state.operation}`);
          state.span.setAttributes({ [GRAPHQL_ATTR.name]: state.operation, [GRAPHQL_ATTR.type]: state.type });
          logOperation(state);
        },
      };
    },
  };
}
