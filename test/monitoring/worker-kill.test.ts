/**
 * A worker killed in the middle of a shard: its job expires on the engine and another worker takes the shard
 * again; the run completes with the same stored results as an undisturbed run over the same facts.
 * PostgreSQL: the killed worker is a real `npm run worker` process (compiled), SIGKILLed. PGlite (one process
 * per database): a second engine in this process takes the shard and is abandoned mid-shard (never completes
 * its job), which is what the engine sees of a killed worker.
 */
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pseudonymizer } from "../../src/policy/pseudonym.js";
import { processShard, startRun, workShards, type ShardJob } from "../../src/features/monitoring/runs.js";
import { SHARD_QUEUE, startEngine } from "../../src/features/monitoring/engine.js";
import { setFaults } from "../integration/harness.js";
import { baseEnv, buildProject, removeBuild, REPO } from "../reliability/processes.js";
import { NOW, results, startMonitorHarness, waitForRun, type MonitorHarness } from "./helpers.js";

const SECRET = randomBytes(32);
const TIMEOUT_SECONDS = 15;
let h: MonitorHarness;
let build: string | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  h = await startMonitorHarness({ attempts: 4, timeoutSeconds: TIMEOUT_SECONDS, shardSize: 25, pseudonyms: new Pseudonymizer(SECRET) });
  if (h.gw.db.target.kind === "postgres") build = await buildProject();
}, 400_000);
afterAll(async () => {
  child?.kill("SIGKILL");
  await h?.close();
  await removeBuild(build);
});

async function shardInProgress(runId: string): Promise<number> {
  for (;;) {
    const rows = await h.gw.db.sql.query<{ shard_no: number }>(`SELECT shard_no FROM monitoring_shard WHERE run_id = $1 AND status = 'RUNNING'`, [runId]);
    if (rows.length) return rows[0].shard_no;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a worker killed mid-shard", () => {
  it("the run completes, the shard retried elsewhere, with the same results as an undisturbed run", async () => {
    // the undisturbed run, worked here
    await workShards(h.deps, { concurrency: 2 });
    const reference = await startRun(h.deps, "FULL", NOW);
    expect(await waitForRun(h, reference.run.id)).toMatchObject({ status: "SUCCEEDED", shards_retried: 0 });
    const expected = await results(h);
    await h.boss.offWork(SHARD_QUEUE);

    // the same facts again, the department systems slow, so that a shard takes long
    await setFaults(h.gw, "employment", { latencyMs: 3000 });
    const { run } = await startRun(h.deps, "FULL", NOW);
    if (build) {
      const db = h.gw.db.target as { url: string; schema: string };
      const urls = h.gw.sandboxes!.urls;
      child = spawn(process.execPath, [path.join(build, "src/app/worker-cli.js")], {
        cwd: REPO,
        stdio: "ignore",
        env: baseEnv({
          DATABASE_URL: `${db.url}${db.url.includes("?") ? "&" : "?"}schema=${db.schema}`,
          EDUCATION_URL: urls.education,
          EMPLOYMENT_URL: urls.employment,
          HOUSING_URL: urls.housing,
          MEDICAL_INSURANCE_URL: urls.medicalInsurance,
          MEDICAL_INSURANCE_CLIENT_ID: h.gw.sandboxes!.medicalCredentials.clientId,
          MEDICAL_INSURANCE_CLIENT_SECRET: h.gw.sandboxes!.medicalCredentials.clientSecret,
          DISABILITY_URL: urls.disability,
          PSEUDONYM_SECRET: SECRET.toString("hex"),
          MONITOR_SHARD_ATTEMPTS: "4",
          MONITOR_SHARD_TIMEOUT: String(TIMEOUT_SECONDS),
          UPSTREAM_TIMEOUT_MS: "60000",
        }),
      });
      await shardInProgress(run.id);
      child.kill("SIGKILL");
      await new Promise((r) => child!.once("exit", r));
    } else {
      // a second engine on the same database takes a shard and never finishes it
      const other = await startEngine(h.gw.db, { attempts: 4, timeoutSeconds: TIMEOUT_SECONDS });
      await other.work<ShardJob>(SHARD_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, ([job]) => processShard(h.deps, job.data, { beforeWrite: () => new Promise<void>(() => {}) }).then(() => undefined));
      await shardInProgress(run.id);
      await other.stop({ graceful: false, wait: false, close: false });
    }
    const killedShard = await shardInProgress(run.id);
    await setFaults(h.gw, "employment", { latencyMs: 0 });

    // the remaining workers: this process
    await workShards(h.deps, { concurrency: 2 });
    const ended = await waitForRun(h, run.id);
    expect(ended).toMatchObject({ status: "SUCCEEDED", shards_failed: 0, shards_done: ended.shards_total });
    expect(ended.shards_retried).toBeGreaterThanOrEqual(1);
    const shard = await h.gw.db.sql.query<{ attempts: number; status: string }>(`SELECT attempts, status FROM monitoring_shard WHERE run_id = $1 AND shard_no = $2`, [run.id, killedShard]);
    expect(shard[0].status).toBe("DONE");
    expect(shard[0].attempts).toBeGreaterThanOrEqual(2);
    expect(await results(h)).toEqual(expected);
  }, 900_000);
});
