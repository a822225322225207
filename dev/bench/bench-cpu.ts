/**
 * node dist/dev/bench/bench-cpu.js — the gateway's CPU per request on the mirror-served read path (issue 15 point 5).
 *
 * Separate processes as in bench-sync.ts: the department sandboxes (dist/dev/sandboxes/cli.js), the gateway
 * (dist/src/app/main.js; PostgreSQL; it migrates, seeds and syncs the mirror itself; field policy enforced, access log
 * on, no monitoring run) and autocannon in this process. Per scenario: a warm-up, then a measured run; the gateway's
 * CPU time (user + system, /proc/<pid>/stat) over the run divided by the requests completed.
 *
 * Environment: DATABASE_URL (default the local test server), BENCH_CPU_SCHEMA (reuse/keep this schema: seeded once,
 * kept after the run with its data directory $TMPDIR/bench-cpu-<schema>; default a fresh schema, dropped after), BENCH_DURATION (10), BENCH_WARMUP (3),
 * BENCH_CPU_PROF=<dir> (run the gateway under `node --cpu-prof`, profile written there on exit; CPU figures then
 * include the profiler's own cost), BENCH_CPU_NODE_ARGS (more node flags for the gateway), BENCH_CPU_ONLY=<comma-separated scenario keys: one1,one10,computed1,page1,one10x2>.
 *
 * one10x2: the gateway restarted on the same schema with GATEWAY_PROCESSES=2 (node:cluster: a primary and two gateway
 * processes sharing the port); its CPU is the three processes' together.
 */
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { COMPUTED, HOUSEHOLD } from "./queries.js";
import { DIST, children, civilAffairsToken, cpuMsOf, departmentEnv, firstHouseholdId, freePort, schemaUrl, start, stop, waitForFreshMirror, waitForLine } from "./processes.js";

const SEED = Number(process.env.SEED ?? 20190101);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const BASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const KEEP_SCHEMA = process.env.BENCH_CPU_SCHEMA;
const PROF_DIR = process.env.BENCH_CPU_PROF;
const ONLY = process.env.BENCH_CPU_ONLY?.split(",").filter(Boolean);

const require = createRequire(import.meta.url);
type AutocannonResult = { requests: { total: number }; latency: { p50: number; p99: number }; duration: number; non2xx: number; errors: number; timeouts: number };
const autocannon = require("autocannon") as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

/** The kernel (system) part of a process's CPU time in ms, from /proc (Linux); the total is processes.ts cpuMsOf. */
function systemMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[12]) * 1000) / 100;
}

const ONE = `query One($id: ID!) { household(id: $id) { ${HOUSEHOLD} } }`;
const ONE_COMPUTED = `query OneComputed($id: ID!) { household(id: $id) { ${HOUSEHOLD} ${COMPUTED} } }`;
const PAGE = `query Page($first: Int!) { households(first: $first) { edges { node { ${HOUSEHOLD} } } } }`;

interface Row {
  key: string;
  label: string;
  connections: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  /** the kernel's part of it (system time: socket writes and reads, …) */
  systemMsPerRequest: number;
  bad: number;
  servedFrom: string;
}

async function measure(url: string, pids: number[], token: string, key: string, label: string, query: string, variables: Record<string, unknown>, connections: number): Promise<Row> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const body = JSON.stringify({ query, variables });
  const check: any = await fetch(`${url}/graphql`, { method: "POST", headers, body }).then((r) => r.json());
  if (check.errors) throw new Error(`${label}: ${JSON.stringify(check.errors).slice(0, 400)}`);
  const served = new Set<string>();
  JSON.stringify(check, (k, v) => (k === "servedFrom" ? (served.add(v), v) : v));
  const opts = { url: `${url}/graphql`, method: "POST", headers, body, connections, pipelining: 1 };
  if (WARMUP_S > 0) await autocannon({ ...opts, duration: WARMUP_S });
  // BENCH_CPU_SIGNAL=1: SIGUSR2 to the gateway before and after the measured run (for a --require'd counter)
  const signal = () => process.env.BENCH_CPU_SIGNAL && pids.forEach((pid) => process.kill(pid, "SIGUSR2"));
  const sum = (f: (pid: number) => number) => pids.reduce((t, pid) => t + f(pid), 0);
  signal();
  const sys0 = sum(systemMsOf);
  const cpu0 = sum(cpuMsOf);
  const r = await autocannon({ ...opts, duration: DURATION_S });
  const cpu1 = sum(cpuMsOf);
  const sys1 = sum(systemMsOf);
  signal();
  const row: Row = {
    key,
    label,
    connections,
    requests: r.requests.total,
    reqPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuMsPerRequest: (cpu1 - cpu0) / r.requests.total,
    systemMsPerRequest: (sys1 - sys0) / r.requests.total,
    bad: r.non2xx + r.errors + r.timeouts,
    servedFrom: [...served].join("+"),
  };
  process.stdout.write(
    `${label.padEnd(44)} c=${String(connections).padEnd(2)} ${row.reqPerSec.toFixed(1).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  CPU ${row.cpuMsPerRequest.toFixed(2)} ms/req (kernel ${row.systemMsPerRequest.toFixed(2)})  served ${row.servedFrom}${row.bad ? `  ${row.bad} FAILED` : ""}\n`,
  );
  return row;
}

