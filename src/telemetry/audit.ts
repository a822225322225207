/**
 * The access log's appends, observed: an `audit.append` span (kind request|mutation) and, per kind, the
 * append's latency until committed and the appends that failed (the response was then withheld).
 */
import { performance } from "node:perf_hooks";
import type { AppendInstrument } from "../audit/writer.js";
import type { GatewayMetrics } from "./metrics.js";
import { inSpan } from "./tracing.js";

export function auditAppendTelemetry(metrics: GatewayMetrics): AppendInstrument {
  return async (kind, run) => {
    const started = performance.now();
    try {
      const result = await inSpan("audit.append", { "safetynet.audit.kind": kind }, () => run());
      metrics.auditAppendDuration.observe({ kind }, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      metrics.auditAppendFailures.inc({ kind });
      throw err;
    }
  };
}
