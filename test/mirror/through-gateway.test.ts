/**
 * Issue 15: `npm run sync` while the gateway owns its embedded database (the single-owner rule,
 * src/db/owner-lock.ts): the CLI runs through the gateway's admin socket, and the gateway then serves the
 * synced sources from its mirror. Real processes (the project compiled, `npm start`'s entry point, the CLI).
 * Always the embedded database (this is its rule), whatever DATABASE_URL the test runner has.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { REPO, baseEnv, removeBuild, runNode, startGatewayProcess, type GatewayProcess } from "../reliability/processes.js";

/**
 * The project compiled under dist/ of this checkout (gitignored), so the compiled code finds this checkout's
 * prisma/migrations (buildProject's node_modules/.cache is outside the checkout when node_modules is a link).
 */
async function buildProject(): Promise<string> {
  const out = path.join(REPO, "dist", `test-${randomBytes(6).toString("hex")}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "package.json"), JSON.stringify({ type: "module" }));
  await promisify(execFile)(process.execPath, [path.join(REPO, "node_modules/typescript/bin/tsc"), "-p", path.join(REPO, "tsconfig.json"), "--outDir", out, "--sourceMap", "false"], { cwd: REPO });
  return out;
}

let out: string;
let dataDir: string;
let gw: GatewayProcess | null = null;

beforeAll(async () => {
  out = await buildProject();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "sync-owner-"));
});
afterAll(async () => {
  if (gw) {
    gw.child.kill("SIGTERM");
    await gw.exited;
  }
  await removeBuild(out);
  rmSync(dataDir, { recursive: true, force: true });
});

test("npm run sync runs through the running gateway; the gateway then serves those sources from its mirror", async () => {
  // the schedule off: what gets synced is what the CLI asked for
  const env = baseEnv({ DATA_DIR: dataDir, MIRROR_SYNC: "false" });
  gw = await startGatewayProcess(out, env);
  const gql = async (query: string) =>
    (await fetch(`${gw!.url}/graphql`, { method: "POST", headers: { authorization: `Bearer ${gw!.token}`, "content-type": "application/json" }, body: JSON.stringify({ query }) }).then((r) =>
      r.json(),
    )) as { data?: any; errors?: unknown };

  const before = await gql(`{ departmentSync { source fresh records } }`);
  expect(before.errors).toBeUndefined();
  expect(before.data.departmentSync.every((s: { fresh: boolean }) => !s.fresh)).toBe(true);

  const r = await runNode(out, "src/app/sync-cli.js", ["--source", "employment,disability"], env);
  expect(r.stderr).toMatch(/held by the running gateway; ran through it/);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^employment: full: \d+ upserted/m);
  expect(r.stdout).toMatch(/^disability: full: \d+ upserted/m);

  const after = await gql(`{ departmentSync { source fresh records } }`);
  const by = Object.fromEntries(after.data.departmentSync.map((s: { source: string }) => [s.source, s]));
  expect(by.employment.fresh).toBe(true);
  expect(by.disability.fresh).toBe(true);
  expect(by.employment.records).toBe(Number(/^employment: full: (\d+) upserted/m.exec(r.stdout)![1]));
  expect(by.education.fresh).toBe(false);

  const view = await gql(`{ households(first: 5) { edges { node { members { employment { servedFrom } education { servedFrom } } } } } }`);
  expect(view.errors).toBeUndefined();
  const members = view.data.households.edges.flatMap((e: any) => e.node.members);
  const served = (f: "employment" | "education") => new Set(members.map((m: any) => m[f]?.servedFrom).filter(Boolean));
  expect(served("employment")).toEqual(new Set(["MIRROR"]));
  expect(served("education").has("MIRROR")).toBe(false);
});
