/**
 * Canonical JSON and the keyed digest walk client data (GraphQL variables) iteratively: a value nested
 * 200,000 levels deep is written and digested, not a stack overflow. The output is unchanged for
 * ordinary values (the audit chain's hashes depend on it): checked against an independent oracle —
 * JSON.stringify of a copy with keys sorted — and against fixed strings.
 */
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { canonicalJson, type CanonicalValue } from "../../src/audit/canonical.js";
import { hmacDigester, toCanonical } from "../../src/audit/digest.js";

/** The oracle: sort keys (recursively; fine for shallow values), drop undefined members, let JSON.stringify write. */
function sortedCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortedCopy(x)));
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortedCopy((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** A deterministic pseudo-random generator (a failing case can be replayed). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const LEAVES: CanonicalValue[] = [null, "", "a\"b\\c\n\u2028", "😀 𠀀 \u0001", 0, -7, Number.MAX_SAFE_INTEGER, true, false, "ü"];
// no integer-like keys here: JavaScript enumerates those first, in numeric order, so JSON.stringify cannot be
// the oracle for them (a fixed text below covers them)
const KEYS = ["b", "a", "é", "A", "x10", "x2", "", "a b", "😀", "Z"];

function randomValue(next: () => number, depth = 0): CanonicalValue | undefined {
  const r = next();
  if (depth > 5 || r < 0.35) return next() < 0.05 ? undefined : LEAVES[Math.floor(next() * LEAVES.length)];
  if (r < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1) as CanonicalValue);
  const o: Record<string, CanonicalValue | undefined> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) o[KEYS[Math.floor(next() * KEYS.length)]] = randomValue(next, depth + 1);
  return o;
}

describe("canonical JSON", () => {
  test("fixed values give fixed text", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], c: {}, d: undefined, e: [] })).toBe('{"a":[true,null,"x"],"b":1,"c":{},"e":[]}');
    expect(canonicalJson({ z: { y: { x: [1, [2, [3]]] } }, "": "empty" })).toBe('{"":"empty","z":{"y":{"x":[1,[2,[3]]]}}}');
    expect(canonicalJson("a\u0000b")).toBe('"a\\u0000b"');
    // keys by UTF-16 code units, integer-like ones too (JavaScript would enumerate "2" before "10")
    expect(canonicalJson({ a: 3, 2: 2, 10: 1, B: 0, "😀": 4, é: 5 })).toBe('{"10":1,"2":2,"B":0,"a":3,"é":5,"😀":4}');
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson(undefined)).toBe("null");
    expect(() => canonicalJson({ a: 1.5 })).toThrow(TypeError);
    expect(() => canonicalJson([2 ** 53])).toThrow(TypeError);
  });

  test("5,000 random values: the same text as JSON.stringify of a key-sorted copy", () => {
    const next = rng(20261206);
    for (let i = 0; i < 5000; i++) {
      const v = randomValue(next);
      expect(canonicalJson(v)).toBe(JSON.stringify(sortedCopy(v === undefined ? null : v)));
    }
  });

  test("200,000 levels deep: written in full, no stack overflow", () => {
    const n = 200_000;
    let v: CanonicalValue = 1;
    for (let i = 0; i < n; i++) v = { a: [v] };
    expect(canonicalJson(v)).toBe(`${'{"a":['.repeat(n)}1${"]}".repeat(n)}`);
  });
});

describe("the keyed digest of client variables", () => {
  test("toCanonical: dates as ISO strings, bigint and non-integers as strings, undefined members left out", () => {
    const d = new Date("2026-12-06T01:02:03.004Z");
    expect(toCanonical({ d, n: 10n, f: 1.5, u: undefined, l: [undefined, 2] })).toEqual({ d: "2026-12-06T01:02:03.004Z", n: "10", f: "1.5", l: [null, 2] });
  });

  test("variables nested 5,000 and 200,000 levels deep are digested: the HMAC of their canonical text", () => {
    const key = randomBytes(32);
    const digest = hmacDigester(key);
    for (const n of [5_000, 200_000]) {
      const text = `{"v":${'{"a":'.repeat(n)}"x"${"}".repeat(n)}}`;
      const value = JSON.parse(text); // V8's JSON.parse does not recurse
      expect(digest(value)).toBe(createHmac("sha256", key).update(text).digest("hex"));
    }
  });

  test("random variables: the digest is the HMAC of the oracle's text", () => {
    const key = randomBytes(32);
    const digest = hmacDigester(key);
    const next = rng(7);
    for (let i = 0; i < 1000; i++) {
      const v = { vars: randomValue(next) ?? null };
      expect(digest(v)).toBe(createHmac("sha256", key).update(JSON.stringify(sortedCopy(v))).digest("hex"));
    }
  });
});
