/**
 * Monitoring in a process: the engine on the process's database, the shard worker, and — in the gateway —
 * the schedule: the first full run at start when none has finished yet (progress in the start output), then
 * an incremental run every MONITOR_INTERVAL seconds (skipped while one runs). Whoever follows runs also
 * fails the shards the engine gave up on (a worker killed on the last attempt).
 */
import type PgBoss from "pg-boss";
import type { Database } from "../../db/database.js";
import type { Connectors, Mirror } from "../../../connectors/kit/index.js";
import type { Pseudonymizer } from "../../policy/pseudonym.js";
import { startEngine } from "./engine.js";
import { liveShardFacts, mirrorShardFacts } from "./shard-facts.js";
import { getRun, latestRun, reapFailedShards, startRun, workShards, type MonitorDeps, type RunMode, type RunRow } from "./runs.js";

/** The monitoring settings of the configuration (src/app/config.ts MONITOR_*). */
export interface MonitorConfig {
  MONITOR_INTERVAL: number;
  MONITOR_SHARD_SIZE: number;
  MONITOR_SHARD_ATTEMPTS: number;
  MONITOR_SHARD_TIMEOUT: number;
}

export interface Monitoring {
  deps: MonitorDeps;
  boss: PgBoss;
  close(): Promise<void>;
}

/**
 * The department mirror a process's shards read (connectors/kit/mirror.ts) and the clock its freshness is judged
 * by; without one, shards ask the department systems live.
 */
export interface MonitorMirror {
  mirror: Mirror;
  clock?: () => Date;
}

export async function openMonitoring(db: Database, connectors: Connectors, pseudonyms: Pseudonymizer, config: MonitorConfig, mirror?: MonitorMirror): Promise<Monitoring> {
  const boss = await startEngine(db, { attempts: config.MONITOR_SHARD_ATTEMPTS, timeoutSeconds: config.MONITOR_SHARD_TIMEOUT });
  const deps: MonitorDeps = {
    db,
    boss,
    shardFacts: mirror ? mirrorShardFacts(db.prisma, connectors, mirror.mirror, pseudonyms, mirror.clock, db.sql) : liveShardFacts(db.prisma, connectors, pseudonyms, db.sql),
    pseudonyms,
    shardSize: config.MONITOR_SHARD_SIZE,
    attempts: config.MONITOR_SHARD_ATTEMPTS,
  };
  return {
    deps,
    boss,
    close: () => boss.stop({ graceful: true, wait: true, close: true, timeout: 10_000 }).catch(() => {}),
  };
}

export function describeRun(r: RunRow): string {
  const alerts = Object.values(r.counts?.alerts ?? {}).reduce((a, b) => a + b, 0);
  const findings = Object.values(r.counts?.findings ?? {}).reduce((a, b) => a + b, 0);
  return `${r.mode} run ${r.id} ${r.status}: ${r.households} households, shards ${r.shards_done}/${r.shards_total} done, ${r.shards_failed} failed, ${r.shards_retried} retried; ${alerts} current alerts, ${findings} findings${r.failed_sources?.length ? `; sources failed: ${r.failed_sources.join(", ")}` : ""}${r.stale_sources?.length ? `; stale records from: ${r.stale_sources.join(", ")}` : ""}${r.mirror_sources?.length ? `; from the mirror: ${r.mirror_sources.join(", ")}` : ""}${r.live_sources?.length ? `; asked live: ${r.live_sources.join(", ")}` : ""}`;
}

/** Follows a run until it ends, reporting progress; reaps shards the engine gave up on. */
export async function followRun(deps: MonitorDeps, runId: string, progress: (r: RunRow) => void, everyMs = 500): Promise<RunRow> {
  let last = 0;
  for (;;) {
    const run = (await getRun(deps.db, runId))!;
    progress(run);
    if (run.status !== "RUNNING") return run;
    if (Date.now() - last > 5000) {
      last = Date.now();
      await reapFailedShards(deps, runId);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The gateway's schedule. Returns a stop function. */
export function scheduleRuns(m: Monitoring, config: MonitorConfig, log: (line: string) => void, options: { after?: Promise<void> } = {}): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const run = async (mode: RunMode) => {
    const { run, started } = await startRun(m.deps, mode);
    // a run left RUNNING (e.g. by a process that stopped): followed to its end, its abandoned shards reaped
    log(`monitoring: ${run.mode} run ${run.id} ${started ? "started" : "in progress, following it"}: ${run.households} households in ${run.shards_total} shards`);
    let reported = -1;
    const ended = await followRun(
      m.deps,
      run.id,
      (r) => {
        const step = Math.floor((r.shards_done + r.shards_failed) / Math.max(1, Math.ceil(r.shards_total / 10)));
        if (r.status === "RUNNING" && step !== reported && r.shards_total > 0) {
          reported = step;
          log(`monitoring: ${r.shards_done + r.shards_failed}/${r.shards_total} shards`);
        }
      },
      1000,
    );
    log(`monitoring: ${describeRun(ended)}`);
  };
  const guarded = (mode: RunMode) => {
    current = current.then(() => (stopped ? undefined : run(mode))).catch((err) => log(`monitoring: run failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  // a failure here is logged, never a crash of the process that hosts the schedule (the gateway)
  // the first run waits for `after` (the gateway: its mirror's first syncs, so the run reads the mirror, not every system live)
  void (options.after ?? Promise.resolve())
    .then(() => latestRun(m.deps.db))
    .then((prev) => guarded(prev ? "INCREMENTAL" : "FULL"))
    .catch((err) => log(`monitoring: cannot start: ${err instanceof Error ? err.message : String(err)}`));
  if (config.MONITOR_INTERVAL > 0) {
    timer = setInterval(() => guarded("INCREMENTAL"), config.MONITOR_INTERVAL * 1000);
    timer.unref();
  }
  return async () => {
    stopped = true;
    if (timer) clearInterval(timer);
  };
}

export { workShards };
