import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../connectors/kit/index.js";
import { connectorsFor, idNumber, metric, settle, sleep, startUpstream, type TestUpstream } from "./helpers.js";

/** Deadline, circuit breaker and error mapping, exercised through the employment and disability connectors. */

function person(id: string) {
  return {
    idNumber: id,
    status: "EMPLOYED",
    unemploymentRegisteredOn: null,
    publicWelfarePost: false,
    trainings: [],
    dibaoEmploymentSubsidy: null,
    lastUpdated: "2026-10-01",
  };
}

describe("resilience", () => {
  let up: TestUpstream;
  let mode: "ok" | "hang" | "down" | "slow500" | "garbage" | "empty" | "teapot" = "ok";
  let latencyMs = 0;

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.get("/api/persons/:id/employment", async (req, reply) => {
        const id = (req.params as { id: string }).id;
        if (latencyMs) await sleep(latencyMs);
        switch (mode) {
          case "hang":
            return new Promise(() => undefined);
          case "down":
            return reply.code(503).send({ error: "unavailable" });
          case "slow500":
            await sleep(300);
            return reply.code(500).send({ error: "boom" });
          case "garbage":
            return reply.type("application/json").send("{not json");
          case "empty":
            return reply.code(200).send("");
          case "teapot":
            return reply.code(418).send({ error: "teapot" });
          default:
            return person(id);
        }
      });
      app.get("/cdpf/api/certificates", async () => (mode === "hang" ? new Promise(() => undefined) : []));
      app.get("/health", async (_req, reply) => (mode === "down" ? reply.code(503).send({ status: "down" }) : { status: "ok" }));
    });
  });
  afterAll(() => up.close());
  beforeEach(() => {
    mode = "ok";
    latencyMs = 0;
    up.resetStats();
  });

  it("a hanging upstream fails with UPSTREAM_TIMEOUT within timeoutMs + 10 %", async () => {
    const { connectors, registry } = connectorsFor("employment", up.url, { timeoutMs: 1000, maxAttempts: 3 });
    await connectors.loaders().employment.load(idNumber(0)); // warm the connection pool
    mode = "hang";
    const started = performance.now();
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    const elapsed = performance.now() - started;
    expect(r.ok).toBe(false);
    expect((r as { error: unknown }).error).toBeInstanceOf(UpstreamError);
    expect((r as { error: UpstreamError }).error.code).toBe("UPSTREAM_TIMEOUT");
    expect(elapsed).toBeGreaterThanOrEqual(995);
    expect(elapsed).toBeLessThanOrEqual(1100);
    await sleep(20);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "timeout" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "employment", code: "UPSTREAM_TIMEOUT" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_in_flight", { source: "employment" })).toBe(0); // the request was aborted
    await connectors.close();
  });

  it("the deadline covers retries and backoff, not just one attempt", async () => {
    const { connectors } = connectorsFor("employment", up.url, { timeoutMs: 500, maxAttempts: 5 });
    await connectors.loaders().employment.load(idNumber(0)); // warm the connection pool
    up.resetStats();
    mode = "slow500";
    const started = performance.now();
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_TIMEOUT");
    expect(performance.now() - started).toBeLessThanOrEqual(550);
    expect(up.stats.requests).toBe(2);
    await connectors.close();
  });

  it("a batch source times out the whole batch", async () => {
    const { connectors } = connectorsFor("disability", up.url, { timeoutMs: 1000 });
    await connectors.loaders().disability.load(idNumber(0)); // warm the connection pool
    up.resetStats();
    mode = "hang";
    const l = connectors.loaders().disability;
    const started = performance.now();
    const r = await Promise.all([1, 2, 3].map((i) => settle(l.load(idNumber(i)))));
    expect(r.map((x) => (x.ok ? "ok" : x.error.code))).toEqual(Array(3).fill("UPSTREAM_TIMEOUT"));
    expect(performance.now() - started).toBeLessThanOrEqual(1100);
    expect(up.stats.requests).toBe(1);
    await connectors.close();
  });

  it("the breaker opens after the threshold, then rejects at once without calling the upstream, and half-opens later", async () => {
    mode = "down";
    const { connectors, registry } = connectorsFor("employment", up.url, { maxAttempts: 2, breaker: { threshold: 3, halfOpenAfterMs: 400 } });
    for (let i = 0; i < 3; i++) {
      const r = await settle(connectors.loaders().employment.load(idNumber(i)));
      expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    }
    expect(up.stats.requests).toBe(6); // 3 calls × 2 attempts
    expect(connectors.states().employment).toBe("open");
    expect(await metric(registry, "gateway_upstream_breaker_state", { source: "employment" })).toBe(2);

    const started = performance.now();
    const r = await settle(connectors.loaders().employment.load(idNumber(10)));
    const elapsed = performance.now() - started;
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(r.ok === false && r.error.detail.reason).toBe("circuit breaker open");
    expect(elapsed).toBeLessThan(20);
    expect(up.stats.requests).toBe(6); // not called
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "rejected" })).toBe(1);
    expect(connectors.states()).toEqual({ education: "closed", employment: "open", housing: "closed", medicalInsurance: "closed", disability: "closed" });
    const health = await connectors.health();
    expect(health.employment).toMatchObject({ ok: false, breaker: "open" });

    // later: the system is back; the first call is the half-open probe, other calls are rejected while it runs
    await sleep(450);
    mode = "ok";
    latencyMs = 150;
    const probe = connectors.loaders().employment.load(idNumber(20));
    await sleep(30);
    expect(connectors.states().employment).toBe("half-open");
    expect(await metric(registry, "gateway_upstream_breaker_state", { source: "employment" })).toBe(1);
    const t0 = performance.now();
    const during = await settle(connectors.loaders().employment.load(idNumber(21)));
    expect(during.ok === false && during.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(performance.now() - t0).toBeLessThan(20);
    expect(await probe).toMatchObject({ status: "EMPLOYED" });
    expect(connectors.states().employment).toBe("closed");
    expect(await metric(registry, "gateway_upstream_breaker_state", { source: "employment" })).toBe(0);
    latencyMs = 0;
    expect(await connectors.loaders().employment.load(idNumber(22))).not.toBeNull();
    await connectors.close();
  });

  it("a failed probe opens the breaker again", async () => {
    mode = "down";
    const { connectors } = connectorsFor("employment", up.url, { maxAttempts: 1, breaker: { threshold: 2, halfOpenAfterMs: 200 } });
    await settle(connectors.loaders().employment.load(idNumber(1)));
    await settle(connectors.loaders().employment.load(idNumber(2)));
    expect(connectors.states().employment).toBe("open");
    await sleep(250);
    const before = up.stats.requests;
    const r = await settle(connectors.loaders().employment.load(idNumber(3)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(up.stats.requests).toBe(before + 1); // the probe went out
    expect(connectors.states().employment).toBe("open");
    await connectors.close();
  });

  it("bad responses neither retry nor open the breaker", async () => {
    const { connectors } = connectorsFor("employment", up.url, { breaker: { threshold: 2 } });
    for (const m of ["garbage", "empty", "teapot"] as const) {
      mode = m;
      up.resetStats();
      const r = await settle(connectors.loaders().employment.load(idNumber(1)));
      expect(r.ok === false && r.error.code, m).toBe("UPSTREAM_BAD_RESPONSE");
      expect(up.stats.requests, m).toBe(1);
    }
    expect(connectors.states().employment).toBe("closed");
    await connectors.close();
  });

  it("connection refused is UPSTREAM_UNAVAILABLE after retries", async () => {
    const dead = await startUpstream(() => undefined);
    const url = dead.url;
    await dead.close();
    const { connectors, registry } = connectorsFor("employment", url, { maxAttempts: 3 });
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(await metric(registry, "gateway_upstream_retries_total", { source: "employment" })).toBe(2);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "error" })).toBe(3);
    await connectors.close();
  });

  it("a request's own signal stops its upstream calls; close() stops everything", async () => {
    mode = "hang";
    const { connectors } = connectorsFor("employment", up.url, { timeoutMs: 5000, breaker: { threshold: 1 } });
    const ac = new AbortController();
    const pending = settle(connectors.loaders({ signal: ac.signal }).employment.load(idNumber(1)));
    await sleep(50);
    ac.abort();
    const r = await pending;
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_TIMEOUT");
    await sleep(20);
    expect(connectors.states().employment).toBe("closed"); // a caller giving up is not the source's fault

    const other = settle(connectors.loaders().employment.load(idNumber(2)));
    await sleep(50);
    await connectors.close();
    const r2 = await other;
    expect(r2.ok).toBe(false);
    expect((r2 as { error: unknown }).error).toBeInstanceOf(UpstreamError);
  });

  it("exposes the metrics on its own registry", async () => {
    const a = connectorsFor("employment", up.url);
    const b = connectorsFor("employment", up.url);
    await a.connectors.loaders().employment.load(idNumber(1));
    const text = await a.registry.metrics();
    for (const name of [
      "gateway_upstream_requests_total",
      "gateway_upstream_request_duration_seconds",
      "gateway_upstream_errors_total",
      "gateway_upstream_retries_total",
      "gateway_upstream_keys_total",
      "gateway_upstream_batches_total",
      "gateway_upstream_breaker_state",
      "gateway_upstream_in_flight",
      "gateway_upstream_in_flight_peak",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(await metric(a.registry, "gateway_upstream_requests_total", { source: "employment", outcome: "ok" })).toBe(1);
    expect(await metric(b.registry, "gateway_upstream_requests_total", { source: "employment", outcome: "ok" })).toBe(0);
    await a.connectors.close();
    await b.connectors.close();
  });
});
