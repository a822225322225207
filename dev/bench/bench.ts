/**
 * npm run bench — latency, throughput and upstream calls of the unified view.
 *
 * Everything runs as separate processes, so that neither the load generator nor the department systems
 * share the gateway's event loop:
 *   1. the five department sandboxes (node dist/dev/sandboxes/cli.js; BENCH_SANDBOXES=separate: one process each), generated from the same seed
 *      and as-of date as the gateway's registry, with 20 ms latency per request (PUT /__sandbox/faults);
 *   2. the gateway (node dist/src/app/main.js) over a fresh embedded database in a temporary DATA_DIR (it seeds
 *      the default population on its first start), pointed at the sandboxes by EDUCATION_URL … DISABILITY_URL;
 *   3. autocannon, in this process, against POST /graphql with a civil_affairs token for the whole city
 *      (minted by dist/dev/keys/token-cli.js from the same DATA_DIR).
 * Upstream calls per query come from the gateway's GET /metrics (gateway_upstream_requests_total deltas
 * divided by the requests autocannon sent). The field-policy comparison restarts the gateway with
 * FIELD_POLICY=off over the same database and sandboxes; the access-log comparison likewise with AUDIT_LOG=off.
 *
 * Prints a Markdown report and writes it to bench/results.md. Environment: BENCH_DURATION (seconds per
 * measurement, default 10), BENCH_WARMUP (default 2), SEED (default 20190101), BENCH_DATABASE_URL (the gateway on
 * this PostgreSQL server — give it a schema of its own, e.g. ?schema=bench — migrated and seeded by the gateway;
 * default the embedded database), BENCH_ONLY=live (only the live rows — full view with computed fields, 1 and 100
 * households, 1 and 10 connections, gateway CPU per request and RSS — written to bench/results-live.md),
 * BENCH_ONLY=tracing (only the tracing comparison — the gateway restarted alternately without OTEL_* variables and
 * with OTEL_EXPORTER_OTLP_ENDPOINT at a local OTLP/HTTP receiver in this process — written to bench/results-tracing.md).
 * BENCH_LIVE_ROWS (with BENCH_ONLY=live: a comma-separated subset of the live rows — one1, one10 (the one-household
 * view without computed fields), full1, full10 (with them), page1, page10 (100 households with them); default all),
 * BENCH_SANDBOXES=separate (each sandbox a process of its own rather than the five in one),
 * BENCH_LIVE_P99_DURATION (seconds for the live one-household rows at 1 connection and the bare upstream calls their p99 is
 * judged against; default 30, at least BENCH_DURATION),
 * BENCH_NODE_ARGS (more node flags for the gateway process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * The gateway's CPU time and RSS are read from /proc/<pid> (Linux). The gateway runs with dev/bench/phase-probe.js
 * preloaded: at one connection each request's time is split, from Node's own diagnostics channels, into its department
 * calls (first sent to last answered) and the rest — what the gateway adds to the slowest upstream.
 */
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DIST, ROOT, children, civilAffairsToken, cpuMsOf, departmentEnv, freePort, rssMbOf, start, stop, waitForLine, type Child } from "./processes.js";
import { COMPUTED } from "./queries.js";
import { measureBareUpstream, percentile, type BareResult } from "./bare-upstream.js";
import { collectPhases, type PhaseRecord } from "./phase-probe.js";

const SEED = Number(process.env.SEED ?? 20190101);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
// the live rows whose p99 is judged (1 connection) and the bare upstream calls they are judged against run longer:
// a p99 of 10 s at ≈ 35 req/s is the 4th slowest of ≈ 350 answers, one scheduling hiccup on 2 shared cores
const LIVE_P99_DURATION_S = Number(process.env.BENCH_LIVE_P99_DURATION ?? Math.max(DURATION_S, 30));
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 2);
const SANDBOX_LATENCY_MS = 20;
/** a PostgreSQL server for the gateway instead of the embedded database (use a schema of its own: ?schema=bench) */
const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL || undefined;
/** "live": only the live rows (CPU per request, RSS); "tracing": only the tracing comparison; default: everything */
const BENCH_ONLY = process.env.BENCH_ONLY ?? "";
const LIVE_ROWS = process.env.BENCH_LIVE_ROWS?.split(",").filter(Boolean);
const NODE_ARGS = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
const SOURCES = ["education", "employment", "housing", "medicalInsurance", "disability"] as const;
type Source = (typeof SOURCES)[number];

// ---------------------------------------------------------------------------------------------------
// autocannon (CommonJS, no bundled types): the part used here

interface Histogram {
  average: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
  sent: number;
}
interface AutocannonResult {
  latency: Histogram;
  requests: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}
interface AutocannonOptions {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  pipelining?: number;
  /** seconds before autocannon gives up on one request (default 10) */
  timeout?: number;
  /** one request template with a response hook (the body as received) */
  requests?: { method: "POST"; body: string; headers: Record<string, string>; onResponse?: (status: number, body: string) => void }[];
}
const autocannon = createRequire(import.meta.url)("autocannon") as (opts: AutocannonOptions) => Promise<AutocannonResult>;

// ---------------------------------------------------------------------------------------------------
// an OTLP/HTTP receiver for the tracing comparison: accepts every export, counts requests and bytes

