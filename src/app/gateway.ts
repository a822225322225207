/**
 * Assembles a running gateway from configuration: database (migrated, seeded when empty), department
 * systems (the built-in sandboxes for any system without a configured URL), connectors, keys and the
 * HTTP server. The seed, the sandboxes and the development tokens come from the development room, loaded
 * only when needed (./dev-room.ts). Used by `npm start` (src/app/main.ts) and the benchmark.
 */
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, type Registry } from "prom-client";
import { CONFIG_VARIABLES, ConfigError, type Config } from "./config.js";
import { assertReachable, configuredTarget, openDatabase, type Database } from "../db/database.js";
import { startOwnerCommands } from "../db/owner-commands.js";
import { acquireOwnerLock } from "../db/owner-lock.js";
import { applyMigrations, readMigrations } from "../db/migrate.js";
import { recordedDataset, type Dataset } from "../db/dataset.js";
import { buildServer } from "./server.js";
import { setupAuthentication } from "../auth/index.js";
import type { Audience } from "../auth/principal.js";
import { Pseudonymizer } from "../policy/pseudonym.js";
import { loadManifest } from "./edge/persisted-operations.js";
import { MirrorService, createMetricsRegistry, type Connectors, type MirrorSettings } from "../../connectors/kit/index.js";
import { openDepartments } from "./departments.js";
import { openMonitoring, scheduleRuns, workShards } from "../features/monitoring/service.js";
import { AlertFeed } from "../features/monitoring/raised.js";
import { loadDevRoom, type RunningSandboxes } from "./dev-room.js";
import type { SourceName } from "../domain/records.js";
import { keptSecretHex, loadAuditKeys, type AuditKeys } from "../audit/keys.js";
import type { Verifier } from "../auth/verify.js";
import { AuditWriter } from "../audit/writer.js";
import { HeadWitness, databaseIdentity } from "../audit/witness.js";
import { hmacDigester } from "../audit/digest.js";
import { watchRedis } from "./edge/rate-limit-store.js";
import { startTracing } from "../telemetry/tracing.js";

export interface RunningGateway {
  app: FastifyInstance;
  db: Database;
  dataset: Dataset | null;
  sandboxes: RunningSandboxes | null;
  connectors: Connectors;
  metrics: Registry;
  pseudonyms: Pseudonymizer;
  /** the department mirror (synced on its schedule, or by `npm run sync`; read while fresh) */
  mirror: MirrorService;
  /** the access log's writer and keys (null: AUDIT_LOG=off) */
  audit: { writer: AuditWriter; keys: AuditKeys } | null;
  devTokens: { audience: Audience; token: string }[];
  close(): Promise<void>;
}

/**
 * What the assembly may be given instead of making it from the configuration — explicit dependencies, for a
 * host that owns them (the test harness: an in-memory database or a schema of its own, a fixed clock, a key
 * set served over HTTP, a Redis client it controls, per-department connector settings). Every one is optional;
 * `npm start` gives none.
 */
export interface GatewayDeps {
  /** an opened database (the gateway migrates it as configured and closes it) instead of DATABASE_URL / DATA_DIR */
  db?: Database;
  /** the requests' and connectors' clock */
  clock?: () => Date;
  /** verifies tokens instead of the configured keys */
  verifier?: Verifier;
  /** shares rate-limit counts through this client instead of one made from REDIS_URL (the caller closes it) */
  redis?: Redis;
  /** per-department connector settings over the configured ones (deadline, attempts, breaker, …) */
  connectors?: Partial<Record<SourceName, Record<string, unknown>>>;
  /** where the server writes its log lines (default: standard output) */
  logStream?: NodeJS.WritableStream;
  /** department mirror settings over the configured ones (a test's clock, page size, per-source freshness) */
  mirror?: Partial<Omit<MirrorSettings, "maxAgeMs">> & { maxAgeMs?: Partial<Record<SourceName, number>> };
}

