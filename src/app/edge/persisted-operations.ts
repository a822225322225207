/**
 * Persisted-operations mode: only operations listed in a manifest execute. The manifest is Apollo's
 * persisted query manifest format ({ format: "apollo-persisted-query-manifest", version: 1,
 * operations: [{ id: <sha256 of body>, name, type, body }] }). A client may send the full query
 * (its sha256 must be listed) or only `extensions.persistedQuery.sha256Hash` (the body is taken from
 * the manifest).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

const manifestSchema = z.object({
  format: z.literal("apollo-persisted-query-manifest"),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().optional(), type: z.string().optional(), body: z.string() })),
});

export type Manifest = Map<string, string>;

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function loadManifest(file: string): Manifest {
  const parsed = manifestSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const map: Manifest = new Map();
  for (const op of parsed.operations) {
    if (sha256(op.body) !== op.id) throw new Error(`persisted operation ${op.name ?? op.id}: id is not the sha256 of its body`);
    map.set(op.id, op.body);
  }
  return map;
}

export type PersistedCheck = { ok: true; query: string } | { ok: false; code: "PERSISTED_QUERY_NOT_FOUND" | "OPERATION_NOT_PERSISTED"; message: string };

/** Decides one request under enforcement. */
export function checkPersisted(manifest: Manifest, query: unknown, extensions: unknown): PersistedCheck {
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  if (typeof query === "string" && query.length > 0) {
    const id = sha256(query);
    if (typeof hash === "string" && hash !== id) return { ok: false, code: "OPERATION_NOT_PERSISTED", message: "The query does not match its hash" };
    return manifest.has(id) ? { ok: true, query } : { ok: false, code: "OPERATION_NOT_PERSISTED", message: "Only persisted operations may run on this gateway" };
  }
  if (typeof hash === "string") {
    const body = manifest.get(hash);
    return body ? { ok: true, query: body } : { ok: false, code: "PERSISTED_QUERY_NOT_FOUND", message: "Unknown persisted operation" };
  }
  return { ok: false, code: "OPERATION_NOT_PERSISTED", message: "Only persisted operations may run on this gateway" };
}

/** The request's other extensions once the gateway has resolved `persistedQuery` itself (undefined when none are left). */
export function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (!extensions || typeof extensions !== "object" || Array.isArray(extensions)) return undefined;
  const { persistedQuery: _resolved, ...rest } = extensions as Record<string, unknown>;
  return Object.keys(rest).length ? rest : undefined;
}
