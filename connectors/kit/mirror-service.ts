/**
 * The mirror in a running gateway: the per-source sync schedule, its metrics, and the status the gateway
 * shows (/readyz, `departmentSync`). Reads go through `mirror` (connectors/kit/mirror.ts).
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { SqlExecutor } from "../../src/db/sql.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import type { Connectors } from "./index.js";
import { Mirror, malformedReports, type SyncState } from "./mirror.js";
import { SyncBusyError, syncSource, type SyncProgress, type SyncResult } from "./sync.js";

export interface MirrorSettings {
  /** run the schedule (MIRROR_SYNC); off: the mirror is still read while fresh (e.g. synced by the CLI) */
  schedule: boolean;
  /** per source: time between the end of one sync and the start of the next (ms) */
  intervalMs: Record<SourceName, number>;
  /** per source: how old the last successful sync may be for reads to use the mirror (ms) */
  maxAgeMs: Record<SourceName, number>;
  /** records per bulk page */
  pageSize: number;
  /** the clock of syncs and freshness (default new Date(); tests move it) */
  clock?: () => Date;
}

export interface SourceSyncStatus {
  source: SourceName;
  fresh: boolean;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  fullSyncAt: Date | null;
  /** seconds since the last successful sync (null: never) */
  lagSeconds: number | null;
  records: number;
  malformed: number;
  lastError: string | null;
  fullLoadInProgress: boolean;
  maxAgeSeconds: number;
  intervalSeconds: number;
}

