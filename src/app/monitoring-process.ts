/**
 * What a monitoring process outside the gateway opens (`npm run worker`, `npm run monitor`): the configured
 * database (already migrated), the pseudonym secret (alert keys are the gateway's opaque keys), the department
 * systems (configured URLs, or the development sandboxes over the recorded data set) and the job engine.
 */
import { createMetricsRegistry } from "../../connectors/kit/index.js";
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
    const monitoring = await openMonitoring(db, departments.monitoringConnectors, pseudonyms, config);
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