async function startOtlpSink(): Promise<{ url: string; received: { requests: number; bytes: number }; close(): Promise<void> }> {
  const received = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on("data", (c: Buffer) => (received.bytes += c.length));
    req.on("end", () => {
      received.requests++;
      res.writeHead(200, { "content-type": String(req.headers["content-type"] ?? "application/x-protobuf") }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

// ---------------------------------------------------------------------------------------------------
// the gateway

interface Sandboxes {
  children: Child[];
  asOf: string;
  urls: Record<Source, string>;
  medicalCredentials: { clientId: string; clientSecret: string };
}

/**
 * The five department systems in one process (default), or with BENCH_SANDBOXES=separate each a process of its own
 * (`cli.js --only <name>`: five systems answer a household's five simultaneous calls side by side rather than one after
 * another on one event loop — but on a 2-core machine five more processes compete with the gateway for the cores,
 * and measured worse there, session 7).
 */
async function startSandboxes(asOf: string): Promise<Sandboxes> {
  const shared = process.env.BENCH_SANDBOXES !== "separate";
  const groups: (readonly Source[])[] = shared ? [SOURCES] : SOURCES.map((s) => [s]);
  const started = await Promise.all(
    groups.map(async (only) => {
      const args = [path.join(DIST, "dev/sandboxes/cli.js"), "--json", "--seed", String(SEED), "--as-of", asOf, ...(shared ? [] : ["--only", only.join(",")])];
      const child = start(`sandboxes (${only.join(", ")})`, args, { ...process.env });
      const [line] = await waitForLine(child, /^\{.*"urls".*\}$/, 180_000);
      return { child, info: JSON.parse(line) as { asOf: string; urls: Partial<Record<Source, string>>; medicalCredentials: { clientId: string; clientSecret: string } } };
    }),
  );
  const urls = Object.assign({}, ...started.map((x) => x.info.urls)) as Record<Source, string>;
  const info = { asOf: started[0].info.asOf, urls, medicalCredentials: started[0].info.medicalCredentials };
  // the CLI has no latency flag: set it on each sandbox
  await Promise.all(
    SOURCES.map(async (s) => {
      const res = await fetch(`${info.urls[s]}/__sandbox/faults`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ latencyMs: SANDBOX_LATENCY_MS }),
      });
      if (res.status !== 200) throw new Error(`setting latency on the ${s} sandbox: HTTP ${res.status}`);
    }),
  );
  return { children: started.map((x) => x.child), asOf: info.asOf, urls: info.urls, medicalCredentials: info.medicalCredentials };
}

interface Gateway {
  child: Child;
  url: string;
  asOf: string;
  startMs: number;
  /** where the gateway's phase probe (dev/bench/phase-probe.ts) writes its requests on SIGUSR2 */
  phaseFile: string;
}

async function startGateway(dataDir: string, sb: Sandboxes, fieldPolicy: "enforce" | "off", auditLog: "on" | "off" = "on", extraEnv: NodeJS.ProcessEnv = {}): Promise<Gateway> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    SEED: String(SEED),
    FIELD_POLICY: fieldPolicy,
    AUDIT_LOG: auditLog,
    // one token drives all the load: lift the per-principal limit far above what the bench sends
    RATE_LIMIT_PER_MINUTE: "1000000",
    // the live path is what these rows measure: no mirror sync (in development it would serve from the mirror once
    // fresh), and no monitoring run sharing the gateway's CPU with the measured reads
    MIRROR_SYNC: "false",
    MONITOR_INTERVAL: "0",
    ...departmentEnv(sb),
    ...extraEnv,
  };
  // self-contained: the embedded database (or BENCH_DATABASE_URL, migrated and seeded by the gateway), no shared rate-limit store
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (BENCH_DATABASE_URL) Object.assign(env, { DATABASE_URL: BENCH_DATABASE_URL, MIGRATE_ON_START: "true", SEED_ON_START: "true" });
  // tracing only where a comparison asks for it (extraEnv)
  for (const k of Object.keys(env)) if (k.startsWith("OTEL_") && !(k in extraEnv)) delete env[k];
  const t0 = performance.now();
  // the phase probe: each request's time split into its department calls and the rest, from Node's diagnostics channels
  const phaseFile = path.join(dataDir, `phases-${port}.json`);
  env.BENCH_PHASE_FILE = phaseFile;
  const probe = ["--import", pathToFileURL(path.join(DIST, "dev/bench/phase-probe.js")).href];
  const child = start(`gateway (FIELD_POLICY=${fieldPolicy}, AUDIT_LOG=${auditLog}${extraEnv.OTEL_EXPORTER_OTLP_ENDPOINT ? ", tracing on" : ""})`, [...probe, ...NODE_ARGS, path.join(DIST, "src/app/main.js")], env);
  await waitForLine(child, /safetynet-gateway ready in/, 300_000);
  const dataset = child.output.map((l) => l.match(/data set\s+seed (\d+), as of (\d{4}-\d{2}-\d{2})/)).find(Boolean);
  if (!dataset) throw new Error(`the gateway did not report its data set:\n${child.output.join("\n")}`);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 100) throw new Error("the gateway's /healthz did not answer 200");
    await sleep(100);
  }
  return { child, url, asOf: dataset[2], startMs: performance.now() - t0, phaseFile };
}

interface Phases {
  /** requests split (one request in flight, every department call answered) */
  requests: number;
  /** from the first department request sent to the last answer */
  wave: { p50: number; p99: number };
  /** the rest of the request: arrival to response finished, minus its wave */
  beyond: { p50: number; p99: number };
  total: { p50: number; p99: number };
}

function phasesOf(records: PhaseRecord[], calls: number): Phases | undefined {
  const split = records.filter((r) => !r.overlapped && r.firstSent !== null && r.lastAnswered !== null && r.answered >= calls);
  if (!split.length) return undefined;
  const q = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  const wave = split.map((r) => r.lastAnswered! - r.firstSent!);
  const total = split.map((r) => r.finish - r.start);
  return { requests: split.length, wave: q(wave), beyond: q(total.map((t, i) => t - wave[i])), total: q(total) };
}

// ---------------------------------------------------------------------------------------------------
// metrics

function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

interface UpstreamSnapshot {
  /** HTTP attempts per source (all outcomes) */
  requests: Record<Source, number>;
  /** attempts that were not `ok`, all sources */
  failed: number;
  inFlight: number;
}

