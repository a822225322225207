/**
 * The synthetic data set behind the embedded default: seeded into an empty registry on start, and
 * recorded (seed, as-of date, size) in seed_run so the department sandboxes regenerate exactly the
 * same population — same ID numbers, same registry numbers — on every later start.
 */
import type { Database } from "./database.js";
import { runSeed } from "../../prisma/seed/run.js";
import { writeReferenceData } from "../../prisma/seed/writer.js";

export interface Dataset {
  seed: number;
  asOf: string;
  persons: number | null;
}

export async function recordedDataset(db: Database): Promise<Dataset | null> {
  const rows = await db.sql.query<{ seed: number; as_of: string | Date; persons: number | null }>(
    `SELECT seed, as_of, persons FROM seed_run ORDER BY id DESC LIMIT 1`,
  );
  if (!rows.length) return null;
  const asOf = rows[0].as_of instanceof Date ? rows[0].as_of.toISOString().slice(0, 10) : String(rows[0].as_of).slice(0, 10);
  return { seed: Number(rows[0].seed), asOf, persons: rows[0].persons === null ? null : Number(rows[0].persons) };
}

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
