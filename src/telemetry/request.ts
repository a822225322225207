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
 * The GraphQL plugin (graphql-plugin.ts) reaches this request's state through its GraphQL context
 * (`bindContext` links the two when the context is made): no AsyncLocalStorage of our own, which would turn on
 * promise hooks for every promise of the process even with tracing off (the OpenTelemetry SDK, once started,
 * brings its own for the active span).
 */
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

const byRequest = new WeakMap<FastifyRequest, GraphqlRequestState>();
/** on the context object itself: Apollo runs each operation with a shallow copy of it (symbols are copied) */
const STATE = Symbol("safetynet.telemetry");
/** for log lines, which carry only the request id (a client may reuse one: the latest request wins) */
const byRequestId = new Map<string, GraphqlRequestState>();

/** Links a request's GraphQL context to its telemetry state (call from the route's context function). */
export function bindContext<C extends object>(request: FastifyRequest, contextValue: C): C {
  const state = byRequest.get(request);
  if (state) Object.assign(contextValue, { [STATE]: state });
  return contextValue;
}

/** The telemetry state of the GraphQL request with this context (undefined outside the /graphql route). */
export function graphqlRequestOf(contextValue: object | undefined): GraphqlRequestState | undefined {
  return (contextValue as { [STATE]?: GraphqlRequestState } | undefined)?.[STATE];
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
      byRequest.set(req, state);
      byRequestId.set(req.id, state);
      try {
        return await context.with(trace.setSpan(parent, span), () => handler.call(this, req, reply));
      } finally {
        if (byRequestId.get(req.id) === state) byRequestId.delete(req.id);
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

/** A logger for Apollo plugins (ErrorLog): a line with a `requestId` gets that request's operation name. */
export function withOperationName<L extends { error(obj: object, msg: string): void }>(log: L): { error(obj: object, msg: string): void } {
  return {
    error(obj, msg) {
      const id = (obj as { requestId?: unknown }).requestId;
      const state = typeof id === "string" ? byRequestId.get(id) : undefined;
      log.error(state ? { ...obj, operationName: state.operation } : obj, msg);
    },
  };
}
