/**
 * `npm run audit:verify` as a real process against a real database (a PGlite directory, or a schema on
 * the PostgreSQL server when DATABASE_URL is set): intact → exit 0; a record altered directly in the
 * database (its guard disabled, as the owner or a superuser could) or deleted → exit 1 naming the position.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDatabase, postgresTarget, type Database, type DatabaseTarget } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import { AuditWriter } from "../../src/audit/writer.js";
import { auditKeysFromSeed } from "../../src/audit/keys.js";
import { buildEntry } from "../../src/audit/record.js";
import { compileCli, runCli } from "../helpers/cli.js";

const SEED = randomBytes(32).toString("hex");
const keys = auditKeysFromSeed(SEED);

let dir: string;
let cliJs: string;
let target: DatabaseTarget;
let cliEnv: Record<string, string>;
let schema: string | null = null;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "safetynet-audit-verify-"));
  cliJs = await compileCli(dir, "src/audit/verify-cli.ts");

  const dataDir = path.join(dir, "data");
  cliEnv = { PATH: process.env.PATH ?? "", NODE_ENV: "development", DATA_DIR: dataDir, AUDIT_SIGNING_KEY: SEED };
  if (process.env.DATABASE_URL) {
    schema = `t_${randomBytes(6).toString("hex")}`;
    const base = postgresTarget(process.env.DATABASE_URL) as { url: string };
    const admin = new pg.Client({ connectionString: base.url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    target = { kind: "postgres", url: base.url, schema };
    const url = new URL(base.url);
    url.searchParams.set("schema", schema);
    cliEnv.DATABASE_URL = url.toString();
  } else target = { kind: "pglite", dataDir: path.join(dataDir, "pglite") };

  const db = await openDatabase(target);
  try {
    await applyMigrations(db.sql);
    const writer = new AuditWriter(db.sql, { keys });
    const entry = (i: number) =>
      buildEntry({
        at: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, i)),
        requestId: `verify-${i}`,
        principal: { subject: `clerk-${i % 4}`, audience: "civil_affairs", jurisdiction: { kind: "districts", districts: ["500103"] }, purpose: null, charityId: null },
        operationType: "query",
        operationName: "One",
        documentHash: "d".repeat(64),
        variablesHash: "e".repeat(64),
        fields: { "Query.household": "read", "Person.idNumber": i % 2 ? "read" : "masked" },
        households: [`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`],
        persons: [],
        outcome: "OK",
        errorCodes: [],
        changes: i % 5 === 0 ? [{ path: "household.status", before: "ACTIVE", after: "MONITORED" }] : null,
      });
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.append(entry(i + 1))));
    await writer.checkpoint(); // signed at record 10
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append(entry(i + 11))));
    await writer.close();
  } finally {
    await db.close();
  }
}, 180_000);

afterAll(async () => {
  if (schema && process.env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: (postgresTarget(process.env.DATABASE_URL) as { url: string }).url });
    await c.connect();
    await c.query(`DROP SCHEMA "${schema}" CASCADE`);
    await c.end();
  }
  await rm(dir, { recursive: true, force: true });
});

function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(cliJs, args, { env: cliEnv, cwd: dir });
}

/** Runs SQL as the table's owner would, with the append-only guard disabled for the statement. */
async function tamper(statement: string): Promise<void> {
  const db: Database = await openDatabase(target);
  try {
    await db.sql.transaction(async (tx) => {
      await tx.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`);
      await tx.exec(statement);
      await tx.exec(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`);
    });
  } finally {
    await db.close();
  }
}

test("an intact log verifies from genesis and from the last checkpoint (exit 0)", async () => {
  const full = await verify();
  expect(full.code).toBe(0);
  expect(full.stdout).toMatch(/intact: 30 record\(s\) re-hashed from genesis, head 30 [0-9a-f]{64}, 1 signed checkpoint\(s\), [1-9][0-9]* signed head\(s\) checked/);
  const fromCheckpoint = await verify("--from-checkpoint");
  expect(fromCheckpoint.code).toBe(0);
  expect(fromCheckpoint.stdout).toMatch(/intact: 20 record\(s\) re-hashed from the checkpoint at record 10/);
});

