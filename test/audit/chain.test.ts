/** The pure parts of the audit trail: canonical JSON, the hash chain and its verifier, diffs, checkpoint signatures. */
import { describe, expect, test } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { canonicalJson } from "../../src/audit/canonical.js";
import { ChainVerifier, EMPTY_HEAD, GENESIS_HASH, extendChain, recordHash } from "../../src/audit/chain.js";
import { buildEntry, disclosureOf, outcomeOf, type AuditEntry } from "../../src/audit/record.js";
import { diffSnapshots } from "../../src/audit/diff.js";
import { hmacDigester } from "../../src/audit/digest.js";
import { auditKeysFromSeed, verifyKeyFromPublicHex, verifySignature } from "../../src/audit/keys.js";
import { checkpointPayload } from "../../src/audit/store.js";
import { signCheckpoint } from "../../src/audit/writer.js";

function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return buildEntry({
    at: new Date(Date.UTC(2026, 10, 22, 8, 0, i)),
    requestId: `req-000${i}`,
    principal: { subject: `user-${i % 3}`, audience: "civil_affairs", jurisdiction: { kind: "districts", districts: ["500103"] }, purpose: null, charityId: null },
    operationType: "query",
    operationName: "One",
    documentHash: "a".repeat(64),
    variablesHash: "b".repeat(64),
    fields: { "Query.household": "read", "Household.address": "read" },
    households: [`h-${i}`],
    persons: [],
    outcome: "OK",
    errorCodes: [],
    changes: null,
    ...over,
  }) as AuditEntry;
}

describe("canonical JSON", () => {
  test("sorts keys at every depth, drops undefined members, no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null, "x"], c: undefined, b: "é\n" } })).toBe('{"a":{"b":"é\\n","d":[true,null,"x"]},"b":1}');
  });
  test("the same value written in another key order has the same form", () => {
    expect(canonicalJson({ x: 1, y: { q: 2, p: 3 } })).toBe(canonicalJson({ y: { p: 3, q: 2 }, x: 1 }));
  });
  test("refuses numbers that would not survive a round trip", () => {
    expect(() => canonicalJson(1.5)).toThrow(/safe integers/);
    expect(() => canonicalJson(2 ** 60)).toThrow(/safe integers/);
  });
});

describe("hash chain", () => {
  const records = extendChain(EMPTY_HEAD, [1, 2, 3, 4, 5].map((i) => entry(i)));

  test("record 1 links to genesis, each later record to the previous hash; the hash is SHA-256 over prev hash and canonical body", () => {
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i].prevHash).toBe(records[i - 1].hash);
    const { seq, prevHash, hash, ...body } = records[2];
    const expected = createHash("sha256")
      .update(`${prevHash}\n${canonicalJson({ ...(body as unknown as Record<string, never>), seq, changes: null })}`)
      .digest("hex");
    expect(hash).toBe(expected);
  });

  test("an intact chain verifies", () => {
    const v = new ChainVerifier();
    expect(records.map((r) => v.push(r))).toEqual([null, null, null, null, null]);
    expect(v.current).toEqual({ seq: 5, hash: records[4].hash });
  });

  test("an altered field is a HASH_MISMATCH at its position", () => {
    const v = new ChainVerifier();
    const tampered = records.map((r) => (r.seq === 3 ? { ...r, households: ["someone-else"] } : r));
    const breaks = tampered.map((r) => v.push(r)).filter(Boolean);
    expect(breaks[0]).toMatchObject({ position: 3, kind: "HASH_MISMATCH" });
  });

  test("an altered record whose hash was re-computed breaks the next link (PREV_MISMATCH)", () => {
    const v = new ChainVerifier();
    const forged = { ...records[2], outcome: "ERROR" as const };
    forged.hash = recordHash(forged.prevHash, forged.seq, forged);
    const seq = [records[0], records[1], forged, records[3]];
    const results = seq.map((r) => v.push(r));
    expect(results.slice(0, 3)).toEqual([null, null, null]);
    expect(results[3]).toMatchObject({ position: 4, kind: "PREV_MISMATCH" });
  });

  test("a removed record is a GAP at the missing position", () => {
    const v = new ChainVerifier();
    const first = [records[0], records[1], records[3]].map((r) => v.push(r)).find(Boolean);
    expect(first).toMatchObject({ position: 3, kind: "GAP" });
  });

  test("a chain continued from a later head links to it", () => {
    const more = extendChain({ seq: 5, hash: records[4].hash }, [entry(6)]);
    expect(more[0]).toMatchObject({ seq: 6, prevHash: records[4].hash });
    const v = new ChainVerifier({ seq: 5, hash: records[4].hash });
    expect(v.push(more[0])).toBeNull();
  });
});

