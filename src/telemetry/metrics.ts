/**
 * The gateway's own Prometheus metrics (beside the upstream families of connectors/kit/metrics.ts), on the
 * gateway's registry — the one /metrics serves, passed to buildServer as `metrics`. Other parts add their
 * families to that same registry the same way: a function `xxxMetrics(registry)` that registers once per
 * registry (WeakMap), never on prom-client's global registry.
 *
 * Label values are bounded: operation names pass through `OperationNames` (a fixed set of placeholders for
 * unnamed, malformed and unresolved operations, and at most OPERATION_NAME_LIMIT distinct names, then
 * "(other)"); audiences, operation types, error codes, authentication reasons and audit kinds are closed sets.
 */
import { Counter, Histogram, type Registry } from "prom-client";
import { AUDIENCES } from "../auth/principal.js";
import { AUTH_FAILURE_REASONS } from "../auth/errors.js";

export const GATEWAY_METRIC_NAMES = {
  operations: "gateway_graphql_operations_total",
  operationDuration: "gateway_graphql_operation_duration_seconds",
  errors: "gateway_graphql_errors_total",
  authFailures: "gateway_auth_failures_total",
  rateLimited: "gateway_rate_limit_rejections_total",
  auditAppendDuration: "gateway_audit_append_duration_seconds",
  auditAppendFailures: "gateway_audit_append_failures_total",
} as const;

/** Placeholders of operation names that are not used as labels as sent. */
export const OPERATION_LABEL = {
  anonymous: "(anonymous)",
  invalid: "(invalid)",
  unresolved: "(unresolved)",
  other: "(other)",
} as const;

/** Distinct operation names labelled as themselves per process; later new names count as "(other)". */
export const OPERATION_NAME_LIMIT = 200;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** Maps a client's operation name to a bounded label (also used on spans and log lines). */
export class OperationNames {
  private readonly seen = new Set<string>();
  constructor(private readonly limit = OPERATION_NAME_LIMIT) {}

  /** `resolved`: whether an operation was resolved (a parse or validation failure has none). */
  label(name: string | null | undefined, resolved: boolean): string {
    if (!resolved) return OPERATION_LABEL.unresolved;
    if (name === null || name === undefined || name === "") return OPERATION_LABEL.anonymous;
    if (!GRAPHQL_NAME.test(name)) return OPERATION_LABEL.invalid;
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.limit) return OPERATION_LABEL.other;
    this.seen.add(name);
    return name;
  }
}

export const OPERATION_TYPES = ["query", "mutation", "subscription"] as const;
/** An operation type label: the three GraphQL types, or "(unresolved)". */
export function operationTypeLabel(type: string | undefined): string {
  return (OPERATION_TYPES as readonly string[]).includes(type ?? "") ? type! : OPERATION_LABEL.unresolved;
}

/** The audience label: one of AUDIENCES, or "(none)" before authentication. */
export function audienceLabel(audience: string | undefined): string {
  return (AUDIENCES as readonly string[]).includes(audience ?? "") ? audience! : "(none)";
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Known codes are labelled as themselves; anything else (never expected: formatError masks) as "OTHER". */
export function errorCodeLabel(code: unknown, known: ReadonlySet<string>): string {
  return typeof code === "string" && ERROR_CODE.test(code) && known.has(code) ? code : "OTHER";
}

export type AuditAppendKind = "request" | "mutation";

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly operationNames: OperationNames;
  operations: Counter<"operation" | "type" | "audience">;
  operationDuration: Histogram<"operation" | "type" | "audience">;
  errors: Counter<"code">;
  authFailures: Counter<"reason">;
  rateLimited: Counter<"limit">;
  auditAppendDuration: Histogram<"kind">;
  auditAppendFailures: Counter<"kind">;
}

const cache = new WeakMap<Registry, GatewayMetrics>();

/** The gateway's metrics, registered once on `registry`. */
export function gatewayMetrics(registry: Registry): GatewayMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: GatewayMetrics = {
    registry,
    operationNames: new OperationNames(),
    operations: new Counter({
      name: GATEWAY_METRIC_NAMES.operations,
      help: "GraphQL operations answered, by operation name (bounded), type and audience",
      labelNames: ["operation", "type", "audience"] as const,
      registers,
    }),
    operationDuration: new Histogram({
      name: GATEWAY_METRIC_NAMES.operationDuration,
      help: "Time from the GraphQL request's start in Apollo to its response (access record included)",
      labelNames: ["operation", "type", "audience"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    errors: new Counter({
      name: GATEWAY_METRIC_NAMES.errors,
      help: "Errors in GraphQL responses, by extensions.code (one per error entry)",
      labelNames: ["code"] as const,
      registers,
    }),
    authFailures: new Counter({
      name: GATEWAY_METRIC_NAMES.authFailures,
      help: "Refused authentications, by reason (the UNAUTHENTICATED error's extensions.reason)",
      labelNames: ["reason"] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: GATEWAY_METRIC_NAMES.rateLimited,
      help: "Requests answered 429 RATE_LIMITED: limit=principal (per authenticated principal) or client_address (failed authentications per address)",
      labelNames: ["limit"] as const,
      registers,
    }),
    auditAppendDuration: new Histogram({
      name: GATEWAY_METRIC_NAMES.auditAppendDuration,
      help: "Time to append one access record until committed (kind=request: group commit; kind=mutation: inside the mutation's transaction)",
      labelNames: ["kind"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    auditAppendFailures: new Counter({
      name: GATEWAY_METRIC_NAMES.auditAppendFailures,
      help: "Access records that could not be appended (the response was withheld: AUDIT_UNAVAILABLE)",
      labelNames: ["kind"] as const,
      registers,
    }),
  };
  // every closed-set series exists from the start at 0, so a rate() sees its first increment
  for (const reason of AUTH_FAILURE_REASONS) m.authFailures.inc({ reason }, 0);
  for (const limit of ["principal", "client_address"]) m.rateLimited.inc({ limit }, 0);
  for (const kind of ["request", "mutation"]) m.auditAppendFailures.inc({ kind }, 0);
  cache.set(registry, m);
  return m;
}
