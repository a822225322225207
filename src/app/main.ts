// npm start: configuration -> database (create, migrate, seed when empty) -> department sandboxes ->
// gateway on HOST:PORT, printing the URL, one ready token per audience (development) and a first query.
import "reflect-metadata";
import { loadConfig, ConfigError } from "./config.js";
import { startGateway } from "./gateway.js";
import { DatabaseConnectError } from "../db/database.js";
import { DatabaseBusyError } from "../db/owner-lock.js";

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const gw = await startGateway(config);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    gw.app.log.info({ signal }, "shutting down");
    await gw.close();
    process.exit(0);
  };
  // `on`, not `once`: Apollo Server stops itself on these signals and then re-raises the signal; with no
  // listener of ours left, that re-raised signal would end the process before the database is closed.
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await gw.app.listen({ host: config.HOST, port: config.PORT });
  const address = gw.app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;
  const civil = gw.devTokens.find((t) => t.audience === "civil_affairs")?.token ?? "<token>";
  const lines = [
    "",
    `safetynet-gateway ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  GraphQL    ${url}/graphql   (database: ${gw.db.target.kind === "pglite" ? `embedded PGlite in ${config.pgliteDir}` : "PostgreSQL"})`,
    `  health     ${url}/healthz   ready: ${url}/readyz   metrics: ${url}/metrics`,
    ...(config.NODE_ENV !== "production" ? [`  explorer   ${url}/`] : []),
    ...(gw.sandboxes
      ? [`  sandboxes  ${Object.entries(gw.sandboxes.urls).map(([k, v]) => `${k} ${v}`).join(", ")}`]
      : []),
    ...(gw.dataset ? [`  data set   seed ${gw.dataset.seed}, as of ${gw.dataset.asOf}`] : []),
  ];
  if (gw.devTokens.length) {
    lines.push("", "Development tokens (8 h; mint more with `npm run -s token -- --audience <name>`):");
    for (const t of gw.devTokens) lines.push(`  ${t.audience.padEnd(18)} ${t.token}`);
  }
  lines.push(
    "",
    "Try:",
    `  curl -s ${url}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${civil.slice(0, 12)}…' \\`,
    `    -d '{"query":"{ households(first: 5) { totalCount edges { node { registryNo address currentCase { tier tierClass } members { name relation age } } } } }"}'`,
    "  (use the full civil_affairs token above)",
    "",
  );
  console.log(lines.join("\n"));
}

main().catch((err) => {
  // Configuration, an unreachable database, a data directory in use: the reason alone, no stack.
  console.error(
    err instanceof ConfigError
      ? err.message
      : err instanceof DatabaseConnectError || err instanceof DatabaseBusyError
        ? `safetynet-gateway cannot start: ${err.message}`
        : `safetynet-gateway failed to start: ${err?.stack ?? err}`,
  );
  process.exit(1);
});
