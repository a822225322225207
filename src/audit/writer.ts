/**
 * Appends access records to the chain, at the edge (I/O).
 *
 * Group commit: requests hand their entry to `append` and wait; one flush at a time takes everything
 * waiting (up to MAX_BATCH) and writes it in one transaction — advisory lock, read the head, insert the
 * batch with seq head+1… and prev_hash linked — then resolves every waiter after COMMIT. On PostgreSQL the
 * transaction is one round trip when the head this writer last left is still the head (the batch is chained to
 * it and inserted only if, under the lock, it still is), two otherwise. So each record is
 * committed before its response leaves, the chain stays linear under any concurrency (also across
 * processes: they take the same lock), and a failed transaction rolls back without leaving a gap, because
 * seq comes from the head read under the lock, not from a sequence.
 *
 * Mutations append inside their own transaction (`appendWithin`), so a change and its record commit or
 * roll back together.
 *
 * Every record is keyed (HMAC-SHA-256 with the chain key, chain version 2), and every transaction that
 * appends records also inserts a signed head (seq, first seq of the commit, head hash, SHA-256 of the
 * records' content, time, key id; Ed25519) — one signature per commit, so group commit keeps its throughput and the newest records never
 * wait for a checkpoint to be covered by a signature. `onHead` receives each head after COMMIT (to copy it
 * to a place outside the database: a log stream, a witness — the only defence against someone who can
 * delete the newest rows of every audit table).
 *
 * Checkpoints (signed: count, head hash, time) are written every `checkpointEvery` records, every
 * `checkpointSeconds` when the head moved, and on demand (`checkpoint()`, the audit:checkpoint CLI).
 */
import type { SqlExecutor } from "../db/sql.js";
import { extendChain, recordsDigest, type ChainHead } from "./chain.js";
import type { AuditEntry, ChainedRecord } from "./record.js";
import {
  checkpointPayload,
  headPayload,
  insertCheckpoint,
  insertRecordsAndHead,
  insertRecordsAndHeadAndCommit,
  headOf,
  lockChain,
  LOCK_CHAIN,
  READ_HEAD,
  readHead,
  APPEND_IF_HEAD,
  appendIfHeadParams,
  type Checkpoint,
  type RowExecutor,
  type SignedHead,
} from "./store.js";
import type { AuditKeys } from "./keys.js";

export const MAX_BATCH = 200;

/** Wraps one append: `kind` request (group commit) or mutation (inside the mutation's transaction). */
export type AppendInstrument = <T>(kind: "request" | "mutation", run: () => Promise<T>) => Promise<T>;

export interface AuditWriterOptions {
  keys: Pick<AuditKeys, "sign" | "keyId" | "chainKey">;
  /** write a checkpoint when this many records were appended since the last one (0: never by count) */
  checkpointEvery?: number;
  /** write a checkpoint this often when the head moved (0: never by time) */
  checkpointSeconds?: number;
  clock?: () => Date;
  onError?: (err: unknown, what: string) => void;
  /** each signed head, after its transaction committed (appendWithin: when it returns; the caller's commit may still fail) */
  onHead?: (head: SignedHead) => void;
}

interface Waiter {
  entry: AuditEntry;
  resolve(r: ChainedRecord): void;
  reject(e: unknown): void;
}

