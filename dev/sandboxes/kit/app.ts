/**
 * The common part of every sandbox (WIRE.md "Common to every sandbox"): a Fastify instance with the
 * fault and stats hooks on every route but `/__sandbox/*`, and the admin routes: faults, fixtures,
 * malformed, stats, untidy. Each instance has its own faults, stats and records.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { FaultController, type FaultSettings, type NumericSetting } from "./faults.js";
import { SandboxStats } from "./stats.js";

/** Which keys were made untidy on purpose (WIRE.md "Untidiness on purpose"). */
export interface UntidyReport {
  /** keys the facts say should be there but the system does not know */
  unknownPersons: string[];
  /** keys whose record carries a years-old update time */
  stale: string[];
  /** keys whose record duplicates aid civil affairs paid (disability, medical insurance) */
  duplicates: string[];
}

export const emptyUntidy = (): UntidyReport => ({ unknownPersons: [], stale: [], duplicates: [] });

export interface SandboxOptions {
  /** seed of the error-rate PRNG (default 1); `PUT /__sandbox/faults {"seed": n}` restarts it */
  faultSeed?: number;
  /** faults in force from the start */
  faults?: Partial<FaultSettings>;
  /** Fastify's logger (default off) */
  logger?: boolean;
}

/** The records of one sandbox, keyed as its API is keyed. */
export interface RecordStore<R> {
  /** the key field of a wire record, e.g. "idNumber", "registryNo", "id_no" */
  keyField: string;
  /** the wire record shape, for fixtures */
  schema: z.ZodType<R>;
  records: Map<string, R>;
  /** a copy of a record with wrong types, served for keys set malformed */
  malform(record: R): unknown;
}

export interface SandboxKit<R> {
  app: FastifyInstance;
  faults: FaultController;
  stats: SandboxStats;
  records: Map<string, R>;
  /** the record as it is to be served: malformed when its key is set malformed */
  serve(key: string, record: R): unknown;
}

const ADMIN_PREFIX = "/__sandbox/";

export function createSandboxApp<R>(
  store: RecordStore<R>,
  untidy: UntidyReport,
  opts: SandboxOptions = {},
  extraFaults: Record<string, NumericSetting> = {},
): SandboxKit<R> {
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true, bodyLimit: 64 * 1024 * 1024 });
  const faults = new FaultController(opts.faultSeed ?? 1, opts.faults, extraFaults);
  const stats = new SandboxStats();
  const malformed = new Set<string>();
  const records = store.records;

  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 ? err.statusCode : 500;
    void reply.code(status).send({ error: status === 500 ? "internal error" : (err.message ?? "bad request") });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: "not found" });
  });

  app.addHook("onRequest", async (req, reply) => {
    if (req.url.startsWith(ADMIN_PREFIX)) return;
    const end = stats.begin(`${req.method} ${req.routeOptions.url ?? "(unmatched)"}`, req.headers.traceparent);
    reply.raw.once("close", end);
    const now = faults.immediate();
    if (now.kind === "down") return reply.code(503).send({ error: "unavailable" });
    if (now.kind === "hang") {
      reply.hijack(); // never answered; the socket stays open until the client gives up or the server closes
      return;
    }
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.drawError()) return reply.code(500).send({ error: "internal error" });
  });

  app.get("/health", async () => ({ status: "ok" }));

  // --- admin routes -------------------------------------------------------------------------
  app.get("/__sandbox/faults", async () => faults.current());
  app.put("/__sandbox/faults", async (req, reply) => {
    const problems = faults.update(req.body);
    if (problems.length > 0) return reply.code(400).send({ error: problems.join("; ") });
    return faults.current();
  });

  app.get("/__sandbox/stats", async () => stats.snapshot());
  app.post("/__sandbox/stats/reset", async () => {
    stats.reset();
    return stats.snapshot();
  });

  app.get("/__sandbox/untidy", async () => untidy);

  app.post("/__sandbox/fixtures", async (req, reply) => {
    const body = req.body as { records?: unknown } | null;
    if (!body || typeof body !== "object" || !Array.isArray(body.records)) {
      return reply.code(400).send({ error: 'body must be {"records": [...]}' });
    }
    const parsed: R[] = [];
    const problems: string[] = [];
    body.records.forEach((r, i) => {
      const res = store.schema.safeParse(r);
      if (res.success) parsed.push(res.data);
      else problems.push(`records[${i}]: ${res.error.issues.map((x) => `${x.path.join(".") || "(record)"} ${x.message}`).join(", ")}`);
    });
    if (problems.length > 0) return reply.code(400).send({ error: problems.slice(0, 20).join("; ") });
    for (const r of parsed) records.set(String((r as Record<string, unknown>)[store.keyField]), r);
    return { upserted: parsed.length };
  });
  app.delete<{ Params: { key: string } }>("/__sandbox/fixtures/:key", async (req, reply) => {
    if (!records.delete(req.params.key)) return reply.code(404).send({ error: "not found" });
    return { deleted: req.params.key };
  });

  app.post("/__sandbox/malformed", async (req, reply) => {
    const key = (req.body as { key?: unknown } | null)?.key;
    if (typeof key !== "string" || key === "") return reply.code(400).send({ error: 'body must be {"key": "<key>"}' });
    malformed.add(key);
    return { key, known: records.has(key) };
  });
  app.delete<{ Params: { key: string } }>("/__sandbox/malformed/:key", async (req, reply) => {
    if (!malformed.delete(req.params.key)) return reply.code(404).send({ error: "not found" });
    return { key: req.params.key };
  });

  return {
    app,
    faults,
    stats,
    records,
    serve: (key, record) => (malformed.has(key) ? store.malform(record) : record),
  };
}
