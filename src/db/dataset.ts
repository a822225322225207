/**
 * The synthetic data set a registry holds, as recorded (seed, as-of date, size) in seed_run by the
 * development seed (dev/seed/dataset.ts seeds an empty registry on a development start), so the
 * department sandboxes regenerate exactly the same population — same ID numbers, same registry
 * numbers — on every later start. A registry of real data has no record.
 */
import type { Database } from "./database.js";

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
