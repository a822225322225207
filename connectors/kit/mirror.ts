/**
 * The department mirror (issue 15; connectors/WIRE.md "Mirror contract"): one table per department system,
 * keyed as its lookup API, holding the unified record each sync converted (without `stale`, which depends on
 * the reader's clock). This module is how the rest of the gateway reads it:
 *   - `isFresh(source, now)`: is that source's mirror within its freshness (last successful sync no older than
 *     `<SOURCE>_MAX_AGE`, after a completed full load)? From the cached sync state (`refresh()` reloads it);
 *   - `getMany(source, keys)`: records for a lookup (a key the sync saw malformed answers MALFORMED, as the live
 *     lookup would answer an unusable record);
 *   - `scan(source, …)`: the whole mirror in key order, by key ranges (city-wide monitoring);
 * plus the writes the sync makes (upsert/delete a page, its state), each in the caller's transaction.
 */
import { queryPrepared, type SqlExecutor } from "../../src/db/sql.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";

export const MIRROR_TABLES: Readonly<Record<SourceName, { table: string; key: string }>> = {
  education: { table: "mirror_education", key: "id_number" },
  employment: { table: "mirror_employment", key: "id_number" },
  housing: { table: "mirror_housing", key: "registry_no" },
  medicalInsurance: { table: "mirror_medical_insurance", key: "id_number" },
  disability: { table: "mirror_disability", key: "id_number" },
};

export interface SyncState {
  source: SourceName;
  /** the change feed position after the last applied page; null until a full load completed */
  cursor: string | null;
  fullSyncAt: Date | null;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  records: number;
  malformed: number;
  /** a full load in progress (else null): when it started, the export position, the first page's cursor */
  fullStartedAt: Date | null;
  fullAfter: string | null;
  fullCursor: string | null;
}

/** A unified record as stored: dates as ISO strings (JSON), no `stale`. */
export type StoredRecord = Record<string, unknown> & { source: SourceName; asOf: string };

/** A key whose latest bulk record was malformed: not stored; a lookup answers it as an unusable record. */
export const MALFORMED = Symbol("malformed");
export type MirrorAnswer = Record<string, unknown> | typeof MALFORMED;

interface StateRow {
  source: string;
  cursor: string | null;
  full_sync_at: Date | null;
  last_success_at: Date | null;
  last_attempt_at: Date | null;
  last_error: string | null;
  records: string | number | bigint;
  malformed: string | number | bigint;
  full_started_at: Date | null;
  full_after: string | null;
  full_cursor: string | null;
}

const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

function toState(r: StateRow): SyncState {
  return {
    source: r.source as SourceName,
    cursor: r.cursor,
    fullSyncAt: asDate(r.full_sync_at),
    lastSuccessAt: asDate(r.last_success_at),
    lastAttemptAt: asDate(r.last_attempt_at),
    lastError: r.last_error,
    records: Number(r.records),
    malformed: Number(r.malformed),
    fullStartedAt: asDate(r.full_started_at),
    fullAfter: r.full_after,
    fullCursor: r.full_cursor,
  };
}

export async function readStates(sql: SqlExecutor): Promise<Map<SourceName, SyncState>> {
  const rows = await sql.query<StateRow>(`SELECT * FROM mirror_sync_state`);
  return new Map(rows.filter((r) => (SOURCES as readonly string[]).includes(r.source)).map((r) => [r.source as SourceName, toState(r)]));
}

export async function readState(sql: SqlExecutor, source: SourceName): Promise<SyncState | null> {
  const [row] = await sql.query<StateRow>(`SELECT * FROM mirror_sync_state WHERE source = $1`, [source]);
  return row ? toState(row) : null;
}

/** Fields of the state a sync step sets (undefined = unchanged). */
export type StatePatch = Partial<Omit<SyncState, "source" | "records" | "malformed">> & { addMalformed?: number; addRecords?: number };

const STATE_COLUMNS: Record<keyof Omit<StatePatch, "addMalformed" | "addRecords">, string> = {
  cursor: "cursor",
  fullSyncAt: "full_sync_at",
  lastSuccessAt: "last_success_at",
  lastAttemptAt: "last_attempt_at",
  lastError: "last_error",
  fullStartedAt: "full_started_at",
  fullAfter: "full_after",
  fullCursor: "full_cursor",
};

