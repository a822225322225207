/**
 * What a monitoring process outside the gateway opens (`npm run worker`, `npm run monitor`): the configured
 * database (already migrated), the pseudonym secret (alert keys are the gateway's opaque keys), the department
 * systems (configured URLs, or the development sandboxes over the recorded data set) and the job engine.
 */
import { Mirror, createMetricsRegistry } from "../../connectors/kit/index.js";
import { SOURCES, type SourceName } from "../domain/records.js";
import { loadConfig, type Config } from "./config.js";
import { openDepartments, type Departments } from "./departments.js";
import { pseudonymSecret } from "./gateway.js";
import { configuredTarget, openDatabase, type Database } from "../db/database.js";
import { recordedDataset } from "../db/dataset.js";
import { Pseudonymizer } from "../policy/pseudonym.js";
import { openMonitoring, type Monitoring } from "../features/monitoring/service.js";

export interface MonitoringProcess {
  config: Config;
  db: Database;
  departments: Departments;
  monitoring: Monitoring;
  close(): Promise<void>;
}

export async function openMonitoringProcess(log: (line: string) => void): Promise<MonitoringProcess> {
  const config = loadConfig();
  const db = await openDatabase(configuredTarget(config));
  try {
    const pseudonyms = new Pseudonymizer(pseudonymSecret(config));
    const departments = await openDepartments(config, await recordedDataset(db), createMetricsRegistry(), log);
    // the department mirror in this database (synced by the gateway's schedule or `npm run sync`): shards read a source
    // from it while that source is fresh (its sync state is reloaded per shard), else live
    const connectors = departments.monitoringConnectors;
    const staleAfterDays = Object.fromEntries(SOURCES.map((s) => [s, connectors.config[s].staleAfterDays])) as Record<SourceName, number>;
    const mirror = new Mirror(db.sql, { maxAgeMs: config.mirrorMaxAgeMs, staleAfterDays });
    const monitoring = await openMonitoring(db, connectors, pseudonyms, config, { mirror });
    return {
      config,
      db,
      departments,
      monitoring,
      async close() {
        await monitoring.close();
        await departments.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
