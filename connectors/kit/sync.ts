/**
 * The sync client (issue 15): keeps one source's mirror table equal to the department system's records,
 * over its bulk exchange (WIRE.md "Bulk exchange").
 *
 * - Full load: export pages in key order; each page's rows and the export position are committed in ONE
 *   transaction, so a sync killed anywhere resumes at the last committed page (no loss: the page after it
 *   is read again; no duplicates: rows are keyed). When the export is complete, rows the export did not
 *   contain (synced before the load started) are deleted and the feed cursor becomes the first page's.
 * - Incremental: change-feed pages from the stored cursor; each page's upserts/deletes and the next cursor
 *   in one transaction. Re-reading a page is harmless (idempotent).
 * - A cursor the system no longer honours (410 CURSOR_EXPIRED) starts a full load by itself.
 * - A malformed record is counted and reported (mirror_malformed: source, key, reason), never stored, and
 *   the sync goes on. Memory is bounded by one page.
 * - One sync per source at a time, across processes: a lease in mirror_sync_state.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { SqlExecutor } from "../../src/db/sql.js";
import type { SourceName } from "../../src/domain/records.js";
import type { Connector } from "./connector.js";
import { isUpstreamError, toUpstreamError } from "./errors.js";
import type { HttpClient } from "./http.js";
import { analyzeTables } from "../../src/db/analyze.js";
import { MIRROR_TABLES, type PageWrite, type SyncState, applyPage, hasMalformedReports, dropNotSeenSince, readState, releaseLease, takeLease, writeState } from "./mirror.js";

export const SYNC_PAGE_SIZE = 5000;
const LEASE_MS = 120_000;
const ATTEMPTS = 4;

export interface SyncProgress {
  source: SourceName;
  phase: "full" | "incremental";
  /** records (or changes) applied so far in this run */
  done: number;
  /** full load: records the system holds (from the export); incremental: unknown */
  total: number | null;
}

export interface SyncResult {
  source: SourceName;
  /** a full load ran (asked for, first run, or an expired cursor) */
  full: boolean;
  /** the stored cursor had expired: the full load was started by the sync itself */
  cursorExpired: boolean;
  upserted: number;
  deleted: number;
  malformed: number;
  pages: number;
  /** rows dropped after a full load because the export no longer had them */
  removed: number;
}

export interface SyncDeps {
  sql: SqlExecutor;
  connector: Pick<Connector<unknown>, "name" | "bulk">;
  http: HttpClient;
  /** the clock for synced_at and the state's times (default new Date()) */
  now?: () => Date;
  /** records per page asked (default 5000) */
  pageSize?: number;
  /** deadline of one page request (default 60 s) */
  pageTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** called after every committed page (tests kill the process here) */
  onPage?: (info: { phase: "full" | "incremental"; pages: number }) => void;
  /** who holds the lease (default a random id) */
  owner?: string;
}

export class SyncBusyError extends Error {
  readonly code = "SYNC_BUSY";
  constructor(source: SourceName) {
    super(`${source}: another sync of this source is running`);
  }
}

class CursorExpired extends Error {}

