/**
 * Re-computes the access log's chain and checks its signed checkpoints and heads (I/O: reads the database).
 *
 * From genesis (default) every record is re-hashed and linked; passing a checkpoint's position, the
 * head must equal the signed head hash. From the last checkpoint (`fromCheckpoint`), the newest checkpoint
 * whose signature verifies is the trusted start: its record's hash must equal the signed head, then the
 * chain is walked from there. A checkpoint beyond the end of the log means records were cut off the tail.
 *
 * Signed heads (one per commit, src/audit/writer.ts) cover the keyed part of the log without hole: each
 * head's signature, its records' content (recordsHash) and its head hash are checked, consecutive heads
 * must tile (first seq = previous head's seq + 1), keyed records must come after the first head's first
 * seq and unkeyed ones before it, and keyed records after the last head are reported (HEAD_MISSING).
 *
 * With the chain key (the audit key's holder) every HMAC is re-computed too. With only the public key,
 * keyed records' HMACs cannot be re-computed (`keyed: false`, `notRecomputed`): their linkage is checked
 * and their content and hashes are vouched for by the signed heads — the report says so.
 *
 * `expectHeads`: heads seen outside the database (the log stream, a witness): each must still be there
 * with the same hash — the only way to notice the newest records deleted together with their heads.
 * The first break is reported with its position (seq).
 */
import { ChainVerifier, CHAIN_KEYED, CHAIN_UNKEYED, EMPTY_HEAD, RecordsDigest, type ChainBreak, type ChainHead } from "./chain.js";
import { verifySignature, type AuditVerifyKey } from "./keys.js";
import { checkpointPayload, headPayload, readCheckpoints, readHeads, readRecords, type Checkpoint, type RowExecutor, type SignedHead } from "./store.js";

export type VerifyBreak =
  | ChainBreak
  | {
      position: number;
      kind: "CHECKPOINT_SIGNATURE" | "CHECKPOINT_MISMATCH" | "TRUNCATED" | "HEAD_SIGNATURE" | "HEAD_MISMATCH" | "HEAD_MISSING";
      message: string;
    };

export interface VerifyReport {
  ok: boolean;
  /** records walked (linked, and re-hashed where the key allows) by this run */
  verified: number;
  /** where the walk started: 0 = genesis, else a checkpoint's position */
  from: number;
  head: ChainHead;
  checkpoints: number;
  /** signed heads checked by this run */
  heads: number;
  /** whether keyed records' HMACs were re-computed (false: public key only) */
  keyed: boolean;
  /** keyed records whose HMAC was not re-computed (public key only): vouched for by signed heads */
  notRecomputed: number;
  /** heads seen outside the database that were checked */
  witnesses: number;
  firstBreak: VerifyBreak | null;
}

export interface VerifyOptions {
  fromCheckpoint?: boolean;
  pageSize?: number;
  /** the chain key (AuditKeys.chainKey): re-compute every HMAC; without it only the public key's checks run */
  chainKey?: Uint8Array | null;
  /** heads recorded outside the database: record `seq` must exist and carry `hash` */
  expectHeads?: readonly { seq: number; hash: string }[];
}

function checkSignature(c: Checkpoint, key: AuditVerifyKey): VerifyBreak | null {
  const { signature, ...unsigned } = c;
  if (c.keyId !== key.keyId || !verifySignature(key, checkpointPayload(unsigned), signature))
    return { position: c.seq, kind: "CHECKPOINT_SIGNATURE", message: `checkpoint at record ${c.seq} does not carry a valid signature of key ${key.keyId}` };
  return null;
}

function checkHeadSignature(h: SignedHead, key: AuditVerifyKey): VerifyBreak | null {
  const { signature, ...unsigned } = h;
  if (h.keyId !== key.keyId || !verifySignature(key, headPayload(unsigned), signature))
    return { position: h.seq, kind: "HEAD_SIGNATURE", message: `the head at record ${h.seq} does not carry a valid signature of key ${key.keyId}` };
  return null;
}

