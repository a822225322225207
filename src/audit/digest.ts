/**
 * Keyed digests for what the log must not hold in clear (variables, changed personal values). Keyed
 * (HMAC-SHA-256), so that nobody can test a dictionary of ID numbers or names against the log without
 * the key; an auditor holding the key can still check a suspected value.
 */
import { createHmac } from "node:crypto";
import { canonicalJson, type CanonicalValue } from "./canonical.js";

export type Digester = (value: unknown) => string;

type Container = CanonicalValue[] | { [key: string]: CanonicalValue };
const CONTAINER = Symbol("container");

/** A leaf's canonical value, or CONTAINER for an array or object still to be walked. */
function leafOf(value: unknown): CanonicalValue | typeof CONTAINER {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : String(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "object") return CONTAINER;
  return String(value);
}

/** More arrays and objects than this can only be a cycle (a request body of BODY_LIMIT_BYTES holds far fewer): refused, never a hang. */
const MAX_CONTAINERS = 5_000_000;

/**
 * JSON-ish input (GraphQL variables, registry values) to a canonical value: dates as ISO strings, bigint
 * and non-integers as strings. Iterative (an explicit stack): client variables nested thousands of levels
 * deep are digested without touching the call stack.
 */
export function toCanonical(value: unknown): CanonicalValue {
  const leaf = leafOf(value);
  if (leaf !== CONTAINER) return leaf;
  const empty = (v: object): Container => (Array.isArray(v) ? new Array<CanonicalValue>(v.length) : {});
  const root = empty(value as object);
  const stack: [object, Container][] = [[value as object, root]];
  let nodes = 0;
  while (stack.length) {
    const [src, dst] = stack.pop()!;
    if (++nodes > MAX_CONTAINERS) throw new TypeError("a cyclic value cannot be digested");
    const put = (key: string | number, v: unknown) => {
      const l = leafOf(v);
      if (l !== CONTAINER) {
        (dst as Record<string | number, CanonicalValue>)[key] = l;
        return;
      }
      const c = empty(v as object);
      (dst as Record<string | number, CanonicalValue>)[key] = c;
      stack.push([v as object, c]);
    };
    if (Array.isArray(src)) {
      for (let i = 0; i < src.length; i++) if (i in src) put(i, src[i]);
    } else {
      for (const [k, v] of Object.entries(src)) if (v !== undefined) put(k, v);
    }
  }
  return root;
}

export function hmacDigester(key: Uint8Array): Digester {
  return (value) => createHmac("sha256", key).update(canonicalJson(toCanonical(value))).digest("hex");
}
