/**
 * SQL for the audit tables, on either database (PGlite or PostgreSQL) and inside any transaction: the
 * caller's executor may be the gateway's own (db.sql) or a Prisma interactive transaction (mutations).
 */
import type { ChainHead } from "./chain.js";
import { EMPTY_HEAD } from "./chain.js";
import type { ChainedRecord, Change, Disclosure, Outcome } from "./record.js";
import { sqlLiteral } from "../db/sql.js";

/** The one thing the store needs: a parameterised statement returning rows. */
export interface RowExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** An executor over a Prisma interactive transaction (or client), for appends inside a mutation's transaction. */
export function prismaExecutor(tx: { $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> }): RowExecutor {
  return { query: async <T>(sql: string, params: unknown[] = []) => (await tx.$queryRawUnsafe<T[]>(sql, ...params)) as T[] };
}

/**
 * Serialises appends: a transaction-scoped advisory lock, per schema, held until commit or rollback.
 * Everyone appending (any process, any pool connection) takes it before reading the head, so seq and
 * prev_hash are assigned one transaction at a time; a rollback releases it having consumed nothing.
 */
export async function lockChain(tx: RowExecutor): Promise<void> {
  await tx.query(LOCK_CHAIN);
}
/** lockChain's statement (parameterless: it may open a transaction in the same round trip as BEGIN) */
export const LOCK_CHAIN = `SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))`;

/** readHead's statement (parameterless: it may follow the lock in the round trip that opens the transaction) */
export const READ_HEAD = `SELECT seq::text AS seq, hash FROM audit_log ORDER BY audit_log.seq DESC LIMIT 1`;

export async function readHead(tx: RowExecutor): Promise<ChainHead> {
  return headOf(await tx.query<{ seq: string; hash: string }>(READ_HEAD));
}

/** The head from READ_HEAD's rows. */
export function headOf(rows: readonly Record<string, unknown>[]): ChainHead {
  return rows.length ? { seq: Number(rows[0].seq), hash: String(rows[0].hash) } : EMPTY_HEAD;
}

const COLUMNS = [
  ["seq", "bigint"],
  ["at", "timestamptz"],
  ["request_id", "text"],
  ["subject", "text"],
  ["audience", "text"],
  ["jurisdiction", "text"],
  ["purpose", "text"],
  ["charity_id", "text"],
  ["operation_type", "text"],
  ["operation_name", "text"],
  ["document_hash", "text"],
  ["variables_hash", "text"],
  ["fields", "jsonb"],
  ["household_ids", "jsonb"],
  ["person_ids", "jsonb"],
  ["outcome", "text"],
  ["error_codes", "jsonb"],
  ["changes", "jsonb"],
  ["prev_hash", "text"],
  ["hash", "text"],
  ["chain_version", "int"],
  ["classes", "jsonb"],
] as const;

/** A record as a row of audit_log: its columns by name, jsonb columns as their JSON values. */
function recordRow(r: ChainedRecord): Record<(typeof COLUMNS)[number][0], unknown> {
  return {
    seq: r.seq,
    at: r.at,
    request_id: r.requestId,
    subject: r.subject,
    audience: r.audience,
    jurisdiction: r.jurisdiction,
    purpose: r.purpose,
    charity_id: r.charityId,
    operation_type: r.operationType,
    operation_name: r.operationName,
    document_hash: r.documentHash,
    variables_hash: r.variablesHash,
    fields: r.fields,
    household_ids: r.households,
    person_ids: r.persons,
    outcome: r.outcome,
    error_codes: r.errorCodes,
    changes: r.changes,
    prev_hash: r.prevHash,
    hash: r.hash,
    chain_version: r.chainVersion,
    classes: r.classes ?? null,
  };
}

/** A record's values in COLUMNS' order, as statements bind them: seq as text, jsonb columns as JSON text (NULL stays NULL). */
function values(r: ChainedRecord): unknown[] {
  const row = recordRow(r);
  return COLUMNS.map(([c, type]) => {
    const v = row[c];
    if (c === "seq") return String(v);
    return type === "jsonb" && v !== null ? JSON.stringify(v) : v;
  });
}

/** How a value enters a statement: a bound parameter ($n), or inlined as a literal (a statement sent without parameters). */
type Bind = (value: unknown) => string;

/** Binds as $n, pushing the value onto `params`. */
const bindParams = (params: unknown[]): Bind => (value) => `$${params.push(value)}`;

/** Inlines the value: NULL, a number, or a string through sqlLiteral (node-postgres's escapeLiteral). */
const bindLiteral: Bind = (value) => {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value !== "string") throw new Error(`no literal for a ${typeof value}`);
  return sqlLiteral(value);
};

const COLUMN_LIST = COLUMNS.map(([c]) => c).join(", ");

