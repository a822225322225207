/**
 * A sandbox's change log (WIRE.md "Bulk exchange"): every upsert or delete of a record gets the next
 * sequence number; the change feed answers, in sequence order, the keys changed after a cursor with
 * their CURRENT state (a compacted feed: a key changed twice since the cursor is reported once, at its
 * later position). Cursors are `<epoch>.<seq>`: the epoch is this instance's, so a cursor of another
 * instance (a restarted sandbox, whose records were derived anew) is expired, as is one older than the
 * retention (`floor`). Pure bookkeeping: the records themselves stay in the sandbox's Map.
 */
import { randomBytes } from "node:crypto";

export type CursorCheck = { ok: true; seq: number } | { ok: false; expired: boolean; reason: string };

export class ChangeLog {
  readonly epoch: string;
  private seq = 0;
  /** cursors below this were purged (retention): expired */
  private floor = 0;
  /** (seq, key, day) in sequence order, only entries after `floor` */
  private entries: { seq: number; key: string; day: number }[] = [];
  /** key -> seq of its latest change (keys changed since start only) */
  private latest = new Map<string, number>();

  constructor(epoch: string = randomBytes(6).toString("hex")) {
    this.epoch = epoch;
  }

  /** Notes a change (upsert or delete) of `key` on simulated day `day`. */
  record(key: string, day: number): void {
    const seq = ++this.seq;
    this.entries.push({ seq, key, day });
    this.latest.set(key, seq);
  }

  /** The cursor naming "now": a feed read from it answers only later changes. */
  cursor(seq: number = this.seq): string {
    return `${this.epoch}.${seq}`;
  }

  get position(): number {
    return this.seq;
  }

  check(cursor: string): CursorCheck {
    const m = /^([0-9a-f]{1,32})\.(0|[1-9][0-9]{0,15})$/.exec(cursor);
    if (!m) return { ok: false, expired: false, reason: "cursor is not one this system issued" };
    const seq = Number(m[2]);
    if (m[1] !== this.epoch) return { ok: false, expired: true, reason: "cursor expired: issued before this system's data were rebuilt" };
    if (seq > this.seq) return { ok: false, expired: false, reason: "cursor is ahead of this system" };
    if (seq < this.floor) return { ok: false, expired: true, reason: "cursor expired: older than the change feed's retention" };
    return { ok: true, seq };
  }

  /** Up to `limit` keys changed after `seq`, in order, each once (at its latest change); `next` = the cursor after them. */
  since(seq: number, limit: number): { keys: string[]; next: number; more: boolean } {
    let i = this.firstAfter(seq);
    const keys: string[] = [];
    let next = seq;
    for (; i < this.entries.length && keys.length < limit; i++) {
      const e = this.entries[i];
      next = e.seq;
      if (this.latest.get(e.key) === e.seq) keys.push(e.key); // superseded entries are skipped
    }
    // past the end: the cursor is "now" (a later read starts after everything seen)
    const more = i < this.entries.length;
    return { keys, next: more ? next : this.seq, more };
  }

  /** Drops entries of days before `day` (retention); cursors before the last dropped entry expire. */
  purgeBefore(day: number): number {
    let n = 0;
    while (n < this.entries.length && this.entries[n].day < day) n++;
    return this.dropFirst(n);
  }

  /** Drops every entry: every cursor issued so far (but "now") expires. */
  purgeAll(): number {
    const n = this.dropFirst(this.entries.length);
    this.floor = this.seq;
    return n;
  }

  private dropFirst(n: number): number {
    if (n === 0) return 0;
    const dropped = this.entries.splice(0, n);
    for (const e of dropped) if (this.latest.get(e.key) === e.seq) this.latest.delete(e.key);
    this.floor = dropped[dropped.length - 1].seq;
    return n;
  }

  /** Index of the first entry with seq > `seq` (entries are in ascending seq order). */
  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