async function upstream(gw: Gateway): Promise<UpstreamSnapshot> {
  const samples = parseMetrics(await (await fetch(`${gw.url}/metrics`)).text());
  const requests = Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<Source, number>;
  let failed = 0;
  let inFlight = 0;
  for (const s of samples) {
    if (s.name === "gateway_upstream_requests_total") {
      requests[s.labels.source as Source] += s.value;
      if (s.labels.outcome !== "ok") failed += s.value;
    }
    if (s.name === "gateway_upstream_in_flight") inFlight += s.value;
  }
  return { requests, failed, inFlight };
}

/** Waits until the gateway has no upstream call in flight and its counters stand still. */
async function settled(gw: Gateway): Promise<UpstreamSnapshot> {
  let last = await upstream(gw);
  for (let i = 0; i < 100; i++) {
    await sleep(150);
    const now = await upstream(gw);
    const same = SOURCES.every((s) => now.requests[s] === last.requests[s]);
    if (same && now.inFlight === 0) return now;
    last = now;
  }
  return last;
}

// ---------------------------------------------------------------------------------------------------
// scenarios

const MEMBER_FIELDS = `idNumber
          education { stage term hardshipStudent }
          employment { status publicWelfarePost }
          medicalInsurance { tier premiumSubsidyRatio medicalAidPaidFen }
          disability { grade category livingSubsidyFen }`;
const HOUSEHOLD_FIELDS = `id registryNo
        housing { stale benefits { type status } }
        members {
          ${MEMBER_FIELDS}
        }`;
const ONE_HOUSEHOLD = `query OneHousehold($id: ID!) {
  household(id: $id) {
    ${HOUSEHOLD_FIELDS}
  }
}`;
const HOUSEHOLDS = `query Households($first: Int!) {
  households(first: $first) {
    edges { node {
      ${HOUSEHOLD_FIELDS}
    } }
  }
}`;

// The same 100-household view plus the computed fields (issue 5): eligibility with its reasons, the aid chain
// with gaps and duplicates, and the alerts. They reuse the request's loaders, so upstream calls must not grow.
const HOUSEHOLDS_COMPUTED = `query HouseholdsComputed($first: Int!) {
  households(first: $first) {
    edges { node {
      ${HOUSEHOLD_FIELDS}
      ${COMPUTED}
    } }
  }
}`;

// The live rows (issue 15): the full view — every department field, eligibility, aid chain, alerts — read live
// from the department systems, for one household and for a page of 100.
const ONE_FULL = `query OneHouseholdFull($id: ID!) {
  household(id: $id) {
    ${HOUSEHOLD_FIELDS}
    ${COMPUTED}
  }
}`;

// Charity matching (issue 7): all open needs of one street against all resources, the way a client reads
// them — needs(filter: { street }) 100 at a time, each need with its matches — timed end to end.
const MATCHING_STREET = "500103001"; // 七星岗, the largest street of the default set (DOMAIN.md §6)
const STREET_MATCHES = `query StreetMatches($street: String!, $first: Int!, $matches: Int!, $after: String) {
  needs(filter: { street: $street }, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id urgency matches(first: $matches) { score resource { id } } } }
  }
}`;

async function measureMatching(gw: Gateway, token: string): Promise<string> {
  const resources = (await gql(gw, token, `query { resources { id } }`, {})).resources.length as number;
  const once = async () => {
    const t = performance.now();
    let after: string | null = null;
    let needs = 0;
    let matches = 0;
    let pages = 0;
    do {
      const d = await gql(gw, token, STREET_MATCHES, { street: MATCHING_STREET, first: 100, matches: 50, after });
      pages++;
      needs += d.needs.edges.length;
      for (const e of d.needs.edges) matches += e.node.matches.length;
      after = d.needs.pageInfo.hasNextPage ? d.needs.pageInfo.endCursor : null;
    } while (after);
    return { ms: performance.now() - t, needs, matches, pages };
  };
  await once(); // warm-up
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await once());
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const r = runs[0];
  return [
    "## Charity matching",
    "",
    `All open needs of street ${MATCHING_STREET} against all ${resources} resources (civil-affairs token), read as a client does: ` +
      `${r.pages} page(s) of needs(first: 100), each need with matches(first: 50); 5 runs after a warm-up.`,
    "",
    "| open needs | resources | matches | pages | median ms | max ms |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${r.needs} | ${resources} | ${r.matches} | ${r.pages} | ${ms[2].toFixed(0)} | ${ms[4].toFixed(0)} |`,
    "",
    `- matching one street: median ${ms[2].toFixed(0)} ms vs target < 1000 ms → ${ms[4] < 1000 ? "met" : "MISSED"}`,
    "",
  ].join("\n");
}

interface Scenario {
  label: string;
  query: string;
  variables: Record<string, unknown>;
  connections: number;
  /** seconds measured (default BENCH_DURATION) */
  durationS?: number;
}

interface Row {
  scenario: Scenario;
  policy: "enforce" | "off";
  /** "main": the first gateway process; "policy" / "audit": the comparisons, each side on a freshly restarted gateway;
   *  "computed": the 100-household view with and without the computed fields, on the first gateway process */
  group: "main" | "policy" | "audit" | "computed" | "live" | "tracing";
  /** OpenTelemetry export of the gateway measured (group "tracing") */
  tracing?: "on" | "off";
  /** AUDIT_LOG of the gateway measured */
  audit: "on" | "off";
  mean: number;
  households: number;
  persons: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  sent: number;
  completed: number;
  bad: number;
  upstreamFailed: number;
  callsPerQuery: Record<Source, number>;
  /** answers (HTTP 200) that carried GraphQL errors (partial data) */
  errorAnswers: number;
  /** the gateway process's CPU time (user + system) over the run / requests completed */
  cpuMsPerRequest: number;
  /** the gateway's RSS right after the run */
  rssAfterMb: number;
  /** one connection: each request's time split into its department calls and the rest (the gateway's phase probe) */
  phases?: Phases;
}

