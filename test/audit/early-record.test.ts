/**
 * A live query's access record is committed while its department calls are out (src/audit/request.ts), and it stands
 * for the response only when the response disclosed exactly what it says; otherwise the response's own record follows
 * it with the same request id, and the auditors' view shows that one.
 *
 * Real gateway, real sandboxes over HTTP, the database of the run. Oracles: the audit_log rows themselves, the
 * registry's person rows of the household, the response's own error codes, and the chain's verification.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { clearFaults, recordUpstreamCalls, setFaults, startUnifiedGateway } from "../integration/harness.js";
import type { TestGateway } from "../helpers/gateway.js";
import { readRecords } from "../../src/audit/store.js";
import { verifyLog } from "../../src/audit/verify.js";
import { verifyKeyFromPublicHex } from "../../src/audit/keys.js";
import type { ChainedRecord } from "../../src/audit/record.js";
import { RequestAudit } from "../../src/audit/request.js";
import { hmacDigester } from "../../src/audit/digest.js";

const AUDITOR = { audience: "auditor", city: "500000", purpose: "early record review" } as const;
const VIEW = `query View($id: ID!) {
  household(id: $id) {
    id
    members { id name education { stage } employment { status } disability { grade } medicalInsurance { tier } }
    housing { benefits { type } }
  }
}`;

let gw: TestGateway;
let household: { id: string; persons: string[] };

beforeAll(async () => {
  // education's deadline: the hanging call of the second test ends in 5 s (the others answer in 300 ms); its breaker does not open
  gw = await startUnifiedGateway({ education: { timeoutMs: 5000, maxAttempts: 1, breaker: { threshold: 100, halfOpenAfterMs: 1000 } } });
  // a household of several members (the registry's own rows are the oracle of who the response names)
  const rows = await gw.db.sql.query<{ household_id: string; ids: string[] }>(
    `SELECT household_id::text, array_agg(id::text ORDER BY id) AS ids FROM person GROUP BY household_id HAVING count(*) >= 3 ORDER BY household_id LIMIT 1`,
  );
  household = { id: rows[0].household_id, persons: [...rows[0].ids].sort() };
});
afterAll(async () => gw?.close());
beforeEach(async () => clearFaults(gw));

const recordsOf = async (requestId: string): Promise<ChainedRecord[]> => (await readRecords(gw.db.sql, 0, 1_000_000)).filter((r) => r.requestId === requestId);

describe("the early access record of a live query", () => {
  test("when the response says what the early record says, it is the request's only record", async () => {
    await setFaults(gw, "education", { latencyMs: 300 });
    const requestId = "early-same";
    const r = await gw.gql(VIEW, { id: household.id }, undefined, { "x-request-id": requestId });
    expect(r.errors).toBeUndefined();
    expect(r.data.household.members.map((m: { id: string }) => m.id).sort()).toEqual(household.persons);
    const records = await recordsOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: "OK", errorCodes: [], households: [household.id], persons: household.persons });
    expect(records[0].fields["Person.education"]).toBe("read");
  });

  test("is committed while a department call is still open; the deadline's error then gets the response's own record", async () => {
    await setFaults(gw, "education", { hang: true });
    const recorder = recordUpstreamCalls(gw);
    const requestId = "early-hang-education";
    try {
      const response = gw.gql(VIEW, { id: household.id }, undefined, { "x-request-id": requestId });
      // wait for the education call to be open, then for the record, reading it only while that call is still open
      let seen: ChainedRecord[] = [];
      let openAfterRead = false;
      for (let i = 0; i < 2000 && !seen.length; i++) {
        await new Promise((r) => setTimeout(r, 5));
        if (recorder.inFlight("education") === 0) continue;
        const read = await recordsOf(requestId);
        if (read.length && recorder.inFlight("education") > 0) {
          seen = read;
          openAfterRead = true;
        } else if (read.length) break; // the call ended before the record was seen: not early
      }
      expect(openAfterRead).toBe(true);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ outcome: "OK", errorCodes: [], households: [household.id], persons: household.persons });

      const r = await response; // education's deadline (5 s in this file) ends the hang
      const codes = [...new Set((r.errors ?? []).map((e) => String(e.extensions?.code)))].sort();
      expect(codes.length).toBeGreaterThan(0);
      const records = await recordsOf(requestId);
      expect(records).toHaveLength(2);
      expect(records[0]).toEqual(seen[0]);
      expect(records[1]).toMatchObject({ outcome: "PARTIAL", errorCodes: codes, persons: household.persons });
    } finally {
      recorder.stop();
    }
  });

  test("is followed by the response's own record when the response carries errors; the auditors see the later one; the chain verifies", async () => {
    await setFaults(gw, "education", { latencyMs: 400 });
    await setFaults(gw, "disability", { down: true });
    const requestId = "early-disability-down";
    const r = await gw.gql(VIEW, { id: household.id }, undefined, { "x-request-id": requestId });
    expect(r.data.household.id).toBe(household.id);
    const codes = [...new Set((r.errors ?? []).map((e) => String(e.extensions?.code)))].sort();
    expect(codes.length).toBeGreaterThan(0);

    const records = await recordsOf(requestId);
    expect(records).toHaveLength(2);
    const [early, final] = records;
    expect(final.seq).toBeGreaterThan(early.seq);
    expect(early).toMatchObject({ outcome: "OK", errorCodes: [], households: [household.id], persons: household.persons });
    expect(final).toMatchObject({ outcome: "PARTIAL", errorCodes: codes, households: [household.id], persons: household.persons });
    expect(final.fields).toEqual(early.fields);

    // the auditors' view: the request once, as its response was
    const log = await gw.gql(
      `query($h: ID!) { accessLog(filter: { household: $h }, first: 100) { totalCount edges { node { requestId outcome errorCodes } } } }`,
      { h: household.id },
      AUDITOR,
    );
    expect(log.errors).toBeUndefined();
    const shown = log.data.accessLog.edges.map((e: { node: { requestId: string } }) => e.node).filter((n: { requestId: string }) => n.requestId === requestId);
    expect(shown).toEqual([{ requestId, outcome: "PARTIAL", errorCodes: codes }]);
    const shownIds = log.data.accessLog.edges.map((e: { node: { requestId: string } }) => e.node.requestId);
    expect(new Set(shownIds).size).toBe(shownIds.length);
    expect(log.data.accessLog.totalCount).toBe(shownIds.length);

    const verified = await verifyLog(gw.db.sql, verifyKeyFromPublicHex(gw.audit!.keys.publicHex));
    expect(verified.ok).toBe(true);
  });

  test("a page with computed fields: its housing calls go out before its members are read, and its one record still names every member", async () => {
    await setFaults(gw, "education", { latencyMs: 300 });
    const requestId = "early-page";
    // eligibility gathers each household's facts: its housing call is made at once, its members' calls once the
    // members are read (src/features/facts/gather.ts)
    const r = await gw.gql(
      `{ households(first: 8) { edges { node { id eligibility { tier } members { id education { stage } } } } } }`,
      {},
      undefined,
      { "x-request-id": requestId },
    );
    expect(r.errors).toBeUndefined();
    const ids: string[] = r.data.households.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toHaveLength(8);
    const persons = (await gw.db.sql.query<{ id: string }>(`SELECT id::text FROM person WHERE household_id::text = ANY($1::text[])`, [ids])).map((p) => p.id).sort();
    const records = await recordsOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: "OK", households: [...ids].sort(), persons });
  });

  test("a query that calls no department system has one record, written with its response", async () => {
    const requestId = "registry-only";
    const r = await gw.gql(`query($id: ID!) { household(id: $id) { id members { id name } } }`, { id: household.id }, undefined, { "x-request-id": requestId });
    expect(r.errors).toBeUndefined();
    const records = await recordsOf(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: "OK", households: [household.id], persons: household.persons });
  });
});

describe("when the early record is taken (RequestAudit over the gateway's own writer and database)", () => {
  const principal = { subject: "early-unit", audience: "civil_affairs", jurisdiction: { kind: "city", city: "500000" }, purpose: null, charityId: null } as const;
  const twoTurns = () => new Promise<void>((r) => setImmediate(() => setImmediate(() => setImmediate(r))));
  function queryAudit(requestId: string, operationType = "query"): RequestAudit {
    const audit = new RequestAudit(gw.audit!.writer, requestId, principal as never, hmacDigester(gw.audit!.keys.digestKey));
    audit.operation = { operationType, operationName: "Q", documentHash: "a".repeat(64), variablesHash: "b".repeat(64), fields: { "Query.households": "read", "Person.education": "read" }, recordable: true };
    return audit;
  }
  /**
   * After the two turns an early record would wait, a barrier: a record appended through the same writer now is committed
   * after anything appended before it (one flush at a time, in order), so once it is, an early record would be too.
   */
  let barriers = 0;
  const flushed = async () => {
    await twoTurns();
    const barrier = queryAudit(`unit-barrier-${++barriers}`);
    await gw.audit!.writer.append(barrier.entry("OK", [], null));
  };

  test("not at a household's housing call (asked before the members are read), but at the first call asked per person", async () => {
    const audit = queryAudit("unit-housing-first");
    audit.disclose({ households: [household.id] });
    audit.departmentCallsStarted("housing");
    await flushed();
    expect(await recordsOf("unit-housing-first")).toEqual([]);
    audit.disclose({ persons: household.persons });
    audit.departmentCallsStarted("education");
    audit.departmentCallsStarted("disability"); // once per request
    await flushed();
    const records = await recordsOf("unit-housing-first");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: "OK", households: [household.id], persons: household.persons });
    // the response said the same: commit writes nothing more
    await audit.commit(audit.entry("OK", [], null));
    expect(await recordsOf("unit-housing-first")).toHaveLength(1);
  });

  test("never for a mutation or an operation that is not recorded; a response ready first writes its one record", async () => {
    const mutation = queryAudit("unit-mutation", "mutation");
    mutation.departmentCallsStarted("education");
    const unrecorded = queryAudit("unit-unrecorded");
    unrecorded.operation = { ...unrecorded.operation!, recordable: false };
    unrecorded.departmentCallsStarted("education");
    const fast = queryAudit("unit-fast");
    fast.disclose({ households: [household.id], persons: household.persons });
    fast.departmentCallsStarted("employment");
    await fast.commit(fast.entry("PARTIAL", ["UPSTREAM_TIMEOUT"], null)); // before the two turns have passed
    await flushed();
    expect(await recordsOf("unit-mutation")).toEqual([]);
    expect(await recordsOf("unit-unrecorded")).toEqual([]);
    const records = await recordsOf("unit-fast");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: "PARTIAL", errorCodes: ["UPSTREAM_TIMEOUT"] });
  });
});
