/**
 * Per-request telemetry at the HTTP edge (Fastify):
 *   - a SERVER span per HTTP request (`POST /graphql`; a caller's W3C traceparent is its parent), ended
 *     when the response has been sent, with the status code; probes (/healthz, /readyz, /metrics) have none;
 *   - around the GraphQL route's handler, the operation span (`graphql.operation`, renamed
 *     "<type> <name>" once the operation is resolved) made active, so resolvers, upstream calls, database
 *     work and the audit append are its children; when the handler is done, the operation is counted
 *     (name, type, audience; duration; errors by code) — after every Apollo plugin has had its say, so an
 *     access record's failure (AUDIT_UNAVAILABLE) is counted as what the client got;
 *   - 429 answers counted (rate-limit rejections), before they are sent.
 * The GraphQL plugin (graphql-plugin.ts) reaches this request's state through `currentGraphqlRequest()`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from "fastify";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from "@opentelemetry/api";
import type { GraphQLFormattedError } from "graphql";
import { tracer } from "./tracing.js";
import { OPERATION_LABEL, audienceLabel, errorCodeLabel, type GatewayMetrics } from "./metrics.js";
import { CLIENT_CODES } from "../graphql/format-error.js";
import { ErrorCode } from "../errors.js";

/** Routes polled by probes and scrapers: no span. */
const UNTRACED = new Set(["/healthz", "/readyz", "/metrics"]);
/** Codes labelled as themselves in gateway_graphql_errors_total. */
const KNOWN_CODES: ReadonlySet<string> = new Set([...CLIENT_CODES, ...Object.values(ErrorCode)]);

export const GRAPHQL_ATTR = {
  name: "graphql.operation.name",
  type: "graphql.operation.type",
  audience: "safetynet.audience",
  errorCodes: "safetynet.graphql.error_codes",
} as const;

/** What the GraphQL plugin learns about the request's operation. */
export interface GraphqlRequestState {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly span: Span;
  operation: string;
  type: string;
  audience?: string;
  /** the response's errors as the client gets them (read when the handler is done) */
  errors?: () => readonly GraphQLFormattedError[] | undefined;
}

const store = new AsyncLocalStorage<GraphqlRequestState>();

/** The GraphQL request being handled (undefined outside the /graphql route, e.g. apollo.executeOperation). */
export function currentGraphqlRequest(): GraphqlRequestState | undefined {
  return store.getStore();
}

/** Gives this request's log lines (Fastify's "request completed" among them) the operation name. */
export function logOperation(state: GraphqlRequestState): void {
  const log: FastifyBaseLogger = state.request.log.child({ operationName: state.operation });
  state.request.log = log;
  state.reply.log = log;
}

const httpSpans = new WeakMap<FastifyRequest, Span>();

function endHttpSpan(req: FastifyRequest, status: number | null): void {
  const span = httpSpans.get(req);
  if (!span) return;
  httpSpans.delete(req);
  if (status === null) {
    span.setAttribute("error.type", "aborted");
    span.setStatus({ code: SpanStatusCode.ERROR, message: "aborted" });
  } else {
    span.setAttribute("http.response.status_code", status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Installs the hooks on the root instance, before any route is registered. */
export function installRequestTelemetry(app: FastifyInstance, metrics: GatewayMetrics, graphqlPath = "/graphql"): void {
  app.addHook("onRequest", async (req) => {
    const route = req.routeOptions.url;
    if (route !== undefined && UNTRACED.has(route)) return;
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      `${req.method} ${route ?? "(unmatched)"}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method, "http.route": route ?? "(unmatched)", "safetynet.request_id": req.id } },
      parent,
    );
    httpSpans.set(req, span);
  });
  app.addHook("onSend", async (req, reply, payload) => {
    if (reply.statusCode === 429) metrics.rateLimited.inc({ limit: req.principal ? "principal" : "client_address" });
    return payload;
  });
  app.addHook("onResponse", async (req, reply) => endHttpSpan(req, reply.statusCode));
  app.addHook("onRequestAbort", async (req) => endHttpSpan(req, null));

  app.addHook("onRoute", (route) => {
    if (route.url !== graphqlPath) return;
    const handler = route.handler as (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;
    const wrapped: RouteHandlerMethod = async function (this: FastifyInstance, req, reply) {
      const started = performance.now();
      const httpSpan = httpSpans.get(req);
      const parent = httpSpan ? trace.setSpan(context.active(), httpSpan) : context.active();
      const span = tracer.startSpan("graphql.operation", { kind: SpanKind.INTERNAL }, parent);
      const state: GraphqlRequestState = { request: req, reply, span, operation: OPERATION_LABEL.unresolved, type: OPERATION_LABEL.unresolved };
      try {
        return await context.with(trace.setSpan(parent, span), () => store.run(state, () => handler.call(this, req, reply)));
      } finally {
        finish(metrics, state, (performance.now() - started) / 1000);
      }
    };
    route.handler = wrapped;
  });
}

function finish(metrics: GatewayMetrics, state: GraphqlRequestState, seconds: number): void {
  const { span } = state;
  const labels = { operation: state.operation, type: state.type, audience: audienceLabel(state.audience) };
  metrics.operations.inc(labels);
  metrics.operationDuration.observe(labels, seconds);
  const codes = (state.errors?.() ?? []).map((e) => errorCodeLabel(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR, KNOWN_CODES));
  for (const code of codes) metrics.errors.inc({ code });
  span.setAttribute(GRAPHQL_ATTR.audience, labels.audience);
  if (codes.length) {
    const distinct = [...new Set(codes)].sort();
    span.setAttribute(GRAPHQL_ATTR.errorCodes, distinct);
    span.setStatus({ code: SpanStatusCode.ERROR, message: distinct.join(",") });
  }
  span.end();
}

/** A logger for Apollo plugins (ErrorLog): each line gets the current GraphQL request's operation name. */
export function withOperationName<L extends { error(obj: object, msg: string): void }>(log: L): { error(obj: object, msg: string): void } {
  return {
    error(obj, msg) {
      const state = currentGraphqlRequest();
      log.error(state ? { ...obj, operationName: state.operation } : obj, msg);
    },
  };
}
