/**
 * runSeed: open the database the way the server does (DATABASE_URL, else embedded PGlite in
 * $DATA_DIR/pglite), apply migrations, refuse a non-empty registry unless forced, then stream the
 * synthetic population into it with progress on stderr.
 */
import path from "node:path";
import cliProgress from "cli-progress";
import { ensureSchema, openDatabase, postgresTarget, type Database, type DatabaseTarget } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import type { SqlExecutor } from "../../src/db/sql.js";
import { estimatePersons, generatePopulation, streets } from "./generator.js";
import type { IsoDate } from "./model.js";
import { REGISTRY_TABLES, isSeeded, seedDatabase, truncateRegistry, type SeedStats } from "./writer.js";
import { analyzeTables } from "../../src/db/analyze.js";
import { withTemporaryAid } from "./temporary-aid.js";
import { CHARITY_TABLES, MAX_PERSONS_FOR_CHARITIES, seedCharities } from "./charities.js";

export const DEFAULT_SEED = 20190101;

export interface RunSeedOptions {
  /** an open database; when absent one is opened from databaseUrl / DATABASE_URL or dataDir / DATA_DIR */
  sql?: SqlExecutor;
  databaseUrl?: string;
  /** the data directory (PGlite lives in <dataDir>/pglite); default env DATA_DIR or ./data */
  dataDir?: string;
  /** default env SEED or 20190101 */
  seed?: number;
  /** absent: the default Yuzhong set (DOMAIN.md §6) */
  persons?: number;
  /** the data set's "today"; default the current UTC date */
  asOf?: IsoDate;
  batchSize?: number;
  concurrency?: number;
  /** empty the registry tables first when they hold data */
  force?: boolean;
  /** when the registry already holds data (and not force): return { skipped: true } instead of failing */
  ifEmpty?: boolean;
  /** "auto": a bar on a TTY stderr, else a line every 10 %; default "auto" */
  progress?: "auto" | "bar" | "lines" | "none";
  /** where progress lines and messages go; default stderr */
  log?: (line: string) => void;
}

export interface RunSeedResult {
  skipped: boolean;
  seed: number;
  asOf: IsoDate;
  stats: SeedStats | null;
}

export class AlreadySeededError extends Error {
  constructor() {
    super("the database already holds a registry (households exist); use --force to empty the registry tables and seed again");
  }
}

function envSeed(): number {
  const v = process.env.SEED;
  if (v === undefined || v === "") return DEFAULT_SEED;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`SEED=${JSON.stringify(v)}: must be a whole number`);
  return n;
}

/** The database target the server would use: DATABASE_URL, else PGlite in <DATA_DIR>/pglite. */
export function seedTarget(opts: { databaseUrl?: string; dataDir?: string } = {}): DatabaseTarget {
  const url = opts.databaseUrl ?? (process.env.DATABASE_URL || undefined);
  if (url) return postgresTarget(url);
  return { kind: "pglite", dataDir: path.resolve(opts.dataDir ?? (process.env.DATA_DIR || "./data"), "pglite") };
}


function progressReporter(mode: RunSeedOptions["progress"], total: number, log: (line: string) => void) {
  const started = Date.now();
  const useBar = mode === "bar" || (mode !== "none" && mode !== "lines" && process.stderr.isTTY === true);
  if (mode === "none") return { update: (_p: number, _h: number) => {}, stop: (_p: number, _h: number) => {} };
  if (useBar) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: "seeding [{bar}] {percentage}% | {value}/{total} persons | {households} households | {eta_formatted} left",
        hideCursor: true,
        etaBuffer: 20,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { households: 0 });
    return {
      update(persons: number, households: number) {
        if (persons > bar.getTotal()) bar.setTotal(persons);
        bar.update(persons, { households });
      },
      stop(persons: number, households: number) {
        bar.setTotal(persons);
        bar.update(persons, { households });
        bar.stop();
      },
    };
  }
  let next = 10;
  const line = (pct: number, persons: number, households: number) =>
    log(`seeding: ${pct}% (${persons.toLocaleString("en")} / ~${total.toLocaleString("en")} persons, ${households.toLocaleString("en")} households, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return {
    update(persons: number, households: number) {
      const tens = Math.min(90, Math.floor((persons / total) * 10) * 10);
      if (tens >= next) {
        line(tens, persons, households);
        next = tens + 10;
      }
    },
    stop(persons: number, households: number) {
      line(100, persons, households);
    },
  };
}

export async function runSeed(opts: RunSeedOptions = {}): Promise<RunSeedResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const seed = opts.seed ?? envSeed();
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  let db: Database | null = null;
  let sql = opts.sql;
  try {
    if (!sql) {
      const target = seedTarget(opts);
      await ensureSchema(target);
      db = await openDatabase(target);
      sql = db.sql;
    }
    await applyMigrations(sql);
    if (await isSeeded(sql)) {
      if (opts.force) {
        log("--force: emptying the registry tables");
        await truncateRegistry(sql);
      } else if (opts.ifEmpty) {
        return { skipped: true, seed, asOf, stats: null };
      } else {
        throw new AlreadySeededError();
      }
    }
    const total = estimatePersons({ persons: opts.persons });
    const progress = progressReporter(opts.progress ?? "auto", total, log);
    const stats = await seedDatabase(sql, withTemporaryAid(generatePopulation({ seed, persons: opts.persons, asOf }), asOf), {
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      streets: streets({ persons: opts.persons }),
      onProgress: (p, h) => progress.update(p, h),
    });
    progress.stop(stats.persons, stats.households);
    // Charity matching (issue 7): partner charities, resources and needs, so matching is visible at first start.
    if ((opts.persons ?? 0) <= MAX_PERSONS_FOR_CHARITIES) await seedCharities(sql, asOf);
    // Recorded so the department sandboxes can regenerate exactly this population on later starts.
    await sql.query(`INSERT INTO seed_run (seed, as_of, persons) VALUES ($1, $2, $3)`, [seed, asOf, opts.persons ?? null]);
    // planner statistics for what was just loaded (src/db/analyze.ts: autovacuum may be off or behind)
    await analyzeTables(sql, [...REGISTRY_TABLES, ...CHARITY_TABLES]);
    return { skipped: false, seed, asOf, stats };
  } finally {
    if (db) await db.close();
  }
}
