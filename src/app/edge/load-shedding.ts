/**
 * Load shedding for /graphql: when the gateway is already working on `maxInFlight` GraphQL requests (or,
 * when configured, its event loop lags more than `maxEventLoopDelayMs`), a new request is answered at
 * once — HTTP 503, `Retry-After`, and the GraphQL error shape with code OVERLOADED — instead of joining a
 * pile of work that would end in timeouts. Nothing is remembered: the next request after the load falls is
 * served normally.
 *
 * Metrics: `gateway_graphql_in_flight` (now), `gateway_requests_shed_total{reason}`.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import { ErrorCode } from "../../errors.js";

export interface LoadSheddingOptions {
  /** most GraphQL requests in progress at once; 0 = no limit */
  maxInFlight: number;
  /** shed while the event loop's delay (p99 over the last second) is above this; 0 = off */
  maxEventLoopDelayMs: number;
  /** the Retry-After a shed request gets (seconds) */
  retryAfterSeconds: number;
  registry: Registry;
}

export type ShedReason = "in_flight" | "event_loop_delay";

/** Add the shedding hook to `scope` (the GraphQL routes' encapsulation context). */
export function addLoadShedding(scope: FastifyInstance, options: LoadSheddingOptions): void {
  const { maxInFlight, maxEventLoopDelayMs, retryAfterSeconds, registry } = options;
  let inFlight = 0;
  new Gauge({ name: "gateway_graphql_in_flight", help: "GraphQL requests in progress now", registers: [registry], collect() { this.set(inFlight); } });
  const shed = new Counter({
    name: "gateway_requests_shed_total",
    help: "GraphQL requests answered 503 OVERLOADED at once, by reason (in_flight: too many in progress; event_loop_delay: the process lags)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  shed.inc({ reason: "in_flight" }, 0);
  shed.inc({ reason: "event_loop_delay" }, 0);

  let lagging = false;
  let histogram: IntervalHistogram | null = null;
  let timer: NodeJS.Timeout | null = null;
  if (maxEventLoopDelayMs > 0) {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    histogram = h;
    timer = setInterval(() => {
      lagging = h.percentile(99) / 1e6 > maxEventLoopDelayMs;
      h.reset();
    }, 1000);
    timer.unref();
  }
  scope.addHook("onClose", async () => {
    if (timer) clearInterval(timer);
    histogram?.disable();
  });

  scope.addHook("onRequest", async (req, reply) => {
    const reason: ShedReason | null = maxInFlight > 0 && inFlight >= maxInFlight ? "in_flight" : lagging ? "event_loop_delay" : null;
    if (reason) {
      shed.inc({ reason });
      return reply
        .code(503)
        .header("retry-after", String(retryAfterSeconds))
        .header("cache-control", "no-store")
        .type("application/json")
        .send({ errors: [{ message: "The gateway is overloaded; retry shortly", extensions: { code: ErrorCode.OVERLOADED, retryAfterSeconds, requestId: req.id } }] });
    }
    inFlight++;
    let done = false;
    reply.raw.once("close", () => {
      if (done) return;
      done = true;
      inFlight--;
    });
  });
}
