/**
 * The head witness: every signed head the writer commits is also appended, as one JSON line, to a file
 * outside the database (AUDIT_WITNESS_FILE). It is the defence the database cannot give itself: someone
 * who can delete the newest rows of every audit table, cutting exactly at a commit boundary, leaves a
 * shorter log that is consistent in itself — but not one that still contains the newest head the witness
 * saw. `audit:verify` reads the witness (lines for its own database only) and requires its newest head.
 *
 * Lines are written asynchronously after COMMIT (a crash may lose the last few lines, never add a wrong
 * one); the file is created with mode 0600.
 */
import { createWriteStream, existsSync, readFileSync, type WriteStream } from "node:fs";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { DatabaseTarget } from "../db/database.js";
import type { SignedHead } from "./store.js";

/** Which database a head belongs to (no credentials): one witness file may serve several databases. */
export function databaseIdentity(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `pglite:${target.dataDir ? path.resolve(target.dataDir) : "memory"}`;
  const u = new URL(target.url);
  return `postgres:${u.hostname}:${u.port || "5432"}${u.pathname}#${target.schema}`;
}

export interface WitnessLine {
  db: string;
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

export class HeadWitness {
  private readonly out: WriteStream;
  constructor(
    file: string,
    private readonly db: string,
    onError: (err: unknown) => void,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.out = createWriteStream(file, { flags: "a", mode: 0o600 });
    this.out.on("error", onError);
  }
  record(h: SignedHead): void {
    const line: WitnessLine = { db: this.db, seq: h.seq, hash: h.headHash, at: h.at, keyId: h.keyId, signature: h.signature };
    this.out.write(`${JSON.stringify(line)}\n`);
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}

/**
 * The newest head a witness file saw for `db`, or null when the file is absent or names none. Lines that
 * do not parse (a torn last line after a crash) are skipped.
 */
export function newestWitnessed(file: string, db: string): { seq: number; hash: string } | null {
  if (!existsSync(file)) return null;
  let best: { seq: number; hash: string } | null = null;
  for (const text of readFileSync(file, "utf8").split("\n")) {
    if (!text) continue;
    let line: Partial<WitnessLine>;
    try {
      line = JSON.parse(text);
    } catch {
      continue;
    }
    if (line.db !== db || !Number.isSafeInteger(line.seq) || typeof line.hash !== "string" || !/^[0-9a-f]{64}$/.test(line.hash)) continue;
    if (!best || line.seq! > best.seq) best = { seq: line.seq!, hash: line.hash };
  }
  return best;
}
