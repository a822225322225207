import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Writable } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import Fastify from "fastify";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { watchRedis } from "../../src/app/edge/rate-limit-store.js";
import { metric } from "../connectors/helpers.js";
import { loadConfig } from "../../src/app/config.js";
import { startGateway as startConfiguredGateway } from "../../src/app/gateway.js";

/**
 * Rate limiting while Redis (REDIS_URL) is unreachable: requests keep working, the limit is still enforced
 * (counted in this process's memory), one warning per outage, and counting returns to Redis when it is
 * back. Real Redis servers: one that is never there (127.0.0.1:1) and one this test starts and kills.
 */

const LIMIT = 5;
const NAMESPACE = "safetynet-rl:";
/** the gateway's own client options (src/app/gateway.ts) */
const clientOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 1000 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `cond` holds; no deadline of its own (the test's timeout bounds it: a slow machine only waits longer). */
async function until(cond: () => boolean | Promise<boolean>, _what: string): Promise<void> {
  while (!(await cond())) await sleep(20);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined);
  await until(async () => {
    try {
      if (probe.status !== "ready") await probe.connect();
      return (await probe.ping()) === "PONG";
    } catch {
      return false;
    }
  }, `redis-server on port ${port}`);
  probe.disconnect();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

/** A real Fastify (pino) logger whose JSON lines the test reads. */
function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: Fastify({ logger: { level: "info", stream } }).log, lines };
}

async function query(gw: TestGateway, subject: string) {
  return gw.gql(`{ __typename }`, undefined, { audience: "civil_affairs", city: "500000", subject } as never);
}

async function readyz(gw: TestGateway) {
  const res = await fetch(`${gw.url}/readyz`);
  return { status: res.status, body: (await res.json()) as any };
}

let gw: TestGateway | null = null;
let client: Redis | null = null;
const children: ChildProcess[] = [];
afterEach(async () => {
  await gw?.close();
  gw = null;
  client?.disconnect();
  client = null;
});
afterAll(async () => {
  for (const c of children) await stop(c);
});

describe("Redis unreachable from the start", () => {
  it("requests keep working and the limit is still enforced, per principal and for failed authentications", async () => {
    client = new Redis("redis://127.0.0.1:1", clientOptions);
    const watch = watchRedis(client);
    gw = await startGateway({ redis: client, edge: { RATE_LIMIT_PER_MINUTE: LIMIT } });
    await until(() => watch.settled === "down", "the first connection attempt to fail");

    const answers = [];
    for (let i = 0; i < LIMIT + 1; i++) answers.push(await query(gw, "alice"));
    expect(answers.slice(0, LIMIT).map((a) => [a.status, a.data?.__typename])).toEqual(Array(LIMIT).fill([200, "Query"]));
    expect(answers[LIMIT].status).toBe(429);
    expect(answers[LIMIT].errors?.[0].extensions?.code).toBe("RATE_LIMITED");
    // another principal has a count of its own
    expect((await query(gw, "bob")).status).toBe(200);

    // failed authentications: 401 up to the limit, then 429 — never 500
    const bad = [];
    for (let i = 0; i < LIMIT + 1; i++) bad.push(await gw.gql(`{ __typename }`, undefined, "not-a-token"));
    expect(bad.map((b) => b.status)).toEqual([...Array(LIMIT).fill(401), 429]);

    expect(await metric(gw.metrics, "gateway_rate_limit_store_fallback", {})).toBe(1);
    expect(await metric(gw.metrics, "gateway_rate_limit_store_fallbacks_total", {})).toBe(1);
    const ready = await readyz(gw);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("degraded");
    expect(ready.body.dependencies.redis).toEqual({ state: "down", detail: "connection refused; rate limiting counts in memory" });
    expect(ready.body.dependencies.database.state).toBe("up");
  });
});

