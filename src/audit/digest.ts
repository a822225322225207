/**
 * Keyed digests for what the log must not hold in clear (variables, changed personal values). Keyed
 * (HMAC-SHA-256), so that nobody can test a dictionary of ID numbers or names against the log without
 * the key; an auditor holding the key can still check a suspected value.
 */
import { createHmac } from "node:crypto";
import { canonicalJson, type CanonicalValue } from "./canonical.js";

export type Digester = (value: unknown) => string;

/** JSON-ish input (GraphQL variables, registry values) to a canonical value: dates as ISO strings, bigint and non-integers as strings. */
export function toCanonical(value: unknown): CanonicalValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : String(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(toCanonical);
  if (typeof value === "object") {
    const out: Record<string, CanonicalValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toCanonical(v);
    return out;
  }
  return String(value);
}

export function hmacDigester(key: Uint8Array): Digester {
  return (value) => createHmac("sha256", key).update(canonicalJson(toCanonical(value))).digest("hex");
}
