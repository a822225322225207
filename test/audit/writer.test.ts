/**
 * The writer against a real database: group commit (concurrent appends share one transaction — as the database
 * itself records it, txid_current() copied by a trigger — and one
 * signed head), two writers (as two gateway processes) on one chain, checkpoints by count and time. No fixed
 * sleeps: what happens asynchronously (a checkpoint) is polled for, bounded by the test's timeout.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { openTestDatabase } from "../helpers/database.js";
import { until } from "../sandboxes/helpers.js";
import type { Database } from "../../src/db/database.js";
import { AuditWriter } from "../../src/audit/writer.js";
import { auditKeysFromSeed, verifyKeyFromPublicHex } from "../../src/audit/keys.js";
import { buildEntry } from "../../src/audit/record.js";
import { readCheckpoints, readRecords } from "../../src/audit/store.js";
import { verifyLog } from "../../src/audit/verify.js";

let db: Database;
const keys = auditKeysFromSeed(randomBytes(32).toString("hex"));
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db?.close());

const entry = (requestId: string) =>
  buildEntry({
    at: new Date(),
    requestId,
    principal: { subject: "s", audience: "auditor", jurisdiction: { kind: "city", city: "500000" }, purpose: "p", charityId: null },
    operationType: "query",
    operationName: null,
    documentHash: "a".repeat(64),
    variablesHash: "b".repeat(64),
    fields: { "Query.households": "read" },
    households: [],
    persons: [],
    outcome: "OK",
    errorCodes: [],
    changes: null,
  });

test("concurrent appends are group-committed: the database records one transaction for n − 1 of them, one signed head per transaction", async () => {
  // The database's own record of which transaction inserted each row: a trigger in this test's schema copies
  // txid_current() of every audit_log and audit_head insert into a side table. If each append committed alone,
  // there would be n transactions here, not 2.
  await db.sql.query(`CREATE TABLE gc_probe (tbl text NOT NULL, seq bigint NOT NULL, tx bigint NOT NULL)`);
  await db.sql.query(`CREATE FUNCTION gc_probe_record() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO gc_probe VALUES (TG_TABLE_NAME, NEW.seq, txid_current()); RETURN NEW; END $$`);
  await db.sql.query(`CREATE TRIGGER gc_probe_log AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION gc_probe_record()`);
  await db.sql.query(`CREATE TRIGGER gc_probe_head AFTER INSERT ON audit_head FOR EACH ROW EXECUTE FUNCTION gc_probe_record()`);
  const n = 60;
  const heads: { seq: number; firstSeq: number }[] = [];
  const w = new AuditWriter(db.sql, { keys, onHead: (h) => heads.push({ seq: h.seq, firstSeq: h.firstSeq }) });
  // All n appends are handed over in one synchronous run: the first starts a flush on its own, the other n − 1
  // queue behind that transaction and go together in the next — whatever the machine's speed, since nothing
  // of the flush can run before this loop has returned.
  const results = await Promise.all(Array.from({ length: n }, (_, i) => w.append(entry(`gc-${i}`))));
  await w.close();
  await db.sql.query(`DROP TRIGGER gc_probe_log ON audit_log`);
  await db.sql.query(`DROP TRIGGER gc_probe_head ON audit_head`);
  const probe = await db.sql.query<{ tbl: string; seq: string; tx: string }>(`SELECT tbl, seq::text AS seq, tx::text AS tx FROM gc_probe ORDER BY tbl, seq`);
  const records = probe.filter((r) => r.tbl === "audit_log");
  expect(records.map((r) => Number(r.seq)).sort((x, y) => x - y)).toEqual(results.map((r) => r.seq).sort((x, y) => x - y));
  const byTx = new Map<string, number[]>();
  for (const r of records) byTx.set(r.tx, [...(byTx.get(r.tx) ?? []), Number(r.seq)]);
  // exactly two transactions: the first append alone, the other n − 1 together
  expect([...byTx.values()].map((seqs) => seqs.length).sort((x, y) => x - y)).toEqual([1, n - 1]);
  // one signed head per transaction, inserted by that transaction and covering exactly its records
  const headRows = probe.filter((r) => r.tbl === "audit_head");
  expect(headRows.map((h) => h.tx).sort()).toEqual([...byTx.keys()].sort());
  const stored = await db.sql.query<{ seq: string; first_seq: string }>(
    `SELECT seq::text AS seq, first_seq::text AS first_seq FROM audit_head WHERE seq >= $1::bigint ORDER BY audit_head.seq`,
    [String(Math.min(...results.map((r) => r.seq)))],
  );
  expect(stored.map((h) => ({ seq: Number(h.seq), firstSeq: Number(h.first_seq) }))).toEqual(heads);
  for (const h of headRows) {
    const seqs = byTx.get(h.tx)!;
    const head = stored.find((x) => x.seq === h.seq)!;
    expect([Math.min(...seqs), Math.max(...seqs)], `head ${h.seq} committed with its records`).toEqual([Number(head.first_seq), Number(head.seq)]);
  }
  expect(await verifyLog(db.sql, keys, { chainKey: keys.chainKey })).toMatchObject({ ok: true, heads: stored.length, notRecomputed: 0 });
});

test("two writers appending concurrently (as two gateway processes would) keep one linear, gap-free chain", async () => {
  const a = new AuditWriter(db.sql, { keys });
  const b = new AuditWriter(db.sql, { keys });
  const results = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).append(entry(`two-${i}`))));
  await Promise.all([a.close(), b.close()]);
  const seqs = results.map((r) => r.seq).sort((x, y) => x - y);
  const first = seqs[0];
  expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => first + i));
  const stored = await readRecords(db.sql, 0, 1000);
  expect(stored.filter((r) => r.requestId.startsWith("two-")).map((r) => r.requestId).sort()).toEqual(results.map((r) => r.requestId).sort());
  expect(await verifyLog(db.sql, verifyKeyFromPublicHex(keys.publicHex))).toMatchObject({ ok: true, verified: first + 119 });
  expect(await verifyLog(db.sql, keys, { chainKey: keys.chainKey })).toMatchObject({ ok: true, verified: first + 119, notRecomputed: 0 });
});

test("a group commit chained to the head its writer last left: on PostgreSQL one round trip while that is still the head; after another writer appended, nothing chained to the stale head is stored and the writer chains again from the head it reads", async () => {
  // The executor's own calls are the oracle for round trips: a prepared call (the append function: lock, head, inserts,
  // one transaction) is one, transactionWith (lock and head read, then insert and commit) two.
  const calls = { script: 0, readHead: 0 };
  const counted = {
    ...db.sql,
    ...(db.sql.prepared && { prepared: <T>(text: string, params?: unknown[]) => (calls.script++, db.sql.prepared!<T>(text, params)) }),
    ...(db.sql.transactionWith && {
      transactionWith: <T>(first: string, fn: Parameters<NonNullable<typeof db.sql.transactionWith>>[1]) => (calls.readHead++, db.sql.transactionWith!(first, fn) as Promise<T>),
    }),
  };
  const postgres = db.sql.kind === "postgres";
  const a = new AuditWriter(counted, { keys });
  const b = new AuditWriter(db.sql, { keys });
  const a1 = await a.append(entry("known-a1")); // nothing known yet: the head is read
  const a2 = await a.append(entry("known-a2"));
  const a3 = await a.append(entry("known-a3"));
  expect(calls).toEqual(postgres ? { script: 2, readHead: 1 } : { script: 0, readHead: 3 });
  const b1 = await b.append(entry("known-b1")); // the head moves past what `a` last left
  const a4 = await a.append(entry("known-a4"));
  const a5 = await a.append(entry("known-a5"));
  expect(calls).toEqual(postgres ? { script: 4, readHead: 2 } : { script: 0, readHead: 5 });
  await Promise.all([a.close(), b.close()]);
  const ours = [a1, a2, a3, b1, a4, a5];
  expect(ours.map((r) => r.seq)).toEqual(ours.map((_, i) => a1.seq + i));
  // as stored: one row per append (the attempt chained to a3 left nothing), each linked to the one before
  const stored = (await readRecords(db.sql, a1.seq - 1, 100)).filter((r) => r.requestId.startsWith("known-"));
  expect(stored.map((r) => [r.seq, r.requestId])).toEqual(ours.map((r) => [r.seq, r.requestId]));
  for (let i = 1; i < stored.length; i++) expect(stored[i].prevHash, stored[i].requestId).toBe(stored[i - 1].hash);
  expect(await verifyLog(db.sql, keys, { chainKey: keys.chainKey })).toMatchObject({ ok: true, verified: a5.seq, notRecomputed: 0 });
});

test("checkpoints are written every T seconds when the head moved, and every N records, each signed over the head", async () => {
  // by time: a writer with a 1 s timer and no count, alone on the chain — only its timer can write a
  // checkpoint of this record; waited for by polling (a slow machine only makes it wait longer)
  const timed = new AuditWriter(db.sql, { keys, checkpointSeconds: 1 });
  const last = await timed.append(entry("cp-timer"));
  await until(async () => (await readCheckpoints(db.sql)).some((c) => c.seq === last.seq));
  await timed.close();
  const byTime = (await readCheckpoints(db.sql)).filter((c) => c.seq === last.seq);
  expect(byTime.length).toBeGreaterThanOrEqual(1);
  for (const c of byTime) expect(c.headHash).toBe(last.hash);

  // by count: no timer; 60 records one after another, a checkpoint claimed every 25 (written asynchronously)
  const before = (await readCheckpoints(db.sql)).length;
  const w = new AuditWriter(db.sql, { keys, checkpointEvery: 25 });
  const appended = new Map<number, string>();
  for (let i = 0; i < 60; i++) {
    const r = await w.append(entry(`cp-${i}`));
    appended.set(r.seq, r.hash);
  }
  await until(async () => (await readCheckpoints(db.sql)).length - before >= 2); // at least 2 of every 25 in 60
  const byCount = (await readCheckpoints(db.sql)).slice(before);
  for (const c of byCount) expect(appended.get(c.seq), `checkpoint at ${c.seq} signed over that head`).toBe(c.headHash);
  const final = await w.checkpoint(); // on demand
  await w.close();
  expect(final).toMatchObject({ seq: Math.max(...appended.keys()), headHash: appended.get(Math.max(...appended.keys())) });
  const report = await verifyLog(db.sql, verifyKeyFromPublicHex(keys.publicHex), { fromCheckpoint: true });
  expect(report).toMatchObject({ ok: true, from: final!.seq, verified: 0 });
});

test("a group commit stores every value as given — quotes, backslashes, newlines, CJK, JSON escapes — (PostgreSQL: inlined as literals in the round trip that commits, or as the append function's JSON parameters) and the chain verifies", async () => {
  const tricky = `O'Brien \\ "quoted" \\' ; COMMIT; --\n第二行 \u00e9 \\u0000-as-text $1 $$`;
  const e = {
    ...entry(`tricky-'\\-1`),
    subject: tricky,
    purpose: null,
    operationName: `op'${tricky}`,
    fields: { [`Query.x'${tricky}`]: "read" as const },
    households: [tricky, "h2"],
    changes: [{ path: `x'${tricky}`, before: tricky, after: 15 }, { path: "y", before: null, after: true }],
  };
  const w = new AuditWriter(db.sql, { keys });
  const [r1, r2] = await Promise.all([w.append(e), w.append({ ...e, requestId: "tricky-second", purpose: "p'2" })]);
  // the writer now knows the head: on PostgreSQL this one goes through the append function (values as JSON parameters)
  const r3 = await w.append({ ...e, requestId: "tricky-third", classes: [`c'${tricky}`] });
  await w.close();
  const stored = await readRecords(db.sql, r1.seq - 1, 3);
  // the oracle: what was handed to the writer (not what it wrote)
  expect(stored.map((r) => [r.requestId, r.subject, r.purpose, r.operationName, r.fields, r.households, r.changes])).toEqual([
    [`tricky-'\\-1`, tricky, null, `op'${tricky}`, { [`Query.x'${tricky}`]: "read" }, [tricky, "h2"], e.changes],
    ["tricky-second", tricky, "p'2", `op'${tricky}`, { [`Query.x'${tricky}`]: "read" }, [tricky, "h2"], e.changes],
    ["tricky-third", tricky, null, `op'${tricky}`, { [`Query.x'${tricky}`]: "read" }, [tricky, "h2"], e.changes],
  ]);
  expect(stored[2].classes).toEqual([`c'${tricky}`]);
  expect(stored.map((r) => r.seq)).toEqual([r1.seq, r2.seq, r3.seq]);
  expect(await verifyLog(db.sql, keys, { chainKey: keys.chainKey })).toMatchObject({ ok: true, notRecomputed: 0 });
});
