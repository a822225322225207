/**
 * The tamper-evident tail (issue 11): 300 records through the real writer (three rounds of 100 concurrent
 * appends, a checkpoint after the first), then the newest records rewritten, re-chained or cut off directly
 * in the database with the append-only guards disabled (as the tables' owner or a superuser could), inside
 * a transaction that is rolled back after `verifyLog` ran on it — so every case starts from the same log.
 * Each case is verified with the audit key (HMACs re-computed) and with the public key alone.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { openTestDatabase } from "../helpers/database.js";
import type { Database } from "../../src/db/database.js";
import type { SqlExecutor } from "../../src/db/sql.js";
import { AuditWriter } from "../../src/audit/writer.js";
import { auditKeysFromSeed, verifyKeyFromPublicHex } from "../../src/audit/keys.js";
import { buildEntry } from "../../src/audit/record.js";
import { canonicalJson } from "../../src/audit/canonical.js";
import { headPayload, readRecords } from "../../src/audit/store.js";
import { verifyLog, type VerifyOptions, type VerifyReport } from "../../src/audit/verify.js";

let db: Database;
const keys = auditKeysFromSeed(randomBytes(32).toString("hex"));
const publicKey = verifyKeyFromPublicHex(keys.publicHex);
/** what the writer handed to its witness (as the log stream would keep it) */
const witnessed: { seq: number; headHash: string }[] = [];

const entry = (i: number) =>
  buildEntry({
    at: new Date(Date.UTC(2026, 11, 6, 8, 0, 0, i)),
    requestId: `tail-${i}`,
    principal: { subject: `clerk-${i % 7}`, audience: "civil_affairs", jurisdiction: { kind: "districts", districts: ["500103"] }, purpose: null, charityId: null },
    operationType: i % 10 === 0 ? "mutation" : "query",
    operationName: "One",
    documentHash: "d".repeat(64),
    variablesHash: "e".repeat(64),
    fields: { "Query.household": "read", "Person.idNumber": i % 2 ? "read" : "masked" },
    households: [`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`],
    persons: [],
    outcome: "OK",
    errorCodes: [],
    changes: i % 10 === 0 ? [{ path: "household.status", before: "ACTIVE", after: "MONITORED" }] : null,
  });

beforeAll(async () => {
  db = await openTestDatabase();
  const writer = new AuditWriter(db.sql, { keys, onHead: (h) => witnessed.push({ seq: h.seq, headHash: h.headHash }) });
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.append(entry(round * 100 + i + 1))));
    if (round === 0) await writer.checkpoint(); // signed at record 100
  }
  await writer.close();
}, 120_000);
afterAll(async () => db?.close());

class Rollback extends Error {}