function recordRows(records: readonly ChainedRecord[], bind: Bind): string {
  return records
    .map((r) => {
      const vs = values(r);
      return `(${COLUMNS.map(([, type], i) => `${bind(vs[i])}::${type}`).join(", ")})`;
    })
    .join(", ");
}

function recordsInsert(records: readonly ChainedRecord[], bind: Bind): string {
  return `INSERT INTO audit_log (${COLUMN_LIST}) VALUES ${recordRows(records, bind)} RETURNING seq::text AS seq`;
}

export async function insertRecords(tx: RowExecutor, records: readonly ChainedRecord[]): Promise<void> {
  if (!records.length) return;
  const params: unknown[] = [];
  await tx.query(recordsInsert(records, bindParams(params)), params);
}

const HEAD_COLUMNS = "seq, first_seq, head_hash, records_hash, at, key_id, signature";

/** A signed head's values, in HEAD_COLUMNS' order. */
function headValues(h: SignedHead, bind: Bind): string {
  return `${bind(String(h.seq))}::bigint, ${bind(String(h.firstSeq))}::bigint, ${bind(h.headHash)}, ${bind(h.recordsHash)}, ${bind(h.at)}::timestamptz, ${bind(h.keyId)}, ${bind(h.signature)}`;
}

/** insertRecords and insertHead in one statement: both rows or, failing, neither. */
function recordsAndHeadStatement(records: readonly ChainedRecord[], h: SignedHead, bind: Bind): string {
  const records_ = recordsInsert(records, bind);
  return `WITH records AS (${records_})
     INSERT INTO audit_head (${HEAD_COLUMNS})
     VALUES (${headValues(h, bind)})
     RETURNING seq::text AS seq, (SELECT count(*) FROM records)::int AS records`;
}

/** insertRecords and insertHead in one statement (one round trip): both rows or, failing, neither. */
export async function insertRecordsAndHead(tx: RowExecutor, records: readonly ChainedRecord[], h: SignedHead): Promise<void> {
  const params: unknown[] = [];
  await tx.query(recordsAndHeadStatement(records, h, bindParams(params)), params);
}

/**
 * insertRecordsAndHead, then COMMIT, in one round trip (`commitWith`: a transaction's last statements, values
 * inlined as literals): the statement runs inside the open transaction; failing, COMMIT is never reached.
 */
export async function insertRecordsAndHeadAndCommit(commitWith: (script: string) => Promise<unknown>, records: readonly ChainedRecord[], h: SignedHead): Promise<void> {
  await commitWith(recordsAndHeadStatement(records, h, bindLiteral));
}

/**
 * The records and their signed head, appended only if the chain's head is still `expected` (the head the records were
 * chained to): the call of audit_append_if_head (migration 20261211100000_audit_append_function), one statement that is
 * its own transaction — the chain lock, the head read after it, the inserts. Its one row (`records`: how many it
 * inserted) says it appended; no row: the head had moved (another process appended, or the log is not what this
 * process last wrote), nothing was inserted, and the caller chains again from the head it reads. Parameters:
 * appendIfHeadParams.
 */
export const APPEND_IF_HEAD = `SELECT seq, records FROM audit_append_if_head($1::bigint, $2::text, $3::jsonb, $4::jsonb)`;

export function appendIfHeadParams(expected: ChainHead, records: readonly ChainedRecord[], h: SignedHead): unknown[] {
  const head = { seq: h.seq, first_seq: h.firstSeq, head_hash: h.headHash, records_hash: h.recordsHash, at: h.at, key_id: h.keyId, signature: h.signature };
  return [String(expected.seq), expected.hash, JSON.stringify(records.map(recordRow)), JSON.stringify(head)];
}

/** Columns as read back: seq as text, jsonb parsed, at as a Date. */
export const SELECT_RECORD = `SELECT seq::text AS seq, at, request_id, subject, audience, jurisdiction, purpose, charity_id, operation_type,
  operation_name, document_hash, variables_hash, fields, household_ids, person_ids, outcome, error_codes, changes, prev_hash, hash, chain_version, classes FROM audit_log`;

export interface RecordRow {
  seq: string;
  at: Date | string;
  request_id: string;
  subject: string;
  audience: string;
  jurisdiction: string;
  purpose: string | null;
  charity_id: string | null;
  operation_type: string;
  operation_name: string | null;
  document_hash: string;
  variables_hash: string;
  fields: unknown;
  household_ids: unknown;
  person_ids: unknown;
  outcome: string;
  error_codes: unknown;
  changes: unknown;
  prev_hash: string;
  hash: string;
  chain_version: number | string;
  classes?: unknown;
}

const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

