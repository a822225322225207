/**
 * Shared pieces of the unified-view integration tests: a gateway whose database and department sandboxes
 * hold the SAME generated population, a Prometheus text parser for GET /metrics, the sandboxes' admin
 * routes (over HTTP), and a passive recorder of the gateway's upstream HTTP calls.
 */
import diagnostics from "node:diagnostics_channel";
import { runSeed } from "../../dev/seed/run.js";
import { NO_FAULTS } from "../../dev/sandboxes/kit/faults.js";
import type { StatsSnapshot } from "../../dev/sandboxes/kit/stats.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { startGateway, type StartOptions, type TestGateway } from "../helpers/gateway.js";

export const POPULATION = { seed: 20190101, asOf: "2026-11-01", persons: 1500 } as const;
/** the requests' clock: the population's as-of date (staleness is judged against it) */
export const NOW = new Date(`${POPULATION.asOf}T12:00:00Z`);

/**
 * Gateway + sandboxes over one population. The employment sandbox's rate limit is raised far above
 * what a test sends, so that "one call per person" is not blurred by 429 retries (rate limiting has
 * its own tests in test/connectors and test/sandboxes). Connector settings not given here are the test gateway's
 * (TEST_CONNECTOR_DEFAULTS: a 30 s deadline, a breaker that stays open): a test about a deadline gives its own
 * `timeoutMs` and hangs the sandbox.
 */
export function startUnifiedGateway(
  connectors?: Partial<Record<SourceName, Record<string, unknown>>>,
  edge?: StartOptions["edge"],
  more: { alertFeed?: boolean; audit?: boolean; mirror?: StartOptions["mirror"] } = {},
): Promise<TestGateway> {
  return startGateway({
    ...more,
    edge,
    now: NOW,
    seed: async (db) => {
      await runSeed({ sql: db.sql, ...POPULATION, progress: "none" });
    },
    sandboxes: { ...POPULATION, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    connectors,
  });
}

// ---------------------------------------------------------------------------------------------------
// GET /metrics

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (the subset prom-client writes). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
      let l: RegExpExecArray | null;
      while ((l = re.exec(m[3])) !== null) labels[l[1]] = l[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const v = m[4];
    out.push({ name: m[1], labels, value: v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v) });
  }
  return out;
}

