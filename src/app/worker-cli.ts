// npm run worker — works monitoring shards from the job engine's queue until SIGINT/SIGTERM. Any number of
// worker processes, on any number of machines, share one PostgreSQL database's queue. The embedded database
// (PGlite) belongs to one process: there the gateway works the shards itself.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { ConfigError } from "./config.js";
import { openMonitoringProcess } from "./monitoring-process.js";
import { DEFAULT_SHARD_CONCURRENCY, workShards } from "../features/monitoring/runs.js";

const { values } = parseArgs({ options: { concurrency: { type: "string", default: String(DEFAULT_SHARD_CONCURRENCY) } }, strict: true });
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
  console.error("--concurrency must be a whole number 1..64");
  process.exit(2);
}
if (!process.env.DATABASE_URL) {
  console.error("npm run worker needs DATABASE_URL (PostgreSQL): the embedded database belongs to one process, and the gateway works its shards itself");
  process.exit(2);
}
try {
  const p = await openMonitoringProcess((line) => console.log(line));
  await workShards(p.monitoring.deps, { concurrency });
  console.log(`monitoring worker ${process.pid}: working shards (concurrency ${concurrency})`);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await p.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `monitoring worker failed: ${(err as Error).message}`);
  process.exit(1);
}
