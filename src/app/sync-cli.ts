/**
 * npm run sync -- [--full] [--source <name>[,<name>...]] [--sandboxes]
 *
 * Runs one sync of the department mirror for each named source (default all): incremental from the stored
 * cursor, or a full load with --full (an expired cursor starts one by itself). A progress bar per source on
 * stderr; a summary line per source on stdout. Exit 0: every source synced; 1: some failed; 2: could not run.
 *
 * The database is the gateway's own (DATABASE_URL, or the embedded one under DATA_DIR). The embedded one has
 * a single owner: while the gateway runs, this runs THROUGH it (its admin socket; no progress bar then), and
 * with no gateway it opens the directory itself. The department systems are the configured URLs; the built-in
 * sandboxes live inside the gateway, so without URLs the CLI refuses unless --sandboxes starts its own over the
 * recorded dataset (deterministic: the same records as the gateway's sandboxes before any simulated day).
 */
import { pathToFileURL } from "node:url";
import cliProgress from "cli-progress";
import { createMetricsRegistry, MirrorService, SyncBusyError, type SyncProgress, type SyncResult } from "../../connectors/kit/index.js";
import { SOURCES, type SourceName } from "../domain/records.js";
import { ConfigError, envNameOf, loadConfig } from "./config.js";
import { configuredTarget, openDatabase, type Database } from "../db/database.js";
import { DatabaseBusyError } from "../db/owner-lock.js";
import { throughOwner } from "../db/admin-socket.js";
import { recordedDataset } from "../db/dataset.js";
import { configuredConnectors } from "./departments.js";
import { loadDevRoom, type RunningSandboxes } from "./dev-room.js";

export const USAGE = "usage: sync [--full] [--source <education|employment|housing|medicalInsurance|disability>[,...]] [--sandboxes]";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** a TTY to draw progress bars on (absent: no bars) */
  progress?: NodeJS.WritableStream;
}

export interface SyncArgs {
  full: boolean;
  sources: SourceName[];
  sandboxes: boolean;
}

export function parseArgs(args: string[]): SyncArgs | string {
  const out: SyncArgs = { full: false, sources: [...SOURCES], sandboxes: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--full") out.full = true;
    else if (a === "--sandboxes") out.sandboxes = true;
    else if (a === "--source" || a.startsWith("--source=")) {
      const v = a === "--source" ? args[++i] : a.slice("--source=".length);
      const names = (v ?? "").split(",").map((x) => x.trim()).filter(Boolean);
      const bad = names.filter((n) => !(SOURCES as readonly string[]).includes(n));
      if (names.length === 0 || bad.length) return `unknown source ${JSON.stringify(bad[0] ?? v ?? "")}; sources: ${SOURCES.join(", ")}`;
      out.sources = names as SourceName[];
    } else return `unknown argument ${JSON.stringify(a)}`;
  }
  return out;
}

export function summary(r: SyncResult): string {
  const kind = r.full ? (r.cursorExpired ? "full (cursor expired)" : "full") : "incremental";
  return `${r.source}: ${kind}: ${r.upserted} upserted, ${r.deleted} deleted, ${r.removed} removed, ${r.malformed} malformed (reported, skipped), ${r.pages} page(s)`;
}

/** Runs the sync over a mirror service (the CLI's own, or the running gateway's through its admin socket). */
export async function runSyncs(service: MirrorService, a: SyncArgs, io: Io): Promise<number> {
  const bars = io.progress ? new cliProgress.MultiBar({ stream: io.progress, format: " {source} {phase} |{bar}| {value}/{total} {eta_formatted}", hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : null;
  const barOf = new Map<SourceName, cliProgress.SingleBar>();
  const onProgress = (p: SyncProgress) => {
    if (!bars) return;
    let bar = barOf.get(p.source);
    if (!bar) barOf.set(p.source, (bar = bars.create(p.total ?? p.done, 0, { source: p.source.padEnd(16), phase: p.phase })));
    bar.setTotal(Math.max(p.total ?? p.done, p.done));
    bar.update(p.done, { phase: p.phase.padEnd(11) });
  };
  let failed = 0;
  const t0 = performance.now();
  // sources in parallel: each is its own department system
  const results = await Promise.allSettled(a.sources.map((s) => service.run(s, { full: a.full, onProgress })));
  bars?.stop();
  const seconds = (performance.now() - t0) / 1000;
  results.forEach((r, i) => {
    if (r.status === "fulfilled") io.stdout(`${summary(r.value)}\n`);
    else {
      failed++;
      const e = r.reason as Error;
      io.stderr(`${a.sources[i]}: ${e instanceof SyncBusyError ? "another sync of this source is running; try again when it has finished" : `sync failed: ${e?.message ?? e}`}\n`);
    }
  });
  io.stdout(`synced ${a.sources.length - failed} of ${a.sources.length} source(s) in ${seconds.toFixed(1)} s\n`);
  return failed ? 1 : 0;
}

/** `owned`: run over an open database and mirror (the running gateway's, through its admin socket). */
export async function main(args: string[], env: NodeJS.ProcessEnv, io: Io, owned?: { db: Database; mirror: MirrorService }): Promise<number> {
  const a = parseArgs(args);
  if (typeof a === "string") {
    io.stderr(`sync: ${a}\n${USAGE}\n`);
    return 2;
  }
  if (owned) return runSyncs(owned.mirror, a, io);
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.stderr(`sync: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  let db: Database;
  try {
    db = await openDatabase(configuredTarget(config));
  } catch (err) {
    if (err instanceof DatabaseBusyError) return throughOwner(err, "sync", args, io);
    io.stderr(`sync: cannot open the database: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  let sandboxes: RunningSandboxes | null = null;
  let service: MirrorService | null = null;
  let connectors;
  try {
    const missing = SOURCES.filter((s) => config.upstreamUrls[s] === null);
    if (missing.length && !a.sandboxes) {
      io.stderr(
        `sync: ${missing.map(envNameOf).join(", ")} not set: the built-in sandboxes run inside the gateway, which syncs them on its schedule ` +
          `(MIRROR_SYNC). Set the URLs, or pass --sandboxes to sync from sandboxes started here over the recorded dataset.\n`,
      );
      return 2;
    }
    if (missing.length) {
      const dataset = await recordedDataset(db);
      if (!dataset) {
        io.stderr("sync: --sandboxes: the database records no generated dataset (seed it first)\n");
        return 2;
      }
      sandboxes = await (await loadDevRoom()).startSandboxes({ seed: dataset.seed, asOf: dataset.asOf, persons: dataset.persons ?? undefined });
    }
    connectors = configuredConnectors(config, sandboxes, createMetricsRegistry());
    service = new MirrorService(
      db.sql,
      connectors,
      { schedule: false, intervalMs: config.syncIntervalMs, maxAgeMs: config.mirrorMaxAgeMs, pageSize: config.SYNC_PAGE_SIZE },
      createMetricsRegistry(),
    );
    return await runSyncs(service, a, io);
  } catch (err) {
    io.stderr(`sync: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    await service?.stop();
    await connectors?.close();
    await sandboxes?.close();
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
  }).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`sync: ${err?.stack ?? err}\n`);
      process.exit(2);
    },
  );
}
