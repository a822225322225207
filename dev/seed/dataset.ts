/**
 * The synthetic data set behind the embedded default on a development start: seeded into an empty
 * registry and recorded in seed_run (src/db/dataset.ts reads the record).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Database } from "../../src/db/database.js";
import { recordedDataset, type Dataset } from "../../src/db/dataset.js";
import { runSeed } from "./run.js";
import { writeReferenceData } from "./writer.js";

/**
 * Seeds the default set when the registry is empty; returns the data set the registry holds (null for
 * a registry that was not seeded by this generator, e.g. real data).
 */
export async function ensureDataset(
  db: Database,
  opts: { seed: number; asOf: string; persons?: number; log?: (line: string) => void },
): Promise<Dataset | null> {
  const existing = await recordedDataset(db);
  if (existing) {
    // A data set seeded by an earlier version: add the policy parameters it did not know yet (existing rows are kept).
    await writeReferenceData(db.sql, []);
    return existing;
  }
  // runSeed records seed_run itself; a registry with data but no record was not made by this generator.
  const result = await runSeed({ sql: db.sql, seed: opts.seed, asOf: opts.asOf, persons: opts.persons, ifEmpty: true, log: opts.log });
  return result.skipped ? null : recordedDataset(db);
}

/**
 * The compiled seed CLI beside this module (`dist/dev/seed/cli.js`), or null when the gateway runs from its
 * TypeScript sources (tests), where there is nothing a child `node` could run.
 */
export function compiledSeedCli(): string | null {
  if (!import.meta.url.endsWith(".js")) return null;
  const file = fileURLToPath(new URL("./cli.js", import.meta.url));
  return existsSync(file) ? file : null;
}

/**
 * Migrates and seeds an empty registry in a child process (the seed CLI with --if-empty; a registry that holds
 * data is left as it is) and waits for it. Seeding holds a whole population's batches, and an embedded PGlite
 * keeps the memory it grew to (creating a fresh directory and seeding it: about 1 GB) for as long as it is open:
 * done in the serving process, all of it stayed. Call it before opening the serving connection (an embedded
 * directory has one owner at a time).
 */
export function seedInChildProcess(
  cli: string,
  where: { databaseUrl?: string; dataDir: string },
  opts: { seed: number; asOf: string; log?: (line: string) => void },
): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: where.dataDir };
  if (where.databaseUrl) env.DATABASE_URL = where.databaseUrl;
  else delete env.DATABASE_URL;
  const args = [cli, "--seed", String(opts.seed), "--as-of", opts.asOf, "--if-empty"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        opts.log?.(`seed: ${line}`);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`seeding the registry (child process) failed (${signal ?? `exit ${code}`}):\n${tail.join("\n")}`)),
    );
  });
}
