/**
 * GET /readyz: can this gateway serve, and what is each dependency doing — in words a person reads
 * correctly (`up`, `degraded`, `down`; never a breaker's "closed").
 *
 *   { status: "ready" | "degraded" | "unavailable",
 *     dependencies: { database: { state, detail? }, redis?: …, audit?: …, education: …, employment: …, … } }
 *
 * HTTP 200 while the gateway serves, degraded included (a department system down means partial answers;
 * Redis down means rate limiting counts in memory); HTTP 503 only when it cannot serve: the database does
 * not answer, or the access log cannot be written (every request fails closed then).
 *
 * Department systems: the circuit breaker's state, and for a system the gateway is calling (breaker closed) a
 * /health probe (bypassing retry, breaker and queue):
 * breaker open or isolated → down; half-open → degraded; probe failing → down; queue at least half full → degraded.
 */
import type { Redis } from "ioredis";
import type { Connectors, MirrorService } from "../../../connectors/kit/index.js";
import { SOURCES } from "../../domain/records.js";
import type { Database } from "../../db/database.js";
import type { AuditWriter } from "../../audit/writer.js";
import { readHead } from "../../audit/store.js";
import { watchRedis } from "./rate-limit-store.js";

export type DependencyState = "up" | "degraded" | "down";
export type ReadinessStatus = "ready" | "degraded" | "unavailable";

export interface DependencyReport {
  state: DependencyState;
  detail?: string;
}

export interface ReadinessReport {
  status: ReadinessStatus;
  dependencies: Record<string, DependencyReport>;
  /** the department mirror per source (when the gateway keeps one): up = reads served from it, degraded = not fresh, reads go live */
  mirror?: Record<string, MirrorReport>;
}

export interface MirrorReport extends Omit<DependencyReport, "state"> {
  /** up: reads served from the mirror; degraded: not fresh, reads go live; off: never synced and no schedule here (MIRROR_SYNC off) — the mirror is not in use, reads are live as configured */
  state: DependencyState | "off";
  lastSuccessAt: string | null;
  lagSeconds: number | null;
  records: number;
  malformed: number;
  lastError: string | null;
}

export interface ReadinessDeps {
  db: Database;
  connectors: Connectors;
  redis?: Redis;
  audit?: AuditWriter;
  mirror?: MirrorService;
  /** how long the database may take to answer `SELECT 1` (default 2000 ms) */
  databaseTimeoutMs?: number;
}

/** How long after a failed access-log write the audit dependency is reported down (unless a write succeeds). */
const AUDIT_FAILURE_MEMORY_MS = 30_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const short = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 160);

/**
 * Access-log writes seen through one writer: the last failure, unless a later write succeeded.
 * (Wraps the instance's `append`/`appendWithin` once; behaviour unchanged.)
 */
interface AuditTrack {
  lastFailureAt: number;
  lastFailure?: string;
}
const auditTracks = new WeakMap<AuditWriter, AuditTrack>();

export function trackAuditWriter(writer: AuditWriter): AuditTrack {
  let track = auditTracks.get(writer);
  if (track) return track;
  const t: AuditTrack = { lastFailureAt: 0 };
  track = t;
  auditTracks.set(writer, t);
  const observe = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      fn(...args).then(
        (r) => {
          t.lastFailureAt = 0;
          t.lastFailure = undefined;
          return r;
        },
        (e: unknown) => {
          t.lastFailureAt = Date.now();
          t.lastFailure = short(e);
          throw e;
        },
      );
  writer.append = observe(writer.append.bind(writer));
  writer.appendWithin = observe(writer.appendWithin.bind(writer));
  return t;
}

