/**
 * The hash chain (pure): record n's hash covers record n-1's hash and record n's canonical content (seq
 * included), so altering, removing or reordering any record breaks every later link.
 *
 * Chain versions (audit_log.chain_version):
 *  1 — SHA-256, unkeyed: records written before migration 20261206000000_audit_keyed_chain. Anyone with
 *      database access could recompute them; they stay verifiable as written.
 *  2 — HMAC-SHA-256 with the chain key (derived from the audit key, src/audit/keys.ts): every record
 *      written since. Recomputing a re-chained tail needs the secret key.
 * Versions only go up along the chain: a version-1 record after a version-2 one is a downgrade (a break).
 */
import { createHash, createHmac } from "node:crypto";
import { canonicalJson } from "./canonical.js";
import { canonicalBody, type AuditEntry, type ChainedRecord } from "./record.js";

/** prev_hash of record 1. */
export const GENESIS_HASH = "0".repeat(64);
export const CHAIN_UNKEYED = 1;
export const CHAIN_KEYED = 2;

export interface ChainHead {
  /** seq of the last record (0: empty log) */
  seq: number;
  hash: string;
}
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** Version 1 (unkeyed SHA-256): how records written before the keyed chain were hashed. */
export function recordHash(prevHash: string, seq: number, entry: AuditEntry): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(canonicalBody(seq, entry))).digest("hex");
}

/** Version 2: HMAC-SHA-256 under the chain key over the same input as version 1. */
export function keyedRecordHash(chainKey: Uint8Array, prevHash: string, seq: number, entry: AuditEntry): string {
  return createHmac("sha256", chainKey).update(prevHash).update("\n").update(canonicalJson(canonicalBody(seq, entry))).digest("hex");
}

/** The canonical content extendChain computed for a record it made (recordsDigest then reuses it: same seq, same entry). */
const canonicalOf = new WeakMap<ChainedRecord, { seq: number; text: string }>();

/** Places entries after `head`, in order: seq head+1, head+2, … each linked to the one before (keyed, version 2). */
export function extendChain(head: ChainHead, entries: readonly AuditEntry[], chainKey: Uint8Array): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  let prev = head;
  for (const entry of entries) {
    const seq = prev.seq + 1;
    const text = canonicalJson(canonicalBody(seq, entry));
    const hash = createHmac("sha256", chainKey).update(prev.hash).update("\n").update(text).digest("hex");
    const record: ChainedRecord = { ...entry, seq, prevHash: prev.hash, hash, chainVersion: CHAIN_KEYED };
    canonicalOf.set(record, { seq, text });
    out.push(record);
    prev = { seq, hash };
  }
  return out;
}

/**
 * SHA-256 over the canonical content of consecutive records, one line each (canonical JSON has no raw
 * newline): a signed head's `recordsHash`, so content can be checked with the public key alone.
 */
export class RecordsDigest {
  private h = createHash("sha256");
  add(seq: number, entry: AuditEntry): void {
    this.h.update(canonicalJson(canonicalBody(seq, entry))).update("\n");
  }
  /** The digest of what was added since the last call; starts over. */
  take(): string {
    const d = this.h.digest("hex");
    this.h = createHash("sha256");
    return d;
  }
}

export function recordsDigest(records: readonly ChainedRecord[]): string {
  const h = createHash("sha256");
  for (const r of records) {
    const known = canonicalOf.get(r);
    h.update(known && known.seq === r.seq ? known.text : canonicalJson(canonicalBody(r.seq, r))).update("\n");
  }
  return h.digest("hex");
}

export type BreakKind = "GAP" | "PREV_MISMATCH" | "HASH_MISMATCH" | "CHAIN_VERSION";

/** The first broken link: `position` is the seq where the chain stops being what it claims. */
export interface ChainBreak {
  position: number;
  kind: BreakKind;
  message: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Walks records in seq order from a trusted head (genesis or a verified checkpoint). Callers stop at the
 * first break. With the chain key, every record's hash is re-computed; without it (public-key
 * verification), version-2 hashes cannot be re-computed: only their linkage is checked and they are
 * counted in `unkeyed` — the signed heads then vouch for them (src/audit/verify.ts).
 */
export class ChainVerifier {
  private head: ChainHead;
  private version: number;
  count = 0;
  /** version-2 records whose HMAC was not re-computed (no chain key) */
  notRecomputed = 0;
  constructor(
    start: ChainHead = EMPTY_HEAD,
    private readonly chainKey: Uint8Array | null = null,
    startVersion = CHAIN_UNKEYED,
  ) {
    this.head = start;
    this.version = startVersion;
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
    if (record.chainVersion !== CHAIN_UNKEYED && record.chainVersion !== CHAIN_KEYED)
      return { position: record.seq, kind: "CHAIN_VERSION", message: `record ${record.seq} has an unknown chain version ${record.chainVersion}` };
    if (record.chainVersion < this.version)
      return {
        position: record.seq,
        kind: "CHAIN_VERSION",
        message: `record ${record.seq} claims the unkeyed chain version ${record.chainVersion} after keyed records (downgraded)`,
      };
    if (record.prevHash !== this.head.hash)
      return { position: record.seq, kind: "PREV_MISMATCH", message: `record ${record.seq} does not link to record ${this.head.seq}'s hash` };
    if (record.chainVersion === CHAIN_UNKEYED || this.chainKey) {
      const hash =
        record.chainVersion === CHAIN_UNKEYED
          ? recordHash(record.prevHash, record.seq, record)
          : keyedRecordHash(this.chainKey!, record.prevHash, record.seq, record);
      if (hash !== record.hash)
        return { position: record.seq, kind: "HASH_MISMATCH", message: `record ${record.seq}'s content does not match its hash (altered)` };
    } else {
      if (!HEX64.test(record.hash)) return { position: record.seq, kind: "HASH_MISMATCH", message: `record ${record.seq}'s hash is not a SHA-256 HMAC` };
      this.notRecomputed++;
    }
    this.head = { seq: record.seq, hash: record.hash };
    this.version = record.chainVersion;
    this.count++;
    return null;
  }
}
