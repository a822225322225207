/**
 * Spans of the calls to department systems (OpenTelemetry; no-ops unless a tracer provider is registered):
 *   upstream.batch   one logical batch load: source, batch size (keys), attempts made, error code
 *   upstream.attempt one try of that batch under the retry policy: source, attempt number, batch size
 *   HTTP <METHOD>    one HTTP request (kind CLIENT): source, method, status, server address and port
 * Every HTTP request carries the W3C `traceparent` (and `tracestate`) of its span. No URL path or query is
 * recorded (both carry ID numbers and registry numbers), nor any body.
 */
import { SpanKind, context, propagation, trace, type Context } from "@opentelemetry/api";
import type { SourceName } from "../../src/domain/records.js";

const tracer = trace.getTracer("safetynet-gateway");

export const UPSTREAM_ATTR = {
  source: "safetynet.upstream.source",
  batchSize: "safetynet.upstream.batch_size",
  attempt: "safetynet.upstream.attempt",
  attempts: "safetynet.upstream.attempts",
} as const;

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{1,64}$/.test(code) ? code : err instanceof Error ? err.name : "Error";
}

async function spanned<T>(name: string, kind: SpanKind, attributes: Record<string, string | number>, parent: Context, fn: (ctx: Context, set: (k: string, v: string | number) => void) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => fn(ctx, (k, v) => span.setAttribute(k, v)));
  } catch (err) {
    const code = errorCode(err);
    span.setAttribute("error.type", code);
    span.setStatus({ code: 2 /* ERROR */, message: code });
    throw err;
  } finally {
    span.end();
  }
}

/** One logical batch load; `fn` gets a counter of attempts to report. */
export function batchSpan<T>(source: SourceName, batchSize: number, fn: (attempted: () => number) => Promise<T>): Promise<T> {
  let attempts = 0;
  return spanned("upstream.batch", SpanKind.INTERNAL, { [UPSTREAM_ATTR.source]: source, [UPSTREAM_ATTR.batchSize]: batchSize }, context.active(), async (_ctx, set) => {
    try {
      return await fn(() => ++attempts);
    } finally {
      set(UPSTREAM_ATTR.attempts, attempts);
    }
  });
}

/** One attempt of a batch (`attempt` counts from 1). */
export function attemptSpan<T>(source: SourceName, attempt: number, batchSize: number, fn: () => Promise<T>): Promise<T> {
  return spanned(
    "upstream.attempt",
    SpanKind.INTERNAL,
    { [UPSTREAM_ATTR.source]: source, [UPSTREAM_ATTR.attempt]: attempt, [UPSTREAM_ATTR.batchSize]: batchSize },
    context.active(),
    () => fn(),
  );
}

/**
 * One HTTP request to a department system, as a CLIENT span under `parent` (the caller's context, captured
 * before any queueing); `fn` gets the propagation headers (traceparent) to send and reports the status.
 */
export function httpSpan<T extends { status: number }>(
  source: SourceName,
  method: string,
  url: string,
  parent: Context,
  fn: (traceHeaders: Record<string, string>) => Promise<T>,
): Promise<T> {
  const attributes: Record<string, string | number> = { [UPSTREAM_ATTR.source]: source, "http.request.method": method };
  if (URL.canParse(url)) {
    const u = new URL(url);
    attributes["server.address"] = u.hostname;
    attributes["server.port"] = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  }
  return spanned(`HTTP ${method}`, SpanKind.CLIENT, attributes, parent, async (ctx, set) => {
    const headers: Record<string, string> = {};
    propagation.inject(ctx, headers);
    try {
      const result = await fn(headers);
      set("http.response.status_code", result.status);
      return result;
    } catch (err) {
      const status = (err as { detail?: { status?: unknown } } | null)?.detail?.status;
      if (typeof status === "number") set("http.response.status_code", status);
      throw err;
    }
  });
}

/** Marks the active batch span as failed with an upstream error code (the batch resolved with per-key errors). */
export function markBatchFailed(code: string): void {
  const span = trace.getActiveSpan();
  span?.setAttribute("error.type", code);
  span?.setStatus({ code: 2 /* ERROR */, message: code });
}

/** The context a call is made in (captured before its request waits for a concurrency slot). */
export const activeContext = (): Context => context.active();