/** Runs `tamper` with the guards of audit_log and audit_head disabled, verifies inside the same transaction, rolls back. */
async function tampered(
  tamper: (tx: SqlExecutor) => Promise<void>,
  options: VerifyOptions = {},
  disableGuards = true,
): Promise<{ keyed: VerifyReport; publicOnly: VerifyReport }> {
  let out: { keyed: VerifyReport; publicOnly: VerifyReport } | undefined;
  await db.sql
    .transaction(async (tx) => {
      if (disableGuards) for (const t of ["audit_log", "audit_head"]) await tx.exec(`ALTER TABLE ${t} DISABLE TRIGGER ${t}_no_update_delete`);
      await tamper(tx);
      out = {
        keyed: await verifyLog(tx, publicKey, { ...options, chainKey: keys.chainKey, pageSize: 64 }),
        publicOnly: await verifyLog(tx, publicKey, { ...options, pageSize: 64 }),
      };
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return out!;
}

/** The canonical body of a stored record, as the test computes it (the hash input besides prev_hash). */
function body(r: Awaited<ReturnType<typeof readRecords>>[number]): string {
  const { seq, prevHash, hash, chainVersion, ...rest } = r;
  void prevHash, hash, chainVersion;
  return canonicalJson({ ...(rest as unknown as Record<string, never>), seq });
}

/** Alters records after `after` and re-computes their chain with `hash` (and optionally another chain version). */
async function rechain(tx: SqlExecutor, after: number, hash: (prev: string, body: string) => string, version?: number) {
  const [prevRecord] = await readRecords(tx, after - 1, 1);
  let prev = prevRecord.hash;
  for (const r of await readRecords(tx, after, 1000)) {
    const altered = { ...r, subject: "someone-else" };
    const h = hash(prev, body(altered));
    await tx.query(`UPDATE audit_log SET subject = $1, prev_hash = $2, hash = $3, chain_version = $4 WHERE seq = $5::bigint`, [
      altered.subject,
      prev,
      h,
      version ?? r.chainVersion,
      String(r.seq),
    ]);
    prev = h;
  }
}
const sha256 = (prev: string, b: string) => createHash("sha256").update(`${prev}\n${b}`).digest("hex");
const hmacWith = (key: Uint8Array) => (prev: string, b: string) => createHmac("sha256", key).update(`${prev}\n${b}`).digest("hex");

const heads = async (tx: SqlExecutor = db.sql) =>
  (await tx.query<{ seq: string; first_seq: string; head_hash: string }>(`SELECT seq::text AS seq, first_seq::text AS first_seq, head_hash FROM audit_head ORDER BY audit_head.seq`)).map(
    (h) => ({ seq: Number(h.seq), firstSeq: Number(h.first_seq), hash: h.head_hash }),
  );

describe("the untouched log", () => {
  test("verifies with the audit key (every HMAC re-computed) and with the public key (linkage, signatures, head content)", async () => {
    const stored = await heads();
    expect(stored.map((h) => h.seq)).toContain(100);
    expect(stored.map((h) => h.seq)).toContain(200);
    expect(stored[stored.length - 1].seq).toBe(300);
    const full = await verifyLog(db.sql, keys, { chainKey: keys.chainKey });
    expect(full).toMatchObject({ ok: true, verified: 300, heads: stored.length, keyed: true, notRecomputed: 0, checkpoints: 1, head: { seq: 300 } });
    const pub = await verifyLog(db.sql, publicKey);
    expect(pub).toMatchObject({ ok: true, verified: 300, heads: stored.length, keyed: false, notRecomputed: 300 });
  });

  test("the records are keyed (version 2) and each commit's head is what the witness received", async () => {
    const versions = await db.sql.query<{ chain_version: number; n: string }>(`SELECT chain_version, count(*)::text AS n FROM audit_log GROUP BY chain_version`);
    expect(versions.map((v) => [Number(v.chain_version), Number(v.n)])).toEqual([[2, 300]]);
    expect(witnessed.map((w) => ({ seq: w.seq, hash: w.headHash }))).toEqual((await heads()).map(({ seq, hash }) => ({ seq, hash })));
  });

  test("--from-checkpoint starts at the signed checkpoint and checks the heads after it", async () => {
    const stored = await heads();
    const r = await verifyLog(db.sql, publicKey, { fromCheckpoint: true, chainKey: keys.chainKey });
    expect(r).toMatchObject({ ok: true, from: 100, verified: 200, heads: stored.filter((h) => h.seq > 100).length });
  });

  test("heads seen outside the database are found", async () => {
    const r = await verifyLog(db.sql, publicKey, { expectHeads: witnessed.map((w) => ({ seq: w.seq, hash: w.headHash })) });
    expect(r).toMatchObject({ ok: true, witnesses: witnessed.length });
  });

  test("another public key: the checkpoint's, then (from genesis, no trusted checkpoint) the first head's signature is refused", async () => {
    const other = verifyKeyFromPublicHex(auditKeysFromSeed(randomBytes(32).toString("hex")).publicHex);
    expect((await verifyLog(db.sql, other)).firstBreak).toMatchObject({ position: 100, kind: "CHECKPOINT_SIGNATURE" });
    const first = (await heads())[0];
    expect((await verifyLog(db.sql, other, { fromCheckpoint: true })).firstBreak).toMatchObject({ position: first.seq, kind: "HEAD_SIGNATURE" });
  });
});

describe("(a) the last 100 records altered and re-chained", () => {
  test("with the unkeyed formula: HASH_MISMATCH at 201 with the key; the signed head refuses it with the public key", async () => {
    const r = await tampered((tx) => rechain(tx, 200, sha256));
    expect(r.keyed.firstBreak).toMatchObject({ position: 201, kind: "HASH_MISMATCH" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "HEAD_MISMATCH" });
  });

  test("with the unkeyed formula and relabelled as the old chain version: a downgrade (CHAIN_VERSION) either way", async () => {
    const r = await tampered((tx) => rechain(tx, 200, sha256, 1));
    expect(r.keyed.firstBreak).toMatchObject({ position: 201, kind: "CHAIN_VERSION" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "CHAIN_VERSION" });
  });

  test("with a wrong key: HASH_MISMATCH at 201 with the key, HEAD_MISMATCH with the public key", async () => {
    const r = await tampered((tx) => rechain(tx, 200, hmacWith(randomBytes(32))));
    expect(r.keyed.firstBreak).toMatchObject({ position: 201, kind: "HASH_MISMATCH" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "HEAD_MISMATCH" });
  });

  test("even with the chain key itself (but not the signing key): the signed heads refuse it", async () => {
    const r = await tampered((tx) => rechain(tx, 200, hmacWith(keys.chainKey)));
    expect(r.keyed.firstBreak).toMatchObject({ position: 201, kind: "HEAD_MISMATCH" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "HEAD_MISMATCH" });
  });

  test("content altered with the stored hashes kept: HASH_MISMATCH with the key, HEAD_MISMATCH (content digest) with the public key", async () => {
    const r = await tampered(async (tx) => void (await tx.query(`UPDATE audit_log SET subject = 'someone-else' WHERE seq = 250`)));
    expect(r.keyed.firstBreak).toMatchObject({ position: 250, kind: "HASH_MISMATCH" });
    const covering = (await heads()).find((h) => h.firstSeq <= 250 && h.seq >= 250)!;
    expect(r.publicOnly.firstBreak).toMatchObject({ position: covering.firstSeq, kind: "HEAD_MISMATCH" });
  });

  test("from the checkpoint too", async () => {
    const r = await tampered((tx) => rechain(tx, 200, sha256), { fromCheckpoint: true });
    expect(r.keyed).toMatchObject({ ok: false, from: 100, firstBreak: { position: 201, kind: "HASH_MISMATCH" } });
    expect(r.publicOnly).toMatchObject({ ok: false, from: 100, firstBreak: { position: 201, kind: "HEAD_MISMATCH" } });
  });
});

describe("(b) the last 100 records deleted", () => {
  test("the signed heads after them remain: TRUNCATED at 201, from genesis and from the checkpoint", async () => {
    for (const fromCheckpoint of [false, true]) {
      const r = await tampered(async (tx) => void (await tx.query(`DELETE FROM audit_log WHERE seq > 200`)), { fromCheckpoint });
      expect(r.keyed.firstBreak).toMatchObject({ position: 201, kind: "TRUNCATED" });
      expect(r.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "TRUNCATED" });
    }
  });
});

describe("(c) the last records deleted together with their signed heads", () => {
  test("cut inside a commit: the records left after the last remaining head are unsigned (HEAD_MISSING)", async () => {
    const lastKept = (await heads()).filter((h) => h.seq <= 250).pop()!;
    expect(lastKept.seq).toBeLessThan(250); // 250 is inside the last round's second commit
    const r = await tampered(async (tx) => {
      await tx.query(`DELETE FROM audit_log WHERE seq > 250`);
      await tx.query(`DELETE FROM audit_head WHERE seq > 250`);
    });
    expect(r.keyed.firstBreak).toMatchObject({ position: lastKept.seq + 1, kind: "HEAD_MISSING" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: lastKept.seq + 1, kind: "HEAD_MISSING" });
  });

  test("cut at a commit boundary: the database alone cannot tell (the limit); a head kept outside the database can", async () => {
    const cut = async (tx: SqlExecutor) => {
      await tx.query(`DELETE FROM audit_log WHERE seq > 200`);
      await tx.query(`DELETE FROM audit_head WHERE seq > 200`);
    };
    const alone = await tampered(cut);
    // An attacker who can delete the newest rows of every audit table leaves a consistent, shorter log.
    expect(alone.keyed).toMatchObject({ ok: true, head: { seq: 200 } });
    expect(alone.publicOnly).toMatchObject({ ok: true, head: { seq: 200 } });
    const newest = witnessed[witnessed.length - 1];
    expect(newest.seq).toBe(300);
    const withWitness = await tampered(cut, { expectHeads: [{ seq: newest.seq, hash: newest.headHash }] });
    expect(withWitness.keyed.firstBreak).toMatchObject({ position: 201, kind: "TRUNCATED" });
    expect(withWitness.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "TRUNCATED" });
  });

  test("the heads alone deleted: the records after the last remaining head are unsigned (HEAD_MISSING)", async () => {
    const r = await tampered(async (tx) => void (await tx.query(`DELETE FROM audit_head WHERE seq > 200`)));
    expect(r.keyed.firstBreak).toMatchObject({ position: 201, kind: "HEAD_MISSING" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 201, kind: "HEAD_MISSING" });
  });

  test("every head deleted: the keyed records are covered by none", async () => {
    const r = await tampered(async (tx) => void (await tx.query(`DELETE FROM audit_head`)));
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 1, kind: "HEAD_MISSING" });
  });

  test("a head in the middle deleted: the next head does not follow (HEAD_MISMATCH) or its records precede the first head", async () => {
    const all = await heads();
    const middle = all.find((h) => h.seq === 200)!;
    const next = all[all.indexOf(middle) + 1];
    const r = await tampered(async (tx) => void (await tx.query(`DELETE FROM audit_head WHERE seq = 200`)));
    expect(r.publicOnly.firstBreak).toMatchObject({ position: middle.firstSeq, kind: "HEAD_MISMATCH" });
    expect(next.firstSeq).toBe(201);
  });
});

