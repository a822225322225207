/**
 * GATEWAY_PROCESSES=2 on PostgreSQL (src/app/cluster.ts), as `npm start` runs it: requests over separate
 * connections are answered by both gateway processes (x-gateway-process: the answering pid, one of the pids the
 * banner lists); a process killed is replaced; the access log written by both processes at once is one chain that
 * `audit:verify` (src/audit/verify-cli.ts) re-hashes intact; SIGTERM to the primary ends every process with exit 0
 * and every answered request's record is in the log. Oracle: the response headers, the raw audit_log rows, the
 * verifier's report, the kernel (is a pid alive).
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postgresTarget } from "../../src/db/database.js";
import { main as verifyMain } from "../../src/audit/verify-cli.js";
import { baseEnv, buildProject, removeBuild, startGatewayProcess, type GatewayProcess } from "./processes.js";

const url = process.env.DATABASE_URL;
if (!url) console.log("gateway-processes.test.ts skipped: GATEWAY_PROCESSES > 1 needs PostgreSQL (DATABASE_URL is unset; PGlite is owned by one process)");
const schema = `t_gwproc_${randomBytes(5).toString("hex")}`;
let out: string | undefined;
let dataDir: string | undefined;
let gw: GatewayProcess | undefined;

beforeAll(async () => {
  if (url) out = await buildProject();
});

afterAll(async () => {
  if (gw && gw.child.exitCode === null) gw.child.kill("SIGKILL");
  await removeBuild(out);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (!url) return;
  const c = new pg.Client({ connectionString: (postgresTarget(url) as { url: string }).url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

interface Answer {
  status: number;
  requestId: string;
  process: string;
}

/** One GraphQL request on a connection of its own (no keep-alive), so that the primary hands each to a process anew. */
function query(g: GatewayProcess, q: string): Promise<Answer> {
  const body = JSON.stringify({ query: q });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${g.url}/graphql`,
      { method: "POST", agent: false, headers: { authorization: `Bearer ${g.token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          const parsed = JSON.parse(text) as { errors?: unknown };
          if (res.statusCode !== 200 || parsed.errors) return reject(new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 300)}`));
          resolve({ status: res.statusCode, requestId: String(res.headers["x-request-id"]), process: String(res.headers["x-gateway-process"]) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `count` requests, `concurrency` at a time. */
async function burst(g: GatewayProcess, count: number, concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const queries = ["{ households(first: 2) { totalCount edges { node { id registryNo } } } }", "{ households(first: 1) { edges { node { id members { name age } } } } }"];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        answers.push(await query(g, queries[i % queries.length]));
      }
    }),
  );
  return answers;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!url)("GATEWAY_PROCESSES=2 (PostgreSQL)", () => {
  test(
    "both processes answer; a killed one is replaced; the access log of both is one intact chain; SIGTERM ends all, every answer recorded",
    async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), "gwproc-"));
      const u = new URL((postgresTarget(url!) as { url: string }).url);
      u.searchParams.set("schema", schema);
      const env = baseEnv({ DATABASE_URL: u.toString(), DATA_DIR: dataDir, GATEWAY_PROCESSES: "2", MIGRATE_ON_START: "true", SEED_ON_START: "true" });
      gw = await startGatewayProcess(out!, env);
      const listed = /processes\s+2 sharing the port \(pids (\d+), (\d+)\)/.exec(gw.output());
      expect(listed, gw.output()).not.toBeNull();
      const pids = [listed![1], listed![2]];
      expect(pids).not.toContain(String(gw.pid));

      // concurrent requests through both processes
      const first = await burst(gw, 60, 6);
      expect(new Set(first.map((a) => a.process))).toEqual(new Set(pids));

      // one process killed: the primary starts another; requests meanwhile go to the one left
      const killed = Number(pids[0]);
      process.kill(killed, "SIGKILL");
      while (alive(killed)) await new Promise((r) => setTimeout(r, 50));
      const meanwhile: Answer[] = [];
      const deadline = Date.now() + 240_000;
      let replacement: string | undefined;
      while (!replacement) {
        if (Date.now() > deadline) throw new Error(`no replacement process:\n${gw.output()}`);
        // a connection the primary handed over just as the process died gets no answer (and needs no record): retried
        const a = await query(gw, "{ households(first: 1) { totalCount } }").catch((err: Error) => {
          if (err.message.startsWith("unexpected answer")) throw err;
          return null;
        });
        if (!a) continue;
        meanwhile.push(a);
        if (a.process !== pids[1]) replacement = a.process;
        else await new Promise((r) => setTimeout(r, 200));
      }
      expect(replacement).not.toBe(String(killed));
      expect(alive(killed)).toBe(false);
      const second = await burst(gw, 40, 4);
      expect(new Set(second.map((a) => a.process))).toEqual(new Set([pids[1], replacement]));

      // SIGTERM to the primary: every process ends, the primary with exit 0
      gw.child.kill("SIGTERM");
      const ended = await gw.exited;
      expect(ended, gw.output()).toEqual({ code: 0, signal: null });
      for (const pid of [pids[1], replacement]) expect(alive(Number(pid))).toBe(false);

      // every answered request has its access record, once
      const answered = [...first, ...meanwhile, ...second].map((a) => a.requestId);
      expect(new Set(answered).size).toBe(answered.length);
      const c = new pg.Client({ connectionString: (postgresTarget(url!) as { url: string }).url });
      await c.connect();
      let recorded: string[];
      try {
        recorded = (await c.query<{ request_id: string }>(`SELECT request_id FROM "${schema}".audit_log ORDER BY seq`)).rows.map((r) => r.request_id);
      } finally {
        await c.end();
      }
      expect([...recorded].sort()).toEqual([...answered].sort());
      // the chain both processes appended to verifies from genesis (and against the witness file they both wrote)
      let report = "";
      const io = { stdout: (t: string) => void (report += t), stderr: (t: string) => void (report += t) };
      expect(await verifyMain([], env, io), report).toBe(0);
      expect(report).toContain(`audit log intact: ${answered.length} record(s) re-hashed from genesis`);
      expect(report).toMatch(/head\(s\) seen outside the database found/);
    },
  );
});
