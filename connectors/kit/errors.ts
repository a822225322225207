import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from "cockatiel";
import type { SourceName } from "../../src/domain/records.js";
import type { ErrorCodeName } from "../../src/errors.js";

/**
 * The only error a connector call ever rejects with. `code` and `source` are safe to show to clients;
 * `detail` (upstream URL, HTTP status, internal reason) is for logs only and is kept out of `message`
 * and out of JSON serialisation.
 */
export type UpstreamErrorCode = Extract<ErrorCodeName, "UPSTREAM_TIMEOUT" | "UPSTREAM_UNAVAILABLE" | "UPSTREAM_BAD_RESPONSE">;

export interface UpstreamErrorDetail {
  url?: string;
  method?: string;
  status?: number;
  /** short internal explanation, e.g. "HTTP 503", "schema: results.3.aid.0.amountYuan", "breaker open" */
  reason?: string;
  /** the underlying error (network error, zod error, ...) */
  cause?: unknown;
}

const PUBLIC_MESSAGE: Record<UpstreamErrorCode, string> = {
  UPSTREAM_TIMEOUT: "did not answer in time",
  UPSTREAM_UNAVAILABLE: "is unavailable",
  UPSTREAM_BAD_RESPONSE: "returned an unusable answer",
};

export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  /** internal: the retry policy may try again (5xx, 429, connection errors) */
  retryable: boolean;
  /** internal: the upstream asked to wait this long before retrying (Retry-After) */
  retryAfterMs?: number;
  /** internal: the caller gave up (its own signal aborted); not the source's fault, not counted by the breaker */
  callerCancelled = false;
  /** internal: the gateway refused or dropped the call itself (its queue for the system was full, or the
   *  deadline passed while queued); says the gateway is busy, not that the system fails: not counted by the breaker */
  overload = false;

  constructor(
    readonly code: UpstreamErrorCode,
    readonly source: SourceName,
    readonly detail: UpstreamErrorDetail = {},
    opts: { retryable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(`The ${source} department system ${PUBLIC_MESSAGE[code]}`);
    this.retryable = opts.retryable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    // keep `detail` out of enumeration (and so out of naive JSON/log serialisers that walk own keys)
    Object.defineProperty(this, "detail", { enumerable: false, value: detail, writable: false });
  }

  /** What a client may see. */
  toJSON(): { name: string; code: UpstreamErrorCode; source: SourceName; message: string } {
    return { name: this.name, code: this.code, source: this.source, message: this.message };
  }

  /** One line for logs, including the internal detail. */
  describe(): string {
    const d = this.detail;
    const parts = [`${this.code} ${this.source}`];
    if (d.method || d.url) parts.push(`${d.method ?? ""} ${d.url ?? ""}`.trim());
    if (d.status !== undefined) parts.push(`status ${d.status}`);
    if (d.reason) parts.push(d.reason);
    return parts.join(" | ");
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError;
}

export const timeoutError = (source: SourceName, detail: UpstreamErrorDetail = {}) =>
  new UpstreamError("UPSTREAM_TIMEOUT", source, detail);

export const unavailableError = (source: SourceName, detail: UpstreamErrorDetail = {}, opts: { retryable?: boolean; retryAfterMs?: number } = {}) =>
  new UpstreamError("UPSTREAM_UNAVAILABLE", source, detail, opts);

export const badResponseError = (source: SourceName, detail: UpstreamErrorDetail = {}) =>
  new UpstreamError("UPSTREAM_BAD_RESPONSE", source, detail);

// cockatiel 3.2.1's isTaskCancelledError/isIsolatedCircuitError test the wrong marker property
// ('isBulkheadRejectedError'), so check the classes (and their markers) here.
const marked = (e: unknown, marker: string) => e instanceof Error && marker in e;
const isBrokenCircuitError = (e: unknown) => e instanceof BrokenCircuitError || marked(e, "isBrokenCircuitError");
const isBulkheadRejectedError = (e: unknown) => e instanceof BulkheadRejectedError || marked(e, "isBulkheadRejectedError");
const isTaskCancelledError = (e: unknown) => e instanceof TaskCancelledError || marked(e, "isTaskCancelledError");

function isAbortLike(e: unknown): boolean {
  if (isTaskCancelledError(e)) return true;
  const name = (e as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError" || errorCode(e) === "UND_ERR_ABORTED";
}

function errorCode(e: unknown): string | undefined {
  const code = e !== null && typeof e === "object" ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/**
 * undici's error codes that mean "the connection or the exchange failed" (the system may be fine a moment
 * later): retryable UPSTREAM_UNAVAILABLE, like the operating system's network errors (ECONNREFUSED, ...).
 */
const UNDICI_NETWORK_CODES = new Set([
  "UND_ERR_SOCKET", // the other side closed / reset the connection
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH", // the answer was cut short
  "UND_ERR_INFO",
]);
/** undici's codes for a client that was closed: unavailable, not worth retrying. */
const UNDICI_CLOSED_CODES = new Set(["UND_ERR_CLOSED", "UND_ERR_DESTROYED"]);

/** the network error code of `e` (or of its `cause`, as fetch wraps it), when it is one */
function networkCode(e: unknown): string | undefined {
  for (const x of [e, (e as { cause?: unknown } | null)?.cause]) {
    const code = errorCode(x);
    if (code !== undefined && (UNDICI_NETWORK_CODES.has(code) || /^E(?!RR_)[A-Z0-9_]+$/.test(code))) return code;
  }
  return undefined;
}

/** Turn anything thrown below a connector call into an UpstreamError (never lets another error type escape). */
export function toUpstreamError(e: unknown, source: SourceName, detail: UpstreamErrorDetail = {}): UpstreamError {
  if (e instanceof UpstreamError) return e;
  if (isBrokenCircuitError(e)) return unavailableError(source, { ...detail, reason: "circuit breaker open", cause: e });
  if (isBulkheadRejectedError(e)) return unavailableError(source, { ...detail, reason: "concurrency queue full", cause: e });
  if (isAbortLike(e)) return timeoutError(source, { ...detail, reason: "deadline exceeded", cause: e });
  const code = errorCode(e);
  if (code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return badResponseError(source, { ...detail, reason: "body too large", cause: e });
  if (code !== undefined && UNDICI_CLOSED_CODES.has(code)) return unavailableError(source, { ...detail, reason: `client closed (${code})`, cause: e });
  const network = networkCode(e);
  if (network !== undefined) return unavailableError(source, { ...detail, reason: `network error ${network}`, cause: e }, { retryable: true });
  if (e instanceof TypeError && (e.message === "fetch failed" || (e as { cause?: unknown }).cause !== undefined)) {
    return unavailableError(source, { ...detail, reason: "network error", cause: e }, { retryable: true });
  }
  return badResponseError(source, { ...detail, reason: `unexpected error: ${(e as Error)?.message ?? String(e)}`, cause: e });
}