async function main(): Promise<void> {
  const schema = KEEP_SCHEMA ?? `bench_cpu_${Math.random().toString(16).slice(2, 8)}`;
  const loadBefore = os.loadavg();
  const asOf = new Date().toISOString().slice(0, 10);
  const sbChild = start("sandboxes", [path.join(DIST, "dev/sandboxes/cli.js"), "--json", "--seed", String(SEED), "--as-of", asOf], { ...process.env });
  // a kept schema keeps its data directory too (the gateway's keys sign the audit chain stored in the schema)
  const dataDir = KEEP_SCHEMA ? path.join(os.tmpdir(), `bench-cpu-${KEEP_SCHEMA}`) : mkdtempSync(path.join(os.tmpdir(), "bench-cpu-"));
  mkdirSync(dataDir, { recursive: true });
  try {
    const [line] = await waitForLine(sbChild, /^\{.*"urls".*\}$/, 600_000);
    const sb = JSON.parse(line);
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
      FIELD_POLICY: "enforce",
      AUDIT_LOG: "on",
      RATE_LIMIT_PER_MINUTE: "1000000",
      GRAPHQL_MAX_COST: "1000000",
      MIRROR_SYNC: "true",
      MONITOR_INTERVAL: "0",
      ...departmentEnv(sb),
    };
    delete env.REDIS_URL;
    for (const k of Object.keys(env)) if (k.startsWith("OTEL_")) delete env[k];
    const nodeArgs = [...(PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROF_DIR}`] : []), ...(process.env.BENCH_CPU_NODE_ARGS?.split(" ").filter(Boolean) ?? [])];
    const url = `http://127.0.0.1:${port}`;
    /** starts the gateway (GATEWAY_PROCESSES=processes) and waits for a fresh mirror; the pids whose CPU counts */
    const startGateway = async (processes: number) => {
      const gw = start("gateway", [...nodeArgs, path.join(DIST, "src/app/main.js")], { ...env, GATEWAY_PROCESSES: String(processes) });
      await waitForLine(gw, /safetynet-gateway ready in/, 600_000);
      const listed = gw.output.map((l) => /^\s*processes\s+\d+ sharing the port \(pids ([\d, ]+)\)/.exec(l)?.[1]).find(Boolean);
      const pids = [gw.proc.pid!, ...(listed ? listed.split(",").map((p) => Number(p.trim())) : [])];
      if (processes > 1 && pids.length !== processes + 1) throw new Error(`expected ${processes} gateway processes: ${gw.output.slice(-20).join("\n")}`);
      await waitForFreshMirror(url);
      return { gw, pids };
    };
    const single = await startGateway(1);
    const token = await civilAffairsToken(dataDir);
    const id = await firstHouseholdId(url, token);
    const scenarios: Array<[string, string, string, Record<string, unknown>, number]> = [
      ["one10", "household(id:) from the mirror", ONE, { id }, 10],
      ["one1", "household(id:) from the mirror", ONE, { id }, 1],
      ["computed1", "household(id:) + computed, mirror", ONE_COMPUTED, { id }, 1],
      ["page1", "households(first: 100) from the mirror", PAGE, { first: 100 }, 1],
    ];
    process.stdout.write(`bench-cpu: PostgreSQL schema ${schema}, load before ${loadBefore.map((x) => x.toFixed(2)).join(" ")}\n`);
    for (const [key, label, query, vars, c] of scenarios) {
      if (ONLY && !ONLY.includes(key)) continue;
      await measure(url, single.pids, token, key, label, query, vars, c);
    }
    await stop(single.gw);
    if (!ONLY || ONLY.includes("one10x2")) {
      const two = await startGateway(2);
      await measure(url, two.pids, token, "one10x2", "household(id:), mirror, GATEWAY_PROCESSES=2", ONE, { id }, 10);
      await stop(two.gw);
    }
    process.stdout.write(`bench-cpu: load after ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
  } finally {
    for (const c of [...children].reverse()) await stop(c);
    if (!KEEP_SCHEMA) {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: BASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-cpu failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
  for (const c of children) c.proc.kill("SIGKILL");
});
