/** The pure parts of the audit trail: canonical JSON, the hash chain and its verifier, diffs, checkpoint signatures. */
import { describe, expect, test } from "vitest";
import { createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { canonicalJson } from "../../src/audit/canonical.js";
import { ChainVerifier, EMPTY_HEAD, GENESIS_HASH, extendChain, keyedRecordHash, recordHash, recordsDigest } from "../../src/audit/chain.js";
import { buildEntry, disclosureOf, outcomeOf, type AuditEntry } from "../../src/audit/record.js";
import { diffSnapshots } from "../../src/audit/diff.js";
import { hmacDigester } from "../../src/audit/digest.js";
import { auditKeysFromSeed, verifyKeyFromPublicHex, verifySignature } from "../../src/audit/keys.js";
import { checkpointPayload, headPayload } from "../../src/audit/store.js";
import { signCheckpoint, signHead } from "../../src/audit/writer.js";

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
  test("a frozen flat object (an operation plan's `fields`, written once and remembered) has the same form as its unfrozen copy, alone and nested, every time", () => {
    // oracle for a flat object: its members in sorted key order through JSON.stringify
    const flat = (o: Record<string, unknown>) =>
      `{${Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k])}`)
        .join(",")}}`;
    const objects: Record<string, string | number | boolean | null | undefined>[] = [
      {},
      { "Query.household": "read", "Person.idNumber": "masked", "Household.id": "denied" },
      { "z\u00e9": 1, "é": "\n\"", a: true, b: null, c: undefined, "低保": "read" },
    ];
    for (const o of objects) {
      const frozen = Object.freeze({ ...o });
      expect(canonicalJson(frozen)).toBe(flat(o));
      expect(canonicalJson(frozen)).toBe(flat(o)); // remembered: the same text
      expect(canonicalJson({ b: [frozen, frozen], a: frozen, c: { d: frozen } })).toBe(canonicalJson({ b: [{ ...o }, { ...o }], a: { ...o }, c: { d: { ...o } } }));
    }
    // a frozen object that is not flat is written member by member, as before
    const nested = Object.freeze({ b: { y: 1, x: 2 }, a: [3] });
    expect(canonicalJson(nested)).toBe('{"a":[3],"b":{"x":2,"y":1}}');
    // a frozen flat object holding an unsafe number is refused every time (nothing is remembered)
    const bad = Object.freeze({ n: 1.5 });
    expect(() => canonicalJson(bad)).toThrow(/safe integers/);
    expect(() => canonicalJson({ x: bad })).toThrow(/safe integers/);
  });
});

const SEED = randomBytes(32).toString("hex");
/** The chain key as HKDF defines it (independent of src/audit/keys.ts): SHA-256, no salt, its own label. */
const CHAIN_KEY = new Uint8Array(hkdfSync("sha256", Buffer.from(SEED, "hex"), Buffer.alloc(0), "safetynet-gateway audit chain", 32));
const bodyOf = (r: AuditEntry & { seq: number }) => {
  const { seq, prevHash, hash, chainVersion, ...body } = r as unknown as Record<string, never>;
  void prevHash, hash, chainVersion;
  return canonicalJson({ ...body, seq, changes: null });
};
/** A record of the unkeyed chain (version 1) as the code before the keyed chain wrote it. */
function legacyChain(entries: AuditEntry[]) {
  let prev = GENESIS_HASH;
  return entries.map((e, i) => {
    const seq = i + 1;
    const hash = createHash("sha256").update(`${prev}\n${bodyOf({ ...e, seq })}`).digest("hex");
    const r = { ...e, seq, prevHash: prev, hash, chainVersion: 1 };
    prev = hash;
    return r;
  });
}

describe("hash chain", () => {
  const records = extendChain(EMPTY_HEAD, [1, 2, 3, 4, 5].map((i) => entry(i)), CHAIN_KEY);

  test("the audit key derives a chain key separate from the digest key", () => {
    const keys = auditKeysFromSeed(SEED);
    expect(Buffer.from(keys.chainKey).toString("hex")).toBe(Buffer.from(CHAIN_KEY).toString("hex"));
    expect(Buffer.from(keys.chainKey).equals(Buffer.from(keys.digestKey))).toBe(false);
  });

  test("record 1 links to genesis, each later record to the previous hash; the hash is HMAC-SHA-256 under the chain key (version 2)", () => {
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records.map((r) => r.chainVersion)).toEqual([2, 2, 2, 2, 2]);
    expect(records[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i].prevHash).toBe(records[i - 1].hash);
    const expected = createHmac("sha256", CHAIN_KEY).update(`${records[2].prevHash}\n${bodyOf(records[2])}`).digest("hex");
    expect(records[2].hash).toBe(expected);
    // not the unkeyed formula
    expect(records[2].hash).not.toBe(createHash("sha256").update(`${records[2].prevHash}\n${bodyOf(records[2])}`).digest("hex"));
  });

  test("an intact chain verifies with the chain key", () => {
    const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    expect(records.map((r) => v.push(r))).toEqual([null, null, null, null, null]);
    expect(v.current).toEqual({ seq: 5, hash: records[4].hash });
    expect(v.notRecomputed).toBe(0);
  });

  test("an altered field is a HASH_MISMATCH at its position", () => {
    const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    const tampered = records.map((r) => (r.seq === 3 ? { ...r, households: ["someone-else"] } : r));
    const breaks = tampered.map((r) => v.push(r)).filter(Boolean);
    expect(breaks[0]).toMatchObject({ position: 3, kind: "HASH_MISMATCH" });
  });

  test("an altered record re-hashed without the key (unkeyed formula, or another key) is a HASH_MISMATCH at its position", () => {
    for (const rehash of [
      (r: (typeof records)[number]) => recordHash(r.prevHash, r.seq, r),
      (r: (typeof records)[number]) => keyedRecordHash(randomBytes(32), r.prevHash, r.seq, r),
    ]) {
      const forged = { ...records[2], outcome: "ERROR" as const };
      forged.hash = rehash(forged);
      const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
      expect([records[0], records[1], forged].map((r) => v.push(r))).toEqual([null, null, expect.objectContaining({ position: 3, kind: "HASH_MISMATCH" })]);
    }
  });

  test("re-hashed with the unkeyed formula and relabelled version 1 after keyed records: a downgrade (CHAIN_VERSION)", () => {
    const forged = { ...records[2], outcome: "ERROR" as const, chainVersion: 1 };
    forged.hash = recordHash(forged.prevHash, forged.seq, forged);
    const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    expect([records[0], records[1], forged].map((r) => v.push(r))[2]).toMatchObject({ position: 3, kind: "CHAIN_VERSION" });
  });

  test("an altered record re-hashed with the chain key itself breaks the next link (PREV_MISMATCH)", () => {
    const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    const forged = { ...records[2], outcome: "ERROR" as const };
    forged.hash = keyedRecordHash(CHAIN_KEY, forged.prevHash, forged.seq, forged);
    const results = [records[0], records[1], forged, records[3]].map((r) => v.push(r));
    expect(results.slice(0, 3)).toEqual([null, null, null]);
    expect(results[3]).toMatchObject({ position: 4, kind: "PREV_MISMATCH" });
  });

  test("a removed record is a GAP at the missing position", () => {
    const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    const first = [records[0], records[1], records[3]].map((r) => v.push(r)).find(Boolean);
    expect(first).toMatchObject({ position: 3, kind: "GAP" });
  });

  test("a chain continued from a later head links to it", () => {
    const more = extendChain({ seq: 5, hash: records[4].hash }, [entry(6)], CHAIN_KEY);
    expect(more[0]).toMatchObject({ seq: 6, prevHash: records[4].hash });
    const v = new ChainVerifier({ seq: 5, hash: records[4].hash }, CHAIN_KEY);
    expect(v.push(more[0])).toBeNull();
  });

  test("records of the unkeyed chain (version 1, before the keyed chain) still verify, and keyed records continue them", () => {
    const legacy = legacyChain([1, 2, 3].map((i) => entry(i)));
    const keyed = extendChain({ seq: 3, hash: legacy[2].hash }, [entry(4), entry(5)], CHAIN_KEY);
    const v = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    expect([...legacy, ...keyed].map((r) => v.push(r))).toEqual([null, null, null, null, null]);
    const altered = { ...legacy[1], subject: "someone-else" };
    const w = new ChainVerifier(EMPTY_HEAD, CHAIN_KEY);
    expect([legacy[0], altered].map((r) => w.push(r))[1]).toMatchObject({ position: 2, kind: "HASH_MISMATCH" });
  });

  test("without the chain key (public key only) keyed records are linked but not re-hashed, and counted as such", () => {
    const v = new ChainVerifier(EMPTY_HEAD, null);
    expect(records.map((r) => v.push(r))).toEqual([null, null, null, null, null]);
    expect(v.notRecomputed).toBe(5);
    const relinked = new ChainVerifier(EMPTY_HEAD, null);
    const forged = { ...records[2], hash: "f".repeat(64) };
    expect([records[0], records[1], forged, records[3]].map((r) => relinked.push(r))[3]).toMatchObject({ position: 4, kind: "PREV_MISMATCH" });
  });

  test("a records digest is SHA-256 over one canonical line per record", () => {
    const expected = createHash("sha256")
      .update(records.slice(1, 4).map((r) => `${bodyOf(r)}\n`).join(""))
      .digest("hex");
    expect(recordsDigest(records.slice(1, 4))).toBe(expected);
    expect(recordsDigest([records[1], { ...records[2], subject: "x" }, records[3]])).not.toBe(expected);
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

  test("a head signs its records' range, head hash and content digest; it does not pass as a checkpoint", () => {
    const recs = extendChain(EMPTY_HEAD, [1, 2, 3].map((i) => entry(i)), keys.chainKey);
    const h = signHead(keys, recs, new Date("2026-11-22T09:00:00.000Z"));
    expect(h).toMatchObject({ seq: 3, firstSeq: 1, headHash: recs[2].hash, recordsHash: recordsDigest(recs), keyId: keys.keyId });
    const pub = verifyKeyFromPublicHex(keys.publicHex);
    const { signature, ...unsigned } = h;
    expect(verifySignature(pub, headPayload(unsigned), signature)).toBe(true);
    expect(verifySignature(pub, headPayload({ ...unsigned, firstSeq: 2 }), signature)).toBe(false);
    expect(verifySignature(pub, headPayload({ ...unsigned, recordsHash: "0".repeat(64) }), signature)).toBe(false);
    expect(verifySignature(pub, checkpointPayload({ seq: h.seq, headHash: h.headHash, at: h.at, keyId: h.keyId }), signature)).toBe(false);
  });
});
