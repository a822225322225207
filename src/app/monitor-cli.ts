// npm run monitor -- --full | --incremental [--work]
// Starts a monitoring run (enqueues its shards) and follows it with a progress bar until it ends.
// Exit code: 0 SUCCEEDED, 1 PARTIAL or FAILED (or an error), 2 bad arguments; when another run is in
// progress it is followed instead, and its end decides. On the embedded database, or with --work, this process
// also works the shards (on PostgreSQL, `npm run worker` processes usually do).
import "reflect-metadata";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { ConfigError } from "./config.js";
import { DatabaseBusyError } from "../db/owner-lock.js";
import { openMonitoringProcess } from "./monitoring-process.js";
import { startRun, workShards } from "../features/monitoring/runs.js";
import { describeRun, followRun } from "../features/monitoring/service.js";

const { values } = parseArgs({ options: { full: { type: "boolean" }, incremental: { type: "boolean" }, work: { type: "boolean" } }, strict: true });
if (Boolean(values.full) === Boolean(values.incremental)) {
  console.error("usage: npm run monitor -- --full | --incremental [--work]");
  process.exit(2);
}
try {
  const p = await openMonitoringProcess((line) => console.error(line));
  const deps = p.monitoring.deps;
  if (values.work || p.db.target.kind === "pglite") await workShards(deps, { concurrency: 2 });
  const { run, started } = await startRun(deps, values.full ? "FULL" : "INCREMENTAL");
  if (!started) console.error(`another run is in progress (${run.id}); following it`);
  const bar = new cliProgress.SingleBar({ format: `${run.mode} run [{bar}] {value}/{total} shards | {failed} failed | {households} households`, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(run.shards_total, 0, { failed: 0, households: run.households });
  const ended = await followRun(deps, run.id, (r) => bar.update(r.shards_done + r.shards_failed, { failed: r.shards_failed, households: r.households }));
  bar.stop();
  console.log(describeRun(ended));
  await p.close();
  process.exit(ended.status === "SUCCEEDED" ? 0 : 1);
} catch (err) {
  console.error(
    err instanceof ConfigError
      ? err.message
      : err instanceof DatabaseBusyError
        ? `the embedded database is in use by a running gateway, which runs monitoring itself every MONITOR_INTERVAL (${err.message})`
        : `monitoring run failed: ${(err as Error).stack ?? err}`,
  );
  process.exit(1);
}
