import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import type { Database } from "../../src/db/database.js";
import { SOURCES } from "../../src/domain/records.js";
import { watchRedis } from "../../src/app/edge/rate-limit-store.js";

/**
 * GET /readyz over real HTTP: each dependency's state in words (up / degraded / down, never a breaker's
 * "closed"), HTTP 200 while the gateway serves (degraded included), 503 only when it cannot (database,
 * access log). The faults are real: a department sandbox answering 503, an operator's isolation, the
 * access-log table gone, the database closed.
 */

const SEED = 11;
const AS_OF = "2026-11-01";
const PERSONS = 60;
const DB_KIND = process.env.DATABASE_URL ? "postgres" : "pglite";

let gw: TestGateway;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
  const watch = watchRedis(redis);
  gw = await startGateway({
    seed: async (db: Database) => runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" }),
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
    redis,
    audit: true,
  });
  // no wall-clock bound of its own: the hook's timeout bounds it (a loaded machine only waits longer)
  while (watch.state !== "up") await new Promise((r) => setTimeout(r, 20));
});
afterAll(async () => {
  await gw?.close();
  redis?.disconnect();
});

async function readyz(g: TestGateway = gw) {
  const res = await fetch(`${g.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; dependencies: Record<string, { state: string; detail?: string }> } };
}

async function faults(source: string, patch: Record<string, unknown>) {
  const res = await fetch(`${gw.sandboxes!.urls[source as "employment"]}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(patch) });
  expect(res.status).toBe(200);
}

const allUp = () => ({
  database: { state: "up", detail: DB_KIND },
  redis: { state: "up" },
  audit: { state: "up" },
  ...Object.fromEntries(SOURCES.map((s) => [s, { state: "up" }])),
});

// The test gateway keeps a mirror it never syncs (no schedule: MIRROR_SYNC off): not in use, which is not a degradation.
const mirrorOff = () =>
  Object.fromEntries(
    SOURCES.map((s) => [
      s,
      { state: "off", detail: "never synced, no schedule here (MIRROR_SYNC off): reads are live", lastSuccessAt: null, lagSeconds: null, records: 0, malformed: 0, lastError: null },
    ]),
  );

describe("/readyz", () => {
  it("everything answers: ready, every dependency up", async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: "ready", dependencies: allUp(), mirror: mirrorOff() } });
  });

  it("a department system answering 503: degraded (still HTTP 200), that system down", async () => {
    await faults("employment", { down: true });
    try {
      const r = await readyz();
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        status: "degraded",
        dependencies: { ...allUp(), employment: { state: "down", detail: "health check failed: UPSTREAM_UNAVAILABLE (HTTP 503)" } },
        mirror: mirrorOff(),
      });
    } finally {
      await faults("employment", { down: false });
    }
    expect((await readyz()).body.status).toBe("ready");
  });

  it("a system isolated by an operator: down while isolated, up after", async () => {
    const isolation = gw.connectors.runtimes.housing.policy.isolate();
    try {
      const r = await readyz();
      expect(r.status).toBe(200);
      expect(r.body.status).toBe("degraded");
      expect(r.body.dependencies.housing).toEqual({ state: "down", detail: "isolated by an operator: calls are refused" });
    } finally {
      isolation.dispose();
    }
    expect((await readyz()).body.dependencies.housing).toEqual({ state: "up" });
  });

  it("the access log cannot be written: unavailable (HTTP 503) until a write succeeds again", async () => {
    await gw.db.sql.query(`ALTER TABLE audit_log RENAME TO audit_log_gone`);
    let restored = false;
    try {
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(r.body.status).toBe("unavailable");
      expect(r.body.dependencies.audit.state).toBe("down");
      expect(r.body.dependencies.audit.detail).toMatch(/^the access log cannot be read: /);
      // a request now fails closed (its access record cannot be written)
      const failed = await gw.gql(`{ households(first: 1) { totalCount } }`);
      expect(failed.data?.households ?? null).toBeNull();
      await gw.db.sql.query(`ALTER TABLE audit_log_gone RENAME TO audit_log`);
      restored = true;
      // the table is back, but the last write failed: still reported down, until one succeeds
      const stillDown = await readyz();
      expect(stillDown.status).toBe(503);
      expect(stillDown.body.dependencies.audit.detail).toMatch(/^the last access-log write failed: /);
    } finally {
      if (!restored) await gw.db.sql.query(`ALTER TABLE audit_log_gone RENAME TO audit_log`);
    }
    const ok = await gw.gql(`{ households(first: 1) { totalCount } }`);
    expect(ok.errors).toBeUndefined();
    expect(await readyz()).toEqual({ status: 200, body: { status: "ready", dependencies: allUp(), mirror: mirrorOff() } });
  });

  it("the database does not answer: unavailable (HTTP 503)", async () => {
    const other = await startGateway();
    try {
      await other.db.close();
      const r = await readyz(other);
      expect(r.status).toBe(503);
      expect(r.body.status).toBe("unavailable");
      expect(r.body.dependencies.database.state).toBe("down");
      expect(r.body.dependencies.database.detail).toMatch(new RegExp(`^${DB_KIND}: `));
      expect(r.body.dependencies.redis).toBeUndefined(); // not configured there
      // the access log is on there too (as in production) and is written to that same database: down with it
      expect(r.body.dependencies.audit.state).toBe("down");
    } finally {
      await other.close().catch(() => undefined); // its database is already closed
    }
  });
});
