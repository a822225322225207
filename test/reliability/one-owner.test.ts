/**
 * One owner per embedded database, over real processes: a gateway (dist/src/app/main.js) serving traffic on
 * a PGlite directory, and everything else that would open that directory started against it at once.
 * The oracle is the database's own rows, read after the gateway stopped: every request that got an
 * answer has its access record, and nothing else does.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { baseEnv, buildProject, recordedQuery, removeBuild, runNode, startGatewayProcess, type GatewayProcess } from "./processes.js";

let out: string;
const dirs: string[] = [];
const running: GatewayProcess[] = [];

beforeAll(async () => {
  out = await buildProject();
}, 300_000);

afterAll(async () => {
  for (const g of running) g.child.kill("SIGKILL");
  await removeBuild(out);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDataDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "safetynet-owner-"));
  dirs.push(d);
  return d;
}

async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
  const g = await startGatewayProcess(out, env);
  running.push(g);
  return g;
}

/** Raw rows of the stopped gateway's database, opened by this process (which then owns it). */
async function accessRecords(dataDir: string): Promise<{ requestIds: string[]; checkpoints: { seq: number; head_hash: string }[] }> {
  const db = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  try {
    const rows = await db.sql.query<{ request_id: string }>(`SELECT request_id FROM audit_log ORDER BY seq`);
    const checkpoints = await db.sql.query<{ seq: string | number; head_hash: string }>(`SELECT seq, head_hash FROM audit_checkpoint ORDER BY seq`);
    return { requestIds: rows.map((r) => r.request_id), checkpoints: checkpoints.map((c) => ({ seq: Number(c.seq), head_hash: c.head_hash })) };
  } finally {
    await db.close();
  }
}

async function lockFiles(dataDir: string): Promise<string[]> {
  return (await readdir(path.join(dataDir, "pglite.owner"))).filter((f) => f.endsWith(".lock"));
}

const IN_USE = (pid: number) => new RegExp(`in use by process ${pid} \\(\\S*node\\S* \\S*src/app/main\\.js\\) since \\d{4}-\\d\\d-\\d\\dT`);

