/**
 * npm run bench:monitor — monitoring runs on PostgreSQL (DATABASE_URL required; a schema of its own, dropped
 * at the end):
 *   1. seeds a population (BENCH_MONITOR_PERSONS, default: the default set) and starts the five department
 *      sandboxes over it in this process (employment's rate limit lifted, no latency fault);
 *   2. syncs the department mirror from the sandboxes' bulk exchange (the production sync, connectors/kit/sync.ts:
 *      export pages of SYNC_PAGE_SIZE), all five sources at once: wall time, records/s;
 *   3. a full run over the mirror worked by 1, then by 2 `npm run worker` processes (compiled dist/, separate
 *      processes, their <SOURCE>_MAX_AGE long enough that the mirror stays fresh for the bench), wall time,
 *      households/s, each worker's peak RSS (VmHWM), the department requests the run made (sandbox counters: 0
 *      when every source came from the mirror); BENCH_MONITOR_LIVE=1 adds a full run with the mirror not used;
 *      (BENCH_MONITOR_WORKERS="1,2": the worker counts of the full runs, in order);
 *   3. an incremental run after 1 % of the households changed (household.updated_at), 2 workers;
 *   4. city-wide page latency of the stored reads the API uses (alerts first page and deep pages, auditFindings),
 *      p50/p99 over 200 reads each (SQL through src/features/monitoring/read.ts, without HTTP).
 * Prints Markdown. Run it niced: `nice -n 10 npm run bench:monitor`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ensureSchema, openDatabase, postgresTarget } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import { runSeed } from "../seed/run.js";
import { startSandboxes } from "../sandboxes/index.js";
import { Pseudonymizer } from "../../src/policy/pseudonym.js";
import { startEngine, bossSchema } from "../../src/features/monitoring/engine.js";
import { liveShardFacts } from "../../src/features/monitoring/shard-facts.js";
import { getRun, startRun, type MonitorDeps, type RunRow } from "../../src/features/monitoring/runs.js";
import { alertPage, findingPage } from "../../src/features/monitoring/read.js";
import { MirrorService, createConnectors, createMetricsRegistry } from "../../connectors/kit/index.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { cpuMsOf, departmentEnv, peakRssMbOf as peakRss } from "./processes.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** The node flags `npm run worker` starts the worker with (package.json), so that the bench's workers are the same processes. */
const WORKER_NODE_FLAGS = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.worker as string).match(/^node ((?:--\S+ )*)scripts\/run-built\.mjs /)?.[1] ?? "";
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("bench:monitor needs DATABASE_URL (PostgreSQL)");
  process.exit(2);
}
const persons = process.env.BENCH_MONITOR_PERSONS ? Number(process.env.BENCH_MONITOR_PERSONS) : undefined;
const shardSize = Number(process.env.MONITOR_SHARD_SIZE ?? 500);
const withLive = process.env.BENCH_MONITOR_LIVE === "1";
/** BENCH_MONITOR_WORKERS: the worker-process counts of the full runs, in order (default "1,2") */
const fullRunWorkers = (process.env.BENCH_MONITOR_WORKERS ?? "1,2").split(",").map(Number);
if (fullRunWorkers.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
  console.error("BENCH_MONITOR_WORKERS: a comma-separated list of worker counts 1..16, e.g. 1,2");
  process.exit(2);
}
const DAY_MS = 86_400_000;
const SEED = 20190101;
/** BENCH_MONITOR_AS_OF: the data set's day (default today, UTC) — a reused schema's `--as-of` */
const asOf = process.env.BENCH_MONITOR_AS_OF ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
  console.error("BENCH_MONITOR_AS_OF: a day YYYY-MM-DD");
  process.exit(2);
}
/** BENCH_MONITOR_SCHEMA: a schema already migrated and seeded with the same persons, seed and as-of (`npm run seed -- --persons N`), used as it is and kept */
const reuse = process.env.BENCH_MONITOR_SCHEMA || undefined;
const schema = reuse ?? `bench_monitor_${randomBytes(4).toString("hex")}`;
const secret = randomBytes(32);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** CPU seconds (user + system) the process has used so far. */
const cpuSeconds = (pid: number) => cpuMsOf(pid) / 1000;

