/**
 * Issue 15: a sync killed midway (`npm run sync` as a real process, SIGKILL while it pages through a full
 * export) resumes where its last committed page left it, without loss or duplicates — on PGlite (a data
 * directory the killed process owned) and on PostgreSQL (DATABASE_URL: a schema of this file's own).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startSandboxes, type RunningSandboxes } from "../../dev/sandboxes/index.js";
import { createConnectors, createMetricsRegistry, MIRROR_TABLES, Mirror, readState, syncSource, type Connectors } from "../../connectors/kit/index.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import { openTestDatabase } from "../helpers/database.js";
import { compileCli } from "../helpers/cli.js";

const PAGE = 10;
const EXPORT_ROUTE = "GET /api/bulk/employment/export";

let dir: string;
let script: string;
let sandboxes: RunningSandboxes;
let pg: Database | null = null;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sync-resume-"));
  sandboxes = await startSandboxes({ seed: 218, asOf: "2026-11-01", persons: 300, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } });
  // slow pages, so the kill lands while the export is being read
  await fetch(`${sandboxes.urls.employment}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs: 150 }) });
  script = await compileCli(dir, "src/app/sync-cli.ts");
  if (process.env.DATABASE_URL) pg = await openTestDatabase();
  else {
    const db = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "data", "pglite") });
    await applyMigrations(db.sql);
    await db.close();
  }
});
afterAll(async () => {
  await sandboxes?.close();
  await pg?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function exportRequests(): Promise<number> {
  const s = await fetch(`${sandboxes.urls.employment}/__sandbox/stats`).then((r) => r.json());
  return s.byRoute[EXPORT_ROUTE] ?? 0;
}

function childEnv(): Record<string, string> {
  const u = sandboxes.urls;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "test",
    DATA_DIR: path.join(dir, "data"),
    SYNC_PAGE_SIZE: String(PAGE),
    EDUCATION_URL: u.education,
    EMPLOYMENT_URL: u.employment,
    HOUSING_URL: u.housing,
    MEDICAL_INSURANCE_URL: u.medicalInsurance,
    MEDICAL_INSURANCE_CLIENT_ID: sandboxes.medicalCredentials.clientId,
    MEDICAL_INSURANCE_CLIENT_SECRET: sandboxes.medicalCredentials.clientSecret,
    DISABILITY_URL: u.disability,
  };
  if (pg && pg.target.kind === "postgres") {
    const url = new URL(pg.target.url);
    url.searchParams.set("schema", pg.target.schema);
    env.DATABASE_URL = url.toString();
  }
  return env;
}

function connectorsFor(): Connectors {
  const u = sandboxes.urls;
  const t = { timeoutMs: 30_000 };
  return createConnectors(
    {
      education: { baseUrl: u.education, ...t },
      employment: { baseUrl: u.employment, ...t },
      housing: { baseUrl: u.housing, ...t },
      medicalInsurance: { baseUrl: u.medicalInsurance, ...sandboxes.medicalCredentials, ...t },
      disability: { baseUrl: u.disability, ...t },
    },
    createMetricsRegistry(),
  );
}

test("npm run sync killed with SIGKILL during a full load resumes at its last committed page: no loss, no duplicates", async () => {
  const child = spawn(process.execPath, [script, "--source", "employment"], { env: childEnv(), cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()));
  let gone = false;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on("exit", (code, signal) => {
      gone = true;
      resolve(signal ?? code);
    }),
  );
  // a page is requested only after the previous one committed: the 4th request means 3 pages are in
  while ((await exportRequests()) < 4 && !gone) await new Promise((r) => setTimeout(r, 20));
  expect(gone, `the sync ended before it was killed: ${stderr}`).toBe(false);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  const db = pg ?? (await openDatabase({ kind: "pglite", dataDir: path.join(dir, "data", "pglite") }));
  const connectors = connectorsFor();
  try {
    const { table } = MIRROR_TABLES.employment;
    const countRows = async () => Number((await db.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
    const killedAt = await readState(db.sql, "employment");
    const committed = await countRows();
    // mid-load: pages committed with the position, the feed cursor not yet set
    expect(killedAt!.fullStartedAt).not.toBeNull();
    expect(killedAt!.cursor).toBeNull();
    expect(committed % PAGE).toBe(0);
    expect(committed).toBeGreaterThanOrEqual(3 * PAGE);
    // the killed process's lease has run out (it would by itself within its 2 minutes)
    await db.sql.query(`UPDATE mirror_sync_state SET lease_until = now() - interval '1 second'`);

    const total: number = (await fetch(`${sandboxes.urls.employment}/api/bulk/employment/export?limit=1`).then((x) => x.json())).total;
    const r = await syncSource({ sql: db.sql, connector: connectors.employment, http: connectors.runtimes.employment.http, pageSize: PAGE });
    expect(r.full).toBe(true);
    // resumed, not restarted: exactly the export pages after the committed ones, then the change feed's one page
    expect(r.pages).toBe(Math.ceil(total / PAGE) - committed / PAGE + 1);

    // no loss, nothing extra: the keys are the system's, once each; every record the lookup API's
    const exported: string[] = [];
    for (let after: string | null = null; ; ) {
      const page: any = await fetch(`${sandboxes.urls.employment}/api/bulk/employment/export?limit=10000${after ? `&after=${after}` : ""}`).then((x) => x.json());
      exported.push(...page.records.map((x: { idNumber: string }) => x.idNumber));
      if (page.next === null) break;
      after = page.next;
    }
    const keys = (await db.sql.query<{ k: string }>(`SELECT id_number AS k FROM ${table} ORDER BY id_number`)).map((x) => x.k);
    expect([...keys].sort()).toEqual([...exported].sort());
    expect(await countRows()).toBe(exported.length);
    const mirror = new Mirror(db.sql, { maxAgeMs: { education: 1, employment: 1, housing: 1, medicalInsurance: 1, disability: 1 }, staleAfterDays: { education: 365, employment: 365, housing: 365, medicalInsurance: 365, disability: 365 } });
    const mirrored = await mirror.getMany("employment", exported);
    const live = await connectors.loaders().employment.loadMany(exported);
    exported.forEach((k, i) => {
      const { stale: _a, servedFrom: _c, ...m } = mirrored.get(k) as Record<string, unknown>;
      const { stale: _b, servedFrom: _d, ...l } = live[i] as unknown as Record<string, unknown>;
      expect(m, k).toEqual(l);
    });
    const after = await readState(db.sql, "employment");
    expect(after!.fullStartedAt).toBeNull();
    expect(after!.cursor).not.toBeNull();
  } finally {
    await connectors.close();
    if (!pg) await db.close();
  }
});
