/**
 * GATEWAY_PROCESSES > 1 (PostgreSQL only): the primary process serves nothing itself; it forks the gateway
 * processes (node:cluster), which share the port (the primary hands connections out round-robin).
 *
 * Roles. The first process is the *lead*: it migrates and seeds (as configured) before any other starts, and it
 * alone runs the process-wide schedules — the department mirror's sync schedule and the monitoring runs (their
 * shard workers included). The others (*followers*) serve requests only; they read the mirror the lead keeps
 * (each refreshes its sync states from the database every 5 s) and listen for alerts themselves (pg LISTEN per
 * process), so subscriptions work on every process. The access log is one chain in the database, appended under
 * an advisory lock by every process (src/audit/writer.ts); a request is answered only after its record committed.
 *
 * Per process (documented, not shared): rate-limit counts unless REDIS_URL is set (then shared in Redis), the
 * verified-token cache, /metrics and /readyz (each scrape or probe answers for the process it reached).
 *
 * Lifecycle. SIGTERM/SIGINT to the primary: every process closes (stops listening, finishes its requests, flushes
 * its access log) and the primary exits 0 when all did. A process that ends unexpectedly after it was ready is
 * replaced (the lead by a new lead); one that ends before it ever was ready stops the start (its error is printed).
 */
import cluster, { type Worker } from "node:cluster";
import type { BannerInfo } from "./banner.js";

export type WorkerRole = "lead" | "follower";

/** The environment variable the primary gives each process its role in (internal; not configuration). */
export const ROLE_VARIABLE = "SAFETYNET_GATEWAY_ROLE";

/** Messages a gateway process sends the primary. */
export type WorkerMessage = { type: "ready"; banner?: BannerInfo };

/** The role of this process: null when it is not a cluster worker (GATEWAY_PROCESSES=1). */
export function workerRole(): WorkerRole | null {
  if (!cluster.isWorker) return null;
  return process.env[ROLE_VARIABLE] === "lead" ? "lead" : "follower";
}

const STOP_GRACE_MS = 60_000;
const RESTART_DELAY_MS = 1000;
/** more restarts than this within RESTART_WINDOW_MS: the primary gives up (a crash loop) */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

interface Slot {
  role: WorkerRole;
  worker: Worker;
  ready: boolean;
}

export async function runPrimary(count: number, startBanner: (info: BannerInfo) => string, log: (line: string) => void = console.log): Promise<void> {
  const started = Date.now();
  const slots = new Set<Slot>();
  let stopping = false;
  const restarts: number[] = [];

  const fork = (role: WorkerRole): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [ROLE_VARIABLE]: role });
      const slot: Slot = { role, worker, ready: false };
      slots.add(slot);
      worker.on("message", (m: WorkerMessage) => {
        if (m?.type !== "ready" || slot.ready) return;
        slot.ready = true;
        resolve(slot);
        if (m.banner) leadBanner = m.banner;
      });
      worker.on("exit", (code, signal) => {
        slots.delete(slot);
        if (stopping) return;
        if (!slot.ready) {
          reject(new Error(`gateway process ${worker.process.pid} (${role}) ended before it was ready (${signal ?? `exit ${code}`})`));
          return;
        }
        const now = Date.now();
        restarts.push(now);
        while (restarts.length && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length > MAX_RESTARTS) {
          log(`safetynet-gateway: ${restarts.length} gateway processes ended within ${RESTART_WINDOW_MS / 1000} s; stopping`);
          void stopAll(1);
          return;
        }
        log(`safetynet-gateway: gateway process ${worker.process.pid} (${role}) ended (${signal ?? `exit ${code}`}); starting a new one`);
        setTimeout(() => {
          if (stopping) return;
          fork(role).then(
            (s) => log(`safetynet-gateway: gateway process ${s.worker.process.pid} (${role}) ready`),
            (err: Error) => {
              log(`safetynet-gateway: ${err.message}; stopping`);
              void stopAll(1);
            },
          );
        }, RESTART_DELAY_MS);
      });
    });

  let leadBanner: BannerInfo | undefined;
  const stopAll = async (exitCode: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      const all = [...slots];
      const ended = all.map((s) => new Promise<number>((resolve) => {
        if (s.worker.isDead()) return resolve(s.worker.process.exitCode ?? 1);
        s.worker.once("exit", (code) => resolve(code ?? 1));
      }));
      for (const s of all) s.worker.process.kill("SIGTERM");
      const timer = setTimeout(() => {
        for (const s of all) if (!s.worker.isDead()) s.worker.process.kill("SIGKILL");
      }, STOP_GRACE_MS);
      const codes = await Promise.all(ended);
      clearTimeout(timer);
      if (codes.some((c) => c !== 0)) exitCode = exitCode || 1;
      process.exit(exitCode);
    }
    return new Promise<never>(() => {});
  };
  process.on("SIGTERM", () => void stopAll(0));
  process.on("SIGINT", () => void stopAll(0));

  try {
    // the lead first: it migrates and seeds; then the others, which find the database ready
    await fork("lead");
    await Promise.all(Array.from({ length: count - 1 }, () => fork("follower")));
  } catch (err) {
    log(`safetynet-gateway failed to start: ${(err as Error).message}`);
    await stopAll(1);
  }
  if (!process.env.REDIS_URL)
    log(`rate limits: counted per process without REDIS_URL (a principal may get up to ${count} × RATE_LIMIT_PER_MINUTE)`);
  if (leadBanner)
    log(
      startBanner({
        ...leadBanner,
        seconds: (Date.now() - started) / 1000,
        processes: { count, pids: [...slots].map((s) => s.worker.process.pid!).sort((a, b) => a - b) },
      }),
    );
}
