import { setMaxListeners } from "node:events";
import DataLoader from "dataloader";
import type { z } from "zod";
import type { SourceName } from "../../src/domain/records.js";
import { UpstreamError, badResponseError, toUpstreamError } from "./errors.js";
import type { HttpClient } from "./http.js";
import type { SourceMetrics } from "./metrics.js";
import type { UpstreamPolicy } from "./policy.js";
import { attemptSpan, batchSpan, markBatchFailed } from "./tracing.js";

/**
 * A batch answer: per asked key the mapped record, `null` when the system does not know the key, or an
 * UpstreamError when the system's record for that key could not be used (the other keys of the batch
 * are still good). A key missing from the map counts as `null`.
 */
export type BatchResult<V> = Map<string, V | null | UpstreamError>;

/** One department system, as the gateway sees it. */
export interface Connector<V> {
  readonly name: SourceName;
  /** the department's name, e.g. "education (教委)" */
  readonly department: string;
  /** most keys per upstream round trip (1 = the system has no batch API) */
  readonly batchSize: number;
  /** most concurrent HTTP requests to the system */
  readonly maxConcurrency: number;
  /**
   * Load up to `batchSize` distinct keys: one upstream round trip per batch where the system allows
   * it. This is ONE attempt: deadline, retry and breaker are applied around it (createLoader). Throws
   * (an UpstreamError, or anything, which is then mapped) when the batch as a whole failed.
   */
  loadBatch(keys: string[], signal: AbortSignal): Promise<BatchResult<V>>;
  /** A quick probe of the system's /health, bypassing retry and breaker; never throws. */
  health(): Promise<{ ok: boolean; detail?: string }>;
  /** The system's bulk exchange (WIRE.md "Bulk exchange"), for the mirror's sync. */
  readonly bulk: BulkAccess<V>;
}

/** One bulk record converted: the lookup's own conversion, or why the record cannot be used. */
export type BulkConverted<V> = { ok: true; key: string; record: V } | { ok: false; key: string | null; reason: string };

/** Where a system's export and change feed are, and how their records become unified records. */
export interface BulkAccess<V> {
  exportUrl: string;
  changesUrl: string;
  /** the same schema and mapping as a lookup (one conversion for export, feed and lookup) */
  convert(raw: unknown, now: Date): BulkConverted<V>;
  /** request headers (medical insurance: its bearer token) */
  headers?(signal: AbortSignal): Promise<Record<string, string>>;
  /** the system answered 401: forget the credentials `headers` gave */
  unauthorized?(): void;
}

/** A BulkAccess `convert` from a wire schema, the key field and the lookup's mapping. */
export function bulkConverter<W, V>(schema: z.ZodType<W>, keyField: string, map: (w: W, now: Date) => V): BulkAccess<V>["convert"] {
  const keyOf = field(keyField);
  return (raw, now) => {
    const k = keyOf(raw);
    const key = typeof k === "string" && k !== "" ? k : null;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues
        .slice(0, 3)
        .map((x) => `${x.path.join(".") || "(record)"}: ${x.message}`)
        .join("; ");
      return { ok: false, key, reason };
    }
    if (key === null) return { ok: false, key, reason: `${keyField}: missing` };
    return { ok: true, key, record: map(parsed.data, now) };
  };
}

/** What a connector needs from the kit: its HTTP client (metrics and concurrency limit applied), the clock. */
export interface ConnectorDeps {
  http: HttpClient;
  /** clock for staleness */
  now: () => Date;
  /** aborted when the connectors are closed */
  closed: AbortSignal;
}

/** One source's shared machinery: policy (deadline, breaker, retry, bulkhead), metrics, HTTP client. */
export interface SourceRuntime {
  readonly source: SourceName;
  readonly policy: UpstreamPolicy;
  readonly metrics: SourceMetrics;
  readonly http: HttpClient;
  /** aborted when the connectors are closed */
  readonly closed: AbortSignal;
}

/** One request's loaders: its abort signal, and who to tell when a batch goes to a department system. */
export interface LoaderOptions {
  signal?: AbortSignal;
  /** called as each batch of this request's loaders starts (before its upstream call is made), with its system */
  onBatch?: (source: SourceName) => void;
}

/**
 * A NEW DataLoader for one request (never share one across requests or users: its cache is the
 * per-request de-duplication). `load(key)` resolves with the record or `null` (unknown key) and rejects
 * with an UpstreamError when that key's batch (or that key's record) failed.
 */