async function main() {
  const base = postgresTarget(url!);
  if (base.kind !== "postgres") throw new Error("unreachable");
  const target = { kind: "postgres" as const, url: base.url, schema };
  await ensureSchema(target);
  const db = await openDatabase(target);
  const workers: ChildProcess[] = [];
  const rows: string[] = [];
  try {
    let t = Date.now();
    // a reused schema gets the migrations it lacks too (the monitoring-over-mirror columns and tables)
    await applyMigrations(db.sql);
    if (!reuse) {
      await runSeed({ sql: db.sql, seed: SEED, asOf, persons, progress: "none" });
    }
    const [{ households, people }] = await db.sql.query<{ households: number; people: number }>(`SELECT (SELECT count(*)::int FROM household) AS households, (SELECT count(*)::int FROM person) AS people`);
    log(`seeded ${households} households / ${people} persons in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    t = Date.now();
    const sandboxes = await startSandboxes({ seed: SEED, asOf, persons, employment: { rateLimitPerSecond: 1_000_000, burst: 1_000_000 } });
    log(`sandboxes up in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    const connectors = createConnectors(
      {
        education: { baseUrl: sandboxes.urls.education },
        employment: { baseUrl: sandboxes.urls.employment },
        housing: { baseUrl: sandboxes.urls.housing },
        medicalInsurance: { baseUrl: sandboxes.urls.medicalInsurance, ...sandboxes.medicalCredentials },
        disability: { baseUrl: sandboxes.urls.disability },
      },
      createMetricsRegistry(),
    );
    // the department mirror: the production sync of every source (full load from the export pages)
    const perSource = <T>(v: T) => Object.fromEntries(SOURCES.map((s) => [s, v])) as Record<SourceName, T>;
    const mirrorService = new MirrorService(db.sql, connectors, { schedule: false, intervalMs: perSource(DAY_MS), maxAgeMs: perSource(DAY_MS), pageSize: Number(process.env.SYNC_PAGE_SIZE ?? 5000) }, createMetricsRegistry());
    await mirrorService.start();
    t = Date.now();
    const loadBefore = os.loadavg();
    const synced = await Promise.all(SOURCES.map((s) => mirrorService.run(s, { full: true })));
    const syncSeconds = (Date.now() - t) / 1000;
    const records = synced.reduce((n, r) => n + r.upserted, 0);
    const syncRow = `| full sync, 5 sources | ${records} records | ${syncSeconds.toFixed(1)} s | ${(records / syncSeconds).toFixed(0)} records/s | ${peakRss(process.pid).toFixed(0)} MB (bench process, sandboxes included) | ${loadBefore.map((l) => l.toFixed(2)).join(" ")} → ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} |`;
    log(syncRow);
    await mirrorService.stop();
    // the systems' own request counters (their admin routes not counted)
    const departmentRequests = async () => {
      let n = 0;
      for (const s of SOURCES) {
        const st = (await fetch(`${sandboxes.urls[s]}/__sandbox/stats`).then((r) => r.json())) as { byRoute: Record<string, number> };
        for (const [route, count] of Object.entries(st.byRoute)) if (!route.includes("__sandbox")) n += count;
      }
      return n;
    };
    const boss = await startEngine(db, { attempts: 3, timeoutSeconds: 600 });
    const deps: MonitorDeps = { db, boss, shardFacts: liveShardFacts(db.prisma, connectors, new Pseudonymizer(secret)), pseudonyms: new Pseudonymizer(secret), shardSize, attempts: 3 };
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "development",
      DATABASE_URL: `${base.url}${base.url.includes("?") ? "&" : "?"}schema=${schema}`,
      ...departmentEnv(sandboxes),
      PSEUDONYM_SECRET: secret.toString("hex"),
      MONITOR_SHARD_SIZE: String(shardSize),
      // the mirror stays fresh for the whole bench (a day); BENCH_MONITOR_PROF=dir: each worker writes a CPU profile there
      EDUCATION_MAX_AGE: "24h",
      EMPLOYMENT_MAX_AGE: "24h",
      HOUSING_MAX_AGE: "24h",
      MEDICAL_INSURANCE_MAX_AGE: "24h",
      DISABILITY_MAX_AGE: "24h",
    };
    const liveEnv = { ...env, EDUCATION_MAX_AGE: "1ms", EMPLOYMENT_MAX_AGE: "1ms", HOUSING_MAX_AGE: "1ms", MEDICAL_INSURANCE_MAX_AGE: "1ms", DISABILITY_MAX_AGE: "1ms" };
    const prof = process.env.BENCH_MONITOR_PROF;
    // BENCH_MONITOR_NODE_FLAGS: V8/Node flags of the worker processes (default: those of `npm run worker` in package.json);
    // BENCH_MONITOR_WORKER_CONCURRENCY: shards per worker at once
    const nodeFlags = (process.env.BENCH_MONITOR_NODE_FLAGS ?? WORKER_NODE_FLAGS).split(" ").filter(Boolean);
    const workerArgs = process.env.BENCH_MONITOR_WORKER_CONCURRENCY ? ["--concurrency", process.env.BENCH_MONITOR_WORKER_CONCURRENCY] : [];
    const startWorkers = (n: number, live = false) => {
      const list: ChildProcess[] = [];
      for (let i = 0; i < n; i++) {
        const args = [...nodeFlags, ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []), path.join(ROOT, "dist/src/app/worker-cli.js"), ...workerArgs];
        const c = spawn(process.execPath, args, { cwd: ROOT, env: live ? liveEnv : env, stdio: ["ignore", "ignore", "inherit"] });
        list.push(c);
        workers.push(c);
      }
      return list;
    };
    const stopWorkers = async (list: ChildProcess[]) => {
      const rss = list.map((c) => peakRss(c.pid!));
      cpu = list.map((c) => cpuSeconds(c.pid!));
      for (const c of list) c.kill("SIGTERM");
      await Promise.all(list.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
      return rss;
    };
    let cpu: number[] = [];
    const timedRun = async (label: string, mode: "FULL" | "INCREMENTAL", n: number, live = false) => {
      const list = startWorkers(n, live);
      await new Promise((r) => setTimeout(r, 3000)); // the workers are up
      const cpuAtStart = list.map((c) => cpuSeconds(c.pid!));
      const load = os.loadavg();
      const requests = await departmentRequests();
      const started = Date.now();
      const { run } = await startRun(deps, mode);
      log(`${label}: planned ${run.households} households in ${run.shards_total} shards, ${((Date.now() - started) / 1000).toFixed(1)} s after the request`);
      let ended: RunRow;
      for (;;) {
        ended = (await getRun(db, run.id))!;
        if (ended.status !== "RUNNING") break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const seconds = (Date.now() - started) / 1000;
      log(`${label}: the run's own record: started ${new Date(ended.started_at).toISOString()}, finished ${new Date(ended.finished_at!).toISOString()} (${((new Date(ended.finished_at!).getTime() - new Date(ended.started_at).getTime()) / 1000).toFixed(1)} s); followed for ${seconds.toFixed(1)} s`);
      const rss = await stopWorkers(list);
      const alerts = Object.values(ended.counts.alerts ?? {}).reduce((a, b) => a + b, 0);
      const made = (await departmentRequests()) - requests;
      const workerCpu = cpu.reduce((a, c, i) => a + c - cpuAtStart[i], 0);
      const served = `mirror: ${(ended.mirror_sources ?? []).length}, live: ${(ended.live_sources ?? []).length}`;
      rows.push(
        `| ${label} | ${ended.households} | ${n} | ${seconds.toFixed(1)} s | ${(ended.households / seconds).toFixed(0)} | ${rss.map((r) => `${r.toFixed(0)} MB`).join(", ")} | ${workerCpu.toFixed(1)} s (${((workerCpu * 1000) / Math.max(1, ended.households)).toFixed(2)} ms/household) | ${ended.status}, ${alerts} alerts | ${served}; ${made} department requests | ${load.map((l) => l.toFixed(2)).join(" ")} → ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} |`,
      );
      log(rows.at(-1)!);
    };
    if (withLive) await timedRun("full, departments live (mirror not used)", "FULL", 1, true);
    for (const n of fullRunWorkers) await timedRun("full", "FULL", n);
    await db.sql.query(`UPDATE household SET updated_at = now() WHERE id IN (SELECT id FROM household ORDER BY md5(id::text) LIMIT (SELECT greatest(1, count(*) / 100) FROM household))`);
    await timedRun("incremental after 1 % change", "INCREMENTAL", 2);

    // stored reads: city-wide pages
    const lat: string[] = [];
    const measure = async (label: string, fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const s = process.hrtime.bigint();
        await fn();
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      times.sort((a, b) => a - b);
      lat.push(`| ${label} | ${times[99].toFixed(1)} ms | ${times[197].toFixed(1)} ms |`);
    };
    const city = { kind: "city" as const, city: "500000" };
    const keys = await db.sql.query<{ household_id: string; alert_key: string }>(`SELECT household_id, alert_key FROM monitoring_alert WHERE view = 'civil_affairs' AND resolved_at IS NULL ORDER BY household_id, alert_key`);
    const fids = await db.sql.query<{ id: string }>(`SELECT id FROM monitoring_finding WHERE resolved_at IS NULL ORDER BY id`);
    let i = 0;
    await measure("alerts, city-wide, first page (50)", () => alertPage(db.sql, { view: "civil_affairs", jurisdiction: city, first: 50 }));
    await measure("alerts, city-wide, a random deep page (50)", () => {
      const k = keys[(i++ * 7919) % Math.max(1, keys.length)];
      return alertPage(db.sql, { view: "civil_affairs", jurisdiction: city, first: 50, after: k ? { householdId: k.household_id, key: k.alert_key } : undefined });
    });
    await measure("alerts, city-wide, status OPEN (50)", () => alertPage(db.sql, { view: "civil_affairs", jurisdiction: city, first: 50, status: "OPEN" }));
    await measure("auditFindings, city-wide, a random page (50, with totalCount)", () => findingPage(db.sql, { jurisdiction: city, first: 50, afterId: fids[(i++ * 7919) % Math.max(1, fids.length)]?.id }));
    await measure("auditFindings, city-wide, a random page (50, totalCount not asked)", () => findingPage(db.sql, { jurisdiction: city, first: 50, afterId: fids[(i++ * 7919) % Math.max(1, fids.length)]?.id }, false));
    process.stdout.write(
      [
        `## Monitoring runs (npm run bench:monitor), ${households} households / ${people} persons, PostgreSQL, ${new Date().toISOString()}`,
        "",
        "| sync | records | wall time | rate | peak RSS | load before → after (1/5/15 min) |",
        "|---|---|---|---|---|---|",
        syncRow,
        "",
        "| run | households | worker processes | wall time | households/s | peak RSS per worker | workers' CPU (user+sys) | result | sources; department requests during the run | load before → after (1/5/15 min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        ...rows,
        "",
        `${keys.length} current alerts (registry keepers' view), ${fids.length} findings.`,
        "",
        "| stored read | p50 | p99 |",
        "|---|---|---|",
        ...lat,
        "",
      ].join("\n"),
    );
    await boss.stop({ graceful: false, close: true });
    await connectors.close();
    await sandboxes.close();
  } finally {
    for (const c of workers) if (c.exitCode === null) c.kill("SIGKILL");
    await db.close();
    const c = new pg.Client({ connectionString: base.url });
    await c.connect();
    if (!reuse) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS "${bossSchema({ target } as never)}" CASCADE`);
    await c.end();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
