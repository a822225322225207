/**
 * A small query page served from the gateway itself (development only): Apollo's default landing page
 * loads from a CDN, which offline government networks cannot reach. No external assets, CSP 'self'.
 */
import type { FastifyPluginAsync } from "fastify";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>safetynet-gateway</title>
<link rel="stylesheet" href="/explorer.css"></head>
<body>
<h1>safetynet-gateway</h1>
<p>Paste a token printed at start (or from <code>npm run -s token -- --audience civil_affairs</code>), write a query, run it.</p>
<label>Bearer token <input id="token" autocomplete="off" spellcheck="false"></label>
<label>Query <textarea id="query" rows="14" spellcheck="false">{
  households(first: 5) {
    totalCount
    edges { node { registryNo address currentCase { tier tierClass } members { name relation age } } }
  }
}</textarea></label>
<label>Variables (JSON) <textarea id="variables" rows="3" spellcheck="false">{}</textarea></label>
<button id="run">Run</button>
<pre id="out"></pre>
<script src="/explorer.js"></script>
</body></html>`;

const SCRIPT = `document.getElementById("token").value = sessionStorage.getItem("token") || "";
document.getElementById("run").addEventListener("click", async () => {
  const token = document.getElementById("token").value.trim();
  sessionStorage.setItem("token", token);
  const out = document.getElementById("out");
  let variables = {};
  try { variables = JSON.parse(document.getElementById("variables").value || "{}"); } catch (e) { out.textContent = "Variables are not JSON: " + e.message; return; }
  out.textContent = "…";
  const res = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer " + token },
    body: JSON.stringify({ query: document.getElementById("query").value, variables }) });
  out.textContent = res.status + "\\n" + JSON.stringify(await res.json(), null, 2);
});`;

const STYLE = `body{font:14px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}
input,textarea{width:100%;font:13px ui-monospace,monospace;box-sizing:border-box}pre{background:#f4f4f4;padding:1rem;overflow:auto}`;

export const explorerRoutes: FastifyPluginAsync = async (app) => {
  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(PAGE));
  app.get("/explorer.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(SCRIPT));
  app.get("/explorer.css", async (_req, reply) => reply.type("text/css; charset=utf-8").send(STYLE));
};