export function recordFromRow(row: RecordRow): ChainedRecord {
  return {
    seq: Number(row.seq),
    at: new Date(row.at).toISOString(),
    requestId: row.request_id,
    subject: row.subject,
    audience: row.audience,
    jurisdiction: row.jurisdiction,
    purpose: row.purpose,
    charityId: row.charity_id,
    operationType: row.operation_type,
    operationName: row.operation_name,
    documentHash: row.document_hash,
    variablesHash: row.variables_hash,
    fields: json<Record<string, Disclosure>>(row.fields),
    classes: row.classes === null || row.classes === undefined ? null : json<string[]>(row.classes),
    households: json<string[]>(row.household_ids),
    persons: json<string[]>(row.person_ids),
    outcome: row.outcome as Outcome,
    errorCodes: json<string[]>(row.error_codes),
    changes: row.changes === null || row.changes === undefined ? null : json<Change[]>(row.changes),
    prevHash: row.prev_hash,
    hash: row.hash,
    chainVersion: Number(row.chain_version),
  };
}

/** Records with seq > afterSeq, in seq order, at most `limit`. */
export async function readRecords(sql: RowExecutor, afterSeq: number, limit: number): Promise<ChainedRecord[]> {
  const rows = await sql.query<RecordRow>(`${SELECT_RECORD} WHERE seq > $1::bigint ORDER BY audit_log.seq LIMIT ${Math.trunc(limit)}`, [String(afterSeq)]);
  return rows.map(recordFromRow);
}

export interface Checkpoint {
  /** records covered: the seq of the head at signing */
  seq: number;
  headHash: string;
  at: string;
  keyId: string;
  signature: string;
}

/** What a checkpoint's signature covers. */
export function checkpointPayload(c: Omit<Checkpoint, "signature">): string {
  return JSON.stringify({ at: c.at, headHash: c.headHash, keyId: c.keyId, seq: c.seq });
}

export async function insertCheckpoint(tx: RowExecutor, c: Checkpoint): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO audit_checkpoint (seq, head_hash, at, key_id, signature) VALUES ($1::bigint, $2, $3::timestamptz, $4, $5)
     ON CONFLICT (seq) DO NOTHING RETURNING seq::text AS seq`,
    [String(c.seq), c.headHash, c.at, c.keyId, c.signature],
  );
  return rows.length > 0;
}

export async function readCheckpoints(sql: RowExecutor): Promise<Checkpoint[]> {
  const rows = await sql.query<{ seq: string; head_hash: string; at: Date | string; key_id: string; signature: string }>(
    `SELECT seq::text AS seq, head_hash, at, key_id, signature FROM audit_checkpoint ORDER BY audit_checkpoint.seq`,
  );
  return rows.map((r) => ({ seq: Number(r.seq), headHash: r.head_hash, at: new Date(r.at).toISOString(), keyId: r.key_id, signature: r.signature }));
}

/**
 * A signed head: written in the same transaction as every group commit (and every mutation's record), so
 * the newest records are always covered by an Ed25519 signature. `firstSeq..seq` are the records that
 * commit appended; consecutive heads tile the keyed part of the log without overlap or hole.
 */
export interface SignedHead {
  seq: number;
  firstSeq: number;
  headHash: string;
  /** SHA-256 over the canonical content of records firstSeq..seq (recordsDigest): checkable with the public key alone */
  recordsHash: string;
  at: string;
  keyId: string;
  signature: string;
}

/** What a head's signature covers (the "kind" keeps a head's signature from passing as a checkpoint's). */
export function headPayload(h: Omit<SignedHead, "signature">): string {
  return JSON.stringify({ at: h.at, firstSeq: h.firstSeq, headHash: h.headHash, keyId: h.keyId, kind: "head", recordsHash: h.recordsHash, seq: h.seq });
}

export async function insertHead(tx: RowExecutor, h: SignedHead): Promise<void> {
  const params: unknown[] = [];
  await tx.query(`INSERT INTO audit_head (${HEAD_COLUMNS}) VALUES (${headValues(h, bindParams(params))}) RETURNING seq::text AS seq`, params);
}

interface HeadRow {
  seq: string;
  first_seq: string;
  head_hash: string;
  records_hash: string;
  at: Date | string;
  key_id: string;
  signature: string;
}
const SELECT_HEAD = `SELECT seq::text AS seq, first_seq::text AS first_seq, head_hash, records_hash, at, key_id, signature FROM audit_head`;
const headFromRow = (r: HeadRow): SignedHead => ({
  seq: Number(r.seq),
  firstSeq: Number(r.first_seq),
  headHash: r.head_hash,
  recordsHash: r.records_hash,
  at: new Date(r.at).toISOString(),
  keyId: r.key_id,
  signature: r.signature,
});

/** Heads with seq > afterSeq, in seq order, at most `limit`. */
export async function readHeads(sql: RowExecutor, afterSeq: number, limit: number): Promise<SignedHead[]> {
  const rows = await sql.query<HeadRow>(`${SELECT_HEAD} WHERE seq > $1::bigint ORDER BY audit_head.seq LIMIT ${Math.trunc(limit)}`, [String(afterSeq)]);
  return rows.map(headFromRow);
}