export class AuditWriter {
  private pending: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private lastCheckpointSeq = -1;
  private lastSeenSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly clock: () => Date;
  /**
   * The head this writer's last group commit left (null: unknown — at start, after a failure, after a mutation's
   * append). Only a hint: a commit chained to it checks under the lock that it is still the head.
   */
  private knownHead: ChainHead | null = null;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly options: AuditWriterOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    const seconds = options.checkpointSeconds ?? 0;
    if (seconds > 0) {
      this.timer = setInterval(() => {
        if (this.lastSeenSeq > this.lastCheckpointSeq) this.checkpoint().catch((err) => options.onError?.(err, "periodic audit checkpoint"));
      }, seconds * 1000);
      this.timer.unref();
    }
  }

  /** Telemetry around each append (span, latency, failures; src/telemetry/audit.ts); none by default. */
  instrument: AppendInstrument = (_kind, run) => run();

  /** Resolves once the record is committed; rejects when it could not be (the caller then fails closed). */
  append(entry: AuditEntry): Promise<ChainedRecord> {
    return this.instrument(
      "request",
      () =>
        new Promise<ChainedRecord>((resolve, reject) => {
          this.pending.push({ entry, resolve, reject });
          this.kick();
        }),
    );
  }

  /** Appends inside the caller's transaction (which must commit for the record to exist). */
  appendWithin(tx: RowExecutor, entry: AuditEntry): Promise<ChainedRecord> {
    return this.instrument("mutation", async () => {
      this.knownHead = null; // the mutation's transaction commits (or not) after this returns
      const { records, head } = await this.write(tx, [entry]);
      this.seen(records[0].seq);
      this.announce(head);
      return records[0];
    });
  }

  /** Signs and stores a checkpoint of the current head (null when the log is empty). */
  async checkpoint(): Promise<Checkpoint | null> {
    const c = await this.sql.transaction(async (tx) => {
      await lockChain(tx);
      const head = await readHead(tx);
      if (head.seq === 0) return null;
      const checkpoint = signCheckpoint(this.options.keys, head, this.clock());
      await insertCheckpoint(tx, checkpoint);
      return checkpoint;
    });
    if (c) this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, c.seq);
    return c;
  }

  /** Waits for queued appends, stops the timer. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
  }

  private seen(seq: number) {
    this.lastSeenSeq = Math.max(this.lastSeenSeq, seq);
    if (this.lastCheckpointSeq < 0) this.lastCheckpointSeq = 0;
    const every = this.options.checkpointEvery ?? 0;
    if (every > 0 && this.lastSeenSeq - this.lastCheckpointSeq >= every) {
      this.lastCheckpointSeq = this.lastSeenSeq; // claimed now, so one batch triggers one checkpoint
      this.checkpoint().catch((err) => this.options.onError?.(err, "audit checkpoint"));
    }
  }

  /**
   * Under the chain lock: the records after the head, keyed, and the signed head covering them. `lockedHead`: the lock
   * is held and the head was read after it (the round trip that opened the transaction). `commitWith`: the transaction is
   * the group commit's own, and the insert commits it.
   */
  private async write(tx: RowExecutor, entries: AuditEntry[], lockedHead?: ChainHead, commitWith?: SqlExecutor["commitWith"]): Promise<{ records: ChainedRecord[]; head: SignedHead }> {
    if (!lockedHead) await lockChain(tx);
    // read under the lock, in a statement of its own (a statement's snapshot predates a lock it waits for)
    const records = extendChain(lockedHead ?? (await readHead(tx)), entries, this.options.keys.chainKey);
    const head = signHead(this.options.keys, records, this.clock());
    // a group commit's own transaction on PostgreSQL: the insert and COMMIT in one round trip (never a mutation's)
    if (commitWith) await insertRecordsAndHeadAndCommit(commitWith, records, head);
    else await insertRecordsAndHead(tx, records, head);
    return { records, head };
  }

  /**
   * One group commit's transaction. On PostgreSQL one round trip when the head this writer last left is still the
   * head (the common case: one gateway process appending), two otherwise (read the head under the lock, then insert
   * and commit).
   */
  private async writeBatch(entries: AuditEntry[]): Promise<{ records: ChainedRecord[]; head: SignedHead }> {
    const known = this.knownHead;
    this.knownHead = null;
    const written = (known && (await this.writeOnKnownHead(known, entries))) || (await this.writeAfterReadingHead(entries));
    const last = written.records[written.records.length - 1];
    this.knownHead = { seq: last.seq, hash: last.hash };
    return written;
  }

  /**
   * One round trip where the executor can (PostgreSQL): the records chained to the head this writer last left, appended
   * by one prepared call (store.ts APPEND_IF_HEAD: the chain lock, the head read after it, the inserts, all in one
   * transaction) only if that is still the head. Null when it was not (another process appended meanwhile): nothing
   * was written.
   */
  private async writeOnKnownHead(known: ChainHead, entries: AuditEntry[]): Promise<{ records: ChainedRecord[]; head: SignedHead } | null> {
    if (!this.sql.prepared) return null;
    const records = extendChain(known, entries, this.options.keys.chainKey);
    const head = signHead(this.options.keys, records, this.clock());
    const [appended] = await this.sql.prepared<{ records: number }>(APPEND_IF_HEAD, appendIfHeadParams(known, records, head));
    return appended && Number(appended.records) === records.length ? { records, head } : null;
  }

  /**
   * BEGIN, the chain lock and the head read in one round trip where the executor can (three statements: the head's
   * has a snapshot of its own, taken once the lock is held), then the records' insert and COMMIT in another
   * (PostgreSQL: two round trips in all).
   */
  private writeAfterReadingHead(entries: AuditEntry[]): Promise<{ records: ChainedRecord[]; head: SignedHead }> {
    if (this.sql.transactionWith) return this.sql.transactionWith(`${LOCK_CHAIN}; ${READ_HEAD}`, (tx, opened) => this.write(tx, entries, headOf(opened), tx.commitWith));
    return this.sql.transaction((tx) => this.write(tx, entries));
  }

  private announce(head: SignedHead) {
    try {
      this.options.onHead?.(head);
    } catch (err) {
      this.options.onError?.(err, "audit head witness");
    }
  }

  private kick() {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.pending.length) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        const { records, head } = await this.writeBatch(batch.map((w) => w.entry));
        this.seen(records[records.length - 1].seq);
        this.announce(head);
        batch.forEach((w, i) => w.resolve(records[i]));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
  }
}

export function signCheckpoint(keys: Pick<AuditKeys, "sign" | "keyId">, head: ChainHead, at: Date): Checkpoint {
  const unsigned = { seq: head.seq, headHash: head.hash, at: at.toISOString(), keyId: keys.keyId };
  return { ...unsigned, signature: keys.sign(checkpointPayload(unsigned)) };
}

/** The signed head over one commit's records (consecutive, non-empty). */
export function signHead(keys: Pick<AuditKeys, "sign" | "keyId">, records: readonly ChainedRecord[], at: Date): SignedHead {
  const last = records[records.length - 1];
  const unsigned = { seq: last.seq, firstSeq: records[0].seq, headHash: last.hash, recordsHash: recordsDigest(records), at: at.toISOString(), keyId: keys.keyId };
  return { ...unsigned, signature: keys.sign(headPayload(unsigned)) };
}
