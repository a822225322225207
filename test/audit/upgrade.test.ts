/**
 * An access log written before the keyed chain (unkeyed SHA-256 records, migrations up to the charity
 * one), then migration 20261206000000_audit_keyed_chain and the current writer: the old records keep
 * chain version 1 and still verify, the keyed records continue their chain, and the boundary between the
 * two cannot be moved either way.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureSchema, openDatabase, postgresTarget, type Database } from "../../src/db/database.js";
import { applyMigrations, defaultMigrationsDir, readMigrations } from "../../src/db/migrate.js";
import type { SqlExecutor } from "../../src/db/sql.js";
import { AuditWriter } from "../../src/audit/writer.js";
import { auditKeysFromSeed } from "../../src/audit/keys.js";
import { buildEntry, type AuditEntry } from "../../src/audit/record.js";
import { canonicalJson } from "../../src/audit/canonical.js";
import { verifyLog, type VerifyReport } from "../../src/audit/verify.js";

const KEYED_MIGRATION = "20261206000000_audit_keyed_chain";
const keys = auditKeysFromSeed(randomBytes(32).toString("hex"));
let db: Database;
let schema: string | null = null;
let oldDir: string;

const entry = (i: number): AuditEntry =>
  buildEntry({
    at: new Date(Date.UTC(2026, 10, 30, 8, 0, 0, i)),
    requestId: `old-${i}`,
    principal: { subject: `clerk-${i % 3}`, audience: "civil_affairs", jurisdiction: { kind: "districts", districts: ["500103"] }, purpose: null, charityId: null },
    operationType: "query",
    operationName: "One",
    documentHash: "d".repeat(64),
    variablesHash: "e".repeat(64),
    fields: { "Query.household": "read" },
    households: [`h-${i}`],
    persons: [],
    outcome: "OK",
    errorCodes: [],
    changes: null,
  });

/** The record as the code before the keyed chain hashed it: SHA-256(prev + "\n" + canonical JSON incl. seq). */
const legacyHash = (prev: string, seq: number, { classes: _none, ...e }: AuditEntry) => createHash("sha256").update(`${prev}\n${canonicalJson({ ...e, seq } as never)}`).digest("hex");

beforeAll(async () => {
  // the migrations as they were before the keyed chain
  oldDir = mkdtempSync(path.join(os.tmpdir(), "migrations-old-"));
  cpSync(defaultMigrationsDir(), oldDir, { recursive: true });
  // ... and every later one (e.g. the access classes of issue 12)
  const later = readMigrations().map((m) => m.name).filter((n) => n >= KEYED_MIGRATION);
  for (const name of later) rmSync(path.join(oldDir, name), { recursive: true });
  if (process.env.DATABASE_URL) {
    schema = `t_${randomBytes(6).toString("hex")}`;
    const base = postgresTarget(process.env.DATABASE_URL) as { url: string };
    const target = { kind: "postgres", url: base.url, schema } as const;
    await ensureSchema(target);
    db = await openDatabase(target);
  } else db = await openDatabase({ kind: "pglite", dataDir: null });
  await applyMigrations(db.sql, oldDir);

  // 20 records of the old, unkeyed chain, inserted as the old writer did (its columns, no chain_version)
  let prev = "0".repeat(64);
  for (let seq = 1; seq <= 20; seq++) {
    const e = entry(seq);
    const hash = legacyHash(prev, seq, e);
    await db.sql.query(
      `INSERT INTO audit_log (seq, at, request_id, subject, audience, jurisdiction, purpose, charity_id, operation_type, operation_name, document_hash,
        variables_hash, fields, household_ids, person_ids, outcome, error_codes, changes, prev_hash, hash)
       VALUES ($1::bigint, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15::jsonb, $16, $17::jsonb, NULL, $18, $19)`,
      [String(seq), e.at, e.requestId, e.subject, e.audience, e.jurisdiction, e.purpose, e.charityId, e.operationType, e.operationName, e.documentHash,
        e.variablesHash, JSON.stringify(e.fields), JSON.stringify(e.households), JSON.stringify(e.persons), e.outcome, JSON.stringify(e.errorCodes), prev, hash],
    );
    prev = hash;
  }
  expect(await applyMigrations(db.sql)).toEqual(later);
  const writer = new AuditWriter(db.sql, { keys });
  await Promise.all(Array.from({ length: 30 }, (_, i) => writer.append({ ...entry(100 + i), requestId: `new-${i}` })));
  await writer.close();
}, 120_000);

