/**
 * Before/after diffs of a mutation (pure). Snapshots are plain objects; nested objects are walked by key
 * (entities keyed by id), lists are compared whole (a list's digest and its length). Values whose key is
 * a code (CLEAR_KEYS) stay in clear; every other value — names, ID numbers, addresses, phones, amounts,
 * dates — is recorded as a keyed digest, so the log shows what changed without holding personal data.
 */
import type { Change } from "./record.js";
import type { Digester } from "./digest.js";

export const CLEAR_KEYS: ReadonlySet<string> = new Set([
  "id",
  "districtCode",
  "streetCode",
  "hukou",
  "status",
  "contactConsent",
  "version",
  "sex",
  "relation",
  "workAbility",
  "selfCare",
  "count",
]);

type Scalar = string | number | boolean | null;
export type Snapshot = { [key: string]: unknown };

function flatten(value: unknown, path: string, out: Map<string, { key: string; value: unknown }>) {
  if (Array.isArray(value)) {
    out.set(`${path}.count`, { key: "count", value: value.length });
    out.set(`${path}.items`, { key: "items", value });
    return;
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, { key: path.slice(path.lastIndexOf(".") + 1), value });
}

function sameValue(a: unknown, b: unknown, digest: Digester): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  return digest(a) === digest(b);
}

function shown(key: string, value: unknown, digest: Digester): Scalar {
  if (value === undefined || value === null) return null;
  if (CLEAR_KEYS.has(key) && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) return value;
  return `hmac:${digest(value)}`;
}

/** Changes from `before` (null: created) to `after` (null: removed), sorted by path. */
export function diffSnapshots(before: Snapshot | null, after: Snapshot | null, digest: Digester): Change[] {
  const a = new Map<string, { key: string; value: unknown }>();
  const b = new Map<string, { key: string; value: unknown }>();
  if (before) flatten(before, "", a);
  if (after) flatten(after, "", b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: Change[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (sameValue(x?.value ?? null, y?.value ?? null, digest)) continue;
    const key = (x ?? y)!.key;
    changes.push({ path, before: shown(key, x?.value, digest), after: shown(key, y?.value, digest) });
  }
  return changes;
}