async function gql(gw: Gateway, token: string, query: string, variables: Record<string, unknown>, partialOk = false): Promise<any> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (res.status !== 200 || (body.errors && !(partialOk && body.data))) throw new Error(`query failed (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  return body.data;
}

async function measure(gw: Gateway, token: string, scenario: Scenario, policy: "enforce" | "off", group: Row["group"], audit: Row["audit"] = "on"): Promise<Row> {
  // the query works and answers completely (no errors) before it is measured; the live rows at 10 connections
  // may answer with errors (partial data) under load: they are counted, not refused
  const data = await gql(gw, token, scenario.query, scenario.variables, group === "live");
  let errorAnswers = 0;
  const households: { members: unknown[] }[] = data.household ? [data.household] : data.households.edges.map((e: { node: unknown }) => e.node);
  const persons = households.reduce((n, h) => n + h.members.length, 0);
  const opts: AutocannonOptions = {
    url: `${gw.url}/graphql`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
    connections: scenario.connections,
    duration: WARMUP_S,
    pipelining: 1,
    // a 100-household live page at 10 connections queues behind employment's concurrency limit for tens of seconds
    ...(group === "live" && { timeout: 120 }),
  };
  if (WARMUP_S > 0) await autocannon(opts);
  const before = await settled(gw);
  const split = scenario.connections === 1;
  if (split) await collectPhases(gw.child.proc, gw.phaseFile); // forget the warm-up's requests
  const pid = gw.child.proc.pid;
  const cpu0 = cpuMsOf(pid);
  const r = await autocannon({
    ...opts,
    duration: scenario.durationS ?? DURATION_S,
    requests: [{ method: "POST", body: opts.body, headers: opts.headers, onResponse: (status, body) => void (status === 200 && body.includes('"errors"') && errorAnswers++) }],
  });
  const cpu1 = cpuMsOf(pid);
  const rssAfterMb = rssMbOf(pid);
  const phaseRows = split ? await collectPhases(gw.child.proc, gw.phaseFile) : [];
  const after = await settled(gw);
  const sent = r.requests.sent;
  const callsPerQuery = Object.fromEntries(SOURCES.map((s) => [s, (after.requests[s] - before.requests[s]) / sent])) as Record<Source, number>;
  const row: Row = {
    scenario,
    policy,
    group,
    audit,
    mean: r.latency.mean,
    households: households.length,
    persons,
    reqPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    sent,
    completed: r.requests.total,
    bad: r.non2xx + r.errors + r.timeouts,
    upstreamFailed: after.failed - before.failed,
    callsPerQuery,
    errorAnswers,
    cpuMsPerRequest: r.requests.total > 0 ? (cpu1 - cpu0) / r.requests.total : NaN,
    rssAfterMb,
    ...(split && { phases: phasesOf(phaseRows, Math.round(total(callsPerQuery))) }),
  };
  process.stderr.write(
    `  ${scenario.label.padEnd(34)} FIELD_POLICY=${policy.padEnd(7)} c=${String(scenario.connections).padEnd(3)} ` +
      `${row.reqPerSec.toFixed(1).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  mean ${row.mean.toFixed(1)} ms  ` +
      `${total(callsPerQuery).toFixed(1)} upstream calls/query  CPU ${row.cpuMsPerRequest.toFixed(1)} ms/request  RSS ${row.rssAfterMb.toFixed(0)} MB` +
      `${row.bad ? `  ${row.bad} failed requests` : ""}${row.errorAnswers ? `  ${row.errorAnswers} answers with errors` : ""}` +
      `${row.phases ? `  calls p99 ${row.phases.wave.p99.toFixed(1)} ms, the rest p50 ${row.phases.beyond.p50.toFixed(1)} / p99 ${row.phases.beyond.p99.toFixed(1)} ms` : ""}\n`,
  );
  return row;
}

const total = (c: Record<Source, number>) => SOURCES.reduce((a, s) => a + c[s], 0);

// ---------------------------------------------------------------------------------------------------
// report

function fmt(n: number, digits = 1): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/**
 * Tracing on vs off: the gateway restarted with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP sink
 * (every span exported over HTTP, the batch processor's defaults), and without any OTEL_* variable; the sides
 * alternate (off, on, off, on) so that drifting machine load hits both.
 */
function tracingSection(rows: Row[], sink: { requests: number; bytes: number }): string[] {
  const lines: string[] = [];
  const side = (t: "on" | "off") => rows.filter((x) => x.group === "tracing" && x.tracing === t);
  const on = side("on");
  const off = side("off");
  if (!on.length || !off.length) return lines;
  lines.push("## Tracing overhead (OpenTelemetry export on vs off)", "");
  lines.push(
    "Same database and sandboxes, field policy and access log on; the gateway restarted for each row, alternately without OTEL_* variables " +
      "(no SDK: the API's no-op tracer) and with OTEL_EXPORTER_OTLP_ENDPOINT set to a local OTLP/HTTP receiver (SDK on, every span exported, " +
      `batch span processor defaults). The receiver got ${sink.requests} export request(s), ${(sink.bytes / 1024).toFixed(0)} KiB.`,
    "",
  );
  lines.push("| query | tracing | connections | requests | req/s | p50 ms | p99 ms | mean ms | gateway CPU ms / request |");
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows.filter((x) => x.group === "tracing"))
    lines.push(
      `| ${r.scenario.label} | ${r.tracing} | ${r.scenario.connections} | ${r.completed} | ${r.reqPerSec.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.mean.toFixed(1)} | ${r.cpuMsPerRequest.toFixed(2)} |`,
    );
  const avg = (rs: Row[], f: (r: Row) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)} %`;
  const pct = (a: number, b: number) => ((a - b) / b) * 100;
  lines.push("");
  for (const scenario of [...new Set(on.map((r) => r.scenario))]) {
    const [sOn, sOff] = [on.filter((r) => r.scenario === scenario), off.filter((r) => r.scenario === scenario)];
    const [meanOn, meanOff] = [avg(sOn, (r) => r.mean), avg(sOff, (r) => r.mean)];
    const [cpuOn, cpuOff] = [avg(sOn, (r) => r.cpuMsPerRequest), avg(sOff, (r) => r.cpuMsPerRequest)];
    lines.push(
      `- tracing cost, ${scenario.label} at ${scenario.connections} connection(s): gateway CPU ${cpuOn.toFixed(2)} ms on vs ${cpuOff.toFixed(2)} ms off per request = ` +
        `${signed(pct(cpuOn, cpuOff))}; mean latency ${meanOn.toFixed(1)} ms on vs ${meanOff.toFixed(1)} ms off = ${signed(pct(meanOn, meanOff))}`,
    );
  }
  lines.push("");
  return lines;
}

