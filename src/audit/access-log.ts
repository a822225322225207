/**
 * The auditors' view of the access log: filtered, cursor-paginated reads (oldest first, by seq).
 * Filters use the log's indexes: GIN on household_ids / person_ids (jsonb `?`), (subject, at), at; a query's records are
 * found by request_id. A request is shown once: a query's last record (LAST_OF_ITS_QUERY).
 */
import type { ChainedRecord } from "./record.js";
import { SELECT_RECORD, recordFromRow, type RecordRow, type RowExecutor } from "./store.js";

export interface AccessLogQuery {
  subject?: string;
  audience?: string;
  household?: string;
  person?: string;
  field?: string;
  /** a sensitive class (src/policy/classes.ts): records that disclosed it */
  class?: string;
  purpose?: string;
  from?: Date;
  to?: Date;
  afterSeq?: number;
  first: number;
}

/**
 * A query's early record that its response's own record followed (src/audit/request.ts: the response disclosed more than
 * the early record says) is not shown: the later record of the same request is what the response disclosed. Every record
 * stays in the chain (audit:verify reads them all); mutations keep each of their records.
 */
const LAST_OF_ITS_QUERY =
  "(audit_log.operation_type <> 'query' OR NOT EXISTS (SELECT 1 FROM audit_log AS later WHERE later.request_id = audit_log.request_id AND later.seq > audit_log.seq AND later.operation_type = 'query'))";

function where(q: AccessLogQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const cond: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.subject !== undefined) cond.push(`subject = ${p(q.subject)}`);
  if (q.audience !== undefined) cond.push(`audience = ${p(q.audience)}`);
  if (q.household !== undefined) cond.push(`household_ids ? ${p(q.household)}::text`);
  if (q.person !== undefined) cond.push(`person_ids ? ${p(q.person)}::text`);
  if (q.field !== undefined) cond.push(`fields ->> ${p(q.field)}::text IN ('read', 'masked')`);
  if (q.class !== undefined) cond.push(`classes ? ${p(q.class)}::text`);
  if (q.purpose !== undefined) cond.push(`strpos(lower(purpose), lower(${p(q.purpose)}::text)) > 0`);
  if (q.from !== undefined) cond.push(`at >= ${p(q.from.toISOString())}::timestamptz`);
  if (q.to !== undefined) cond.push(`at < ${p(q.to.toISOString())}::timestamptz`);
  cond.push(LAST_OF_ITS_QUERY);
  return { sql: ` WHERE ${cond.join(" AND ")}`, params };
}

export async function queryAccessLog(sql: RowExecutor, q: AccessLogQuery): Promise<{ records: ChainedRecord[]; hasNextPage: boolean; totalCount: number }> {
  const w = where(q);
  const pageParams = [...w.params];
  let pageWhere = w.sql;
  if (q.afterSeq !== undefined) {
    pageParams.push(String(q.afterSeq));
    pageWhere += `${w.sql ? " AND" : " WHERE"} seq > $${pageParams.length}::bigint`;
  }
  const [rows, count] = await Promise.all([
    sql.query<RecordRow>(`${SELECT_RECORD}${pageWhere} ORDER BY audit_log.seq LIMIT ${Math.trunc(q.first) + 1}`, pageParams),
    sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log${w.sql}`, w.params),
  ]);
  return { records: rows.slice(0, q.first).map(recordFromRow), hasNextPage: rows.length > q.first, totalCount: Number(count[0].n) };
}
