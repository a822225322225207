import type { SourceName } from "../unified.js";
import { UpstreamError, badResponseError, timeoutError, toUpstreamError, unavailableError } from "./errors.js";
import type { SourceMetrics } from "./metrics.js";

/**
 * JSON over HTTP to one department system, with Node's global fetch (undici). Every request passes
 * through the system's concurrency limit and is counted (attempt outcome, duration, in-flight).
 * Status handling:
 *   - a status in `okStatuses` (default [200]) resolves; a 2xx body that is not JSON → UPSTREAM_BAD_RESPONSE
 *   - 429, 503 → UPSTREAM_UNAVAILABLE, retryable, with Retry-After (seconds or HTTP-date) when sent
 *   - 408, other 5xx, connection refused/reset → UPSTREAM_UNAVAILABLE, retryable
 *   - abort (deadline or caller) → UPSTREAM_TIMEOUT
 *   - any other status → UPSTREAM_BAD_RESPONSE (not retried)
 */

export interface RequestOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** statuses that resolve rather than throw; default [200] */
  okStatuses?: readonly number[];
  /** skip the concurrency limit (health probes) */
  unlimited?: boolean;
}

export interface HttpResult {
  status: number;
  /** parsed JSON; `undefined` for an accepted non-2xx status whose body is not JSON */
  body: unknown;
  headers: Headers;
  url: string;
}

export interface HttpClient {
  readonly source: SourceName;
  request(method: string, url: string, body: string | undefined, contentType: string | undefined, opts: RequestOptions): Promise<HttpResult>;
  getJson(url: string, opts: RequestOptions): Promise<HttpResult>;
  postJson(url: string, body: unknown, opts: RequestOptions): Promise<HttpResult>;
  postForm(url: string, form: Record<string, string>, opts: RequestOptions): Promise<HttpResult>;
}

export type Limiter = <T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T>;

/** Longest response body accepted (bytes); a bigger one is a bad response. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

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

/** Strip the query string (keys may be ID numbers) so a URL is fit for logs. */
function logUrl(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

export function createHttpClient(source: SourceName, metrics: SourceMetrics, limit: Limiter): HttpClient {
  async function attempt(method: string, url: string, body: string | undefined, contentType: string | undefined, opts: RequestOptions, signal: AbortSignal): Promise<HttpResult> {
    const detail = { method, url: logUrl(url) };
    if (signal.aborted) throw timeoutError(source, { ...detail, reason: "aborted before request" });
    const leave = metrics.enter();
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let res: Response;
    let text: string;
    try {
      const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
      if (contentType) headers["content-type"] = contentType;
      res = await fetch(url, { method, headers, body, signal, redirect: "manual" });
      const length = Number(res.headers.get("content-length") ?? "0");
      if (length > MAX_BODY_BYTES) {
        await res.body?.cancel().catch(() => undefined);
        metrics.attempt("error", seconds());
        throw badResponseError(source, { ...detail, status: res.status, reason: `body too large (${length} bytes)` });
      }
      text = await res.text();
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      const err = signal.aborted ? timeoutError(source, { ...detail, reason: "aborted", cause: e }) : toUpstreamError(e, source, detail);
      metrics.attempt(err.code === "UPSTREAM_TIMEOUT" ? "timeout" : "error", seconds());
      throw err;
    } finally {
      leave();
    }
    const status = res.status;
    const okStatuses = opts.okStatuses ?? [200];
    if (okStatuses.includes(status)) {
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch (e) {
        if (status >= 200 && status < 300) {
          metrics.attempt("error", seconds());
          throw badResponseError(source, { ...detail, status, reason: "body is not JSON", cause: e });
        }
        parsed = undefined;
      }
      if (parsed === undefined && status >= 200 && status < 300) {
        metrics.attempt("error", seconds());
        throw badResponseError(source, { ...detail, status, reason: "empty body" });
      }
      metrics.attempt("ok", seconds());
      return { status, body: parsed, headers: res.headers, url };
    }
    if (status === 429 || status === 503) {
      metrics.attempt(status === 429 ? "rate_limited" : "error", seconds());
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      throw unavailableError(source, { ...detail, status, reason: `HTTP ${status}` }, { retryable: true, retryAfterMs });
    }
    if (status >= 500 || status === 408) {
      metrics.attempt("error", seconds());
      throw unavailableError(source, { ...detail, status, reason: `HTTP ${status}` }, { retryable: true });
    }
    metrics.attempt("error", seconds());
    throw badResponseError(source, { ...detail, status, reason: `unexpected HTTP ${status}` });
  }

  const client: HttpClient = {
    source,
    request(method, url, body, contentType, opts) {
      const run = (signal: AbortSignal) => attempt(method, url, body, contentType, opts, signal);
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
  };
  return client;
}

/** Join a base URL and a path without doubling or losing slashes. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
