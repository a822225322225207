/**
 * Re-computes the access log's chain and checks its signed checkpoints (I/O: reads the database).
 *
 * From genesis (default) every record is re-hashed and linked; passing a checkpoint's position, the
 * head must equal the signed head hash. From the last checkpoint (`fromCheckpoint`), the newest checkpoint
 * whose signature verifies is the trusted start: its record's hash must equal the signed head, then the
 * chain is walked from there. A checkpoint beyond the end of the log means records were cut off the tail.
 * The first broken link is reported with its position (seq).
 */
import { ChainVerifier, EMPTY_HEAD, type ChainBreak, type ChainHead } from "./chain.js";
import { verifySignature, type AuditVerifyKey } from "./keys.js";
import { checkpointPayload, readCheckpoints, readRecords, type Checkpoint, type RowExecutor } from "./store.js";

export type VerifyBreak =
  | ChainBreak
  | { position: number; kind: "CHECKPOINT_SIGNATURE" | "CHECKPOINT_MISMATCH" | "TRUNCATED"; message: string };

export interface VerifyReport {
  ok: boolean;
  /** records re-hashed by this run */
  verified: number;
  /** where the walk started: 0 = genesis, else a checkpoint's position */
  from: number;
  head: ChainHead;
  checkpoints: number;
  firstBreak: VerifyBreak | null;
}

export interface VerifyOptions {
  fromCheckpoint?: boolean;
  pageSize?: number;
}

function checkSignature(c: Checkpoint, key: AuditVerifyKey): VerifyBreak | null {
  const { signature, ...unsigned } = c;
  if (c.keyId !== key.keyId || !verifySignature(key, checkpointPayload(unsigned), signature))
    return { position: c.seq, kind: "CHECKPOINT_SIGNATURE", message: `checkpoint at record ${c.seq} does not carry a valid signature of key ${key.keyId}` };
  return null;
}

export async function verifyLog(sql: RowExecutor, key: AuditVerifyKey, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 1000;
  const checkpoints = await readCheckpoints(sql);
  const report = (firstBreak: VerifyBreak | null, verifier: ChainVerifier, from: number): VerifyReport => ({
    ok: firstBreak === null,
    verified: verifier.count,
    from,
    head: verifier.current,
    checkpoints: checkpoints.length,
    firstBreak,
  });

  let start: ChainHead = EMPTY_HEAD;
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
    }
  } else {
    for (const c of checkpoints) {
      const bad = checkSignature(c, key);
      if (bad) return report(bad, new ChainVerifier(start), 0);
    }
  }

  const verifier = new ChainVerifier(start);
  const pending = checkpoints.filter((c) => c.seq > start.seq);
  let next = 0;
  for (;;) {
    const page = await readRecords(sql, verifier.current.seq, pageSize);
    for (const record of page) {
      const broken = verifier.push(record);
      if (broken) return report(broken, verifier, start.seq);
      while (next < pending.length && pending[next].seq <= record.seq) {
        const c = pending[next++];
        if (c.seq === record.seq && c.headHash !== record.hash)
          return report({ position: c.seq, kind: "CHECKPOINT_MISMATCH", message: `record ${c.seq}'s hash differs from the signed checkpoint's head` }, verifier, start.seq);
      }
    }
    if (page.length < pageSize) break;
  }
  const beyond = pending.find((c) => c.seq > verifier.current.seq);
  if (beyond)
    return report(
      { position: verifier.current.seq + 1, kind: "TRUNCATED", message: `the log ends at record ${verifier.current.seq} but a checkpoint covers ${beyond.seq} records` },
      verifier,
      start.seq,
    );
  return report(null, verifier, start.seq);
}