describe("record content", () => {
  test("disclosure per coordinate from the plan; outcomes", () => {
    expect(disclosureOf({ read: ["Query.household", "Household.address"], masked: [{ coordinate: "Person.name" }], denied: [{ coordinate: "Person.idNumber" }] })).toEqual({
      "Query.household": "read",
      "Household.address": "read",
      "Person.name": "masked",
      "Person.idNumber": "denied",
    });
    expect(outcomeOf(true, [], false)).toBe("OK");
    expect(outcomeOf(true, ["FORBIDDEN"], false)).toBe("PARTIAL");
    expect(outcomeOf(false, ["NOT_FOUND"], false)).toBe("ERROR");
    expect(outcomeOf(false, ["FORBIDDEN"], true)).toBe("REFUSED");
  });

  test("ids and error codes are sorted and unique; jurisdiction is one line", () => {
    const e = entry(1, {});
    const built = buildEntry({ ...e, at: new Date(e.at), principal: { subject: "s", audience: "auditor", jurisdiction: { kind: "city", city: "500000" }, purpose: "p", charityId: null }, households: ["b", "a", "b"], errorCodes: ["Z", "A", "Z"] });
    expect(built).toMatchObject({ households: ["a", "b"], errorCodes: ["A", "Z"], jurisdiction: "city:500000", at: "2026-11-22T08:00:01.000Z" });
  });

  test("diffs keep codes in clear and personal values as keyed digests", () => {
    const digest = hmacDigester(randomBytes(32));
    const changes = diffSnapshots(
      { household: { status: "ACTIVE", address: "解放碑 1 号", version: 1 }, incomes: [{ monthlyFen: 100000 }] },
      { household: { status: "MONITORED", address: "解放碑 2 号", version: 2 }, incomes: [{ monthlyFen: 100000 }] },
      digest,
    );
    expect(changes.map((c) => c.path)).toEqual(["household.address", "household.status", "household.version"]);
    expect(changes.find((c) => c.path === "household.status")).toEqual({ path: "household.status", before: "ACTIVE", after: "MONITORED" });
    const address = changes.find((c) => c.path === "household.address")!;
    expect(address.before).toBe(`hmac:${digest("解放碑 1 号")}`);
    expect(JSON.stringify(changes)).not.toContain("解放碑");
    // another key gives other digests: a dictionary cannot be tested without the key
    expect(hmacDigester(randomBytes(32))("解放碑 1 号")).not.toBe(digest("解放碑 1 号"));
  });

  test("a created entity lists its values with before null", () => {
    const changes = diffSnapshots(null, { household: { id: "h1", phone: "13800000000" } }, hmacDigester(randomBytes(32)));
    expect(changes).toEqual([
      { path: "household.id", before: null, after: "h1" },
      { path: "household.phone", before: null, after: expect.stringMatching(/^hmac:[0-9a-f]{64}$/) },
    ]);
  });
});

describe("checkpoint signatures (Ed25519)", () => {
  const keys = auditKeysFromSeed(randomBytes(32).toString("hex"));
  test("a checkpoint verifies with the public key alone, and not after any change", () => {
    const c = signCheckpoint(keys, { seq: 42, hash: "c".repeat(64) }, new Date("2026-11-22T09:00:00.000Z"));
    const pub = verifyKeyFromPublicHex(keys.publicHex);
    expect(pub.keyId).toBe(keys.keyId);
    const { signature, ...unsigned } = c;
    expect(verifySignature(pub, checkpointPayload(unsigned), signature)).toBe(true);
    expect(verifySignature(pub, checkpointPayload({ ...unsigned, seq: 41 }), signature)).toBe(false);
    const other = verifyKeyFromPublicHex(auditKeysFromSeed(randomBytes(32).toString("hex")).publicHex);
    expect(verifySignature(other, checkpointPayload(unsigned), signature)).toBe(false);
  });
});
