/** The writer against a real database: group commit, two writers (as two gateway processes) on one chain, checkpoints by count and time. */
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { openTestDatabase } from "../helpers/database.js";
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

test("two writers appending concurrently (as two gateway processes would) keep one linear, gap-free chain", async () => {
  const a = new AuditWriter(db.sql, { keys });
  const b = new AuditWriter(db.sql, { keys });
  const results = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).append(entry(`two-${i}`))));
  await Promise.all([a.close(), b.close()]);
  const seqs = results.map((r) => r.seq).sort((x, y) => x - y);
  expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  const stored = await readRecords(db.sql, 0, 1000);
  expect(stored.map((r) => r.requestId).sort()).toEqual(results.map((r) => r.requestId).sort());
  expect(await verifyLog(db.sql, verifyKeyFromPublicHex(keys.publicHex))).toMatchObject({ ok: true, verified: 120 });
});

test("checkpoints are written every N records and every T seconds when the head moved, each signed over the head", async () => {
  const before = (await readCheckpoints(db.sql)).length;
  const w = new AuditWriter(db.sql, { keys, checkpointEvery: 25, checkpointSeconds: 1 });
  for (let i = 0; i < 60; i++) await w.append(entry(`cp-${i}`));
  await sleep(50);
  const byCount = (await readCheckpoints(db.sql)).slice(before);
  expect(byCount.length).toBeGreaterThanOrEqual(2); // at least at 25 and 50 records since the writer started
  const last = await w.append(entry("cp-last"));
  await sleep(1500); // the timer sees the head moved
  const all = await readCheckpoints(db.sql);
  expect(all[all.length - 1].seq).toBe(last.seq);
  expect(all[all.length - 1].headHash).toBe(last.hash);
  await w.close();
  const report = await verifyLog(db.sql, verifyKeyFromPublicHex(keys.publicHex), { fromCheckpoint: true });
  expect(report).toMatchObject({ ok: true, from: last.seq, verified: 0 });
});
