import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { type ConnectorsConfig, type Connectors, type SourceInput, createConnectors, createMetricsRegistry } from "../../connectors/kit/index.js";
import { SandboxStats, type StatsSnapshot } from "../../dev/sandboxes/kit/stats.js";
import type { SourceName } from "../../src/domain/records.js";

/** A purpose-built upstream on 127.0.0.1:0 (real HTTP) that counts what it is asked. */
export interface TestUpstream {
  app: FastifyInstance;
  url: string;
  /** requests per route (method + routerPath), admin-free */
  readonly stats: StatsSnapshot;
  resetStats(): void;
  close(): Promise<void>;
}

export async function startUpstream(register: (app: FastifyInstance) => void): Promise<TestUpstream> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const counter = new SandboxStats();
  app.addHook("onRequest", async (req, reply) => {
    reply.raw.once("close", counter.begin(`${req.method} ${req.routeOptions.url ?? req.url}`));
  });
  register(app);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    app,
    url,
    get stats() {
      return counter.snapshot();
    },
    resetStats: () => counter.reset(),
    close: () => app.close(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Holds each arriving request until `size` are held at once, or until all `total` expected requests have
 * arrived, then lets the held ones go: a client that keeps `size` requests in flight is seen with exactly
 * `size` in flight, whatever the machine's speed (no latency to race against).
 */
export function gate(size: number, total: number): () => Promise<void> {
  let arrived = 0;
  let held: (() => void)[] = [];
  return () => {
    arrived++;
    const p = new Promise<void>((resolve) => held.push(resolve));
    if (held.length >= size || arrived >= total) {
      const go = held;
      held = [];
      for (const r of go) r();
    }
    return p;
  };
}

/** Nothing listens here: only for sources a test does not use. */
export const UNUSED = "http://127.0.0.1:9";

/**
 * Connectors whose `source` points at `url` with `settings`; the other sources point nowhere. Fast backoff
 * by default so retry tests stay quick; a 30 s deadline by default (not the production 2 s), so that a call
 * that should succeed never misses it on a loaded machine — a test about the deadline sets its own
 * `timeoutMs` and an upstream that never answers.
 */
export function connectorsFor(
  source: SourceName,
  url: string,
  settings: Partial<SourceInput> & Record<string, unknown> = {},
  extra: { clock?: () => Date; registry?: Registry } = {},
): { connectors: Connectors; registry: Registry } {
  const registry = extra.registry ?? createMetricsRegistry();
  const backoff = { initialDelayMs: 20, maxDelayMs: 200 };
  const base = (s: SourceName) => ({ baseUrl: s === source ? url : UNUSED, backoff, timeoutMs: 30_000 });
  const config: ConnectorsConfig = {
    education: base("education"),
    employment: base("employment"),
    housing: base("housing"),
    medicalInsurance: { ...base("medicalInsurance"), clientId: "gateway", clientSecret: "s3cret" },
    disability: base("disability"),
    clock: extra.clock,
  };
  Object.assign(config[source], settings, { backoff: { ...backoff, ...settings.backoff } });
  return { connectors: createConnectors(config, registry), registry };
}

/** Value of one metric series. */
export async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const data = await m.get();
  const v = data.values.find((x) => Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val));
  return v?.value ?? 0;
}

/** Settle a promise into { ok, value } | { ok: false, error } (so a test never leaves a rejection dangling). */
export async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** 18-character ID numbers for tests: 500103 + yyyymmdd + 3-digit sequence + check char (not validated). */
export function idNumber(i: number): string {
  return `50010319800101${String(i).padStart(3, "0")}${i % 11 === 10 ? "X" : String(i % 10)}`;
}