export async function syncSource(deps: SyncDeps, opts: { full?: boolean } = {}): Promise<SyncResult> {
  const source = deps.connector.name;
  const bulk = deps.connector.bulk;
  const now = deps.now ?? (() => new Date());
  const owner = deps.owner ?? randomUUID();
  const pageSize = deps.pageSize ?? SYNC_PAGE_SIZE;
  const signal = deps.signal ?? new AbortController().signal;
  const result: SyncResult = { source, full: false, cursorExpired: false, upserted: 0, deleted: 0, malformed: 0, pages: 0, removed: 0 };

  if (!(await takeLease(deps.sql, source, owner, LEASE_MS))) throw new SyncBusyError(source);
  const attemptAt = now();
  let state: SyncState | null = null;
  /** whether the source has malformed reports to clear (skips a statement per page when not) */
  let reportsExist = true;
  try {
    await writeState(deps.sql, source, { lastAttemptAt: attemptAt });
    state = await readState(deps.sql, source);
    reportsExist = await hasMalformedReports(deps.sql, source);
    const startFull = async () => {
      const startedAt = now();
      await writeState(deps.sql, source, { fullStartedAt: startedAt, fullAfter: null, fullCursor: null });
      state = await readState(deps.sql, source);
    };
    if (opts.full || (!state?.cursor && !state?.fullStartedAt)) await startFull();

    // a full load (new or resumed), then the feed; an expired cursor sends us back to a full load once
    for (let round = 0; round < 2; round++) {
      if (state?.fullStartedAt) {
        result.full = true;
        await fullLoad();
        state = await readState(deps.sql, source);
      }
      try {
        await incremental(state!.cursor!);
        break;
      } catch (err) {
        if (!(err instanceof CursorExpired) || round > 0) throw err;
        result.cursorExpired = true;
        await startFull();
      }
    }
    // `records`: counted after a full load, kept by each incremental page (no count of the table per sync)
    await writeState(deps.sql, source, { lastSuccessAt: now(), lastError: null });
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await writeState(deps.sql, source, { lastError: message.slice(0, 500) }).catch(() => {});
    throw err;
  } finally {
    await releaseLease(deps.sql, source, owner).catch(() => {});
  }

  async function fullLoad(): Promise<void> {
    const s = state!;
    let after = s.fullAfter;
    let firstCursor = s.fullCursor;
    let done = 0;
    for (;;) {
      const url = `${bulk.exportUrl}?limit=${pageSize}${after === null ? "" : `&after=${encodeURIComponent(after)}`}`;
      const body = (await fetchPage(url)) as { cursor?: unknown; total?: unknown; records?: unknown; next?: unknown };
      if (typeof body?.cursor !== "string" || !Array.isArray(body.records) || !(body.next === null || typeof body.next === "string")) {
        throw toUpstreamError(new Error("export page is not {cursor, records, next}"), source, { url });
      }
      const syncedAt = now();
      const page = convertAll(body.records, syncedAt);
      const next = body.next as string | null;
      firstCursor ??= body.cursor;
      const cursorToKeep = firstCursor;
      await deps.sql.transaction(async (tx) => {
        result.malformed += await applyPage(tx, source, page, syncedAt, cursorToKeep, reportsExist);
        await writeState(tx, source, { fullAfter: next, fullCursor: cursorToKeep, addMalformed: page.malformed.length });
      });
      result.upserted += page.upserts.length;
      result.pages++;
      done += body.records.length;
      deps.onPage?.({ phase: "full", pages: result.pages });
      deps.onProgress?.({ source, phase: "full", done, total: typeof body.total === "number" ? body.total : null });
      await renew();
      if (next === null) break;
      after = next;
    }
    const startedAt = s.fullStartedAt!;
    await deps.sql.transaction(async (tx) => {
      result.removed = await dropNotSeenSince(tx, source, startedAt);
      await writeState(tx, source, { cursor: firstCursor, fullSyncAt: now(), fullStartedAt: null, fullAfter: null, fullCursor: null }, true);
    });
    // a full load rewrote the table: planner statistics for it (src/db/analyze.ts)
    await analyzeTables(deps.sql, [MIRROR_TABLES[source].table]);
  }

  async function incremental(from: string): Promise<void> {
    let cursor = from;
    let done = 0;
    for (;;) {
      const url = `${bulk.changesUrl}?limit=${pageSize}&cursor=${encodeURIComponent(cursor)}`;
      const body = (await fetchPage(url, true)) as { changes?: unknown; cursor?: unknown; more?: unknown };
      if (!Array.isArray(body?.changes) || typeof body.cursor !== "string" || typeof body.more !== "boolean") {
        throw toUpstreamError(new Error("feed page is not {changes, cursor, more}"), source, { url });
      }
      const syncedAt = now();
      const upserts: unknown[] = [];
      const deletes: string[] = [];
      const bad: PageWrite["malformed"] = [];
      for (const c of body.changes as { op?: unknown; key?: unknown; record?: unknown }[]) {
        if (c?.op === "delete" && typeof c.key === "string") deletes.push(c.key);
        else if (c?.op === "upsert") upserts.push(c.record);
        else bad.push({ key: typeof c?.key === "string" ? c.key : null, reason: "feed entry is neither an upsert nor a delete with a key" });
      }
      const page = convertAll(upserts, syncedAt);
      page.deletes = deletes;
      page.malformed.push(...bad);
      if (bad.length) reportsExist = true;
      const nextCursor = body.cursor;
      await deps.sql.transaction(async (tx) => {
        const tally = { rows: 0 };
        result.malformed += await applyPage(tx, source, page, syncedAt, nextCursor, reportsExist, tally);
        await writeState(tx, source, { cursor: nextCursor, addMalformed: page.malformed.length, addRecords: tally.rows });
      });
      result.upserted += page.upserts.length;
      result.deleted += deletes.length;
      result.pages++;
      done += body.changes.length;
      deps.onPage?.({ phase: "incremental", pages: result.pages });
      deps.onProgress?.({ source, phase: "incremental", done, total: null });
      await renew();
      cursor = nextCursor;
      if (!body.more) break;
    }
  }

  function convertAll(records: unknown[], at: Date): PageWrite {
    const page: PageWrite = { upserts: [], deletes: [], malformed: [] };
    for (const raw of records) {
      const c = bulk.convert(raw, at);
      if (c.ok) page.upserts.push({ key: c.key, record: c.record as Record<string, unknown> & { asOf: Date } });
      else page.malformed.push({ key: c.key, reason: c.reason });
    }
    if (page.malformed.length) reportsExist = true;
    return page;
  }

  async function renew(): Promise<void> {
    if (!(await takeLease(deps.sql, source, owner, LEASE_MS))) throw new SyncBusyError(source);
  }

  /** One page, retried on 5xx/429/network errors with backoff; 401 once refreshes credentials; 410 on the feed = expired. */
  async function fetchPage(url: string, feed = false): Promise<unknown> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const own = AbortSignal.any([signal, AbortSignal.timeout(deps.pageTimeoutMs ?? 60_000)]);
      try {
        const headers = bulk.headers ? await bulk.headers(own) : undefined;
        const res = await deps.http.getJson(url, { signal: own, okStatuses: [200, 401, 410], headers, unlimited: true });
        if (res.status === 410 && feed) throw new CursorExpired("cursor expired");
        if (res.status === 401 && !refreshed && bulk.unauthorized) {
          bulk.unauthorized();
          refreshed = true;
          attempt--;
          continue;
        }
        if (res.status !== 200) throw toUpstreamError(new Error(`HTTP ${res.status}`), source, { url, status: res.status });
        return res.body;
      } catch (err) {
        if (err instanceof CursorExpired || signal.aborted) throw err;
        const e = isUpstreamError(err) ? err : toUpstreamError(err, source, { url });
        if (attempt >= ATTEMPTS || !(e.retryable || e.code === "UPSTREAM_TIMEOUT")) throw e;
        await sleep(Math.min(5000, e.retryAfterMs ?? 250 * 2 ** attempt), undefined, { signal });
      }
    }
  }
}
