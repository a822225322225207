import { setMaxListeners } from "node:events";
import { Agent, type Dispatcher } from "undici";
import type { SourceName } from "../../src/domain/records.js";
import { UpstreamError, badResponseError, timeoutError, toUpstreamError, unavailableError } from "./errors.js";
import type { SourceMetrics } from "./metrics.js";
import { activeContext, httpSpan } from "./tracing.js";

/**
 * JSON over HTTP to one department system, with undici's `request()` over a keep-alive Agent of the
 * client's own (one connection pool per upstream origin; `close()` releases it). Every request passes
 * through the system's concurrency limit and is counted (attempt outcome, duration, in-flight).
 * Every response body is read to its end (or the connection destroyed), so that keep-alive sockets are
 * reused and no abort listener is left on the attempt's signal.
 * Status handling:
 *   - a status in `okStatuses` (default [200]) resolves; a 2xx body that is not JSON → UPSTREAM_BAD_RESPONSE
 *   - 429, 503 → UPSTREAM_UNAVAILABLE, retryable, with Retry-After (seconds or HTTP-date) when sent
 *   - 408, other 5xx, connection refused/reset → UPSTREAM_UNAVAILABLE, retryable
 *   - abort (deadline or caller) → UPSTREAM_TIMEOUT
 *   - any other status → UPSTREAM_BAD_RESPONSE (not retried; redirects are not followed)
 *   - a body larger than 32 MiB → UPSTREAM_BAD_RESPONSE
 */

export interface RequestOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** statuses that resolve rather than throw; default [200] */
  okStatuses?: readonly number[];
  /** skip the concurrency limit (health probes) */
  unlimited?: boolean;
}

/** Response headers, lower-case names (a repeated header is an array). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface HttpResult {
  status: number;
  /** parsed JSON; `undefined` for an accepted non-2xx status whose body is not JSON */
  body: unknown;
  headers: ResponseHeaders;
  url: string;
}

export interface HttpClient {
  readonly source: SourceName;
  request(method: string, url: string, body: string | undefined, contentType: string | undefined, opts: RequestOptions): Promise<HttpResult>;
  getJson(url: string, opts: RequestOptions): Promise<HttpResult>;
  postJson(url: string, body: unknown, opts: RequestOptions): Promise<HttpResult>;
  postForm(url: string, form: Record<string, string>, opts: RequestOptions): Promise<HttpResult>;
  /** Close the client's connections (in-flight requests are destroyed); later requests fail UPSTREAM_UNAVAILABLE. */
  close(): Promise<void>;
}

export type Limiter = <T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T>;

export interface HttpClientOptions {
  /** use this dispatcher (e.g. undici's MockAgent) instead of the client's own keep-alive Agent; `close()` leaves it open */
  dispatcher?: Dispatcher;
  /** for an aborted request's signal: the outcome to count (`timeout` unless told it was the caller giving up) */
  abortOutcome?: (signal: AbortSignal) => "timeout" | "cancelled";
}

/** Longest response body accepted (bytes); a bigger one is a bad response. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

const USER_AGENT = "safetynet-gateway";
const DEFAULT_OK: readonly number[] = [200];

/** Retry-After: delta-seconds or an HTTP-date. Returns milliseconds ≥ 0, or undefined when absent/unparseable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** One header's value (the first, when it was sent more than once). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Strip the query string (keys may be ID numbers) so a URL is fit for logs. */
function logUrl(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

/**
 * Resolves once the requests made before it was called are on the wire: two turns of the event loop. undici writes a
 * request on a reused keep-alive socket only in the check phase after it was made (it first reads what the idle socket
 * may hold, GHSA-35p6-xmwp-9g52); what waits for this goes in the check phase after that one. Work that would delay
 * the department wave (registry statements, the access record's append) waits for it.
 */
export function afterRequestsWritten(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The keep-alive Agent of one client: one pool per origin, unlimited connections (the bulkhead bounds them). */
function createAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 4_000, // idle sockets close after 4 s (sooner when the upstream's Keep-Alive header says so)
    // the deadline (AbortSignal) bounds every request; these only catch a stuck socket nobody aborts
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
    connect: { timeout: 10_000 },
    maxResponseSize: MAX_BODY_BYTES,
  });
}

