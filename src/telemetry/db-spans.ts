/**
 * Database spans at the adapter edge: every statement Prisma sends through its driver adapter (PGlite or
 * node-postgres) and every statement of the gateway's own SQL executor (audit log, migrations, health)
 * is a `db.query` span; a transaction is a `db.transaction` span from BEGIN to COMMIT/ROLLBACK with its
 * statements as children. Attributes: the database system and the statement's verb (SELECT, INSERT, ...)
 * — never the SQL parameters, never the rows.
 */
import { context, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import type { SqlExecutor } from "../db/sql.js";
import { inSpan, markError, tracer } from "./tracing.js";

const SYSTEM = { "db.system.name": "postgresql" } as const;

/** The statement's first keyword, upper case (a fixed vocabulary: no identifiers, no values). */
export function sqlVerb(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sql);
  const verb = m?.[1]?.toUpperCase() ?? "OTHER";
  return /^(SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|CREATE|ALTER|DROP|SET|LOCK|DO|TRUNCATE|COPY|SHOW|VALUES|DEALLOCATE)$/.test(
    verb,
  )
    ? verb
    : "OTHER";
}

function queryAttributes(client: string, sql: string): Attributes {
  return { ...SYSTEM, "db.client": client, "db.operation.name": sqlVerb(sql) };
}

// ---------------------------------------------------------------------------------------------------
// the gateway's own SQL executor

/** The executor with spans around each statement and transaction (inner executors traced alike). */
export function tracedSql(sql: SqlExecutor, parent?: Context): SqlExecutor {
  const ctx = () => parent ?? context.active();
  return {
    kind: sql.kind,
    query: (text, params) => inSpan("db.query", queryAttributes("sql", text), () => sql.query(text, params), { parent: ctx() }),
    ...(sql.prepared ? { prepared: <T>(text: string, params?: unknown[]) => inSpan("db.query", queryAttributes("sql", text), () => sql.prepared!<T>(text, params), { parent: ctx() }) } : {}),
    exec: (script) => inSpan("db.exec", { ...SYSTEM, "db.client": "sql" }, () => sql.exec(script), { parent: ctx() }),
    ...(sql.statements ? { statements: (script: string) => inSpan("db.query", queryAttributes("sql", script), () => sql.statements!(script), { parent: ctx() }) } : {}),
    ...(sql.commitWith ? { commitWith: (script: string) => inSpan("db.query", queryAttributes("sql", script), () => sql.commitWith!(script), { parent: ctx() }) } : {}),
    transaction: (fn) =>
      inSpan("db.transaction", { ...SYSTEM, "db.client": "sql" }, (span) => sql.transaction((tx) => fn(tracedSql(tx, trace.setSpan(ctx(), span)))), {
        parent: ctx(),
      }),
    ...(sql.transactionWith
      ? {
          transactionWith: <T>(first: string, fn: (tx: SqlExecutor, opened: Record<string, unknown>[]) => Promise<T>) =>
            inSpan("db.transaction", { ...SYSTEM, "db.client": "sql" }, (span) => sql.transactionWith!(first, (tx, opened) => fn(tracedSql(tx, trace.setSpan(ctx(), span)), opened)), {
              parent: ctx(),
            }),
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Prisma's driver adapter (structural: the adapter interface of @prisma/driver-adapter-utils)

interface Queryable {
  queryRaw(q: { sql: string }): Promise<unknown>;
  executeRaw(q: { sql: string }): Promise<unknown>;
}
interface AdapterTransaction extends Queryable {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Forwards every property to `target` (methods bound to it: adapters keep private fields), except `own`. */
function forward<T extends object>(target: T, own: Record<string, unknown>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === "string" && Object.hasOwn(own, prop)) return own[prop];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

function tracedQueryable<Q extends Queryable>(q: Q, parent: () => Context): Record<string, unknown> {
  return {
    queryRaw: (query: { sql: string }) => inSpan("db.query", queryAttributes("prisma", query.sql), () => q.queryRaw(query), { parent: parent() }),
    executeRaw: (query: { sql: string }) => inSpan("db.query", queryAttributes("prisma", query.sql), () => q.executeRaw(query), { parent: parent() }),
  };
}

function tracedTransaction<T extends AdapterTransaction>(tx: T, span: Span): T {
  const parent = trace.setSpan(context.active(), span);
  let ended = false;
  const end = async (what: "commit" | "rollback") => {
    try {
      await tx[what]();
      if (what === "rollback") span.setAttribute("db.transaction.outcome", "rollback");
    } catch (err) {
      markError(span, err);
      throw err;
    } finally {
      if (!ended) span.end();
      ended = true;
    }
  };
  return forward(tx, { ...tracedQueryable(tx, () => parent), commit: () => end("commit"), rollback: () => end("rollback") });
}

/** Prisma's adapter factory with spans around every statement and transaction of its connections. */
export function tracedPrismaAdapter<F extends { connect(): Promise<object> }>(factory: F): F {
  return forward(factory, {
    connect: async () => {
      const adapter = (await factory.connect()) as Queryable & { startTransaction(...a: unknown[]): Promise<AdapterTransaction> };
      return forward(adapter, {
        ...tracedQueryable(adapter, () => context.active()),
        startTransaction: async (...args: unknown[]) => {
          const span = tracer.startSpan("db.transaction", { attributes: { ...SYSTEM, "db.client": "prisma" } }, context.active());
          try {
            return tracedTransaction(await adapter.startTransaction(...args), span);
          } catch (err) {
            markError(span, err);
            span.end();
            throw err;
          }
        },
      });
    },
  });
}