function report(rows: Row[], meta: { asOf: string; startMs: number; started: Date; elapsedS: number; loadBefore: number[] }, headerOnly = false): string {
  const cpu = os.cpus();
  const lines: string[] = [];
  lines.push(`# Benchmark: the unified view`, "");
  lines.push(`- date: ${meta.started.toISOString()}`);
  lines.push(`- machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()} ${os.arch()}`);
  lines.push(`- Node ${process.version}`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  lines.push(
    `- load average (1 / 5 / 15 min) before: ${load(meta.loadBefore)}, after: ${load(os.loadavg())} — the gateway, the sandboxes and autocannon share these ${cpu.length} cores; other load on the machine skews the numbers`,
  );
  lines.push(`- command: \`${BENCH_ONLY ? `BENCH_ONLY=${BENCH_ONLY} ` : ""}npm run bench\` (BENCH_DURATION=${DURATION_S}, BENCH_WARMUP=${WARMUP_S}; total ${meta.elapsedS.toFixed(0)} s)`);
  lines.push(
    `- setup: gateway (\`node dist/src/app/main.js\`, ${BENCH_DATABASE_URL ? "PostgreSQL" : "embedded PGlite"}, default population seed ${SEED} as of ${meta.asOf}, started in ${(meta.startMs / 1000).toFixed(1)} s incl. seeding), ` +
      (process.env.BENCH_SANDBOXES !== "separate"
        ? `the five sandboxes in one process (\`node dist/dev/sandboxes/cli.js\`, same seed and as-of)`
        : `the five sandboxes, one process each (\`node dist/dev/sandboxes/cli.js --only <name>\`, BENCH_SANDBOXES=separate, same seed and as-of)`) +
      ` with ${SANDBOX_LATENCY_MS} ms latency per request, and autocannon in the bench process. Token: civil_affairs, city 500000. ${DURATION_S} s per row after a ${WARMUP_S} s warm-up.`,
  );
  lines.push("");
  if (headerOnly) return lines.join("\n");
  lines.push("## Latency, throughput and upstream calls per query (field policy enforced)", "");
  lines.push("| query | households | persons | connections | req/s | p50 ms | p99 ms | upstream calls/query | education | employment | housing | medical ins. | disability | failed |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows.filter((x) => x.group === "main")) {
    const c = r.callsPerQuery;
    lines.push(
      `| ${r.scenario.label} | ${r.households} | ${r.persons} | ${r.scenario.connections} | ${fmt(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${fmt(total(c))} | ` +
        `${fmt(c.education, 2)} | ${fmt(c.employment, 2)} | ${fmt(c.housing, 2)} | ${fmt(c.medicalInsurance, 2)} | ${fmt(c.disability, 2)} | ${r.bad + r.upstreamFailed} |`,
    );
  }
  lines.push("");
  lines.push(
    "Upstream calls/query: HTTP requests to the department systems (gateway_upstream_requests_total deltas) per GraphQL request sent. " +
      "Education (batches of 200), medical insurance (100) and disability (50) stay at one call per query until the persons exceed the batch size; " +
      "employment (one person per request) and housing (one household per request) have no batch API and grow with the persons / households. " +
      "Medical insurance includes its OAuth token call when one was due. \"failed\": non-2xx, socket errors and timeouts seen by autocannon plus failed upstream attempts.",
  );
  lines.push("");
  lines.push("## Field authorization overhead (FIELD_POLICY=enforce vs off)", "");
  lines.push(
    "Same database and sandboxes; the gateway restarted with FIELD_POLICY=off, then restarted again with FIELD_POLICY=enforce, so that both sides " +
      "run on an equally fresh process with the same warm-up. autocannon's percentiles have 1 ms resolution, so the mean is shown too.",
    "",
  );
  lines.push("| query | connections | p50 enforce ms | p50 off ms | overhead of p50 | mean enforce ms | mean off ms | overhead of mean | p99 enforce ms | p99 off ms | req/s enforce | req/s off |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const overheads: { label: string; pct: number }[] = [];
  const pctOf = (a: number, b: number) => ((a - b) / b) * 100;
  const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)} %`;
  for (const off of rows.filter((x) => x.group === "policy" && x.policy === "off")) {
    const on = rows.find((x) => x.group === "policy" && x.policy === "enforce" && x.scenario === off.scenario)!;
    const pct = pctOf(on.p50, off.p50);
    overheads.push({ label: off.scenario.label, pct });
    lines.push(
      `| ${off.scenario.label} | ${off.scenario.connections} | ${on.p50} | ${off.p50} | ${signed(pct)} | ${on.mean.toFixed(1)} | ${off.mean.toFixed(1)} | ${signed(pctOf(on.mean, off.mean))} | ` +
        `${on.p99} | ${off.p99} | ${fmt(on.reqPerSec)} | ${fmt(off.reqPerSec)} |`,
    );
  }
  lines.push("");
  lines.push("## Access-log overhead (AUDIT_LOG=on vs off)", "");
  lines.push(
    "Same database and sandboxes, field policy enforced; the gateway restarted with AUDIT_LOG=off, then with AUDIT_LOG=on. With the log on, every " +
      "request's access record (hash-chained, group-committed) is committed before its response leaves. Throughput = connections × 1000 / mean latency " +
      "(autocannon's req/s is whole requests per second, too coarse for ~1 req/s).",
    "",
  );
  lines.push("| query | connections | throughput on req/s | throughput off req/s | throughput cost | p50 on ms | p50 off ms | mean on ms | mean off ms | p99 on ms | p99 off ms |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const auditCosts: { label: string; pct: number }[] = [];
  for (const off of rows.filter((x) => x.group === "audit" && x.audit === "off")) {
    const on = rows.find((x) => x.group === "audit" && x.audit === "on" && x.scenario === off.scenario)!;
    const throughput = (r: Row) => (r.scenario.connections * 1000) / r.mean;
    const cost = ((throughput(off) - throughput(on)) / throughput(off)) * 100;
    auditCosts.push({ label: off.scenario.label, pct: cost });
    lines.push(
      `| ${off.scenario.label} | ${off.scenario.connections} | ${throughput(on).toFixed(2)} | ${throughput(off).toFixed(2)} | ${signed(cost)} | ${on.p50} | ${off.p50} | ` +
        `${on.mean.toFixed(1)} | ${off.mean.toFixed(1)} | ${on.p99} | ${off.p99} |`,
    );
  }
  lines.push("");
  lines.push("## Computed fields (eligibility, aid chain, alerts) on the 100-household view", "");
  lines.push(
    "Same gateway process and data; the second row adds `eligibility { … reasons }`, `aidChain { links gaps duplicates }` and " +
      "`alerts { … evidence }` to every household. They are computed from the facts the view already loads (the request's DataLoaders), " +
      "so the upstream calls per query must stay the same.",
    "",
  );
  lines.push("| query | connections | req/s | p50 ms | p99 ms | mean ms | upstream calls/query |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|");
  const computedRows = rows.filter((x) => x.group === "computed");
  for (const r of computedRows)
    lines.push(`| ${r.scenario.label} | ${r.scenario.connections} | ${fmt(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${r.mean.toFixed(1)} | ${fmt(total(r.callsPerQuery))} |`);
  lines.push("");
  lines.push("## Targets (reported, not asserted)", "");
  if (computedRows.length === 2) {
    const [plain, computed] = computedRows;
    const extra = ((computed.mean - plain.mean) / plain.mean) * 100;
    const sameCalls = Math.abs(total(computed.callsPerQuery) - total(plain.callsPerQuery)) < 0.5;
    lines.push(
      `- computed fields on the 100-household view: mean ${computed.mean.toFixed(1)} ms vs ${plain.mean.toFixed(1)} ms = ${signed(extra)} vs target ≤ 25 % → ${extra <= 25 ? "met" : "MISSED"}; ` +
        `upstream calls/query ${fmt(total(computed.callsPerQuery))} vs ${fmt(total(plain.callsPerQuery))} → ${sameCalls ? "no extra calls" : "EXTRA CALLS"}`,
    );
  }
  const one = rows.filter((x) => x.group === "main" && x.households === 1);
  const target = SANDBOX_LATENCY_MS + 15;
  for (const r of one) {
    if (r.scenario.connections === 1)
      lines.push(`- one household, one client: p99 ${r.p99} ms vs target ≤ ${SANDBOX_LATENCY_MS} + 15 = ${target} ms → ${r.p99 <= target ? "met" : "MISSED"}`);
    else
      lines.push(
        `- one household, ${r.scenario.connections} concurrent clients (for information; the target is the latency of one query): p99 ${r.p99} ms — ` +
          `${r.scenario.connections} × ${fmt(r.callsPerQuery.employment)} employment calls queue behind that system's concurrency limit at ${SANDBOX_LATENCY_MS} ms each`,
      );
  }
  for (const o of overheads) {
    lines.push(`- authorization overhead, ${o.label}: ${o.pct.toFixed(1)} % of p50 vs target ≤ 10 % → ${o.pct <= 10 ? "met" : "MISSED"}`);
  }
  for (const o of auditCosts.filter((c) => c.label.includes("100"))) {
    lines.push(`- access-log cost, ${o.label}: ${o.pct.toFixed(1)} % of throughput vs target ≤ 15 % → ${o.pct <= 15 ? "met" : "MISSED"}`);
  }
  lines.push("");
  return lines.join("\n");
}

