import { setMaxListeners } from "node:events";
import type DataLoader from "dataloader";
import type { Registry } from "prom-client";
import type { DisabilityRecord, EducationRecord, EmploymentRecord, HousingRecord, MedicalInsuranceRecord, SourceName } from "../../src/domain/records.js";
import { SOURCES } from "../../src/domain/records.js";
import { DISABILITY_MAX_BATCH, createDisabilityConnector } from "../disability/connector.js";
import { EDUCATION_MAX_BATCH, createEducationConnector } from "../education/connector.js";
import { createEmploymentConnector } from "../employment/connector.js";
import { HOUSING_MAX_PAGE_SIZE, createHousingConnector } from "../housing/connector.js";
import { MEDICAL_MAX_BATCH, type MedicalInsuranceConnector, createMedicalInsuranceConnector } from "../medical-insurance/connector.js";
import { type Connector, type ConnectorDeps, type LoaderOptions, type SourceRuntime, createLoader } from "./connector.js";
import { createHttpClient } from "./http.js";
import { sourceMetrics, upstreamMetrics } from "./metrics.js";
import { type BreakerState, type UpstreamPolicy, createPolicy } from "./policy.js";

export * from "./errors.js";
export * from "./metrics.js";
export * from "./policy.js";
export * from "./limiter.js";
export * from "./http.js";
export * from "./connector.js";
export * from "./convert.js";
export * from "./mirror.js";
export * from "./mirrored-loaders.js";
export * from "./mirror-service.js";
export { syncSource, SyncBusyError, type SyncResult, type SyncProgress } from "./sync.js";
export type { MedicalInsuranceConnector } from "../medical-insurance/connector.js";

// ---------------------------------------------------------------------------------------------------
// configuration

export interface SourceSettings {
  /** e.g. http://127.0.0.1:7101 — a sandbox or the real system speaking the same wire format */
  baseUrl: string;
  /** deadline of one logical call, queueing and retries included */
  timeoutMs: number;
  /** total HTTP attempts per call, the first included */
  maxAttempts: number;
  /** most concurrent HTTP requests to the system */
  maxConcurrency: number;
  /** most HTTP requests waiting for one of those slots; beyond it a request is refused at once (UPSTREAM_UNAVAILABLE) */
  maxQueue: number;
  /** most keys per upstream round trip */
  batchSize: number;
  breaker: { /** consecutive failed calls that open the breaker */ threshold: number; halfOpenAfterMs: number };
  /** retry backoff: exponential with decorrelated jitter from initialDelayMs, capped at maxDelayMs */
  backoff: { initialDelayMs: number; maxDelayMs: number };
  /** a record whose asOf is older than this is flagged `stale` */
  staleAfterDays: number;
}

export interface HousingSettings extends SourceSettings {
  /** items per page asked for (1–50) */
  pageSize: number;
  /** pages of one household fetched in parallel */
  pageConcurrency: number;
}

export interface MedicalInsuranceSettings extends SourceSettings {
  clientId: string;
  clientSecret: string;
}

/** What may be given: baseUrl (and medical credentials) are required, the rest defaults. */
export type SourceInput<S extends SourceSettings = SourceSettings> = Partial<Omit<S, "breaker" | "backoff">> & {
  baseUrl: string;
  breaker?: Partial<SourceSettings["breaker"]>;
  backoff?: Partial<SourceSettings["backoff"]>;
};

export interface ConnectorsConfig {
  education: SourceInput;
  employment: SourceInput;
  housing: SourceInput<HousingSettings>;
  medicalInsurance: SourceInput<MedicalInsuranceSettings> & { clientId: string; clientSecret: string };
  disability: SourceInput;
  /** clock for the staleness flag; default () => new Date() */
  clock?: () => Date;
}

export interface ResolvedConnectorsConfig {
  education: SourceSettings;
  employment: SourceSettings;
  housing: HousingSettings;
  medicalInsurance: MedicalInsuranceSettings;
  disability: SourceSettings;
}

const COMMON_DEFAULTS = {
  timeoutMs: 2000,
  // a page of 100 households asks employment about ~300 persons, one request each: room for a few such pages
  maxQueue: 1000,
  maxAttempts: 3,
  breaker: { threshold: 5, halfOpenAfterMs: 10_000 },
  backoff: { initialDelayMs: 100, maxDelayMs: 1000 },
  staleAfterDays: 365,
};

