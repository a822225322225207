/**
 * Bulk exchange of a sandbox (WIRE.md "Bulk exchange"): the full export (key-ordered pages) and the
 * change feed (compacted, in order, resumable from a cursor), plus the simulated clock that changes a
 * deterministic share of records per simulated day so the feed has something to say.
 *
 * The routes are registered under the sandbox's own API prefix, so the lookup API's hooks (faults,
 * authentication, rate limit) apply to them unchanged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hashString, Rng } from "../../seed/rng.js";
import { ChangeLog } from "./changes.js";

export const BULK_MAX_LIMIT = 10_000;
export const BULK_DEFAULT_LIMIT = 1000;
/** of the records changed on a day, this share is deleted (the rest updated) */
export const DELETE_SHARE = 0.05;
const DAY_MS = 86_400_000;

export interface BulkOptions {
  /** share of records changed per simulated day (default 0.01) */
  changeRate?: number;
  /** simulated days the change feed keeps (default 7): older cursors are expired */
  retentionDays?: number;
  /** the simulated clock's day 0 (YYYY-MM-DD; default today) */
  clockStart?: string;
  /** seed of the daily change draw (default 1) */
  seed?: number;
}

export interface BulkStore<R> {
  records: Map<string, R>;
  /** the record as served (malformed when its key is set malformed) */
  serve(key: string, record: R): unknown;
  /** a record as the department would have it after a change on the day starting at `dayMs` */
  evolve(record: R, rng: Rng, dayMs: number): R;
}

/** A guard the API's own routes use (authentication): answers the request itself when it refuses. */
export type Guard = (req: FastifyRequest, reply: FastifyReply) => boolean;

export class SandboxBulk<R> {
  readonly changes = new ChangeLog();
  day = 0;
  changeRate: number;
  readonly retentionDays: number;
  private readonly startMs: number;
  private readonly seed: number;
  private sorted: string[] | null = null;