async function lastHead(): Promise<{ seq: number; hash: string; heads: number }> {
  const db = await openDatabase(target);
  try {
    const rows = await db.sql.query<{ seq: string; head_hash: string }>(`SELECT seq::text AS seq, head_hash FROM audit_head ORDER BY audit_head.seq`);
    return { seq: Number(rows[rows.length - 1].seq), hash: rows[rows.length - 1].head_hash, heads: rows.length };
  } finally {
    await db.close();
  }
}

test("with only the public key: intact as far as it can tell, and it says the HMACs were not re-computed", async () => {
  const { heads } = await lastHead();
  const r = await verify("--public-key", keys.publicHex);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("intact as far as the public key can tell: 30 record(s) linked from genesis");
  expect(r.stdout).toContain(`${heads} signed head(s) checked`);
  expect(r.stdout).toContain("the HMACs of 30 keyed record(s) were not re-computed");
  const json = JSON.parse((await verify("--public-key", keys.publicHex, "--json")).stdout);
  expect(json).toMatchObject({ ok: true, keyed: false, notRecomputed: 30, heads });
  expect(JSON.parse((await verify("--json")).stdout)).toMatchObject({ ok: true, keyed: true, notRecomputed: 0, heads });
});

test("--expect-head: a head kept outside the database must still be in the log (a later one: TRUNCATED); malformed: exit 2", async () => {
  const head = await lastHead();
  expect(head.seq).toBe(30);
  const found = await verify("--expect-head", `${head.seq}:${head.hash}`);
  expect(found.code).toBe(0);
  expect(found.stdout).toContain("1 head(s) seen outside the database found");
  const cut = await verify("--expect-head", `${head.seq}:${head.hash}`, "--expect-head", `31:${"a".repeat(64)}`);
  expect(cut.code).toBe(1);
  expect(cut.stdout).toContain("BROKEN at record 31 (TRUNCATED)");
  const other = await verify("--public-key", keys.publicHex, "--expect-head", `30:${"b".repeat(64)}`);
  expect(other.code).toBe(1);
  expect(other.stdout).toContain("BROKEN at record 30 (HEAD_MISMATCH)");
  expect((await verify("--expect-head", "30")).code).toBe(2);
  expect((await verify("--expect-head", `30:${"B".repeat(63)}`)).code).toBe(2);
});

test("a record altered in the database is pinpointed (exit 1, its position); restoring it makes the log verify again", async () => {
  const original = await (async () => {
    const db = await openDatabase(target);
    try {
      return (await db.sql.query<{ subject: string }>(`SELECT subject FROM audit_log WHERE seq = 17`))[0].subject;
    } finally {
      await db.close();
    }
  })();
  await tamper(`UPDATE audit_log SET subject = 'someone-else' WHERE seq = 17`);
  const r = await verify();
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("BROKEN at record 17 (HASH_MISMATCH)");
  const json = JSON.parse((await verify("--json", "--from-checkpoint")).stdout);
  expect(json).toMatchObject({ ok: false, from: 10, firstBreak: { position: 17, kind: "HASH_MISMATCH" } });

  await tamper(`UPDATE audit_log SET subject = '${original}' WHERE seq = 17`);
  expect((await verify()).code).toBe(0);
});

test("a record whose stored hash was replaced is pinpointed; a deleted record is a gap at its position", async () => {
  await tamper(`UPDATE audit_log SET hash = repeat('f', 64) WHERE seq = 29`);
  const relinked = await verify();
  expect(relinked.code).toBe(1);
  expect(relinked.stdout).toContain("BROKEN at record 29 (HASH_MISMATCH)");

  await tamper(`DELETE FROM audit_log WHERE seq = 23`);
  const r = await verify();
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("BROKEN at record 23 (GAP)");
});

test("checkpoints must carry the configured key's signature", async () => {
  const other = auditKeysFromSeed(randomBytes(32).toString("hex"));
  const r = await verify("--public-key", other.publicHex);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("BROKEN at record 10 (CHECKPOINT_SIGNATURE)");
  expect((await verify("--bogus")).code).toBe(2);
});