/** Per-source defaults for batch size and concurrency (plus housing paging). */
export const SOURCE_DEFAULTS = {
  education: { batchSize: 200, maxConcurrency: 4 },
  employment: { batchSize: 1, maxConcurrency: 8 },
  housing: { batchSize: 1, maxConcurrency: 8, pageSize: 50, pageConcurrency: 4 },
  medicalInsurance: { batchSize: 100, maxConcurrency: 4 },
  disability: { batchSize: 50, maxConcurrency: 4 },
} as const;

/** Largest batch each system's API accepts (employment and housing take one key per request). */
export const MAX_BATCH: Record<SourceName, number> = {
  education: EDUCATION_MAX_BATCH,
  employment: 1,
  housing: 1,
  medicalInsurance: MEDICAL_MAX_BATCH,
  disability: DISABILITY_MAX_BATCH,
};

function resolveSource(source: SourceName, input: SourceInput): SourceSettings {
  const d = SOURCE_DEFAULTS[source];
  const s: SourceSettings = {
    baseUrl: input.baseUrl,
    timeoutMs: input.timeoutMs ?? COMMON_DEFAULTS.timeoutMs,
    maxAttempts: input.maxAttempts ?? COMMON_DEFAULTS.maxAttempts,
    maxConcurrency: input.maxConcurrency ?? d.maxConcurrency,
    maxQueue: input.maxQueue ?? COMMON_DEFAULTS.maxQueue,
    batchSize: input.batchSize ?? d.batchSize,
    breaker: { ...COMMON_DEFAULTS.breaker, ...stripUndefined(input.breaker) },
    backoff: { ...COMMON_DEFAULTS.backoff, ...stripUndefined(input.backoff) },
    staleAfterDays: input.staleAfterDays ?? COMMON_DEFAULTS.staleAfterDays,
  };
  const problems: string[] = [];
  const int = (name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be a whole number in ${min}..${max} (got ${v})`);
  };
  try {
    const u = new URL(s.baseUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") problems.push(`baseUrl must be http(s) (got ${s.baseUrl})`);
  } catch {
    problems.push(`baseUrl is not a URL (got ${JSON.stringify(s.baseUrl)})`);
  }
  int("timeoutMs", s.timeoutMs, 1);
  int("maxAttempts", s.maxAttempts, 1, 20);
  int("maxConcurrency", s.maxConcurrency, 1, 1024);
  int("maxQueue", s.maxQueue, 0, 1_000_000);
  int("batchSize", s.batchSize, 1, MAX_BATCH[source]);
  int("breaker.threshold", s.breaker.threshold, 1);
  int("breaker.halfOpenAfterMs", s.breaker.halfOpenAfterMs, 1);
  int("backoff.initialDelayMs", s.backoff.initialDelayMs, 0);
  int("backoff.maxDelayMs", s.backoff.maxDelayMs, 0);
  if (!(s.staleAfterDays > 0)) problems.push(`staleAfterDays must be positive (got ${s.staleAfterDays})`);
  if (problems.length) throw new Error(`Invalid ${source} connector configuration: ${problems.join("; ")}`);
  return s;
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveConnectorsConfig(config: ConnectorsConfig): ResolvedConnectorsConfig {
  const h = config.housing;
  const housing: HousingSettings = {
    ...resolveSource("housing", h),
    pageSize: h.pageSize ?? SOURCE_DEFAULTS.housing.pageSize,
    pageConcurrency: h.pageConcurrency ?? SOURCE_DEFAULTS.housing.pageConcurrency,
  };
  if (!Number.isInteger(housing.pageSize) || housing.pageSize < 1 || housing.pageSize > HOUSING_MAX_PAGE_SIZE) {
    throw new Error(`Invalid housing connector configuration: pageSize must be 1..${HOUSING_MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(housing.pageConcurrency) || housing.pageConcurrency < 1) {
    throw new Error("Invalid housing connector configuration: pageConcurrency must be ≥ 1");
  }
  const m = config.medicalInsurance;
  if (!m.clientId || !m.clientSecret) throw new Error("Invalid medicalInsurance connector configuration: clientId and clientSecret are required");
  return {
    education: resolveSource("education", config.education),
    employment: resolveSource("employment", config.employment),
    housing,
    medicalInsurance: { ...resolveSource("medicalInsurance", m), clientId: m.clientId, clientSecret: m.clientSecret },
    disability: resolveSource("disability", config.disability),
  };
}

// ---------------------------------------------------------------------------------------------------
// the connectors

export interface Loaders {
  education: DataLoader<string, EducationRecord | null>;
  employment: DataLoader<string, EmploymentRecord | null>;
  housing: DataLoader<string, HousingRecord | null>;
  medicalInsurance: DataLoader<string, MedicalInsuranceRecord | null>;
  disability: DataLoader<string, DisabilityRecord | null>;
}

export interface SourceHealth {
  ok: boolean;
  detail?: string;
  breaker: BreakerState;
}

export interface Connectors {
  readonly education: Connector<EducationRecord>;
  readonly employment: Connector<EmploymentRecord>;
  readonly housing: Connector<HousingRecord>;
  readonly medicalInsurance: MedicalInsuranceConnector;
  readonly disability: Connector<DisabilityRecord>;
  readonly config: ResolvedConnectorsConfig;
  readonly runtimes: Readonly<Record<SourceName, SourceRuntime>>;
  /** A fresh set of DataLoaders for ONE request (pass the request's signal to stop its upstream calls when it is aborted). */
  loaders(options?: LoaderOptions): Loaders;
  /** Breaker state per source (for /readyz). */
  states(): Record<SourceName, BreakerState>;
  /** HTTP requests running and queued per source now (for /readyz). */
  loads(): Record<SourceName, ReturnType<UpstreamPolicy["load"]>>;
  /** Probe every system's /health (outside retry/breaker) and report it with the breaker state; never throws. */
  health(): Promise<Record<SourceName, SourceHealth>>;
  /** Abort every in-flight upstream call, release listeners and close the connection pools; later loads fail at once. */
  close(): Promise<void>;
}

export function createConnectors(config: ConnectorsConfig, registry: Registry): Connectors {
  const resolved = resolveConnectorsConfig(config);
  const clock = config.clock ?? (() => new Date());
  const closing = new AbortController();
  // every in-flight call listens on it (and stops listening when done): many listeners are expected
  setMaxListeners(0, closing.signal);
  const metrics = upstreamMetrics(registry);

  const runtimes = Object.fromEntries(
    SOURCES.map((source) => {
      const s = resolved[source];
      const m = sourceMetrics(metrics, source);
      const policy = createPolicy(source, s, m);
      const http = createHttpClient(source, m, policy.limit, { abortOutcome: policy.abortOutcome });
      const runtime: SourceRuntime = { source, policy, metrics: m, http, closed: closing.signal };
      return [source, runtime];
    }),
  ) as Record<SourceName, SourceRuntime>;

  const deps = (source: SourceName): ConnectorDeps => ({ http: runtimes[source].http, now: clock, closed: closing.signal });

  const education = createEducationConnector(resolved.education, deps("education"));
  const employment = createEmploymentConnector(resolved.employment, deps("employment"));
  const housing = createHousingConnector(resolved.housing, deps("housing"));
  const medicalInsurance = createMedicalInsuranceConnector(resolved.medicalInsurance, deps("medicalInsurance"));
  const disability = createDisabilityConnector(resolved.disability, deps("disability"));
  const all = { education, employment, housing, medicalInsurance, disability };

  return {
    ...all,
    config: resolved,
    runtimes,
    loaders(options = {}) {
      return {
        education: createLoader(education, runtimes.education, options),
        employment: createLoader(employment, runtimes.employment, options),
        housing: createLoader(housing, runtimes.housing, options),
        medicalInsurance: createLoader(medicalInsurance, runtimes.medicalInsurance, options),
        disability: createLoader(disability, runtimes.disability, options),
      };
    },
    states() {
      return Object.fromEntries(SOURCES.map((s) => [s, runtimes[s].policy.state()])) as Record<SourceName, BreakerState>;
    },
    loads() {
      return Object.fromEntries(SOURCES.map((s) => [s, runtimes[s].policy.load()])) as Record<SourceName, ReturnType<UpstreamPolicy["load"]>>;
    },
    async health() {
      const results = await Promise.all(SOURCES.map(async (s) => ({ ...(await all[s].health()), breaker: runtimes[s].policy.state() })));
      return Object.fromEntries(SOURCES.map((s, i) => [s, results[i]])) as Record<SourceName, SourceHealth>;
    },
    async close() {
      closing.abort();
      for (const s of SOURCES) runtimes[s].policy.dispose();
      await Promise.all(SOURCES.map((s) => runtimes[s].http.close()));
    },
  };
}