/** Updates a source's state (creating its row), and recounts its records when `recount`. */
export async function writeState(sql: SqlExecutor, source: SourceName, patch: StatePatch, recount = false): Promise<void> {
  await sql.query(`INSERT INTO mirror_sync_state (source) VALUES ($1) ON CONFLICT (source) DO NOTHING`, [source]);
  const sets: string[] = [];
  const params: unknown[] = [source];
  for (const [k, col] of Object.entries(STATE_COLUMNS)) {
    const v = patch[k as keyof typeof STATE_COLUMNS];
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  }
  if (patch.addMalformed) {
    params.push(patch.addMalformed);
    sets.push(`malformed = malformed + $${params.length}`);
  }
  if (recount) sets.push(`records = (SELECT count(*) FROM ${MIRROR_TABLES[source].table})`);
  else if (patch.addRecords) {
    params.push(patch.addRecords);
    sets.push(`records = records + $${params.length}`);
  }
  if (sets.length) await sql.query(`UPDATE mirror_sync_state SET ${sets.join(", ")} WHERE source = $1`, params);
}

/** Takes (or renews) the source's sync lease for `owner` until `ms` from now; false when another holds it. */
export async function takeLease(sql: SqlExecutor, source: SourceName, owner: string, ms: number): Promise<boolean> {
  await sql.query(`INSERT INTO mirror_sync_state (source) VALUES ($1) ON CONFLICT (source) DO NOTHING`, [source]);
  const rows = await sql.query(
    `UPDATE mirror_sync_state SET lease_owner = $2, lease_until = now() + ($3::int * interval '1 millisecond')
     WHERE source = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now()) RETURNING source`,
    [source, owner, Math.round(ms)],
  );
  return rows.length === 1;
}

export async function releaseLease(sql: SqlExecutor, source: SourceName, owner: string): Promise<void> {
  await sql.query(`UPDATE mirror_sync_state SET lease_owner = NULL, lease_until = NULL WHERE source = $1 AND lease_owner = $2`, [source, owner]);
}

export interface PageWrite {
  upserts: { key: string; record: Record<string, unknown> & { asOf: Date } }[];
  deletes: string[];
  malformed: { key: string | null; reason: string }[];
}

/**
 * Applies one page (upserts, deletes, malformed reports) in the caller's transaction; returns the malformed count.
 * `reportsExist: false` (the source has no malformed report) skips clearing reports of the page's keys.
 * `tally.rows` gains the page's net change of the table's row count (rows inserted minus rows deleted), so an
 * incremental sync keeps `records` without counting the table (a count of 2,000,000 rows per sync is seconds).
 */
export async function applyPage(
  sql: SqlExecutor,
  source: SourceName,
  page: PageWrite,
  syncedAt: Date,
  cursor: string | null,
  reportsExist = true,
  tally?: { rows: number },
): Promise<number> {
  const { table, key } = MIRROR_TABLES[source];
  // last one wins within a page (one statement may not touch a row twice)
  const byKey = new Map<string, PageWrite["upserts"][number]>();
  for (const u of page.upserts) byKey.set(u.key, u);
  const badKeys = new Set(page.malformed.map((m) => m.key).filter((k): k is string => k !== null));
  for (const k of badKeys) byKey.delete(k);
  if (byKey.size) {
    // the page as one JSON array text, built row by row (no intermediate row objects): `stale` and
    // `servedFrom` depend on the reader, so they are not stored (undefined members are left out by JSON)
    let rows = "[";
    for (const u of byKey.values()) {
      if (rows.length > 1) rows += ",";
      rows += `{"k":${JSON.stringify(u.key)},"u":"${u.record.asOf.toISOString()}","r":${JSON.stringify({ ...u.record, stale: undefined, servedFrom: undefined })}}`;
    }
    rows += "]";
    // (xmax = 0): the row was inserted, not updated
    const [w] = await sql.query<{ inserted: number }>(
      `WITH w AS (INSERT INTO ${table} (${key}, record, source_updated_at, synced_at, source_cursor)
       SELECT x.k, x.r, x.u, $2, $3 FROM jsonb_to_recordset($1::jsonb) AS x(k text, r jsonb, u timestamptz)
       ON CONFLICT (${key}) DO UPDATE SET record = EXCLUDED.record, source_updated_at = EXCLUDED.source_updated_at,
         synced_at = EXCLUDED.synced_at, source_cursor = EXCLUDED.source_cursor
       RETURNING (xmax = 0) AS inserted)
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted FROM w`,
      [rows, syncedAt, cursor],
    );
    if (tally) tally.rows += Number(w.inserted);
    if (reportsExist) await sql.query(`DELETE FROM mirror_malformed WHERE source = $1 AND key = ANY($2::text[])`, [source, [...byKey.keys()]]);
  }
  // a delete, or a malformed record replacing a good one: the row goes (never serve what the system no longer says)
  const gone = [...page.deletes.filter((k) => !byKey.has(k)), ...badKeys];
  if (gone.length) {
    const [d] = await sql.query<{ deleted: number }>(`WITH d AS (DELETE FROM ${table} WHERE ${key} = ANY($1::text[]) RETURNING 1) SELECT count(*)::int AS deleted FROM d`, [gone]);
    if (tally) tally.rows -= Number(d.deleted);
  }
  const deletedOnly = page.deletes.filter((k) => !byKey.has(k) && !badKeys.has(k));
  if (deletedOnly.length && reportsExist) await sql.query(`DELETE FROM mirror_malformed WHERE source = $1 AND key = ANY($2::text[])`, [source, deletedOnly]);
  if (page.malformed.length) {
    const reports = new Map<string, string>();
    for (const m of page.malformed) reports.set(m.key ?? "(no key)", m.reason.slice(0, 1000));
    await sql.query(
      `INSERT INTO mirror_malformed (source, key, reason, seen_at)
       SELECT $1, x.k, x.r, $3 FROM jsonb_to_recordset($2::jsonb) AS x(k text, r text)
       ON CONFLICT (source, key) DO UPDATE SET reason = EXCLUDED.reason, seen_at = EXCLUDED.seen_at`,
      [source, JSON.stringify([...reports].map(([k, r]) => ({ k, r }))), syncedAt],
    );
  }
  return page.malformed.length;
}