describe("appended by someone holding only INSERT (the gateway's role), no guard disabled", () => {
  const forged = async (tx: SqlExecutor, withHead: boolean) => {
    const [last] = await readRecords(tx, 299, 1);
    const r = { ...last, seq: 301, requestId: "forged", prevHash: last.hash };
    const otherKey = randomBytes(32);
    r.hash = hmacWith(otherKey)(r.prevHash, body(r));
    await tx.query(
      `INSERT INTO audit_log SELECT 301, at, 'forged', subject, audience, jurisdiction, purpose, charity_id, operation_type, operation_name, document_hash,
       variables_hash, fields, household_ids, person_ids, outcome, error_codes, changes, $1, $2, 2 FROM audit_log WHERE seq = 300`,
      [r.prevHash, r.hash],
    );
    if (withHead) {
      const impostor = auditKeysFromSeed(randomBytes(32).toString("hex"));
      const unsigned = { seq: 301, firstSeq: 301, headHash: r.hash, recordsHash: "0".repeat(64), at: new Date().toISOString(), keyId: keys.keyId };
      await tx.query(`INSERT INTO audit_head (seq, first_seq, head_hash, records_hash, at, key_id, signature) VALUES (301, 301, $1, $2, $3, $4, $5)`, [
        unsigned.headHash,
        unsigned.recordsHash,
        unsigned.at,
        unsigned.keyId,
        impostor.sign(headPayload(unsigned)),
      ]);
    }
  };

  test("a record with no head: HASH_MISMATCH with the key, HEAD_MISSING with the public key", async () => {
    const r = await tampered((tx) => forged(tx, false), {}, false);
    expect(r.keyed.firstBreak).toMatchObject({ position: 301, kind: "HASH_MISMATCH" });
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 301, kind: "HEAD_MISSING" });
  });

  test("a record with a head signed by another key: HEAD_SIGNATURE with the public key", async () => {
    const r = await tampered((tx) => forged(tx, true), {}, false);
    expect(r.publicOnly.firstBreak).toMatchObject({ position: 301, kind: "HEAD_SIGNATURE" });
  });
});
