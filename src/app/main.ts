// npm start: configuration -> database (create, migrate, seed when empty) -> department sandboxes ->
// gateway on HOST:PORT, printing the URLs, where the development tokens are and a first query (src/app/banner.ts).
import "reflect-metadata";
import path from "node:path";
import { loadConfig, ConfigError, explorerEnabled } from "./config.js";
import { startBanner, writeTokenFile, type BannerInfo } from "./banner.js";
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
  let tokens: BannerInfo["tokens"] = null;
  const civil = gw.devTokens.find((t) => t.audience === "civil_affairs");
  if (civil) {
    const file = path.join(config.DATA_DIR, "dev-tokens.env");
    writeTokenFile(file, gw.devTokens, new Date(), "8 h");
    tokens = { file, civilAffairs: civil.token };
  }
  const banner = startBanner({
    url,
    seconds: (Date.now() - started) / 1000,
    database: gw.db.target.kind === "pglite" ? `embedded PGlite in ${config.pgliteDir}` : "PostgreSQL",
    explorer: explorerEnabled(config),
    sandboxes: gw.sandboxes?.urls,
    dataset: gw.dataset,
    tokens,
  });
  console.log(banner);
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
