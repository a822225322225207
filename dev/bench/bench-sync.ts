/**
 * npm run bench:sync (also the last part of npm run bench) — the department mirror (issue 15): full and
 * incremental syncs into PostgreSQL, and mirror-served reads.
 *
 * Separate processes, as in bench.ts: the sandboxes (dist/dev/sandboxes/cli.js), the sync (`npm run sync`'s
 * dist/src/app/sync-cli.js, under /usr/bin/time for its peak RSS), the gateway (dist/src/app/main.js)
 * and autocannon in this process.
 *   1. the default set: full sync (records/s, peak RSS); 1 % of records changed (one simulated day at
 *      changeRate 0.01), incremental sync; the gateway over the same schema (registry seeded, mirror fresh):
 *      one-household full view at 10 connections (req/s, p99) and a 100-household page at 1 connection (p99),
 *      authorization and access log on;
 *   2. a scaled population (BENCH_SYNC_PERSONS, default 200000; 0 skips it): full sync, 1 % changes, incremental.
 * Environment: DATABASE_URL (default the local test server; each run uses fresh schemas, dropped after),
 * BENCH_DURATION (default 10), BENCH_WARMUP (2), SEED (20190101), BENCH_SYNC_PERSONS, BENCH_SYNC_DEFAULT=0 (skip part 1).
 * Writes bench/results-sync.md.
 */
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { HOUSEHOLD } from "./queries.js";
import { DIST, ROOT, children, civilAffairsToken, cpuMsOf, departmentEnv, exec, firstHouseholdId, freePort, schemaUrl, start as startChild, stop, waitForFreshMirror, waitForLine, type Child } from "./processes.js";

const SEED = Number(process.env.SEED ?? 20190101);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 2);
const SCALED = Number(process.env.BENCH_SYNC_PERSONS ?? 200_000);
/** BENCH_SYNC_DEFAULT=0 skips part 1 (the default set and the reads) */
const DEFAULT_SET = process.env.BENCH_SYNC_DEFAULT !== "0";
const BASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
import { SOURCES } from "../../src/domain/records.js";
/** BENCH_CPU_PROF_DIR=<dir>: the sandboxes and every sync process write a V8 CPU profile there */
const PROF = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(process.env.BENCH_CPU_PROF_DIR)] : [];

const require = createRequire(import.meta.url);
type AutocannonResult = { requests: { total: number; sent: number }; latency: { p50: number; p99: number; mean: number }; duration: number; non2xx: number; errors: number; timeouts: number };
const autocannon = require("autocannon") as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const start = (args: string[], env: NodeJS.ProcessEnv) => startChild(path.basename(args.find((a) => a.endsWith(".js")) ?? "node"), args, env);

// ---------------------------------------------------------------------------------------------------

interface Sandboxes {
  child: Child;
  urls: Record<string, string>;
  medicalCredentials: { clientId: string; clientSecret: string };
  startedInMs: number;
}

async function startSandboxes(asOf: string, persons?: number): Promise<Sandboxes> {
  const args = [path.join(DIST, "dev/sandboxes/cli.js"), "--json", "--seed", String(SEED), "--as-of", asOf, ...(persons ? ["--persons", String(persons)] : [])];
  const child = start(["--max-old-space-size=8192", ...PROF, ...args], { ...process.env });
  const [line] = await waitForLine(child, /^\{.*"urls".*\}$/, 1_800_000);
  const info = JSON.parse(line);
  // the sync pages at the rate limit's mercy: lift employment's (its lookup limit is not what is measured)
  await fetch(`${info.urls.employment}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rateLimitPerSecond: 1_000_000, burst: 100_000 }) });
  return { child, urls: info.urls, medicalCredentials: info.medicalCredentials, startedInMs: info.startedInMs };
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  // a gateway that ran monitoring over this schema made its job engine's schema beside it (src/features/monitoring/engine.ts)
  await c.query(`DROP SCHEMA IF EXISTS "${schema}_pgboss" CASCADE`);
  await c.end();
}

interface SyncRun {
  records: number;
  /** the sync itself (the CLI's own measure), and the whole process (start, config, connections) */
  seconds: number;
  processSeconds: number;
  peakRssMb: number;
  /** CPU seconds (user + system) during the sync: the sync process, the sandboxes process, every PostgreSQL process */
  cpu: { sync: number; sandboxes: number; postgres: number };
  lines: string[];
}

/**
 * CPU seconds of every PostgreSQL process on this machine so far: each one's user + system time plus the
 * postmaster's reaped children's (backends that have exited). Other clients' queries count too.
 */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const f = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

/** `npm run sync` as its own process under /usr/bin/time: records applied, wall seconds, peak RSS. */
async function runSync(sb: Sandboxes, schema: string, full: boolean): Promise<SyncRun> {
  const env = { ...process.env, NODE_ENV: "development", DATABASE_URL: schemaUrl(BASE_URL, schema), LOG_LEVEL: "warn", ...departmentEnv(sb) };
  const before = { sandboxes: cpuMsOf(sb.child.proc.pid), postgres: postgresCpuSeconds() };
  const { stdout, stderr } = await exec("/usr/bin/time", ["-f", "TIME %M %e %U %S", process.execPath, ...PROF, path.join(DIST, "src/app/sync-cli.js"), ...(full ? ["--full"] : [])], env);
  const cpu = { sandboxes: (cpuMsOf(sb.child.proc.pid) - before.sandboxes) / 1000, postgres: postgresCpuSeconds() - before.postgres };
  const t = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (!t) throw new Error(`no /usr/bin/time output:\n${stderr}`);
  const lines = stdout.split("\n").filter(Boolean);
  let records = 0;
  for (const l of lines) {
    const m = /: (\d+) upserted, (\d+) deleted/.exec(l);
    if (m) records += Number(m[1]) + Number(m[2]);
  }
  const own = lines.map((l) => /^synced .* in ([\d.]+) s$/.exec(l)).find(Boolean);
  return { records, seconds: own ? Number(own[1]) : Number(t[2]), processSeconds: Number(t[2]), peakRssMb: Number(t[1]) / 1024, cpu: { sync: Number(t[3]) + Number(t[4]), ...cpu }, lines };
}

async function advanceOnePercent(sb: Sandboxes): Promise<number> {
  let changed = 0;
  for (const s of SOURCES) {
    const r = await fetch(`${sb.urls[s]}/__sandbox/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advanceDays: 1, changeRate: 0.01 }) }).then((x) => x.json() as Promise<any>);
    changed += r.changed + r.deleted;
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------------
// mirror-served reads