async function prepareDatabase(config: Config, log: (line: string) => void, given?: Database): Promise<Database> {
  const db = given ?? (await openDatabase(configuredTarget(config)));
  try {
    if (config.migrateOnStart) {
      const applied = await applyMigrations(db.sql);
      if (applied.length) log(`database: applied ${applied.length} migration(s)`);
    } else {
      const have = await db.sql
        .query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`)
        .catch((err) => {
          if ((err as { code?: string }).code === "42P01") return []; // no migration table yet: all pending
          throw err;
        });
      const pending = readMigrations().filter((m) => !have.some((h) => h.migration_name === m.name));
      if (pending.length)
        throw new Error(`the database has ${pending.length} pending migration(s); run \`npm run db:migrate\` first (or set MIGRATE_ON_START=true)`);
    }
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** 32 random bytes kept under DATA_DIR/keys, unless PSEUDONYM_SECRET is configured. */
export function pseudonymSecret(config: Config): Buffer {
  return Buffer.from(config.PSEUDONYM_SECRET || keptSecretHex(config.keysDir, "pseudonym-secret.hex")!, "hex");
}

/** Reads a configured file now, so a bad one stops the start before any database work, naming the variable. */
async function configuredFile<T>(variable: string, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues; // a schema's findings
    const message = Array.isArray(issues)
      ? issues.map((i) => `${i.path.map(String).join(".") || "(file)"}: ${i.message}`).join("; ")
      : err instanceof Error
        ? err.message
        : String(err);
    const named = CONFIG_VARIABLES.some((v) => message.startsWith(`${v}:`) || message.startsWith(`${v}=`));
    throw new ConfigError([named ? message : `${variable}: ${message}`]);
  }
}

