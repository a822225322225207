/**
 * The head witness (issue 11, tamper-evident tail): the gateway copies every signed head to a file outside
 * the database; audit:verify requires the newest head it names for its own database. Cutting the log and
 * its heads off exactly at a commit boundary — consistent in itself, so invisible to the database alone —
 * is then reported as TRUNCATED.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { openTestDatabase } from "../helpers/database.js";
import type { Database } from "../../src/db/database.js";
import { configuredTarget } from "../../src/db/database.js";
import type { SqlExecutor } from "../../src/db/sql.js";
import { loadConfig } from "../../src/app/config.js";
import { AuditWriter } from "../../src/audit/writer.js";
import { auditKeysFromSeed } from "../../src/audit/keys.js";
import { buildEntry } from "../../src/audit/record.js";
import { HeadWitness, databaseIdentity, newestWitnessed } from "../../src/audit/witness.js";
import { main as verifyMain } from "../../src/audit/verify-cli.js";

const seedHex = randomBytes(32).toString("hex");
const keys = auditKeysFromSeed(seedHex);
const dir = mkdtempSync(path.join(os.tmpdir(), "witness-"));
const file = path.join(dir, "witness.ndjson");
const env = { DATA_DIR: dir, AUDIT_SIGNING_KEY: seedHex, AUDIT_WITNESS_FILE: file, NODE_ENV: "test" };
const identity = databaseIdentity(configuredTarget(loadConfig(env)));
let db: Database;

const entry = (i: number) =>
  buildEntry({
    at: new Date(Date.UTC(2026, 11, 6, 9, 0, 0, i)),
    requestId: `witness-${i}`,
    principal: { subject: "clerk", audience: "civil_affairs", jurisdiction: { kind: "city", city: "500000" }, purpose: null, charityId: null },
    operationType: "query",
    operationName: "One",
    documentHash: "d".repeat(64),
    variablesHash: "e".repeat(64),
    fields: { "Query.household": "read" },
    households: [],
    persons: [],
    outcome: "OK",
    errorCodes: [],
    changes: null,
  });

beforeAll(async () => {
  db = await openTestDatabase();
  const witness = new HeadWitness(file, identity, (err) => {
    throw err;
  });
  const writer = new AuditWriter(db.sql, { keys, onHead: (h) => witness.record(h) });
  for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append(entry(round * 20 + i + 1))));
  await writer.close();
  await witness.close();
}, 120_000);
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const storedHeads = async (tx: SqlExecutor = db.sql) =>
  (await tx.query<{ seq: string; first_seq: string; head_hash: string }>(`SELECT seq::text AS seq, first_seq::text AS first_seq, head_hash FROM audit_head ORDER BY seq`)).map((h) => ({
    seq: Number(h.seq),
    firstSeq: Number(h.first_seq),
    hash: h.head_hash,
  }));

async function run(args: string[], sql: SqlExecutor = db.sql): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t) };
  const code = await verifyMain(args, env, io, { db: { ...db, sql } as Database });
  return { code, out };
}

class Rollback extends Error {}
/** Cuts the log and its heads off after the second-newest head (a commit boundary), verifies, rolls back. */
async function cutAtBoundary(args: string[]) {
  let result: { code: number; out: string } | undefined;
  await db.sql
    .transaction(async (tx) => {
      const heads = await storedHeads(tx);
      const keep = heads[heads.length - 2];
      for (const t of ["audit_log", "audit_head"]) await tx.exec(`ALTER TABLE ${t} DISABLE TRIGGER ${t}_no_update_delete`);
      await tx.query(`DELETE FROM audit_log WHERE seq > $1::bigint`, [String(keep.seq)]);
      await tx.query(`DELETE FROM audit_head WHERE seq > $1::bigint`, [String(keep.seq)]);
      result = await run(args, tx);
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return result!;
}

describe("the head witness file", () => {
  test("holds one line per signed head, for this database, in commit order; the newest is the log's head", async () => {
    const heads = await storedHeads();
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.hash])).toEqual(heads.map((h) => [h.seq, h.hash]));
    expect(new Set(lines.map((l) => l.db))).toEqual(new Set([identity]));
    const [{ max }] = await db.sql.query<{ max: string }>(`SELECT max(seq)::text AS max FROM audit_log`);
    expect(newestWitnessed(file, identity)).toEqual({ seq: Number(max), hash: heads[heads.length - 1].hash });
  });

  test("lines of another database and a torn last line are ignored", () => {
    const other = path.join(dir, "mixed.ndjson");
    writeFileSync(other, readFileSync(file));
    appendFileSync(other, `${JSON.stringify({ db: "postgres:elsewhere:5432/x#y", seq: 999_999, hash: "a".repeat(64) })}\n{"db":"${identity}","seq":99`);
    expect(newestWitnessed(other, identity)?.seq).toBe(newestWitnessed(file, identity)?.seq);
    expect(newestWitnessed(path.join(dir, "absent.ndjson"), identity)).toBeNull();
  });

  test("audit:verify uses the configured witness: the intact log verifies", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audit log intact: 60 record\(s\).*1 head\(s\) seen outside the database found/);
  });

  test("cut off at a commit boundary with its heads: BROKEN (TRUNCATED) with the witness, intact without it", async () => {
    const heads = await storedHeads();
    const withWitness = await cutAtBoundary([]);
    expect(withWitness.code).toBe(1);
    expect(withWitness.out).toContain(`BROKEN at record ${heads[heads.length - 2].seq + 1} (TRUNCATED)`);
    const without = await cutAtBoundary(["--no-witness"]);
    expect(without.code).toBe(0); // the limit the database alone has (README, Reliability)
  });
});
