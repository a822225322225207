/**
 * The synthetic data set behind the embedded default on a development start: seeded into an empty
 * registry and recorded in seed_run (src/db/dataset.ts reads the record).
 */
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