export async function startGateway(config: Config, log: (line: string) => void = console.log, deps: GatewayDeps = {}): Promise<RunningGateway> {
  // Before any work: the database server answers (a clear error naming it otherwise), and keys, key sets
  // and manifests are read and checked before the database is opened, migrated or seeded.
  if (!deps.db) await assertReachable(configuredTarget(config));
  const { verifier: configuredVerifier, dev } = await configuredFile("JWT keys", () => setupAuthentication(config.auth));
  const verifier = deps.verifier ?? configuredVerifier;
  const persisted =
    config.PERSISTED_OPERATIONS === "enforce"
      ? await configuredFile(`PERSISTED_OPERATIONS_MANIFEST: ${config.PERSISTED_OPERATIONS_MANIFEST}`, () => loadManifest(config.PERSISTED_OPERATIONS_MANIFEST!))
      : undefined;
  const auditKeys =
    config.AUDIT_LOG === "on"
      ? await configuredFile("AUDIT_SIGNING_KEY", () => loadAuditKeys({ configured: config.AUDIT_SIGNING_KEY, keysDir: config.keysDir, create: true }))
      : undefined;
  const pseudonyms = await configuredFile("PSEUDONYM_SECRET", () => new Pseudonymizer(pseudonymSecret(config)));

  // The embedded default (migrated and seeded on start) is seeded out of process when the registry is empty, so
  // that the serving process does not keep what migrating a fresh directory and seeding grew (dev/seed/dataset.ts);
  // the child leaves a seeded registry as it is. From the TypeScript sources (tests) it is seeded in process, below.
  const room = config.seedOnStart && config.migrateOnStart && !deps.db ? await loadDevRoom() : null;
  const seedCli = room?.compiledSeedCli() ?? null;
  if (room && seedCli) {
    const target = configuredTarget(config);
    if (target.kind === "pglite" && target.dataDir) acquireOwnerLock(target.dataDir).release(); // in use: DatabaseBusyError, as below
    const today = new Date().toISOString().slice(0, 10);
    await room.seedInChildProcess(seedCli, { databaseUrl: config.DATABASE_URL, dataDir: path.dirname(config.pgliteDir) }, { seed: config.SEED, asOf: today, log });
  }
  // OpenTelemetry (OTEL_* variables; null when they ask for no export): started before any traced work
  const tracing = await startTracing();
  if (tracing) log("tracing: OpenTelemetry export on (OTEL_* variables)");
  const db = await prepareDatabase(config, log, deps.db).catch(async (err) => {
    await tracing?.shutdown();
    throw err;
  });
  const cleanup: (() => Promise<unknown>)[] = [...(tracing ? [() => tracing.shutdown()] : []), () => db.close()];
  const closeAll = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  };
  try {
    const today = new Date().toISOString().slice(0, 10);
    const dataset = config.seedOnStart
      ? await (await loadDevRoom()).ensureDataset(db, { seed: config.SEED, asOf: today, log })
      : await recordedDataset(db);

    const metrics = createMetricsRegistry();
    collectDefaultMetrics({ register: metrics, prefix: "gateway_" });
    const departments = await openDepartments(config, dataset, metrics, log, { connectors: deps.connectors, clock: deps.clock });
    cleanup.push(() => departments.close());
    const { connectors, sandboxes } = departments;

    const devTokens = dev ? await (await loadDevRoom()).devTokensForAllAudiences(dev.mint, { ttl: "8h" }) : [];
    let redis = deps.redis;
    if (!redis && config.REDIS_URL) {
      const { Redis } = await import("ioredis");
      redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 1000 });
      watchRedis(redis); // an error listener at once: outages are logged once by the server, not as ioredis traces
      const r = redis;
      cleanup.push(async () => (r.status === "ready" ? r.quit() : r.disconnect()));
    }
    let audit;
    let auditParts: RunningGateway["audit"] = null;
    if (auditKeys) {
      const keys = auditKeys;
      const onError = (err: unknown, what: string) => log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      const witness = config.auditWitnessFile
        ? new HeadWitness(config.auditWitnessFile, databaseIdentity(db.target), (err) => onError(err, "audit head witness"))
        : null;
      if (witness) cleanup.push(() => witness.close());
      const writer = new AuditWriter(db.sql, {
        keys,
        checkpointEvery: config.AUDIT_CHECKPOINT_EVERY,
        checkpointSeconds: config.AUDIT_CHECKPOINT_SECONDS,
        onError,
        ...(witness && { onHead: (head) => witness.record(head) }),
      });
      cleanup.push(() => writer.close());
      audit = { writer, digest: hmacDigester(keys.digestKey) };
      auditParts = { writer, keys };
    }
    // The department mirror: its sync schedule (MIRROR_SYNC) and the freshness reads go by.
    const mirror = new MirrorService(
      db.sql,
      connectors,
      {
        schedule: config.mirrorSync,
        intervalMs: config.syncIntervalMs,
        pageSize: config.SYNC_PAGE_SIZE,
        ...deps.mirror,
        maxAgeMs: { ...config.mirrorMaxAgeMs, ...deps.mirror?.maxAgeMs },
      },
      metrics,
    );
    await mirror.start();
    cleanup.push(() => mirror.stop());
    // The embedded database's owner serves audit:verify / audit:checkpoint / sync for the CLIs it locks out.
    const admin = await startOwnerCommands({ db, writer: audit?.writer, mirror });
    if (admin) cleanup.push(() => admin.close());
    const alertFeed = await AlertFeed.start(db, (err) => log(`alert feed: ${err instanceof Error ? err.message : String(err)}`));
    cleanup.push(() => alertFeed.close());
    const app = await buildServer({
      alertFeed,
      config,
      db,
      connectors,
      verifier,
      pseudonyms,
      metrics,
      redis,
      persisted,
      audit,
      mirror,
      clock: deps.clock,
      logStream: deps.logStream,
    });
    cleanup.push(() => app.close());
    // monitoring runs (src/features/monitoring): this process works shards and schedules the runs (MONITOR_INTERVAL=0: neither)
    if (config.MONITOR_INTERVAL > 0) {
      // shards read the department mirror while a source is fresh (the same mirror and freshness clock as requests)
      const monitoring = await openMonitoring(db, departments.monitoringConnectors, pseudonyms, config, { mirror: mirror.mirror, clock: mirror.clock });
      cleanup.push(() => monitoring.close());
      await workShards(monitoring.deps);
      // the first run after the mirror's first syncs have ended (at most 10 min: a source that hangs is then asked live)
      const stop = scheduleRuns(monitoring, config, log, { after: mirror.firstSyncsSettled(600_000) });
      cleanup.push(stop);
    }
    return { app, db, dataset, sandboxes, connectors, metrics, pseudonyms, audit: auditParts, mirror, devTokens, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