const ONE = `query One($id: ID!) { household(id: $id) { ${HOUSEHOLD} } }`;
const PAGE = `query Page($first: Int!) { households(first: $first) { edges { node { ${HOUSEHOLD} } } } }`;

interface ReadRow {
  label: string;
  connections: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  bad: number;
  servedFrom: string;
}

async function measureReads(url: string, token: string, label: string, query: string, variables: Record<string, unknown>, connections: number): Promise<ReadRow> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const body = JSON.stringify({ query, variables });
  const check: any = await fetch(`${url}/graphql`, { method: "POST", headers, body }).then((r) => r.json());
  if (check.errors) throw new Error(`${label}: ${JSON.stringify(check.errors).slice(0, 400)}`);
  const served = new Set<string>();
  JSON.stringify(check, (k, v) => (k === "servedFrom" ? (served.add(v), v) : v));
  const opts = { url: `${url}/graphql`, method: "POST", headers, body, connections, pipelining: 1 };
  if (WARMUP_S > 0) await autocannon({ ...opts, duration: WARMUP_S });
  const r = await autocannon({ ...opts, duration: DURATION_S });
  const row = { label, connections, reqPerSec: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors + r.timeouts, servedFrom: [...served].join("+") };
  process.stderr.write(`  ${label.padEnd(28)} c=${connections} ${row.reqPerSec.toFixed(1)} req/s p50 ${row.p50} ms p99 ${row.p99} ms served ${row.servedFrom}${row.bad ? ` ${row.bad} failed` : ""}\n`);
  return row;
}