/** After a full load: rows (and malformed reports) the new export did not contain are gone. */
export async function dropNotSeenSince(sql: SqlExecutor, source: SourceName, since: Date): Promise<number> {
  const { table } = MIRROR_TABLES[source];
  const rows = await sql.query(`DELETE FROM ${table} WHERE synced_at < $1 RETURNING 1`, [since]);
  await sql.query(`DELETE FROM mirror_malformed WHERE source = $1 AND seen_at < $2`, [source, since]);
  return rows.length;
}

export async function hasMalformedReports(sql: SqlExecutor, source: SourceName): Promise<boolean> {
  return (await sql.query(`SELECT 1 FROM mirror_malformed WHERE source = $1 LIMIT 1`, [source])).length > 0;
}

export async function malformedReports(sql: SqlExecutor, source?: SourceName): Promise<{ source: SourceName; key: string; reason: string; seenAt: Date }[]> {
  const rows = await sql.query<{ source: string; key: string; reason: string; seen_at: Date }>(
    `SELECT source, key, reason, seen_at FROM mirror_malformed ${source ? "WHERE source = $1" : ""} ORDER BY source, key`,
    source ? [source] : [],
  );
  return rows.map((r) => ({ source: r.source as SourceName, key: r.key, reason: r.reason, seenAt: asDate(r.seen_at)! }));
}

// ---------------------------------------------------------------------------------------------------
// reading

/** Date-valued paths of each source's unified record (JSON stores them as ISO strings). */
const DATE_FIELDS: Record<SourceName, (r: Record<string, any>) => void> = {
  education: () => {},
  employment: (r) => {
    r.registeredUnemployedSince = asDate(r.registeredUnemployedSince);
    if (Array.isArray(r.trainings)) r.trainings = r.trainings.map((t: Record<string, any>) => ({ ...t, completedOn: asDate(t.completedOn) }));
    if (r.dibaoEmploymentSubsidy) r.dibaoEmploymentSubsidy = { ...r.dibaoEmploymentSubsidy, from: asDate(r.dibaoEmploymentSubsidy.from), to: asDate(r.dibaoEmploymentSubsidy.to) };
  },
  housing: (r) => {
    if (Array.isArray(r.benefits)) r.benefits = r.benefits.map((b: Record<string, any>) => ({ ...b, startDate: asDate(b.startDate), endDate: asDate(b.endDate) }));
  },
  medicalInsurance: () => {},
  disability: () => {},
};

/** A stored record back as the connector's unified record (Dates revived; `stale` as of `now`). */
export function reviveRecord(source: SourceName, stored: Record<string, unknown>, now: Date, staleAfterDays: number): Record<string, unknown> {
  // a new object wherever a date is revived: the stored object is left as it was
  const r = { ...stored } as Record<string, any>;
  r.asOf = asDate(r.asOf);
  DATE_FIELDS[source](r);
  r.stale = now.getTime() - (r.asOf as Date).getTime() > staleAfterDays * 86_400_000;
  return r;
}

export interface MirrorOptions {
  /** per source: how old the last successful sync may be for the mirror to serve (ms) */
  maxAgeMs: Record<SourceName, number>;
  /** per source: the staleness threshold of records (days), as the connectors' */
  staleAfterDays: Record<SourceName, number>;
}