/** Heads with seq > afterSeq, page by page. */
class HeadCursor {
  private page: SignedHead[] = [];
  private i = 0;
  private done = false;
  constructor(
    private readonly sql: RowExecutor,
    private after: number,
    private readonly pageSize: number,
  ) {}
  async peek(): Promise<SignedHead | null> {
    if (this.i < this.page.length) return this.page[this.i];
    if (this.done) return null;
    this.page = await readHeads(this.sql, this.after, this.pageSize);
    this.i = 0;
    if (this.page.length < this.pageSize) this.done = true;
    if (!this.page.length) return null;
    this.after = this.page[this.page.length - 1].seq;
    return this.page[0];
  }
  next(): void {
    this.i++;
  }
}

export async function verifyLog(sql: RowExecutor, key: AuditVerifyKey, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 1000;
  const chainKey = options.chainKey ?? null;
  const checkpoints = await readCheckpoints(sql);
  const witnesses = [...(options.expectHeads ?? [])].sort((a, b) => a.seq - b.seq);
  let heads = 0;
  const report = (firstBreak: VerifyBreak | null, verifier: ChainVerifier, from: number): VerifyReport => ({
    ok: firstBreak === null,
    verified: verifier.count,
    from,
    head: verifier.current,
    checkpoints: checkpoints.length,
    heads,
    keyed: chainKey !== null,
    notRecomputed: verifier.notRecomputed,
    witnesses: witnesses.length,
    firstBreak,
  });

  let start: ChainHead = EMPTY_HEAD;
  let startVersion = CHAIN_UNKEYED;
  if (options.fromCheckpoint) {
    const trusted = [...checkpoints].reverse().find((c) => checkSignature(c, key) === null);
    if (trusted) {
      const [record] = await readRecords(sql, trusted.seq - 1, 1);
      if (!record || record.seq !== trusted.seq || record.hash !== trusted.headHash)
        return report(
          { position: trusted.seq, kind: "CHECKPOINT_MISMATCH", message: `record ${trusted.seq} is not the head the checkpoint signed` },
          new ChainVerifier(start),
          trusted.seq,
        );
      start = { seq: trusted.seq, hash: trusted.headHash };
      startVersion = record.chainVersion;
    }
  } else {
    for (const c of checkpoints) {
      const bad = checkSignature(c, key);
      if (bad) return report(bad, new ChainVerifier(start), 0);
    }
  }

  // The keyed part of the log starts where the first signed head's commit started (Infinity: no head yet).
  const [firstHead] = await readHeads(sql, 0, 1);
  if (firstHead) {
    const bad = checkHeadSignature(firstHead, key);
    if (bad) return report(bad, new ChainVerifier(start), start.seq);
  }
  const keyedFrom = firstHead ? firstHead.firstSeq : Infinity;

  const verifier = new ChainVerifier(start, chainKey, startVersion);
  const pending = checkpoints.filter((c) => c.seq > start.seq);
  const expected = witnesses.filter((w) => w.seq > start.seq);
  const cursor = new HeadCursor(sql, start.seq, pageSize);
  // the next head's first seq (a checkpoint inside the keyed part sits at a head's end: commits are atomic)
  let nextFirst = start.seq >= keyedFrom ? start.seq + 1 : keyedFrom;
  // the newest record a trusted signature covers so far
  let covered = start.seq;
  const content = new RecordsDigest();
  let nextCheckpoint = 0;
  let nextWitness = 0;
  let last: { seq: number; chainVersion: number } | null = null;
  for (;;) {
    const page = await readRecords(sql, verifier.current.seq, pageSize);
    for (const record of page) {
      const broken = verifier.push(record);
      if (broken) return report(broken, verifier, start.seq);
      last = record;
      if (record.chainVersion === CHAIN_KEYED && record.seq < keyedFrom)
        return report(
          {
            position: record.seq,
            kind: "HEAD_MISSING",
            message: Number.isFinite(keyedFrom)
              ? `keyed record ${record.seq} precedes the first signed head's records (${keyedFrom}): heads were removed`
              : `keyed record ${record.seq} is covered by no signed head (the heads were removed)`,
          },
          verifier,
          start.seq,
        );
      if (record.chainVersion === CHAIN_UNKEYED && record.seq >= keyedFrom)
        return report(
          { position: record.seq, kind: "CHAIN_VERSION", message: `record ${record.seq} claims the unkeyed chain version inside the keyed log (from record ${keyedFrom})` },
          verifier,
          start.seq,
        );
      if (record.seq >= nextFirst) content.add(record.seq, record);
      while (nextCheckpoint < pending.length && pending[nextCheckpoint].seq <= record.seq) {
        const c = pending[nextCheckpoint++];
        if (c.seq === record.seq && c.headHash !== record.hash)
          return report({ position: c.seq, kind: "CHECKPOINT_MISMATCH", message: `record ${c.seq}'s hash differs from the signed checkpoint's head` }, verifier, start.seq);
      }
      while (nextWitness < expected.length && expected[nextWitness].seq <= record.seq) {
        const w = expected[nextWitness++];
        if (w.seq === record.seq && w.hash !== record.hash)
          return report({ position: w.seq, kind: "HEAD_MISMATCH", message: `record ${w.seq}'s hash differs from the head seen outside the database` }, verifier, start.seq);
      }
      for (let h = await cursor.peek(); h && h.seq <= record.seq; h = await cursor.peek()) {
        const bad = checkHeadSignature(h, key);
        if (bad) return report(bad, verifier, start.seq);
        if (h.firstSeq !== nextFirst || h.seq !== record.seq)
          return report(
            { position: Math.min(h.firstSeq, nextFirst), kind: "HEAD_MISMATCH", message: `the signed head of records ${h.firstSeq}..${h.seq} does not follow the previous head (expected records from ${nextFirst})` },
            verifier,
            start.seq,
          );
        if (h.headHash !== record.hash || h.recordsHash !== content.take())
          return report(
            { position: h.firstSeq, kind: "HEAD_MISMATCH", message: `records ${h.firstSeq}..${h.seq} are not what their signed head covers (altered or re-chained)` },
            verifier,
            start.seq,
          );
        heads++;
        covered = h.seq;
        nextFirst = h.seq + 1;
        cursor.next();
      }
    }
    if (page.length < pageSize) break;
  }
  const end = verifier.current.seq;
  const beyondHead = await cursor.peek();
  if (beyondHead) {
    const bad = checkHeadSignature(beyondHead, key);
    if (bad) return report(bad, verifier, start.seq);
    return report(
      { position: end + 1, kind: "TRUNCATED", message: `the log ends at record ${end} but a signed head covers records up to ${beyondHead.seq}` },
      verifier,
      start.seq,
    );
  }
  const beyond = pending.find((c) => c.seq > end);
  if (beyond)
    return report(
      { position: end + 1, kind: "TRUNCATED", message: `the log ends at record ${end} but a checkpoint covers ${beyond.seq} records` },
      verifier,
      start.seq,
    );
  const witnessed = expected.find((w) => w.seq > end);
  if (witnessed)
    return report(
      { position: end + 1, kind: "TRUNCATED", message: `the log ends at record ${end} but a head seen outside the database covers ${witnessed.seq} records` },
      verifier,
      start.seq,
    );
  if (last && last.chainVersion === CHAIN_KEYED && end > covered)
    return report(
      { position: covered + 1, kind: "HEAD_MISSING", message: `keyed records ${covered + 1}..${end} are covered by no signed head` },
      verifier,
      start.seq,
    );
  return report(null, verifier, start.seq);
}