export function createHttpClient(source: SourceName, metrics: SourceMetrics, limit: Limiter, options: HttpClientOptions = {}): HttpClient {
  const dispatcher: Dispatcher = options.dispatcher ?? createAgent();
  const owned = options.dispatcher === undefined;
  const abortOutcome = options.abortOutcome ?? (() => "timeout" as const);
  let closed = false;

  async function attempt(
    method: string,
    url: string,
    body: string | undefined,
    contentType: string | undefined,
    opts: RequestOptions,
    signal: AbortSignal,
    traceHeaders: Record<string, string>,
  ): Promise<HttpResult> {
    // the log detail, built only when something goes wrong
    const where = () => ({ method, url: logUrl(url) });
    if (signal.aborted) {
      metrics.attempt(abortOutcome(signal));
      throw timeoutError(source, { ...where(), reason: "aborted before request" });
    }
    if (closed) {
      metrics.attempt("error");
      throw unavailableError(source, { ...where(), reason: "client closed" });
    }
    // each in-flight request listens on the signal until its body is read; many requests of one call (housing
    // pages) may share it — as fetch did, lift the limit rather than warn about a leak that is not one
    setMaxListeners(0, signal);
    const leave = metrics.enter();
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let status: number;
    let headers: ResponseHeaders;
    let text: string;
    try {
      const u = new URL(url);
      const reqHeaders: Record<string, string> = { accept: "application/json", "user-agent": USER_AGENT, ...opts.headers, ...traceHeaders };
      if (contentType) reqHeaders["content-type"] = contentType;
      const res = await dispatcher.request({ origin: u.origin, path: u.pathname + u.search, method: method as Dispatcher.HttpMethod, headers: reqHeaders, body, signal });
      status = res.statusCode;
      headers = res.headers;
      const length = Number(headerValue(headers, "content-length") ?? "0");
      if (length > MAX_BODY_BYTES) {
        res.body.destroy(); // not worth reading: give up the connection
        metrics.attempt("error", seconds());
        throw badResponseError(source, { ...where(), status, reason: `body too large (${length} bytes)` });
      }
      // read to the end whatever the status: the socket goes back to the pool
      text = await res.body.text();
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      const err = signal.aborted ? timeoutError(source, { ...where(), reason: "aborted", cause: e }) : toUpstreamError(e, source, where());
      metrics.attempt(signal.aborted ? abortOutcome(signal) : err.code === "UPSTREAM_TIMEOUT" ? "timeout" : "error", seconds());
      throw err;
    } finally {
      leave();
    }
    const okStatuses = opts.okStatuses ?? DEFAULT_OK;
    if (okStatuses.includes(status)) {
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch (e) {
        if (status >= 200 && status < 300) {
          metrics.attempt("error", seconds());
          throw badResponseError(source, { ...where(), status, reason: "body is not JSON", cause: e });
        }
        parsed = undefined;
      }
      if (parsed === undefined && status >= 200 && status < 300) {
        metrics.attempt("error", seconds());
        throw badResponseError(source, { ...where(), status, reason: "empty body" });
      }
      metrics.attempt("ok", seconds());
      return { status, body: parsed, headers, url };
    }
    const detail = { ...where(), status, reason: `HTTP ${status}` };
    if (status === 429 || status === 503) {
      metrics.attempt(status === 429 ? "rate_limited" : "error", seconds());
      const retryAfterMs = parseRetryAfter(headerValue(headers, "retry-after"));
      throw unavailableError(source, detail, { retryable: true, retryAfterMs });
    }
    if (status >= 500 || status === 408) {
      metrics.attempt("error", seconds());
      throw unavailableError(source, detail, { retryable: true });
    }
    metrics.attempt("error", seconds());
    throw badResponseError(source, { ...detail, reason: `unexpected HTTP ${status}` });
  }

  const client: HttpClient = {
    source,
    request(method, url, body, contentType, opts) {
      // the caller's trace context, taken now: the request may run later, from another request's slot release
      const parent = activeContext();
      const run = (signal: AbortSignal) => httpSpan(source, method, url, parent, (traceHeaders) => attempt(method, url, body, contentType, opts, signal, traceHeaders));
      if (opts.unlimited) return run(opts.signal);
      return limit(run, opts.signal).catch((e: unknown) => {
        throw toUpstreamError(e, source, { method, url: logUrl(url) });
      });
    },
    getJson(url, opts) {
      return client.request("GET", url, undefined, undefined, opts);
    },
    postJson(url, body, opts) {
      return client.request("POST", url, JSON.stringify(body), "application/json", opts);
    },
    postForm(url, form, opts) {
      return client.request("POST", url, new URLSearchParams(form).toString(), "application/x-www-form-urlencoded", opts);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await dispatcher.destroy().catch(() => undefined);
    },
  };
  return client;
}

/** Join a base URL and a path without doubling or losing slashes. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