describe.skipIf(!!process.env.DATABASE_URL)("embedded database (PGlite directory)", () => {
  test(
    "while a gateway serves traffic, a second gateway, seed and db:migrate refuse naming it; audit:verify and audit:checkpoint run through it; every answered request's record survives",
    { timeout: 900_000 },
    async () => {
      const dataDir = await tempDataDir();
      const env = baseEnv({ DATA_DIR: dataDir, SEED_ON_START: "false", RATE_LIMIT_PER_MINUTE: "1000000" });
      const gw = await gateway(env);
      // Its admin socket: only this OS user may connect.
      expect((await stat(path.join(dataDir, "pglite.owner", "admin.sock"))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(dataDir, "pglite.owner"))).mode & 0o777).toBe(0o700);

      const answered: string[] = [];
      let stop = false;
      let failed: unknown = null;
      const loop = async () => {
        while (!stop) {
          const id = await recordedQuery(gw);
          if (id) answered.push(id);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      const traffic = Promise.all([loop(), loop()]).catch((err) => {
        failed = err;
      });
      const served = async (n: number) => {
        while (answered.length < n) {
          if (failed) throw failed;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await served(10);
      const answeredBefore = answered.length;

      const [second, seed, migrate, verify, checkpoint] = await Promise.all([
        runNode(out, "src/app/main.js", [], env),
        runNode(out, "dev/seed/cli.js", ["--persons", "50"], env),
        runNode(out, "src/db/cli-migrate.js", [], env),
        runNode(out, "src/audit/verify-cli.js", ["--json"], env),
        runNode(out, "src/audit/checkpoint-cli.js", [], env),
      ]);
      const answeredDuring = answered.length;
      await served(answeredDuring + 5); // still serving
      stop = true;
      await traffic;
      expect(failed).toBeNull();

      for (const [name, r] of Object.entries({ second, seed, migrate })) {
        expect(r.code, `${name}: ${r.stdout}${r.stderr}`).toBe(1);
        expect(r.stderr, name).toMatch(IN_USE(gw.pid));
      }
      expect(second.stderr).toContain("safetynet-gateway cannot start: the embedded database");

      // Through the gateway: same report and exit code as alone, told on stderr.
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stderr).toContain("ran through it");
      const report = JSON.parse(verify.stdout);
      expect(report.ok).toBe(true);
      expect(report.head.seq).toBeGreaterThanOrEqual(answeredBefore);
      expect(checkpoint.code, checkpoint.stderr).toBe(0);
      expect(checkpoint.stderr).toContain("ran through it");
      const signed = /^checkpoint: (\d+) record\(s\), head ([0-9a-f]{64}),/.exec(checkpoint.stdout);
      expect(signed, checkpoint.stdout).not.toBeNull();

      gw.child.kill("SIGTERM");
      expect(await gw.exited).toEqual({ code: 0, signal: null });
      expect(await lockFiles(dataDir)).toEqual([]); // a clean stop leaves the directory free

      const rows = await accessRecords(dataDir);
      expect(new Set(rows.requestIds).size).toBe(rows.requestIds.length);
      expect([...rows.requestIds].sort()).toEqual([...answered].sort());
      expect(rows.checkpoints).toContainEqual({ seq: Number(signed![1]), head_hash: signed![2] });

      // Alone now (nobody holds the directory): it opens it itself and the whole chain verifies.
      const alone = await runNode(out, "src/audit/verify-cli.js", [], env);
      expect(alone.code, alone.stderr).toBe(0);
      expect(alone.stderr).not.toContain("ran through it");
      expect(alone.stdout).toContain(`intact: ${answered.length} record(s) re-hashed from genesis`);
      expect(await lockFiles(dataDir)).toEqual([]);
    },
  );

  test("kill -9 of the gateway after N answered requests: a restart on the same directory works at once and holds exactly those N records (plus the restart's)", { timeout: 900_000 }, async () => {
    const dataDir = await tempDataDir();
    const env = baseEnv({ DATA_DIR: dataDir, SEED_ON_START: "false" });
    const first = await gateway(env);
    const answered: string[] = [];
    for (let i = 0; i < 12; i++) answered.push((await recordedQuery(first))!);
    expect(answered.every(Boolean)).toBe(true);

    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // The dead owner's lock is still there, naming it: the restart has to take it over.
    const [left] = await lockFiles(dataDir);
    expect(JSON.parse(await readFile(path.join(dataDir, "pglite.owner", left), "utf8")).pid).toBe(first.pid);

    const second = await gateway(env);
    for (let i = 0; i < 3; i++) answered.push((await recordedQuery(second))!);
    expect(answered.every(Boolean)).toBe(true);
    // A CLI run now is refused naming the new owner, not the dead one.
    const migrate = await runNode(out, "src/db/cli-migrate.js", [], env);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(IN_USE(second.pid));
    second.child.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const rows = await accessRecords(dataDir);
    expect([...rows.requestIds].sort()).toEqual([...answered].sort());
    const verify = await runNode(out, "src/audit/verify-cli.js", [], env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`intact: ${answered.length} record(s) re-hashed from genesis`);
  });

  test("held by a process that serves no admin socket (e.g. seed): audit:verify and audit:checkpoint refuse naming it, exit 2", { timeout: 300_000 }, async () => {
    const dataDir = await tempDataDir();
    const holder = spawn(
      process.execPath,
      ["--input-type=module", "-e", `import { acquireOwnerLock } from ${JSON.stringify(path.join(out, "src/db/owner-lock.js"))}; acquireOwnerLock(process.argv[1]); console.log("held"); process.stdin.resume();`, path.join(dataDir, "pglite")],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d) => String(d).includes("held") && resolve());
        holder.on("close", () => reject(new Error("the holder ended")));
      });
      const env = baseEnv({ DATA_DIR: dataDir, AUDIT_SIGNING_KEY: "ab".repeat(32) });
      for (const script of ["src/audit/verify-cli.js", "src/audit/checkpoint-cli.js"]) {
        const r = await runNode(out, script, [], env);
        expect(r.code, script).toBe(2);
        expect(r.stderr, script).toMatch(new RegExp(`in use by process ${holder.pid} \\(`));
        expect(r.stderr, script).not.toContain("ran through it");
      }
      expect(existsSync(path.join(dataDir, "pglite"))).toBe(false); // nobody opened (or created) the database
    } finally {
      holder.kill("SIGKILL");
    }
  });
});