  constructor(
    private readonly store: BulkStore<R>,
    opts: BulkOptions = {},
  ) {
    this.changeRate = opts.changeRate ?? 0.01;
    this.retentionDays = opts.retentionDays ?? 7;
    this.startMs = Date.parse(`${opts.clockStart ?? new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    this.seed = opts.seed ?? 1;
  }

  /** Upsert through here, so the feed reports it. */
  set(key: string, record: R): void {
    if (!this.store.records.has(key)) this.sorted = null;
    this.store.records.set(key, record);
    this.changes.record(key, this.day);
  }

  delete(key: string): boolean {
    if (!this.store.records.delete(key)) return false;
    this.changes.record(key, this.day);
    return true;
  }

  private keys(): string[] {
    if (!this.sorted) this.sorted = [...this.store.records.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }

  /** Simulated days pass: on each, every key is changed with probability `changeRate` (deterministic per seed, day and key). */
  advance(days: number): { changed: number; deleted: number } {
    let changed = 0;
    let deleted = 0;
    for (let n = 0; n < days; n++) {
      this.day++;
      const dayMs = this.startMs + this.day * DAY_MS;
      for (const key of [...this.keys()]) {
        const record = this.store.records.get(key);
        if (record === undefined) continue;
        const rng = new Rng(hashString(`${this.seed >>> 0}|change|${this.day}|${key}`));
        if (rng.next() >= this.changeRate) continue;
        if (rng.next() < DELETE_SHARE) {
          this.delete(key);
          deleted++;
        } else {
          this.set(key, this.store.evolve(record, rng, dayMs));
          changed++;
        }
      }
      this.changes.purgeBefore(this.day - this.retentionDays);
    }
    return { changed, deleted };
  }

  clock() {
    return {
      day: this.day,
      date: new Date(this.startMs + this.day * DAY_MS).toISOString().slice(0, 10),
      changeRate: this.changeRate,
      retentionDays: this.retentionDays,
      cursor: this.changes.cursor(),
    };
  }

  /** `GET {prefix}/export` and `GET {prefix}/changes` (WIRE.md), behind the API's guard. */
  routes(app: FastifyInstance, prefix: string, guard?: Guard): void {
    app.get<{ Querystring: { after?: string; limit?: string } }>(`${prefix}/export`, async (req, reply) => {
      if (guard && !guard(req, reply)) return reply;
      const limit = parseLimit(req.query.limit);
      if (limit === null) return reply.code(400).send({ error: `limit must be a whole number 1–${BULK_MAX_LIMIT}`, code: "BAD_LIMIT" });
      const after = req.query.after;
      if (after !== undefined && (typeof after !== "string" || after === "")) return reply.code(400).send({ error: "after must be a record key", code: "BAD_AFTER" });
      const cursor = this.changes.cursor();
      const keys = this.keys();
      let i = after === undefined ? 0 : upperBound(keys, after);
      const records: unknown[] = [];
      let last: string | null = null;
      for (; i < keys.length && records.length < limit; i++) {
        const r = this.store.records.get(keys[i]);
        if (r === undefined) continue; // deleted since the keys were sorted
        records.push(this.store.serve(keys[i], r));
        last = keys[i];
      }
      // skip trailing deleted keys so `next` is null exactly when the export is complete
      while (i < keys.length && !this.store.records.has(keys[i])) i++;
      return { cursor, total: this.store.records.size, records, next: i < keys.length ? last : null };
    });

    app.get<{ Querystring: { cursor?: string; limit?: string } }>(`${prefix}/changes`, async (req, reply) => {
      if (guard && !guard(req, reply)) return reply;
      const limit = parseLimit(req.query.limit);
      if (limit === null) return reply.code(400).send({ error: `limit must be a whole number 1–${BULK_MAX_LIMIT}`, code: "BAD_LIMIT" });
      if (typeof req.query.cursor !== "string") return reply.code(400).send({ error: "cursor is required", code: "BAD_CURSOR" });
      const check = this.changes.check(req.query.cursor);
      if (!check.ok) return reply.code(check.expired ? 410 : 400).send({ error: check.reason, code: check.expired ? "CURSOR_EXPIRED" : "BAD_CURSOR" });
      const page = this.changes.since(check.seq, limit);
      const changes = page.keys.map((key) => {
        const r = this.store.records.get(key);
        return r === undefined ? { op: "delete", key } : { op: "upsert", key, record: this.store.serve(key, r) };
      });
      return { changes, cursor: this.changes.cursor(page.next), more: page.more };
    });
  }

  /** `GET|POST /__sandbox/clock`, `POST /__sandbox/feed/expire` (admin). */
  adminRoutes(app: FastifyInstance): void {
    app.get("/__sandbox/clock", async () => this.clock());
    app.post("/__sandbox/clock", async (req, reply) => {
      const body = (req.body ?? {}) as { advanceDays?: unknown; changeRate?: unknown };
      const unknown = Object.keys(body).filter((k) => k !== "advanceDays" && k !== "changeRate");
      if (unknown.length) return reply.code(400).send({ error: `unknown field(s): ${unknown.join(", ")}` });
      const days = body.advanceDays ?? 0;
      if (typeof days !== "number" || !Number.isInteger(days) || days < 0 || days > 366) return reply.code(400).send({ error: "advanceDays must be a whole number 0–366" });
      if (body.changeRate !== undefined) {
        if (typeof body.changeRate !== "number" || !(body.changeRate >= 0 && body.changeRate <= 1)) return reply.code(400).send({ error: "changeRate must be a number 0–1" });
        this.changeRate = body.changeRate;
      }
      return { ...this.advance(days), ...this.clock() };
    });
    app.post("/__sandbox/feed/expire", async () => ({ purged: this.changes.purgeAll(), cursor: this.changes.cursor() }));
  }
}

function parseLimit(v: unknown): number | null {
  if (v === undefined) return BULK_DEFAULT_LIMIT;
  if (typeof v !== "string" || !/^[1-9][0-9]{0,5}$/.test(v)) return null;
  const n = Number(v);
  return n <= BULK_MAX_LIMIT ? n : null;
}

/** Index of the first key > `after`. */
function upperBound(keys: string[], after: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