export function readinessCheck(deps: ReadinessDeps): () => Promise<ReadinessReport> {
  const dbTimeout = deps.databaseTimeoutMs ?? 2000;
  const redisWatch = deps.redis ? watchRedis(deps.redis) : null;
  const auditTrack = deps.audit ? trackAuditWriter(deps.audit) : null;
  let inFlight: Promise<ReadinessReport> | null = null;

  async function database(): Promise<DependencyReport> {
    try {
      await withTimeout(deps.db.sql.query("SELECT 1"), dbTimeout, "the database");
      return { state: "up", detail: deps.db.target.kind };
    } catch (e) {
      return { state: "down", detail: `${deps.db.target.kind}: ${short(e)}` };
    }
  }

  async function audit(): Promise<DependencyReport> {
    if (auditTrack && auditTrack.lastFailureAt > 0 && Date.now() - auditTrack.lastFailureAt < AUDIT_FAILURE_MEMORY_MS) {
      return { state: "down", detail: `the last access-log write failed: ${auditTrack.lastFailure}` };
    }
    try {
      await withTimeout(readHead(deps.db.sql), dbTimeout, "the access log");
      return { state: "up" };
    } catch (e) {
      return { state: "down", detail: `the access log cannot be read: ${short(e)}` };
    }
  }

  function redis(): DependencyReport {
    const w = redisWatch!;
    return w.state === "up" ? { state: "up" } : { state: "down", detail: `${w.detail}; rate limiting counts in memory` };
  }

  async function departments(): Promise<Record<string, DependencyReport>> {
    const breakers = deps.connectors.states();
    // probe only the systems the gateway is calling (an open breaker already says enough)
    const health = await Promise.all(SOURCES.map((s) => (breakers[s] === "closed" ? deps.connectors[s].health() : null)));
    const loads = deps.connectors.loads();
    const out: Record<string, DependencyReport> = {};
    SOURCES.forEach((s, i) => {
      const h = health[i];
      const load = loads[s];
      if (breakers[s] === "open") out[s] = { state: "down", detail: "circuit open: calls are refused until a trial call succeeds" };
      else if (breakers[s] === "isolated") out[s] = { state: "down", detail: "isolated by an operator: calls are refused" };
      else if (breakers[s] === "half-open") out[s] = { state: "degraded", detail: "circuit half-open: one trial call in flight, others refused" };
      else if (h && !h.ok) out[s] = { state: "down", detail: `health check failed: ${h.detail ?? "no answer"}` };
      else if (load.maxQueue > 0 && load.queued * 2 >= load.maxQueue) out[s] = { state: "degraded", detail: `busy: ${load.queued} requests waiting (queue ${load.maxQueue})` };
      else out[s] = { state: "up" };
    });
    return out;
  }

  async function check(): Promise<ReadinessReport> {
    const [db, au, dept] = await Promise.all([database(), deps.audit ? audit() : Promise.resolve(null), departments()]);
    const dependencies: Record<string, DependencyReport> = { database: db };
    if (redisWatch) dependencies.redis = redis();
    if (au) dependencies.audit = au;
    Object.assign(dependencies, dept);
    const mirror = deps.mirror ? mirrorReports(deps.mirror) : undefined;
    const cannotServe = db.state === "down" || au?.state === "down";
    const allUp = [...Object.values(dependencies), ...Object.values(mirror ?? {})].every((d) => d.state === "up" || d.state === "off");
    return { status: cannotServe ? "unavailable" : allUp ? "ready" : "degraded", dependencies, ...(mirror && { mirror }) };
  }

  // concurrent probes share one check
  return () => {
    inFlight ??= check().finally(() => (inFlight = null));
    return inFlight;
  };
}

function mirrorReports(service: MirrorService): Record<string, MirrorReport> {
  const out: Record<string, MirrorReport> = {};
  for (const s of service.status()) {
    const detail = s.fresh
      ? undefined
      : s.lastSuccessAt === null
        ? s.fullLoadInProgress
          ? "first full load in progress: reads are live"
          : service.settings.schedule
            ? "never synced: reads are live"
            : "never synced, no schedule here (MIRROR_SYNC off): reads are live"
        : `last sync older than ${s.maxAgeSeconds} s: reads are live`;
    const unused = !service.settings.schedule && s.lastSuccessAt === null && !s.fullLoadInProgress && !s.lastError;
    out[s.source] = {
      state: s.fresh ? "up" : unused ? "off" : "degraded",
      ...(detail && { detail: s.lastError ? `${detail}; last error: ${s.lastError}` : detail }),
      lastSuccessAt: s.lastSuccessAt?.toISOString() ?? null,
      lagSeconds: s.lagSeconds === null ? null : Math.round(s.lagSeconds),
      records: s.records,
      malformed: s.malformed,
      lastError: s.lastError,
    };
  }
  return out;
}

/** HTTP status for a report: 503 only when the gateway cannot serve. */
export function readinessHttpStatus(report: ReadinessReport): 200 | 503 {
  return report.status === "unavailable" ? 503 : 200;
}
