/**
 * The department systems a process talks to: the configured URLs, or the built-in sandboxes (development)
 * for any system without one, behind the connectors. Shared by the gateway (src/app/gateway.ts) and the
 * monitoring worker and CLI (src/app/monitoring-process.ts), so all of them ask the same systems the same way.
 */
import type { Registry } from "prom-client";
import { ConfigError, envNameOf, type Config } from "./config.js";
import type { Dataset } from "../db/dataset.js";
import { createConnectors, createMetricsRegistry, type Connectors } from "../../connectors/kit/index.js";

import { loadDevRoom, type RunningSandboxes } from "./dev-room.js";
import { SOURCES, type SourceName } from "../domain/records.js";

/** The deadline of one department call made by a monitoring run (see Departments.monitoringConnectors). */
export const MONITOR_UPSTREAM_TIMEOUT_MS = 60_000;

/** What a host may give instead of the configuration (the test harness): per-department connector settings, a clock. */
export interface DepartmentDeps {
  /** per-department connector settings over the configured ones (deadline, attempts, breaker, …) */
  connectors?: Partial<Record<SourceName, Record<string, unknown>>>;
  /** the connectors' clock (staleness) */
  clock?: () => Date;
}

export interface Departments {
  connectors: Connectors;
  /**
   * The same systems for monitoring runs: their own breakers and queues (a run never opens the breakers requests
   * depend on), a queue as large as a shard asks for, and a deadline of MONITOR_UPSTREAM_TIMEOUT_MS (a one-person API
   * such as employment answers a chunk of a shard in many waves). Their metrics are not on /metrics.
   */
  monitoringConnectors: Connectors;
  sandboxes: RunningSandboxes | null;
  close(): Promise<void>;
}

export async function openDepartments(config: Config, dataset: Dataset | null, metrics: Registry, log: (line: string) => void, given: DepartmentDeps = {}): Promise<Departments> {
  const today = new Date().toISOString().slice(0, 10);
  const cleanup: (() => Promise<unknown>)[] = [];
  let sandboxes: RunningSandboxes | null = null;
  const needSandbox = SOURCES.filter((s) => config.upstreamUrls[s] === null);
  if (needSandbox.length) {
    const seed = dataset?.seed ?? config.SEED;
    const asOf = dataset?.asOf ?? today;
    sandboxes = await (await loadDevRoom()).startSandboxes({
      seed,
      asOf,
      persons: dataset?.persons ?? undefined,
      sandbox: {
        ...(config.SANDBOX_LATENCY_MS ? { faults: { latencyMs: config.SANDBOX_LATENCY_MS } } : {}),
        bulk: { changeRate: config.SANDBOX_CHANGE_RATE, retentionDays: config.SANDBOX_FEED_RETENTION_DAYS },
      },
      daySeconds: config.SANDBOX_DAY_SECONDS,
    });
    const running = sandboxes;
    cleanup.push(() => running.close());
    if (!dataset) log("department sandboxes: the registry was not seeded by this generator; sandbox records will not match it");
  }
  const connectors = configuredConnectors(config, sandboxes, metrics, {}, given);
  const monitoringConnectors = configuredConnectors(
    config,
    sandboxes,
    createMetricsRegistry(),
    { timeoutMs: Math.max(config.UPSTREAM_TIMEOUT_MS, MONITOR_UPSTREAM_TIMEOUT_MS), maxQueue: 1_000_000 },
    { clock: given.clock },
  );
  cleanup.push(() => monitoringConnectors.close());
  cleanup.push(() => connectors.close());
  return {
    connectors,
    monitoringConnectors,
    sandboxes,
    async close() {
      for (const fn of cleanup.reverse()) await fn().catch(() => {});
    },
  };
}

/** The connectors a configuration names: the configured URLs, the built-in sandboxes for the rest. */
export function configuredConnectors(
  config: Config,
  sandboxes: Pick<RunningSandboxes, "urls" | "medicalCredentials"> | null,
  metrics: Registry,
  overrides: { timeoutMs?: number; maxQueue?: number } = {},
  given: DepartmentDeps = {},
): Connectors {
  const o = given.connectors ?? {};
  const url = (s: SourceName) => {
    const u = config.upstreamUrls[s] ?? sandboxes?.urls[s];
    if (!u) throw new ConfigError([`${envNameOf(s)}: not set, and no built-in sandbox runs here`]);
    return u;
  };
  const common = {
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    maxAttempts: config.UPSTREAM_MAX_ATTEMPTS,
    breaker: { threshold: config.BREAKER_THRESHOLD, halfOpenAfterMs: config.BREAKER_HALF_OPEN_MS },
    staleAfterDays: config.STALE_AFTER_DAYS,
    maxQueue: config.UPSTREAM_MAX_QUEUE,
    ...overrides,
  };
  const credential = (given: string | undefined, which: "clientId" | "clientSecret") => {
    const v = given ?? sandboxes?.medicalCredentials[which];
    if (!v) throw new ConfigError([`MEDICAL_INSURANCE_CLIENT_${which === "clientId" ? "ID" : "SECRET"}: not set, and no built-in sandbox runs here`]);
    return v;
  };
  return createConnectors(
    {
      education: { ...common, baseUrl: url("education"), ...o.education },
      employment: { ...common, baseUrl: url("employment"), maxConcurrency: config.EMPLOYMENT_CONCURRENCY, ...o.employment },
      housing: { ...common, baseUrl: url("housing"), ...o.housing },
      medicalInsurance: {
        ...common,
        baseUrl: url("medicalInsurance"),
        clientId: credential(config.MEDICAL_INSURANCE_CLIENT_ID, "clientId"),
        clientSecret: credential(config.MEDICAL_INSURANCE_CLIENT_SECRET, "clientSecret"),
        ...o.medicalInsurance,
      },
      disability: { ...common, baseUrl: url("disability"), ...o.disability },
      ...(given.clock ? { clock: given.clock } : {}),
    },
    metrics,
  );
}
