/**
 * Telemetry of one gateway server (buildServer calls `gatewayTelemetry` once, right after creating Fastify):
 * request and operation spans and metrics (request.ts, graphql-plugin.ts), authentication failures
 * (auth.ts) and the access log's appends (audit.ts); GET /metrics is src/app/plugins/metrics.ts. Upstream spans are the
 * connector kit's (connectors/kit/tracing.ts), database spans the database's (db-spans.ts); the SDK is
 * started by startTracing (tracing.ts) from the OTEL_* variables.
 */
import type { FastifyInstance } from "fastify";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Registry } from "prom-client";
import type { Verifier } from "../auth/verify.js";
import type { AuditWriter } from "../audit/writer.js";
import type { GatewayContext } from "../graphql/context.js";
import { gatewayMetrics, type GatewayMetrics } from "./metrics.js";
import { bindContext, installRequestTelemetry } from "./request.js";
import { telemetryPlugin } from "./graphql-plugin.js";
import { countingVerifier } from "./auth.js";
import { auditAppendTelemetry } from "./audit.js";

export interface GatewayTelemetry {
  metrics: GatewayMetrics;
  /** Apollo plugin: names the operation (span, log lines, metric labels) */
  plugin: ApolloServerPlugin<GatewayContext>;
  /** the verifier, counting refusals by reason */
  verifier: Verifier;
  /** wrap the GraphQL route's context function's result: links the context to the request's telemetry */
  bindContext: typeof bindContext;
}

export function gatewayTelemetry(
  app: FastifyInstance,
  deps: { registry: Registry; verifier: Verifier; auditWriter?: AuditWriter },
): GatewayTelemetry {
  const metrics = gatewayMetrics(deps.registry);
  installRequestTelemetry(app, metrics);
  if (deps.auditWriter) deps.auditWriter.instrument = auditAppendTelemetry(metrics);
  return { metrics, plugin: telemetryPlugin(metrics), verifier: countingVerifier(deps.verifier, metrics), bindContext };
}
