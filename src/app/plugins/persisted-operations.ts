/**
 * Persisted-operations mode (PERSISTED_OPERATIONS=enforce): only the manifest's operations run. A request
 * names one by its hash (extensions.persistedQuery.sha256Hash) or sends its exact text; Apollo then runs
 * exactly the manifest's text. Apollo's own APQ is off and refuses any request still carrying
 * extensions.persistedQuery, so the hash is resolved here and removed.
 */
import { checkPersisted, withoutPersistedQuery, type Manifest } from "../edge/persisted-operations.js";
import { inScope } from "./in-scope.js";

export interface PersistedOperationsOptions {
  manifest: Manifest;
}

export const persistedOperations = inScope<PersistedOperationsOptions>(async (app, { manifest }) => {
  app.addHook("preHandler", async (req, reply) => {
    const source = (req.method === "GET" ? req.query : req.body) as Record<string, unknown> | undefined;
    if (!source || typeof source !== "object" || Array.isArray(source)) return;
    let extensions = source.extensions;
    if (typeof extensions === "string") {
      try {
        extensions = JSON.parse(extensions);
      } catch {
        extensions = undefined;
      }
    }
    const check = checkPersisted(manifest, source.query, extensions);
    if (!check.ok) return reply.code(400).send({ errors: [{ message: check.message, extensions: { code: check.code, requestId: req.id } }] });
    const rest = withoutPersistedQuery(extensions);
    if (req.method === "GET") {
      // Apollo reads a GET from the URL, not from req.query: the URL is rewritten
      const url = new URL(req.raw.url ?? "/", "http://gateway.invalid");
      url.searchParams.set("query", check.query);
      if (rest) url.searchParams.set("extensions", JSON.stringify(rest));
      else url.searchParams.delete("extensions");
      req.raw.url = `${url.pathname}${url.search}`;
    } else {
      source.query = check.query;
      if (rest) source.extensions = rest;
      else delete source.extensions;
    }
  });
});
