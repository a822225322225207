/**
 * The hash chain (pure): record n's hash is SHA-256 over record n-1's hash and record n's canonical
 * content (seq included), so altering, removing or reordering any record breaks every later link.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical.js";
import { canonicalBody, type AuditEntry, type ChainedRecord } from "./record.js";

/** prev_hash of record 1. */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainHead {
  /** seq of the last record (0: empty log) */
  seq: number;
  hash: string;
}
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function recordHash(prevHash: string, seq: number, entry: AuditEntry): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(canonicalBody(seq, entry))).digest("hex");
}

/** Places entries after `head`, in order: seq head+1, head+2, … each linked to the one before. */
export function extendChain(head: ChainHead, entries: readonly AuditEntry[]): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  let prev = head;
  for (const entry of entries) {
    const seq = prev.seq + 1;
    const hash = recordHash(prev.hash, seq, entry);
    out.push({ ...entry, seq, prevHash: prev.hash, hash });
    prev = { seq, hash };
  }
  return out;
}

export type BreakKind = "GAP" | "PREV_MISMATCH" | "HASH_MISMATCH";

/** The first broken link: `position` is the seq where the chain stops being what it claims. */
export interface ChainBreak {
  position: number;
  kind: BreakKind;
  message: string;
}

/**
 * Walks records in seq order from a trusted head (genesis or a verified checkpoint). `push` returns the
 * first break (and keeps returning null afterwards is not needed: callers stop at the first break).
 */
export class ChainVerifier {
  private head: ChainHead;
  count = 0;
  constructor(start: ChainHead = EMPTY_HEAD) {
    this.head = start;
  }
  get current(): ChainHead {
    return this.head;
  }
  push(record: ChainedRecord): ChainBreak | null {
    const expected = this.head.seq + 1;
    if (record.seq !== expected)
      return {
        position: expected,
        kind: "GAP",
        message:
          record.seq > expected
            ? `record ${expected} is missing (the next record is ${record.seq})`
            : `record ${record.seq} appears out of order after ${this.head.seq}`,
      };
    if (record.prevHash !== this.head.hash)
      return { position: record.seq, kind: "PREV_MISMATCH", message: `record ${record.seq} does not link to record ${this.head.seq}'s hash` };
    const hash = recordHash(record.prevHash, record.seq, record);
    if (hash !== record.hash)
      return { position: record.seq, kind: "HASH_MISMATCH", message: `record ${record.seq}'s content does not match its hash (altered)` };
    this.head = { seq: record.seq, hash: record.hash };
    this.count++;
    return null;
  }
}