function liveReport(rows: Row[], bare: BareResult, memory: { idleMb: number; afterMb: number; database: string }): string {
  const lines: string[] = ["## Live reads: latency, gateway CPU per request, memory", ""];
  lines.push(
    `household(id:): every department field of every member and housing; "full view + computed": also eligibility with reasons, aid chain, alerts; read live from the ` +
      `department systems (${SANDBOX_LATENCY_MS} ms each); field policy and access log on; database: ${memory.database}. CPU per request: the gateway ` +
      `process's user + system CPU time over the run (/proc/<pid>/stat) divided by the requests completed. "answers with errors": HTTP 200 answers ` +
      `carrying per-path errors (partial data, e.g. upstream deadlines under load). Measured for ${DURATION_S} s per row, the one-household rows at ` +
      `1 connection (whose p99 is judged) and the bare upstream calls for ${LIVE_P99_DURATION_S} s (BENCH_LIVE_P99_DURATION).`,
    "",
  );
  lines.push("| query | households | persons | connections | req/s | p50 ms | p99 ms | answers with errors | gateway CPU ms / request | RSS after MB |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows.filter((x) => x.group === "live"))
    lines.push(
      `| ${r.scenario.label} | ${r.households} | ${r.persons} | ${r.scenario.connections} | ${fmt(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${r.errorAnswers} | ` +
        `${r.cpuMsPerRequest.toFixed(1)} | ${r.rssAfterMb.toFixed(0)} |`,
    );
  lines.push("");
  lines.push(`- gateway RSS: ${memory.idleMb.toFixed(0)} MB idle after start (target on PostgreSQL ≤ 256 MB), ${memory.afterMb.toFixed(0)} MB after the live rows`);
  for (const r of rows.filter((x) => x.group === "live")) {
    const target = r.households === 1 ? 3 : 60;
    lines.push(
      `- CPU, ${r.scenario.label}, ${r.scenario.connections} connection(s), read live: ${r.cpuMsPerRequest.toFixed(1)} ms per request vs target ≤ ${target} ms → ` +
        `${r.cpuMsPerRequest <= target ? "met" : "MISSED"} (the same reads served from the mirror, as they are while its sources are fresh: \`node dist/dev/bench/bench-cpu.js\`)`,
    );
    if (r.scenario.connections === 1 && r.households === 1) {
      const measured = Math.ceil(bare.p99) + 10;
      lines.push(
        `- p99, ${r.scenario.label}, 1 connection: ${r.p99} ms vs target ≤ slowest upstream + 10 ms: ` +
          `${SANDBOX_LATENCY_MS + 10} ms with the configured ${SANDBOX_LATENCY_MS} ms → ${r.p99 <= SANDBOX_LATENCY_MS + 10 ? "met" : "MISSED"}; ` +
          `${measured} ms with the slowest upstream as measured (p99 ${bare.p99.toFixed(1)} ms) → ${r.p99 <= measured ? "met" : "MISSED"}`,
      );
      const ph = r.phases;
      if (ph)
        lines.push(
          `- per request, ${r.scenario.label}, 1 connection (${ph.requests} requests split by the gateway's phase probe): its department calls, ` +
            `from the first sent to the last answered, p50 ${ph.wave.p50.toFixed(1)} / p99 ${ph.wave.p99.toFixed(1)} ms; the rest of the request ` +
            `(arrival to response, minus those calls) p50 ${ph.beyond.p50.toFixed(1)} / **p99 ${ph.beyond.p99.toFixed(1)} ms** vs target ≤ 10 ms → ` +
            `${ph.beyond.p99 <= 10 ? "met" : "MISSED"}; whole request p50 ${ph.total.p50.toFixed(1)} / p99 ${ph.total.p99.toFixed(1)} ms ≤ the calls' own ` +
            `p99 + 10 = ${(ph.wave.p99 + 10).toFixed(1)} ms → ${ph.total.p99 <= ph.wave.p99 + 10 ? "met" : "MISSED"}`,
        );
    }
  }
  lines.push(
    `- the slowest upstream, measured: the household's ${SOURCES.length} department calls sent at once by a plain client (undici, keep-alive; no gateway), ` +
      `one iteration after another for ${LIVE_P99_DURATION_S} s after a ${WARMUP_S} s warm-up: ${bare.iterations} iterations, until the last answer p50 ` +
      `${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms, mean ${bare.mean.toFixed(1)} ms (dev/bench/bare-upstream.ts). The sandboxes answer after ` +
      `${SANDBOX_LATENCY_MS} ms plus their own work, in one process on the same two cores.`,
  );
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = os.loadavg();
  const t0 = performance.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safetynet-bench-"));
  let closeSink = async () => {};
  const cleanup = async () => {
    for (const c of [...children].reverse()) await stop(c);
    await closeSink();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    // The gateway seeds its registry "as of" today (UTC) on its first start; the sandboxes must describe the
    // same day. Start them with today's date and check the date the gateway reports for its data set.
    const asOf = new Date().toISOString().slice(0, 10);
    process.stderr.write(`bench: starting the department sandboxes (seed ${SEED}, as of ${asOf}) …\n`);
    const sb = await startSandboxes(asOf);
    process.stderr.write(`bench: starting the gateway (seeding a fresh database in ${dataDir}) …\n`);
    let gw = await startGateway(dataDir, sb, "enforce");
    if (gw.asOf !== sb.asOf) throw new Error(`the gateway's data set is as of ${gw.asOf}, the sandboxes' as of ${sb.asOf} (run across midnight UTC?) — run again`);
    const startMs = gw.startMs;
    const token = await civilAffairsToken(dataDir);
    const first = await gql(gw, token, `query { households(first: 1) { edges { node { id } } } }`, {});
    const householdId: string = first.households.edges[0].node.id;

    // tracing on vs off (alternating sides, each on a freshly started gateway): alone with BENCH_ONLY=tracing, last otherwise
    const sink = await startOtlpSink();
    closeSink = sink.close;
    const tracingRows: Row[] = [];
    const oneTraced: Scenario = { label: "household(id:)", query: ONE_HOUSEHOLD, variables: { id: householdId }, connections: 1 };
    const measureTracing = async () => {
      for (const tracing of ["off", "on", "off", "on"] as const) {
        process.stderr.write(`bench: restarting the gateway with tracing ${tracing} …\n`);
        await stop(gw.child);
        gw = await startGateway(dataDir, sb, "enforce", "on", tracing === "on" ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {});
        for (const s of [oneTraced, { ...oneTraced, connections: 10 }]) tracingRows.push({ ...(await measure(gw, token, s, "enforce", "tracing")), tracing });
      }
    };
    if (BENCH_ONLY === "tracing") {
      await measureTracing();
      await stop(gw.child);
      const md = report(tracingRows, { asOf, startMs, started, elapsedS: (performance.now() - t0) / 1000, loadBefore }, true) + "\n\n" + tracingSection(tracingRows, sink.received).join("\n");
      const outDir = path.join(ROOT, "bench");
      mkdirSync(outDir, { recursive: true });
      writeFileSync(path.join(outDir, "results-tracing.md"), md);
      process.stdout.write(md + "\n");
      return;
    }

    // idle memory: a few seconds after start, before any load but the two queries above
    await sleep(5000);
    const idleMb = rssMbOf(gw.child.proc.pid);
    const liveRows: Row[] = [];
    const oneFull: Scenario = { label: "household(id:) full view + computed", query: ONE_FULL, variables: { id: householdId }, connections: 1 };
    const hundredFull: Scenario = { label: "households(first: 100) full view + computed", query: HOUSEHOLDS_COMPUTED, variables: { first: 100 }, connections: 1 };
    process.stderr.write("bench: live rows (full view + computed fields; CPU per request, RSS) …\n");
    const oneView: Scenario = { label: "household(id:)", query: ONE_HOUSEHOLD, variables: { id: householdId }, connections: 1 };
    const live: Record<string, Scenario> = {
      // the rows whose p99 is judged run for LIVE_P99_DURATION_S
      one1: { ...oneView, durationS: LIVE_P99_DURATION_S },
      one10: { ...oneView, connections: 10 },
      full1: { ...oneFull, durationS: LIVE_P99_DURATION_S },
      full10: { ...oneFull, connections: 10 },
      page1: hundredFull,
      page10: { ...hundredFull, connections: 10 },
    };
    // the baseline: the same household's department calls made by a plain client, without the gateway
    const members = await gql(gw, token, `query($id: ID!) { household(id: $id) { registryNo members { idNumber } } }`, { id: householdId });
    process.stderr.write("bench: the household's department calls without the gateway (the slowest upstream, as measured) …\n");
    const bare = await measureBareUpstream(sb, { registryNo: members.household.registryNo, idNumbers: members.household.members.map((m: { idNumber: string }) => m.idNumber) }, { warmupS: WARMUP_S, durationS: LIVE_P99_DURATION_S });
    process.stderr.write(`  bare upstream calls: ${bare.iterations} iterations, p50 ${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms\n`);
    for (const [key, s] of Object.entries(live))
      if (!LIVE_ROWS || LIVE_ROWS.includes(key)) liveRows.push(await measure(gw, token, s, "enforce", "live"));
    const liveMd = liveReport(liveRows, bare, {
      idleMb,
      afterMb: rssMbOf(gw.child.proc.pid),
      database: BENCH_DATABASE_URL ? "PostgreSQL (BENCH_DATABASE_URL)" : "embedded PGlite (in the gateway process: its SQL work counts as gateway CPU)",
    });
    if (BENCH_ONLY === "live") {
      await stop(gw.child);
      const md = report(liveRows, { asOf, startMs, started, elapsedS: (performance.now() - t0) / 1000, loadBefore }, true) + "\n" + liveMd;
      const outDir = path.join(ROOT, "bench");
      mkdirSync(outDir, { recursive: true });
      writeFileSync(path.join(outDir, "results-live.md"), md);
      process.stdout.write(md + "\n");
      return;
    }

    const one: Scenario = { label: "household(id:)", query: ONE_HOUSEHOLD, variables: { id: householdId }, connections: 1 };
    const oneLoaded: Scenario = { ...one, connections: 10 };
    const ten: Scenario = { label: "households(first: 10)", query: HOUSEHOLDS, variables: { first: 10 }, connections: 1 };
    const tenLoaded: Scenario = { ...ten, connections: 10 };
    // 100 households at 10 connections would queue 10 × ~250 employment calls behind that system's limit
    // of 8 concurrent requests (×20 ms) — seconds, beyond the 2 s upstream deadline: measured at 1 connection.
    const hundred: Scenario = { label: "households(first: 100)", query: HOUSEHOLDS, variables: { first: 100 }, connections: 1 };

    const rows: Row[] = [];
    process.stderr.write("bench: measuring (FIELD_POLICY=enforce) …\n");
    for (const s of [one, oneLoaded, ten, tenLoaded, hundred]) rows.push(await measure(gw, token, s, "enforce", "main"));
    const hundredComputed: Scenario = { label: "households(first: 100) + computed", query: HOUSEHOLDS_COMPUTED, variables: { first: 100 }, connections: 1 };
    process.stderr.write("bench: computed fields on the 100-household view …\n");
    for (const s of [hundred, hundredComputed]) rows.push(await measure(gw, token, s, "enforce", "computed"));
    process.stderr.write("bench: charity matching, one street …\n");
    const matchingMd = await measureMatching(gw, token);

    for (const policy of ["off", "enforce"] as const) {
      process.stderr.write(`bench: restarting the gateway with FIELD_POLICY=${policy} …\n`);
      await stop(gw.child);
      gw = await startGateway(dataDir, sb, policy);
      for (const s of [hundred, one]) rows.push(await measure(gw, token, s, policy, "policy"));
    }
    for (const audit of ["off", "on"] as const) {
      process.stderr.write(`bench: restarting the gateway with AUDIT_LOG=${audit} …\n`);
      await stop(gw.child);
      gw = await startGateway(dataDir, sb, "enforce", audit);
      for (const s of [hundred, one]) rows.push(await measure(gw, token, s, "enforce", "audit", audit));
    }
    await measureTracing();
    await stop(gw.child);

    const md =
      report([...liveRows, ...rows], { asOf, startMs, started, elapsedS: (performance.now() - t0) / 1000, loadBefore }) +
      "\n" + liveMd + "\n" + matchingMd + "\n" + tracingSection(tracingRows, sink.received).join("\n");
    const outDir = path.join(ROOT, "bench");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, "results.md"), md);
    process.stdout.write(md + "\n");
    process.stderr.write(`bench: written to ${path.relative(process.cwd(), path.join(outDir, "results.md")) || "bench/results.md"}\n`);
  } finally {
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
