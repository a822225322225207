/**
 * OpenTelemetry traces: the gateway's tracer and the SDK's start.
 *
 * Spans are made explicitly at the gateway's own edges (HTTP request, GraphQL operation, upstream batch,
 * attempt and HTTP call, database query and transaction, audit append), never by auto-instrumentation, so
 * the module loading order does not matter and no attribute is set that was not chosen here: no variables,
 * no document text, no URL path or query (they carry ID numbers), no SQL parameters.
 *
 * Off by default. Without an SDK the API's tracer is a no-op (a span costs an object, nothing is
 * recorded or sent). The SDK starts only when the standard variables ask for an exporter:
 * OTEL_TRACES_EXPORTER (otlp, console) or OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, and not OTEL_SDK_DISABLED=true.
 * Everything else (endpoint, protocol, headers, sampler, service name, resource attributes) is the SDK's
 * own reading of the OTEL_* variables.
 */
import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";

export const TRACER_NAME = "safetynet-gateway";
export const DEFAULT_SERVICE_NAME = "safetynet-gateway";

/** The gateway's tracer (a proxy: it records once a tracer provider is registered, and is a no-op before). */
export const tracer = trace.getTracer(TRACER_NAME);

/**
 * Runs `fn` inside a new active span (child of `parent`, default the active context) and ends the span when
 * `fn` settles; a rejection marks the span as an error (its class name only: messages may name people).
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: { parent?: Context; kind?: SpanKind } = {},
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      markError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** An error's stable code (GraphQL/upstream codes) or class name as the span's status: never its message. */
export function markError(span: Span, err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  const label = typeof code === "string" && /^[A-Z0-9_]{1,64}$/.test(code) ? code : err instanceof Error ? err.name : "Error";
  span.setAttribute("error.type", label);
  span.setStatus({ code: SpanStatusCode.ERROR, message: label });
}

/** Whether the OTEL_* variables ask for trace export (the SDK is started only then). */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (/^(true|1)$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? "")) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters.includes("none")) return false;
  return exporters.length > 0 || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export interface RunningTracing {
  /** flushes the spans still buffered and stops exporting */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK when the OTEL_* variables ask for it (null otherwise: nothing is loaded).
 * Traces only: no log or metric exporter is configured here (metrics are Prometheus's, /metrics).
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<RunningTracing | null> {
  if (!tracingRequested(env)) return null;
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME (the SDK's env detector) wins; this is the name when it is unset
    ...(env.OTEL_SERVICE_NAME?.trim() ? {} : { serviceName: DEFAULT_SERVICE_NAME }),
    instrumentations: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
