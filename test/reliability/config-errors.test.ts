/**
 * Configuration errors stop `npm start` (dist/src/app/main.js) before any work, saying what failed: an
 * unreachable database names host, port, database and reason (never "pending migrations"); a missing
 * key set or a broken persisted-operation manifest is refused before the database is created or seeded.
 * The oracle is the data directory: nothing in it afterwards.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { baseEnv, buildProject, removeBuild, runNode } from "./processes.js";

let out: string;
let tmp: string;

beforeAll(async () => {
  out = await buildProject();
  tmp = await mkdtemp(path.join(os.tmpdir(), "safetynet-config-"));
}, 300_000);

afterAll(async () => {
  await removeBuild(out);
  await rm(tmp, { recursive: true, force: true });
});

/** A data directory that does not exist yet. */
function dataDir(name: string): string {
  return path.join(tmp, name, "data");
}

test.each([
  ["migrating on start", {}],
  ["not migrating on start", { MIGRATE_ON_START: "false", SEED_ON_START: "false" }],
])("a closed database port (%s): exit 1, host:port/database and the reason; nothing created", { timeout: 120_000 }, async (_name, extra) => {
  const dir = dataDir(`closed-${Object.keys(extra).length}`);
  const r = await runNode(out, "src/app/main.js", [], baseEnv({ DATA_DIR: dir, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/test", ...extra }));
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain("cannot connect to PostgreSQL at 127.0.0.1:1/test: connection refused");
  expect(r.stderr).not.toMatch(/pending migration/);
  expect(r.stderr).not.toMatch(/\n\s+at /); // a reason, not a stack trace
  expect(existsSync(path.dirname(dir))).toBe(false);
});

test("db:migrate and seed against a closed port say the same", { timeout: 120_000 }, async () => {
  const env = baseEnv({ DATA_DIR: dataDir("closed-cli"), DATABASE_URL: "postgresql://postgres@127.0.0.1:1/test?schema=nowhere" });
  for (const script of ["src/db/cli-migrate.js", "dev/seed/cli.js"]) {
    const r = await runNode(out, script, [], env);
    expect(r.code, script).toBe(1);
    expect(r.stderr, script).toContain("cannot connect to PostgreSQL at 127.0.0.1:1/test: connection refused");
  }
});

test("a missing JWKS file is refused before the database directory is created or seeded", { timeout: 120_000 }, async () => {
  const dir = dataDir("jwks");
  const jwks = path.join(tmp, "no-such-jwks.json");
  const r = await runNode(out, "src/app/main.js", [], baseEnv({ DATA_DIR: dir, JWT_JWKS_FILE: jwks }));
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain(`JWT_JWKS_FILE: cannot read ${jwks} (ENOENT)`);
  expect(r.stdout).not.toMatch(/seeding|migration/);
  expect(existsSync(path.join(dir, "pglite"))).toBe(false);
  expect(existsSync(path.join(dir, "pglite.owner"))).toBe(false);
});

test("a persisted-operation manifest that is not JSON is refused before the database directory is created", { timeout: 120_000 }, async () => {
  const dir = dataDir("manifest");
  const manifest = path.join(tmp, "manifest.json");
  await writeFile(manifest, "{ not json");
  const r = await runNode(out, "src/app/main.js", [], baseEnv({ DATA_DIR: dir, PERSISTED_OPERATIONS: "enforce", PERSISTED_OPERATIONS_MANIFEST: manifest }));
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain(`Invalid configuration:\n  - PERSISTED_OPERATIONS_MANIFEST: ${manifest}: `);
  expect(existsSync(path.join(dir, "pglite"))).toBe(false);
  // What may exist is the development key directory (keys are made before the database): no database.
  if (existsSync(dir)) expect((await readdir(dir)).filter((f) => f !== "keys")).toEqual([]);
});