async function readsOverMirror(sb: Sandboxes, schema: string, asOf: string): Promise<ReadRow[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-sync-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: schemaUrl(BASE_URL, schema),
    MIGRATE_ON_START: "true",
    SEED_ON_START: "true",
    SEED: String(SEED),
    LOG_LEVEL: "warn",
    RATE_LIMIT_PER_MINUTE: "1000000",
    GRAPHQL_MAX_COST: "1000000",
    MIRROR_SYNC: "true",
    // no monitoring run in the measured gateway: in development its first full run would share the gateway's CPU with the reads
    MONITOR_INTERVAL: "0",
    ...departmentEnv(sb),
  };
  delete env.REDIS_URL;
  const gw = start([path.join(DIST, "src/app/main.js")], env);
  try {
    const ready = await waitForLine(gw, /safetynet-gateway ready in|data set\s+seed (\d+), as of (\d{4}-\d{2}-\d{2})/, 600_000);
    void ready;
    const url = `http://127.0.0.1:${port}`;
    // the schedule's first run brings every source's mirror up to date: wait until all are fresh
    await waitForFreshMirror(url);
    const token = await civilAffairsToken(dataDir);
    const id = await firstHouseholdId(url, token);
    void asOf;
    return [
      await measureReads(url, token, "household(id:) from the mirror", ONE, { id }, 10),
      await measureReads(url, token, "household(id:) from the mirror", ONE, { id }, 1),
      await measureReads(url, token, "households(first: 100) from the mirror", PAGE, { first: 100 }, 1),
    ];
  } finally {
    await stop(gw);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------

interface SyncRow {
  label: string;
  run: SyncRun;
  changed?: number;
}

async function main(): Promise<void> {
  const started = new Date();
  const load = os.loadavg();
  const asOf = new Date().toISOString().slice(0, 10);
  const tag = Math.random().toString(16).slice(2, 8);
  const schemas = [`bench_sync_default_${tag}`, `bench_sync_scaled_${tag}`];
  const syncRows: SyncRow[] = [];
  let readRows: ReadRow[] = [];
  const cleanup = async () => {
    for (const c of [...children].reverse()) await stop(c);
    for (const s of schemas) await dropSchema(s).catch(() => {});
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    if (DEFAULT_SET) {
    process.stderr.write(`bench:sync: the default set (seed ${SEED}, as of ${asOf}) …\n`);
    const sb = await startSandboxes(asOf);
    await exec(process.execPath, [path.join(DIST, "src/db/cli-migrate.js")], { ...process.env, DATABASE_URL: schemaUrl(BASE_URL, schemas[0]) });
    syncRows.push({ label: "full sync, default set", run: await runSync(sb, schemas[0], true) });
    const changed = await advanceOnePercent(sb);
    syncRows.push({ label: "incremental after 1 % changes, default set", run: await runSync(sb, schemas[0], false), changed });
    for (const r of syncRows) process.stderr.write(`  ${r.label}: ${r.run.records} records in ${r.run.seconds} s, peak RSS ${r.run.peakRssMb.toFixed(0)} MB\n`);
    process.stderr.write("bench:sync: mirror-served reads …\n");
    readRows = await readsOverMirror(sb, schemas[0], asOf);
    await stop(sb.child);
    }

    if (SCALED > 0) {
      process.stderr.write(`bench:sync: ${SCALED} persons: starting the sandboxes …\n`);
      const big = await startSandboxes(asOf, SCALED);
      await exec(process.execPath, [path.join(DIST, "src/db/cli-migrate.js")], { ...process.env, DATABASE_URL: schemaUrl(BASE_URL, schemas[1]) });
      const full = await runSync(big, schemas[1], true);
      syncRows.push({ label: `full sync, ${SCALED.toLocaleString("en")} persons`, run: full });
      process.stderr.write(`  full: ${full.records} records in ${full.seconds} s, peak RSS ${full.peakRssMb.toFixed(0)} MB, CPU s ${JSON.stringify(full.cpu)}, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
      const ch = await advanceOnePercent(big);
      const inc = await runSync(big, schemas[1], false);
      syncRows.push({ label: `incremental after 1 % changes, ${SCALED.toLocaleString("en")} persons`, run: inc, changed: ch });
      process.stderr.write(`  incremental: ${inc.records} records in ${inc.seconds} s, peak RSS ${inc.peakRssMb.toFixed(0)} MB\n`);
      await stop(big.child);
    }
  } finally {
    await cleanup();
  }
  const loadAfter = os.loadavg();
  const lines = [
    `## Department mirror (npm run bench:sync, ${started.toISOString()})`,
    "",
    `Machine: ${os.cpus().length} cores, load average before ${load.map((x) => x.toFixed(2)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" ")}. PostgreSQL at ${new URL(BASE_URL).host}. Sandboxes in their own process; the sync is \`npm run sync\` (its own process, peak RSS by /usr/bin/time).`,
    "",
    "| sync | records applied | seconds (sync) | records/s | seconds (whole process) | peak RSS (sync process) | CPU s: sync, sandboxes, PostgreSQL (all clients) |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...syncRows.map((r) => `| ${r.label}${r.changed !== undefined ? ` (${r.changed} changed at the sources)` : ""} | ${r.run.records} | ${r.run.seconds.toFixed(1)} | ${Math.round(r.run.records / r.run.seconds)} | ${r.run.processSeconds.toFixed(1)} | ${r.run.peakRssMb.toFixed(0)} MB | ${r.run.cpu.sync.toFixed(1)}, ${r.run.cpu.sandboxes.toFixed(1)}, ${r.run.cpu.postgres.toFixed(1)} |`),
    "",
    "| read (authorization and access log on, every department field) | connections | req/s | p50 ms | p99 ms | served from | failed |",
    "|---|---:|---:|---:|---:|---|---:|",
    ...readRows.map((r) => `| ${r.label} | ${r.connections} | ${r.reqPerSec.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.servedFrom} | ${r.bad} |`),
    "",
  ];
  const md = lines.join("\n");
  mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  writeFileSync(path.join(ROOT, "bench", "results-sync.md"), md);
  process.stdout.write(md + "\n");
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sync failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
  for (const c of children) c.proc.kill("SIGKILL");
});