afterAll(async () => {
  await db?.close();
  if (schema && process.env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: (postgresTarget(process.env.DATABASE_URL) as { url: string }).url });
    await c.connect();
    await c.query(`DROP SCHEMA "${schema}" CASCADE`);
    await c.end();
  }
  rmSync(oldDir, { recursive: true, force: true });
});

class Rollback extends Error {}
async function tampered(statement: string): Promise<{ keyed: VerifyReport; publicOnly: VerifyReport }> {
  let out: { keyed: VerifyReport; publicOnly: VerifyReport } | undefined;
  await db.sql
    .transaction(async (tx: SqlExecutor) => {
      for (const t of ["audit_log", "audit_head"]) await tx.exec(`ALTER TABLE ${t} DISABLE TRIGGER ${t}_no_update_delete`);
      await tx.exec(statement);
      out = { keyed: await verifyLog(tx, keys, { chainKey: keys.chainKey }), publicOnly: await verifyLog(tx, keys) };
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return out!;
}

test("the migration keeps the old records as chain version 1; new records are keyed and continue their chain", async () => {
  expect(readMigrations().map((m) => m.name)).toContain(KEYED_MIGRATION);
  const rows = await db.sql.query<{ seq: string; chain_version: number; prev_hash: string; hash: string }>(
    `SELECT seq::text AS seq, chain_version, prev_hash, hash FROM audit_log ORDER BY audit_log.seq`,
  );
  expect(rows.map((r) => Number(r.chain_version))).toEqual([...Array(20).fill(1), ...Array(30).fill(2)]);
  expect(rows[20].prev_hash).toBe(rows[19].hash);
  const [first] = await db.sql.query<{ first_seq: string }>(`SELECT first_seq::text AS first_seq FROM audit_head ORDER BY seq LIMIT 1`);
  expect(Number(first.first_seq)).toBe(21);
  // the column has no default: a record must state its version
  const [column] = await db.sql.query<{ column_default: string | null }>(
    `SELECT column_default FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_log' AND column_name = 'chain_version'`,
  );
  expect(column.column_default).toBeNull();
});

test("the whole log verifies, with the audit key and with the public key", async () => {
  expect(await verifyLog(db.sql, keys, { chainKey: keys.chainKey })).toMatchObject({ ok: true, verified: 50, notRecomputed: 0 });
  expect(await verifyLog(db.sql, keys)).toMatchObject({ ok: true, verified: 50, notRecomputed: 30 });
});

test("an old record altered is a HASH_MISMATCH; re-hashed with the old formula, the first keyed record no longer links to it", async () => {
  const altered = await tampered(`UPDATE audit_log SET subject = 'someone-else' WHERE seq = 7`);
  expect(altered.publicOnly.firstBreak).toMatchObject({ position: 7, kind: "HASH_MISMATCH" });
  // re-hash record 20 after altering it: record 21 (keyed) still names the old hash
  const [r] = await db.sql.query<{ prev_hash: string }>(`SELECT prev_hash FROM audit_log WHERE seq = 20`);
  const e = { ...entry(20), subject: "someone-else" };
  const rehashed = await tampered(`UPDATE audit_log SET subject = 'someone-else', hash = '${legacyHash(r.prev_hash, 20, e)}' WHERE seq = 20`);
  expect(rehashed.keyed.firstBreak).toMatchObject({ position: 21, kind: "PREV_MISMATCH" });
  expect(rehashed.publicOnly.firstBreak).toMatchObject({ position: 21, kind: "PREV_MISMATCH" });
});

test("the boundary cannot move: an old record relabelled keyed, or a keyed one relabelled old", async () => {
  const up = await tampered(`UPDATE audit_log SET chain_version = 2 WHERE seq = 20`);
  expect(up.keyed.firstBreak).toMatchObject({ position: 20, kind: "HASH_MISMATCH" });
  expect(up.publicOnly.firstBreak).toMatchObject({ position: 20, kind: "HEAD_MISSING" });
  const down = await tampered(`UPDATE audit_log SET chain_version = 1 WHERE seq = 21`);
  expect(down.keyed.firstBreak).toMatchObject({ position: 21, kind: "HASH_MISMATCH" });
  expect(down.publicOnly.firstBreak).toMatchObject({ position: 21, kind: "HASH_MISMATCH" });
});