export function createLoader<V>(
  connector: Connector<V>,
  runtime: SourceRuntime,
  options: LoaderOptions = {},
): DataLoader<string, V | null> {
  const { metrics, policy } = runtime;
  const signal = options.signal ? AbortSignal.any([options.signal, runtime.closed]) : runtime.closed;
  // every concurrent batch of this request listens on it (and only while in flight): not a leak
  setMaxListeners(0, signal);
  const batchFn = (keys: readonly string[]): Promise<Array<V | null | Error>> => {
    options.onBatch?.(connector.name);
    return batchSpan(connector.name, keys.length, (attempted) => load(keys, attempted));
  };
  const load = async (keys: readonly string[], attempted: () => number): Promise<Array<V | null | Error>> => {
    metrics.batch();
    metrics.keys(keys.length);
    try {
      const result = await policy.execute(
        (attemptSignal) => attemptSpan(connector.name, attempted(), keys.length, () => connector.loadBatch([...keys], attemptSignal)),
        signal,
      );
      return keys.map((k) => {
        const v = result.get(k);
        if (v instanceof Error) {
          const err = toUpstreamError(v, connector.name);
          metrics.error(err.code);
          return err;
        }
        return v ?? null;
      });
    } catch (e) {
      const err = toUpstreamError(e, connector.name);
      metrics.error(err.code);
      markBatchFailed(err.code);
      return keys.map(() => err);
    }
  };
  return new DataLoader<string, V | null>(batchFn, { maxBatchSize: connector.batchSize, name: connector.name });
}

/**
 * Turn a system's list of wire records into a BatchResult for `keys`:
 * - each record is validated (and converted) by `schema`, then `map`ped;
 * - records for keys not asked are ignored; keys without a record are `null`;
 * - a record that fails the schema makes ITS key an UPSTREAM_BAD_RESPONSE (others unaffected), or the whole
 *   batch when it cannot be attributed to an asked key (no usable key field);
 * - several good records for one key: `pick` chooses (default: the later `asOf`).
 */
export function collectRecords<W, V extends { asOf: Date }>(
  source: SourceName,
  keys: readonly string[],
  records: readonly unknown[],
  opts: {
    schema: z.ZodType<W>;
    keyOf: (raw: unknown) => unknown;
    map: (w: W) => V;
    pick?: (a: V, b: V) => V;
    url?: string;
  },
): BatchResult<V> {
  const asked = new Set(keys);
  const out: BatchResult<V> = new Map(keys.map((k) => [k, null]));
  const pick = opts.pick ?? ((a: V, b: V) => (b.asOf.getTime() > a.asOf.getTime() ? b : a));
  records.forEach((raw, i) => {
    const key = opts.keyOf(raw);
    const parsed = opts.schema.safeParse(raw);
    if (!parsed.success) {
      const reason = `record ${i}: ${parsed.error.issues
        .slice(0, 3)
        .map((x) => `${x.path.join(".")}: ${x.message}`)
        .join("; ")}`;
      if (typeof key === "string" && asked.has(key)) {
        out.set(key, badResponseError(source, { url: opts.url, reason, cause: parsed.error }));
        return;
      }
      if (typeof key === "string" && key !== "") return; // a bad record for a key we did not ask about
      throw badResponseError(source, { url: opts.url, reason: `unattributable ${reason}`, cause: parsed.error });
    }
    if (typeof key !== "string" || !asked.has(key)) return;
    const current = out.get(key);
    if (current instanceof UpstreamError) return; // a bad record for this key poisons it
    const mapped = opts.map(parsed.data);
    out.set(key, current ? pick(current, mapped) : mapped);
  });
  return out;
}

/** `value[field]` when value is an object, else undefined (for keyOf). */
export function field(name: string): (raw: unknown) => unknown {
  return (raw) => (raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)[name] : undefined);
}

/** Validate an envelope with zod; failure → UPSTREAM_BAD_RESPONSE for the batch. */
export function parseEnvelope<T>(source: SourceName, schema: z.ZodType<T>, body: unknown, url?: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((x) => `${x.path.join(".") || "(root)"}: ${x.message}`)
      .join("; ");
    throw badResponseError(source, { url, reason: `schema: ${reason}`, cause: parsed.error });
  }
  return parsed.data;
}

/** Resolve when `p` does, reject (abort reason) as soon as `signal` aborts — without cancelling `p`. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** GET {baseUrl}/health with a short deadline, outside retry/breaker; never throws. */
export async function probeHealth(http: HttpClient, url: string, timeoutMs: number): Promise<{ ok: boolean; detail?: string }> {
  try {
    const res = await http.getJson(url, { signal: AbortSignal.timeout(timeoutMs), unlimited: true });
    const status = (res.body as { status?: unknown } | undefined)?.status;
    return status === "ok" ? { ok: true } : { ok: false, detail: "unexpected health answer" };
  } catch (e) {
    const err = toUpstreamError(e, http.source);
    return { ok: false, detail: err.detail.status !== undefined ? `${err.code} (HTTP ${err.detail.status})` : err.code };
  }
}