export interface MirrorRow {
  key: string;
  record: Record<string, unknown>;
  sourceUpdatedAt: Date;
  syncedAt: Date;
}

export class Mirror {
  private states = new Map<SourceName, SyncState>();

  constructor(
    readonly sql: SqlExecutor,
    readonly options: MirrorOptions,
  ) {}

  /** Reloads every source's sync state (the scheduler calls it after each run; readers may call it any time). */
  async refresh(): Promise<void> {
    this.states = await readStates(this.sql);
  }

  state(source: SourceName): SyncState | null {
    return this.states.get(source) ?? null;
  }

  /** Within its freshness: a full load completed, and the last successful sync no older than the source's max age. */
  isFresh(source: SourceName, now: Date = new Date()): boolean {
    const s = this.states.get(source);
    if (!s || s.cursor === null || s.lastSuccessAt === null) return false;
    return now.getTime() - s.lastSuccessAt.getTime() <= this.options.maxAgeMs[source];
  }

  /** The mirror's answers for lookup keys: a record (unified, `stale` as of `now`), MALFORMED, or absent (the system does not know the key). */
  async getMany(source: SourceName, keys: readonly string[], now: Date = new Date()): Promise<Map<string, MirrorAnswer>> {
    return (await this.getManyOf([{ source, keys }], now)).get(source) ?? new Map();
  }

  /**
   * `getMany` for several sources in one statement (one round trip to the database): a request's department
   * loaders that dispatch together read together. Each source's answers as `getMany` gives them.
   */
  async getManyOf(requests: readonly { source: SourceName; keys: readonly string[] }[], now: Date = new Date()): Promise<Map<SourceName, Map<string, MirrorAnswer>>> {
    const out = new Map<SourceName, Map<string, MirrorAnswer>>();
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const { source, keys } of requests) {
      out.set(source, new Map());
      if (keys.length === 0) continue;
      const { table, key } = MIRROR_TABLES[source];
      // the keys through ARRAY(SELECT unnest(…)): PostgreSQL cannot see their number when it plans, so its estimate is
      // the same with and without the values, and after five runs it keeps one generic plan instead of planning the
      // union again on every call (planning was ≈ 40 % of the database's CPU on the mirror-served read)
      const p = `ARRAY(SELECT unnest($${params.push([...keys])}::text[]))`;
      // the source names are this module's constants, never input
      parts.push(
        `SELECT '${source}' AS s, ${key} AS k, record FROM ${table} WHERE ${key} = ANY(${p})`,
        `SELECT '${source}' AS s, key AS k, NULL AS record FROM mirror_malformed WHERE source = '${source}' AND key = ANY(${p})`,
      );
    }
    if (parts.length === 0) return out;
    // prepared: one text per set of sources asked (at most 2^5), parsed and planned once per connection
    const rows = await queryPrepared<{ s: SourceName; k: string; record: Record<string, unknown> | null }>(this.sql, parts.join("\n UNION ALL "), params);
    for (const r of rows) {
      const answers = out.get(r.s)!;
      if (r.record === null) answers.set(r.k, MALFORMED);
      else if (!answers.has(r.k)) answers.set(r.k, reviveRecord(r.s, r.record, now, this.options.staleAfterDays[r.s]));
    }
    return out;
  }

  /**
   * The mirror in key order (the database's text order), for bulk reads: keys > `after` (a page's last key),
   * within [from, to) when given, at most `limit` (1–10000) rows. Records are unified (dates revived, `stale` as of `now`).
   */
  async scan(source: SourceName, range: { after?: string; from?: string; to?: string; limit?: number } = {}, now: Date = new Date()): Promise<MirrorRow[]> {
    const { table, key } = MIRROR_TABLES[source];
    const limit = Math.max(1, Math.min(10_000, Math.floor(range.limit ?? 1000)));
    const where: string[] = [];
    const params: unknown[] = [];
    if (range.after !== undefined) where.push(`${key} > $${params.push(range.after)}`);
    if (range.from !== undefined) where.push(`${key} >= $${params.push(range.from)}`);
    if (range.to !== undefined) where.push(`${key} < $${params.push(range.to)}`);
    const rows = await this.sql.query<{ k: string; record: Record<string, unknown>; source_updated_at: Date; synced_at: Date }>(
      `SELECT ${key} AS k, record, source_updated_at, synced_at FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${key} LIMIT ${limit}`,
      params,
    );
    return rows.map((r) => ({
      key: r.k,
      record: reviveRecord(source, r.record, now, this.options.staleAfterDays[source]),
      sourceUpdatedAt: asDate(r.source_updated_at)!,
      syncedAt: asDate(r.synced_at)!,
    }));
  }
}