export class Metrics {
  constructor(readonly samples: Sample[]) {}
  /** sum of the series of `name` whose labels include `match` */
  get(name: string, match: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
      .reduce((a, s) => a + s.value, 0);
  }
  /** whether any series of `name` matches */
  has(name: string, match: Record<string, string> = {}): boolean {
    return this.samples.some((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  }
}

/** GET /metrics over HTTP, parsed. */
export async function scrape(gw: TestGateway): Promise<Metrics> {
  const res = await fetch(`${gw.url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return new Metrics(parsePrometheus(await res.text()));
}

/** after − before for one metric (counters; for gauges use `after.get`). */
export function delta(before: Metrics, after: Metrics, name: string, match: Record<string, string> = {}): number {
  return after.get(name, match) - before.get(name, match);
}

// ---------------------------------------------------------------------------------------------------
// the sandboxes' admin routes (WIRE.md "Common to every sandbox"), over HTTP

export async function admin(gw: TestGateway, source: SourceName, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${gw.sandboxes!.urls[source]}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 400) throw new Error(`${method} ${path} on the ${source} sandbox: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const setFaults = (gw: TestGateway, source: SourceName, faults: Record<string, unknown>) => admin(gw, source, "PUT", "/__sandbox/faults", faults);
export const stats = (gw: TestGateway, source: SourceName): Promise<StatsSnapshot> => admin(gw, source, "GET", "/__sandbox/stats");
export async function resetStats(gw: TestGateway): Promise<void> {
  await Promise.all(SOURCES.map((s) => admin(gw, s, "POST", "/__sandbox/stats/reset")));
}
export async function allStats(gw: TestGateway): Promise<Record<SourceName, StatsSnapshot>> {
  const list = await Promise.all(SOURCES.map((s) => stats(gw, s)));
  return Object.fromEntries(SOURCES.map((s, i) => [s, list[i]])) as Record<SourceName, StatsSnapshot>;
}
export async function clearFaults(gw: TestGateway): Promise<void> {
  await Promise.all(SOURCES.map((s) => setFaults(gw, s, NO_FAULTS)));
}

/** The sandboxes' route patterns (byRoute keys) of the data calls. */
export const ROUTES = {
  education: "POST /api/v1/students/search",
  employment: "GET /api/persons/:idNumber/employment",
  housing: "GET /housing/v1/households/:registryNo/benefits",
  medicalInsurance: "POST /api/v2/insured/query",
  medicalInsuranceToken: "POST /oauth/token",
  disability: "GET /cdpf/api/certificates",
} as const;

// ---------------------------------------------------------------------------------------------------
// a passive recorder of the gateway's upstream calls (the connectors' HTTP client is undici, which reports
// every request it makes on its diagnostics channels)

export interface UpstreamCall {
  source: SourceName;
  method: string;
  url: string;
  /** the keys the call asked for (ID numbers or a registry number); empty for the token call */
  keys: string[];
  /** HTTP status, or 0 when no answer came (aborted, connection error) */
  status: number;
}

export interface Recorder {
  calls: UpstreamCall[];
  /**
   * The most requests to each source the gateway's HTTP client had open at once (created and not yet ended by
   * their trailers or an error), as undici reports them. The client's side of the connection: a sandbox notices an
   * aborted request only when it reads the socket's close, which can come after the next request has arrived, so
   * its own in-flight count may exceed the gateway's limit for a moment while this one cannot.
   */
  peakInFlight: Partial<Record<SourceName, number>>;
  /** the requests to `source` the gateway's HTTP client has open now (same count as peakInFlight) */
  inFlight(source: SourceName): number;
  stop(): void;
}

function keysOf(source: SourceName, url: URL, body: string | undefined): string[] {
  switch (source) {
    case "education":
      return body ? (JSON.parse(body).idNumbers as string[]) : [];
    case "medicalInsurance":
      return url.pathname.endsWith("/insured/query") && body ? (JSON.parse(body).id_numbers as string[]) : [];
    case "disability":
      return (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
    case "employment":
      return [decodeURIComponent(url.pathname.split("/")[3])];
    case "housing":
      return [decodeURIComponent(url.pathname.split("/")[4])];
  }
}

/** What undici publishes on `undici:request:create` / `undici:request:headers` (the part used here). */
interface UndiciRequest {
  origin?: string | URL;
  path: string;
  method: string;
  body?: unknown;
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  return undefined;
}

/**
 * Records every HTTP request to a sandbox (and the status it got), without changing it: a subscriber on
 * undici's diagnostics channels, which see each request as it is created (retries included, also those
 * that never get an answer) and its response headers. The sandboxes' admin routes and /health are left out.
 */
export function recordUpstreamCalls(gw: TestGateway): Recorder {
  const bases = SOURCES.map((s) => [s, gw.sandboxes!.urls[s]] as const);
  const calls: UpstreamCall[] = [];
  const byRequest = new WeakMap<object, UpstreamCall>();
  const open = new Map<SourceName, number>();
  const peakInFlight: Partial<Record<SourceName, number>> = {};
  const onCreate = (message: unknown) => {
    const request = (message as { request: UndiciRequest }).request;
    if (request.origin === undefined) return;
    const href = new URL(request.path, request.origin).href;
    const hit = bases.find(([, base]) => href.startsWith(base + "/"));
    if (!hit || href.includes("/__sandbox/") || href.endsWith("/health")) return;
    const call: UpstreamCall = { source: hit[0], method: request.method, url: href, keys: keysOf(hit[0], new URL(href), bodyText(request.body)), status: 0 };
    calls.push(call);
    byRequest.set(request, call);
    const now = (open.get(call.source) ?? 0) + 1;
    open.set(call.source, now);
    peakInFlight[call.source] = Math.max(peakInFlight[call.source] ?? 0, now);
  };
  const ended = new WeakSet<object>();
  const onEnd = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    const call = byRequest.get(request);
    if (!call || ended.has(request)) return;
    ended.add(request);
    open.set(call.source, (open.get(call.source) ?? 1) - 1);
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const call = byRequest.get(request);
    if (call) call.status = response.statusCode;
  };
  diagnostics.subscribe("undici:request:create", onCreate);
  diagnostics.subscribe("undici:request:headers", onHeaders);
  diagnostics.subscribe("undici:request:trailers", onEnd);
  diagnostics.subscribe("undici:request:error", onEnd);
  return {
    calls,
    peakInFlight,
    inFlight: (source) => open.get(source) ?? 0,
    stop() {
      diagnostics.unsubscribe("undici:request:create", onCreate);
      diagnostics.unsubscribe("undici:request:headers", onHeaders);
      diagnostics.unsubscribe("undici:request:trailers", onEnd);
      diagnostics.unsubscribe("undici:request:error", onEnd);
    },
  };
}