describe("Redis fails mid-run and comes back", () => {
  it("counts in memory during the outage (one warning), then in Redis again (one recovery line)", async () => {
    const port = await freePort();
    children.push(await startRedisServer(port));
    const admin = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
    admin.on("error", () => undefined);
    client = new Redis(`redis://127.0.0.1:${port}`, clientOptions);
    const watch = watchRedis(client);
    gw = await startGateway({ redis: client, edge: { RATE_LIMIT_PER_MINUTE: LIMIT } });
    const { logger, lines } = captureLogger();
    watch.attachLogger(logger);
    await until(() => watch.state === "up", "the gateway's Redis connection");

    // 1. Redis up: the counts are in Redis
    expect((await query(gw, "carol")).status).toBe(200);
    expect((await query(gw, "carol")).status).toBe(200);
    await admin.connect();
    const keys = await admin.keys(`${NAMESPACE}*`);
    expect(keys).toHaveLength(1);
    expect(await admin.get(keys[0])).toBe("2");
    admin.disconnect();
    expect(await metric(gw.metrics, "gateway_rate_limit_store_fallback", {})).toBe(0);

    // 2. Redis dies: no 500; a fresh count in memory, with the same limit
    await stop(children.pop()!);
    await until(async () => (await readyz(gw!)).body.dependencies.redis.state === "down", "/readyz to see Redis down");
    const during = [];
    for (let i = 0; i < LIMIT + 1; i++) during.push((await query(gw, "carol")).status);
    expect(during).toEqual([...Array(LIMIT).fill(200), 429]);
    expect(await metric(gw.metrics, "gateway_rate_limit_store_fallback", {})).toBe(1);
    const ready = await readyz(gw);
    expect(ready.status).toBe(200);
    expect(ready.body.dependencies.redis.state).toBe("down");
    expect(ready.body.dependencies.redis.detail).toMatch(/; rate limiting counts in memory$/);

    // 3. Redis is back (empty: it keeps nothing on disk): counting returns to Redis
    children.push(await startRedisServer(port));
    await until(() => watch.state === "up", "the gateway to reconnect");
    expect((await query(gw, "carol")).status).toBe(200);
    await admin.connect();
    const after = await admin.keys(`${NAMESPACE}*`);
    expect(after).toHaveLength(1);
    expect(await admin.get(after[0])).toBe("1");
    admin.disconnect();
    expect(await metric(gw.metrics, "gateway_rate_limit_store_fallback", {})).toBe(0);
    expect(await metric(gw.metrics, "gateway_rate_limit_store_fallbacks_total", {})).toBe(1);
    expect((await readyz(gw)).body.dependencies.redis).toEqual({ state: "up" });

    // one structured line each way, however many reconnection attempts failed in between
    const about = lines.filter((l) => "rateLimitStore" in l);
    expect(about.map((l) => [l.level, l.rateLimitStore])).toEqual([
      [40, "memory"],
      [30, "redis"],
    ]);
    expect((about[0].redis as { reason: string }).reason).toMatch(/^(connection refused|connection reset|not connected)$/);
  });
});

describe("REDIS_URL unreachable, as `npm start` assembles the gateway", () => {
  it("starts, serves, prints no ioredis traces, and closes", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gw-redis-"));
    const consoleError = vi.spyOn(console, "error");
    const nowhere = "http://127.0.0.1:9";
    try {
      const config = loadConfig({
        DATA_DIR: dir,
        LOG_LEVEL: "silent",
        PORT: "0",
        SEED_ON_START: "false",
        REDIS_URL: "redis://127.0.0.1:1",
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        DEPARTMENT_SANDBOXES: "false",
        EDUCATION_URL: nowhere,
        EMPLOYMENT_URL: nowhere,
        HOUSING_URL: nowhere,
        MEDICAL_INSURANCE_URL: nowhere,
        MEDICAL_INSURANCE_CLIENT_ID: "x",
        MEDICAL_INSURANCE_CLIENT_SECRET: "x",
        DISABILITY_URL: nowhere,
      });
      const running = await startConfiguredGateway(config, () => {});
      try {
        const token = running.devTokens.find((t) => t.audience === "civil_affairs")!.token;
        const ask = () =>
          running.app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, payload: { query: "{ __typename }" } });
        const statuses = [];
        for (let i = 0; i < LIMIT + 1; i++) statuses.push((await ask()).statusCode);
        expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
        const ready = (await running.app.inject({ method: "GET", url: "/readyz" })).json();
        expect(ready.dependencies.redis).toEqual({ state: "down", detail: "connection refused; rate limiting counts in memory" });
        await sleep(300); // a few reconnection attempts fail meanwhile
      } finally {
        await running.close();
      }
      expect(consoleError.mock.calls.filter((c) => String(c[0]).includes("ioredis"))).toEqual([]);
    } finally {
      consoleError.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
