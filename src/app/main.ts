// npm start: configuration -> database (create, migrate, seed when empty) -> department sandboxes ->
// gateway on HOST:PORT, printing the URLs, where the development tokens are and a first query (src/app/banner.ts).
import "reflect-metadata";
import path from "node:path";
import { loadConfig, ConfigError, explorerEnabled } from "./config.js";
import { startBanner, writeTokenFile, type BannerInfo } from "./banner.js";
import { startGateway } from "./gateway.js";
import { runPrimary, workerRole, type WorkerMessage } from "./cluster.js";
import { DatabaseConnectError } from "../db/database.js";
import { DatabaseBusyError } from "../db/owner-lock.js";

async function main() {
  const started = Date.now();
  const loaded = loadConfig();
  // GATEWAY_PROCESSES > 1: this process forks the gateway processes and serves nothing itself (src/app/cluster.ts)
  const role = workerRole();
  if (loaded.gatewayProcesses > 1 && role === null) return runPrimary(loaded.gatewayProcesses, startBanner);
  // A follower serves requests only: the lead migrated and seeded before it started, and runs the schedules.
  const config = role === "follower" ? { ...loaded, migrateOnStart: false, seedOnStart: false, mirrorSync: false, MONITOR_INTERVAL: 0 } : loaded;
  const gw = await startGateway(config);
  if (role) {
    // which process answered (several share the port)
    const id = String(process.pid);
    gw.app.addHook("onSend", async (_req, reply) => {
      reply.header("x-gateway-process", id);
    });
    // the primary gone (killed): end too, cleanly
    process.on("disconnect", () => void shutdown("disconnect"));
  }
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
  if (role === "follower") {
    process.send!({ type: "ready" } satisfies WorkerMessage);
    return;
  }
  if (civil) {
    const file = path.join(config.DATA_DIR, "dev-tokens.env");
    writeTokenFile(file, gw.devTokens, new Date(), "8 h");
    tokens = { file, civilAffairs: civil.token };
  }
  const info: BannerInfo = {
    url,
    seconds: (Date.now() - started) / 1000,
    database: gw.db.target.kind === "pglite" ? `embedded PGlite in ${config.pgliteDir}` : "PostgreSQL",
    explorer: explorerEnabled(config),
    sandboxes: gw.sandboxes?.urls,
    dataset: gw.dataset,
    tokens,
  };
  // the lead hands its banner to the primary, which prints it once every process listens
  if (role === "lead") process.send!({ type: "ready", banner: info } satisfies WorkerMessage);
  else console.log(startBanner(info));
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
