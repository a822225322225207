/**
 * The explorer at `/`: GraphiQL (schema docs, completion, a headers editor for `Authorization: Bearer …`,
 * variables, history, tabs), served entirely from the gateway — the bundle of @graphql-yoga/render-graphiql,
 * no CDN, so it works on offline networks.
 *
 * The page is split into same-origin files (no inline script, no blob: workers), so its Content Security
 * Policy allows scripts and workers from 'self' only. It sends no `upgrade-insecure-requests` (with it a
 * browser fetches the page's own scripts over https on any host name but localhost, and the page stays
 * blank). Styles allow 'unsafe-inline': the editor (Monaco) and React set style attributes at run time.
 *
 * On in development and test, off in production unless EXPLORER=on (src/app/config.ts: explorerEnabled).
 * GraphiQL asks the schema by introspection, so introspection follows the explorer (src/app/apollo.ts).
 */
import type { FastifyPluginAsync } from "fastify";

export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The query a new tab opens with. */
export const DEFAULT_QUERY = `# A token goes in Headers below: {"Authorization": "Bearer <token>"}
# (development tokens: see the start banner; then re-fetch the schema, Shift-Ctrl-R, for docs)
{
  households(first: 5) {
    totalCount
    edges { node { registryNo address currentCase { tier tierClass } members { name relation age } } }
  }
}
`;

export interface ExplorerOptions {
  /** where GraphQL requests go (default /graphql) */
  endpoint?: string;
}

const BASE = "/explorer";
const WORKERS = { editorWorkerService: "editorWorkerService", json: "jsonWorker", graphql: "graphqlWorker" } as const;

function page(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>safetynet-gateway explorer</title>
<link rel="icon" href="${BASE}/favicon.ico">
<link rel="stylesheet" href="${BASE}/graphiql.css">
</head>
<body id="body" class="no-focus-outline">
<noscript>The explorer needs JavaScript.</noscript>
<div id="root"></div>
<script src="${BASE}/graphiql.js"></script>
<script src="${BASE}/start.js"></script>
</body>
</html>
`;
}

function startScript(endpoint: string): string {
  const options = {
    endpoint,
    title: "safetynet-gateway",
    defaultQuery: DEFAULT_QUERY,
    defaultHeaders: JSON.stringify({ Authorization: "Bearer <token>" }, null, 2),
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    // a token stays in the editor of this tab only, never in the browser's storage
    shouldPersistHeaders: false,
    maxHistoryLength: 50,
  };
  const workers = Object.fromEntries(Object.keys(WORKERS).map((label) => [label, `${BASE}/worker/${label}.js`]));
  return `"use strict";
(function () {
  var workers = ${JSON.stringify(workers)};
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_moduleId, label) { return workers[label] || workers.editorWorkerService; } };
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"), ${JSON.stringify(options)});
})();
`;
}

export const explorer: FastifyPluginAsync<ExplorerOptions> = async (app, { endpoint = "/graphql" }) => {
  // about 9 MB of JavaScript and CSS: loaded only when the explorer is on
  const bundle = await import("@graphql-yoga/render-graphiql/graphiql");
  const favicon = Buffer.from(bundle.favicon.slice(bundle.favicon.indexOf(",") + 1), "base64");
  const html = page();
  const start = startScript(endpoint);
  const JS = "text/javascript; charset=utf-8";

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("content-security-policy", EXPLORER_CSP);
    return payload;
  });
  // The bundle only changes with the installed package, which needs a restart: browsers may keep it an hour.
  const cached = { "cache-control": "public, max-age=3600" };
  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(html));
  app.get(`${BASE}/start.js`, async (_req, reply) => reply.type(JS).header("cache-control", "no-cache").send(start));
  app.get(`${BASE}/graphiql.js`, async (_req, reply) => reply.type(JS).headers(cached).send(bundle.js));
  app.get(`${BASE}/graphiql.css`, async (_req, reply) => reply.type("text/css; charset=utf-8").headers(cached).send(bundle.css));
  app.get(`${BASE}/favicon.ico`, async (_req, reply) => reply.type("image/x-icon").headers(cached).send(favicon));
  for (const [label, name] of Object.entries(WORKERS))
    app.get(`${BASE}/worker/${label}.js`, async (_req, reply) => reply.type(JS).headers(cached).send(bundle[name]));
};
