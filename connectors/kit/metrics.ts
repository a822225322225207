import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { SourceName } from "../../src/domain/records.js";
import type { UpstreamErrorCode } from "./errors.js";

/**
 * Outcome of one attempt to reach a department system. Sent over HTTP: `ok`, `error` (an error status, a bad
 * body, a network error), `timeout` (the deadline passed while it ran), `rate_limited` (HTTP 429),
 * `cancelled` (the caller gave up: the client left, the connectors closed). Never sent: `rejected` (the circuit
 * breaker refused the call), `queue_full` (the concurrency queue was full), `queue_timeout` (the deadline
 * passed while it waited in the queue) and `cancelled` (the caller gave up while it waited).
 */
export type AttemptOutcome = "ok" | "error" | "timeout" | "rate_limited" | "rejected" | "queue_full" | "queue_timeout" | "cancelled";

export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ["ok", "error", "timeout", "rate_limited", "rejected", "queue_full", "queue_timeout", "cancelled"];

/** A fresh registry per gateway instance (never prom-client's global one), so tests don't collide. */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

export interface UpstreamMetrics {
  readonly registry: Registry;
  requests: Counter<"source" | "outcome">;
  duration: Histogram<"source">;
  errors: Counter<"source" | "code">;
  retries: Counter<"source">;
  keys: Counter<"source">;
  batches: Counter<"source">;
  breakerState: Gauge<"source">;
  inFlight: Gauge<"source">;
  inFlightPeak: Gauge<"source">;
  queued: Gauge<"source">;
  /** per source: how many requests wait in its concurrency queue now (read when the metrics are collected) */
  queueProbes: Map<SourceName, () => number>;
}

export const METRIC_NAMES = {
  requests: "gateway_upstream_requests_total",
  duration: "gateway_upstream_request_duration_seconds",
  errors: "gateway_upstream_errors_total",
  retries: "gateway_upstream_retries_total",
  keys: "gateway_upstream_keys_total",
  batches: "gateway_upstream_batches_total",
  breakerState: "gateway_upstream_breaker_state",
  inFlight: "gateway_upstream_in_flight",
  inFlightPeak: "gateway_upstream_in_flight_peak",
  queued: "gateway_upstream_queued",
} as const;

const cache = new WeakMap<Registry, UpstreamMetrics>();

/** The upstream metrics, registered once on `registry` (calling it again with the same registry returns the same set). */
export function upstreamMetrics(registry: Registry): UpstreamMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const queueProbes = new Map<SourceName, () => number>();
  const m: UpstreamMetrics = {
    registry,
    queueProbes,
    requests: new Counter({
      name: METRIC_NAMES.requests,
      help: "Attempts to reach department systems, by outcome (ok|error|timeout|rate_limited|cancelled over HTTP; rejected by the breaker, queue_full, queue_timeout without HTTP)",
      labelNames: ["source", "outcome"] as const,
      registers,
    }),
    duration: new Histogram({
      name: METRIC_NAMES.duration,
      help: "Duration of one HTTP attempt to a department system",
      labelNames: ["source"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    errors: new Counter({
      name: METRIC_NAMES.errors,
      help: "Failed batch loads (or single keys with a bad record) after retries, by error code",
      labelNames: ["source", "code"] as const,
      registers,
    }),
    retries: new Counter({
      name: METRIC_NAMES.retries,
      help: "Retries of department-system calls",
      labelNames: ["source"] as const,
      registers,
    }),
    keys: new Counter({
      name: METRIC_NAMES.keys,
      help: "Keys asked of department systems (after per-request de-duplication)",
      labelNames: ["source"] as const,
      registers,
    }),
    batches: new Counter({
      name: METRIC_NAMES.batches,
      help: "Logical batch loads sent to department systems",
      labelNames: ["source"] as const,
      registers,
    }),
    breakerState: new Gauge({
      name: METRIC_NAMES.breakerState,
      help: "Circuit breaker state per department system: 0 closed, 1 half-open, 2 open, 3 isolated",
      labelNames: ["source"] as const,
      registers,
    }),
    inFlight: new Gauge({
      name: METRIC_NAMES.inFlight,
      help: "HTTP requests to a department system in flight now",
      labelNames: ["source"] as const,
      registers,
    }),
    inFlightPeak: new Gauge({
      name: METRIC_NAMES.inFlightPeak,
      help: "Most HTTP requests to a department system ever in flight at once",
      labelNames: ["source"] as const,
      registers,
    }),
    queued: new Gauge({
      name: METRIC_NAMES.queued,
      help: "HTTP requests to a department system waiting for a concurrency slot now",
      labelNames: ["source"] as const,
      registers,
      collect() {
        for (const [source, probe] of queueProbes) this.set({ source }, probe());
      },
    }),
  };
  cache.set(registry, m);
  return m;
}

/** Per-source handles (label values bound once). */
export interface SourceMetrics {
  readonly source: SourceName;
  attempt(outcome: AttemptOutcome, seconds?: number): void;
  error(code: UpstreamErrorCode, n?: number): void;
  retry(): void;
  keys(n: number): void;
  batch(): void;
  breakerState(value: 0 | 1 | 2 | 3): void;
  /** report the concurrency queue's length through `probe` (read at collection time) */
  observeQueue(probe: () => number): void;
  /** call when an HTTP request starts; the returned function when it ends */
  enter(): () => void;
  /** current and peak in-flight, as tracked here (the gauges mirror these) */
  readonly inFlightNow: number;
  readonly inFlightPeak: number;
}

export function sourceMetrics(metrics: UpstreamMetrics, source: SourceName): SourceMetrics {
  let now = 0;
  let peak = 0;
  metrics.inFlight.set({ source }, 0);
  metrics.inFlightPeak.set({ source }, 0);
  metrics.breakerState.set({ source }, 0);
  for (const outcome of ATTEMPT_OUTCOMES) metrics.requests.inc({ source, outcome }, 0);
  metrics.retries.inc({ source }, 0);
  metrics.keys.inc({ source }, 0);
  metrics.batches.inc({ source }, 0);
  return {
    source,
    attempt(outcome, seconds) {
      metrics.requests.inc({ source, outcome });
      if (seconds !== undefined) metrics.duration.observe({ source }, seconds);
    },
    error(code, n = 1) {
      metrics.errors.inc({ source, code }, n);
    },
    retry() {
      metrics.retries.inc({ source });
    },
    keys(n) {
      metrics.keys.inc({ source }, n);
    },
    batch() {
      metrics.batches.inc({ source });
    },
    breakerState(value) {
      metrics.breakerState.set({ source }, value);
    },
    observeQueue(probe) {
      metrics.queueProbes.set(source, probe);
    },
    enter() {
      now++;
      metrics.inFlight.set({ source }, now);
      if (now > peak) {
        peak = now;
        metrics.inFlightPeak.set({ source }, peak);
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        now--;
        metrics.inFlight.set({ source }, now);
      };
    },
    get inFlightNow() {
      return now;
    },
    get inFlightPeak() {
      return peak;
    },
  };
}
