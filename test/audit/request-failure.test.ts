/**
 * A mutation's access record that cannot be appended (inside the mutation's transaction) fails closed —
 * AUDIT_UNAVAILABLE, the change rolled back (test/audit/access-log.test.ts shows both over HTTP) — and keeps
 * the database's own error, which the audit plugin logs with the request id: the cause is never dropped.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { GraphQLError } from "graphql";
import { openTestDatabase } from "../helpers/database.js";
import type { Database } from "../../src/db/database.js";
import { AuditWriter } from "../../src/audit/writer.js";
import { auditKeysFromSeed } from "../../src/audit/keys.js";
import { hmacDigester } from "../../src/audit/digest.js";
import { RequestAudit } from "../../src/audit/request.js";

let db: Database;
let writer: AuditWriter;
const keys = auditKeysFromSeed(randomBytes(32).toString("hex"));
beforeAll(async () => {
  db = await openTestDatabase();
  writer = new AuditWriter(db.sql, { keys });
});
afterAll(async () => {
  await writer?.close();
  await db?.close();
});

const principal = { subject: "s", audience: "civil_affairs", jurisdiction: { kind: "city", city: "500000" }, purpose: null, charityId: null } as const;

function mutationAudit(requestId: string): RequestAudit {
  const audit = new RequestAudit(writer, requestId, principal as never, hmacDigester(keys.digestKey));
  audit.operation = {
    operationType: "mutation",
    operationName: "U",
    documentHash: "a".repeat(64),
    variablesHash: "b".repeat(64),
    fields: { "Mutation.updateHousehold": "read" },
    recordable: true,
  };
  return audit;
}

test("a refused append inside the transaction: AUDIT_UNAVAILABLE to the client, the database's error kept as the cause", async () => {
  // a real database refusal: the log accepts no row while this constraint is in place
  await db.sql.exec(`ALTER TABLE audit_log ADD CONSTRAINT test_refuse_all CHECK (seq < 0) NOT VALID`);
  const audit = mutationAudit("req-refused-0001");
  let thrown: unknown;
  try {
    await db.sql.transaction((tx) => audit.recordChange(tx, []));
  } catch (err) {
    thrown = err;
  } finally {
    await db.sql.exec(`ALTER TABLE audit_log DROP CONSTRAINT test_refuse_all`);
  }
  expect(thrown).toBeInstanceOf(GraphQLError);
  expect((thrown as GraphQLError).extensions.code).toBe("AUDIT_UNAVAILABLE");
  expect(audit.failed).toBe(true);
  // the cause is the database's: it names the constraint that refused the row
  expect(audit.failure).toBeInstanceOf(Error);
  expect(String((audit.failure as Error).message)).toContain("test_refuse_all");
  expect(audit.recorded).toEqual([]);
});

test("an append that succeeds keeps no failure", async () => {
  const audit = mutationAudit("req-ok-0001");
  await db.sql.transaction((tx) => audit.recordChange(tx, []));
  expect(audit.failed).toBe(false);
  expect(audit.failure).toBeUndefined();
  expect(audit.recorded.map((r) => r.requestId)).toEqual(["req-ok-0001"]);
});