export class MirrorService {
  readonly mirror: Mirror;
  readonly clock: () => Date;
  private timers = new Map<SourceName, NodeJS.Timeout>();
  private refresher?: NodeJS.Timeout;
  private running = new Map<SourceName, Promise<SyncResult>>();
  private readonly stopping = new AbortController();
  private readonly runs: Counter<"source" | "outcome">;
  private readonly changes: Counter<"source" | "kind">;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly connectors: Connectors,
    readonly settings: MirrorSettings,
    registry: Registry,
  ) {
    this.clock = settings.clock ?? (() => new Date());
    const staleAfterDays = Object.fromEntries(SOURCES.map((s) => [s, connectors.config[s].staleAfterDays])) as Record<SourceName, number>;
    this.mirror = new Mirror(sql, { maxAgeMs: settings.maxAgeMs, staleAfterDays });
    const registers = [registry];
    this.runs = new Counter({ name: "gateway_mirror_sync_runs_total", help: "Mirror sync runs per source, by outcome (ok, error, busy)", labelNames: ["source", "outcome"] as const, registers });
    this.changes = new Counter({
      name: "gateway_mirror_synced_records_total",
      help: "Records the mirror sync applied, by kind (upserted, deleted, malformed: reported and skipped, removed: gone from a new full export)",
      labelNames: ["source", "kind"] as const,
      registers,
    });
    const self = this;
    new Gauge({
      name: "gateway_mirror_lag_seconds",
      help: "Seconds since the source's last successful mirror sync (-1: never)",
      labelNames: ["source"] as const,
      registers,
      collect() {
        const now = self.clock().getTime();
        for (const s of SOURCES) {
          const st = self.mirror.state(s);
          this.set({ source: s }, st?.lastSuccessAt ? (now - st.lastSuccessAt.getTime()) / 1000 : -1);
        }
      },
    });
    new Gauge({
      name: "gateway_mirror_records",
      help: "Records in the source's mirror table",
      labelNames: ["source"] as const,
      registers,
      collect() {
        for (const s of SOURCES) this.set({ source: s }, self.mirror.state(s)?.records ?? 0);
      },
    });
    new Gauge({
      name: "gateway_mirror_fresh",
      help: "1 when reads of the source are served from the mirror (within its max age), 0 when live",
      labelNames: ["source"] as const,
      registers,
      collect() {
        for (const s of SOURCES) this.set({ source: s }, self.mirror.isFresh(s, self.clock()) ? 1 : 0);
      },
    });
  }

  /** Settles when every source's first scheduled sync has ended (either way); at once without a schedule. */
  private firstRuns: Promise<void> = Promise.resolve();

  /** Loads the sync states and starts each source's schedule (first run at once). */
  async start(): Promise<void> {
    await this.mirror.refresh();
    // follow syncs run elsewhere too (the CLI against PostgreSQL)
    this.refresher = setInterval(() => void this.mirror.refresh().catch(() => {}), 5000);
    this.refresher.unref();
    if (this.settings.schedule) {
      const ended: (() => void)[] = [];
      const first = SOURCES.map(() => new Promise<void>((resolve) => ended.push(resolve)));
      this.firstRuns = Promise.all(first).then(() => undefined);
      SOURCES.forEach((s, i) => this.schedule(s, 0, ended[i]));
    }
  }

  /**
   * Settles when each source's first scheduled sync has ended (succeeded or failed) or after `timeoutMs`, whichever
   * comes first — so that a process's first monitoring run reads the mirror its start just brought up to date instead
   * of asking every department live. Never rejects.
   */
  firstSyncsSettled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    return Promise.race([this.firstRuns, timeout, new Promise<void>((resolve) => this.stopping.signal.addEventListener("abort", () => resolve(), { once: true }))]).finally(() => clearTimeout(timer));
  }

  private schedule(source: SourceName, delayMs: number, ended?: () => void): void {
    if (this.stopping.signal.aborted) return ended?.();
    const t = setTimeout(() => {
      void this.run(source)
        .catch(() => {})
        .finally(() => {
          ended?.();
          this.schedule(source, this.settings.intervalMs[source]);
        });
    }, delayMs);
    t.unref();
    this.timers.set(source, t);
  }

  /** Runs one sync of `source` now (or joins the one running in this process). */
  run(source: SourceName, opts: { full?: boolean; onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncResult> {
    const current = this.running.get(source);
    if (current) return current;
    const runtime = this.connectors.runtimes[source];
    const p = syncSource(
      {
        sql: this.sql,
        connector: this.connectors[source] as never,
        http: runtime.http,
        pageSize: this.settings.pageSize,
        now: this.clock,
        signal: AbortSignal.any([this.stopping.signal, runtime.closed]),
        onProgress: opts.onProgress,
      },
      { full: opts.full },
    )
      .then(
        (r) => {
          this.runs.inc({ source, outcome: "ok" });
          this.changes.inc({ source, kind: "upserted" }, r.upserted);
          this.changes.inc({ source, kind: "deleted" }, r.deleted);
          this.changes.inc({ source, kind: "malformed" }, r.malformed);
          this.changes.inc({ source, kind: "removed" }, r.removed);
          return r;
        },
        (err: unknown) => {
          this.runs.inc({ source, outcome: err instanceof SyncBusyError ? "busy" : "error" });
          throw err;
        },
      )
      .finally(() => {
        this.running.delete(source);
        return this.mirror.refresh().catch(() => {});
      });
    this.running.set(source, p);
    return p;
  }

  status(now: Date = this.clock()): SourceSyncStatus[] {
    return SOURCES.map((source) => statusOf(source, this.mirror.state(source), this.mirror.isFresh(source, now), this.settings, now));
  }

  malformed(source?: SourceName) {
    return malformedReports(this.sql, source);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.refresher);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}

export function statusOf(source: SourceName, s: SyncState | null, fresh: boolean, settings: Pick<MirrorSettings, "maxAgeMs" | "intervalMs">, now: Date): SourceSyncStatus {
  return {
    source,
    fresh,
    lastSuccessAt: s?.lastSuccessAt ?? null,
    lastAttemptAt: s?.lastAttemptAt ?? null,
    fullSyncAt: s?.fullSyncAt ?? null,
    lagSeconds: s?.lastSuccessAt ? Math.max(0, (now.getTime() - s.lastSuccessAt.getTime()) / 1000) : null,
    records: s?.records ?? 0,
    malformed: s?.malformed ?? 0,
    lastError: s?.lastError ?? null,
    fullLoadInProgress: s?.fullStartedAt != null,
    maxAgeSeconds: settings.maxAgeMs[source] / 1000,
    intervalSeconds: settings.intervalMs[source] / 1000,
  };
}
