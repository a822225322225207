import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../connectors/kit/index.js";
import { until } from "../sandboxes/helpers.js";
import { connectorsFor, idNumber, metric, settle, startUpstream, type TestUpstream } from "./helpers.js";

/**
 * Deadline, circuit breaker and error mapping, exercised through the employment and disability connectors.
 * No elapsed time is measured: "the deadline fired" is an upstream that never answers and UPSTREAM_TIMEOUT;
 * "rejected at once" is the breaker's own refusal while the upstream hangs (a call that reached it could only
 * end by the deadline) and no new request at the upstream; the breaker's half-open delay passes on a fake
 * `Date` (cockatiel compares Date.now() with the time it opened), so no test waits a fixed time.
 */

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
  let mode: "ok" | "hang" | "down" | "held" | "garbage" | "empty" | "teapot" = "ok";
  /** "held": requests wait here until the test lets them go */
  let held: (() => void)[] = [];

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.get("/api/persons/:id/employment", async (req, reply) => {
        const id = (req.params as { id: string }).id;
        switch (mode) {
          case "hang":
            return new Promise(() => undefined);
          case "down":
            return reply.code(503).send({ error: "unavailable" });
          case "held":
            await new Promise<void>((r) => held.push(r));
            return person(id);
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
  /** requests at the employment route (health probes apart) */
  const employmentCalls = () => up.stats.byRoute["GET /api/persons/:id/employment"] ?? 0;
  beforeEach(() => {
    mode = "ok";
    held = [];
    up.resetStats();
  });
  afterEach(() => {
    vi.useRealTimers();
    for (const r of held) r();
  });

  it("a hanging upstream fails with UPSTREAM_TIMEOUT when the deadline passes, and the request is aborted", async () => {
    const { connectors, registry } = connectorsFor("employment", up.url, { timeoutMs: 1000, maxAttempts: 3 });
    mode = "hang"; // only the deadline can end this call
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    expect(r.ok).toBe(false);
    expect((r as { error: unknown }).error).toBeInstanceOf(UpstreamError);
    expect((r as { error: UpstreamError }).error.code).toBe("UPSTREAM_TIMEOUT");
    // the aggressive deadline answers the caller first; the aborted request settles just after
    await until(async () => (await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "timeout" })) > 0);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "timeout" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_retries_total", { source: "employment" })).toBe(0); // no retry after the deadline
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "employment", code: "UPSTREAM_TIMEOUT" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_in_flight", { source: "employment" })).toBe(0); // the request was aborted
    await connectors.close();
  });

  it("the deadline covers retries and backoff, not just one attempt", async () => {
    // The upstream fails at once (retryable) and the backoff before the retry is about an hour: a deadline per
    // attempt would let the call sit out the backoff (the test's timeout fails it); the call's deadline ends it
    // during the backoff, with UPSTREAM_TIMEOUT and the one request only. (The first backoff of cockatiel's
    // decorrelated jitter falls under the deadline with a probability below 1e-6.)
    const hour = 3_600_000;
    const { connectors } = connectorsFor("employment", up.url, { timeoutMs: 3000, maxAttempts: 5, backoff: { initialDelayMs: hour, maxDelayMs: hour } });
    mode = "down";
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_TIMEOUT");
    expect(up.stats.requests).toBe(1);
    await connectors.close();
  });

  it("a batch source times out the whole batch", async () => {
    const { connectors, registry } = connectorsFor("disability", up.url, { timeoutMs: 1000 });
    mode = "hang";
    const l = connectors.loaders().disability;
    const r = await Promise.all([1, 2, 3].map((i) => settle(l.load(idNumber(i)))));
    expect(r.map((x) => (x.ok ? "ok" : x.error.code))).toEqual(Array(3).fill("UPSTREAM_TIMEOUT"));
    // one batch of three keys, one request at most (the deadline may end it before it reaches the upstream)
    expect(await metric(registry, "gateway_upstream_batches_total", { source: "disability" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_keys_total", { source: "disability" })).toBe(3);
    expect(up.stats.requests).toBeLessThanOrEqual(1);
    await connectors.close();
  });

  it("the breaker opens after the threshold, then rejects at once without calling the upstream, and half-opens later", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // cockatiel's half-open delay runs on Date.now(); timers stay real
    mode = "down";
    const halfOpenAfterMs = 60_000;
    const { connectors, registry } = connectorsFor("employment", up.url, { maxAttempts: 2, breaker: { threshold: 3, halfOpenAfterMs } });
    for (let i = 0; i < 3; i++) {
      const r = await settle(connectors.loaders().employment.load(idNumber(i)));
      expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    }
    expect(employmentCalls()).toBe(6); // 3 calls × 2 attempts
    expect(connectors.states().employment).toBe("open");
    expect(await metric(registry, "gateway_upstream_breaker_state", { source: "employment" })).toBe(2);
    const health = await connectors.health();
    expect(health.employment).toMatchObject({ ok: false, breaker: "open" });

    // the upstream now hangs: a call that reached it could only end by the 30 s deadline, with UPSTREAM_TIMEOUT
    mode = "hang";
    const r = await settle(connectors.loaders().employment.load(idNumber(10)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(r.ok === false && r.error.detail.reason).toBe("circuit breaker open");
    expect(employmentCalls()).toBe(6); // not called
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "rejected" })).toBe(1);
    expect(connectors.states()).toEqual({ education: "closed", employment: "open", housing: "closed", medicalInsurance: "closed", disability: "closed" });

    // just before the half-open delay: still open, still not called
    vi.setSystemTime(Date.now() + halfOpenAfterMs - 1_000);
    const early = await settle(connectors.loaders().employment.load(idNumber(11)));
    expect(early.ok === false && early.error.detail.reason).toBe("circuit breaker open");
    expect(employmentCalls()).toBe(6);

    // later: the system is back; the first call is the half-open probe, other calls are rejected while it runs
    vi.setSystemTime(Date.now() + 1_000);
    mode = "held";
    const probe = connectors.loaders().employment.load(idNumber(20));
    await until(() => held.length === 1); // the probe is at the upstream, held there
    expect(connectors.states().employment).toBe("half-open");
    expect(await metric(registry, "gateway_upstream_breaker_state", { source: "employment" })).toBe(1);
    const during = await settle(connectors.loaders().employment.load(idNumber(21)));
    expect(during.ok === false && during.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(during.ok === false && during.error.detail.reason).toBe("circuit breaker half-open");
    expect(employmentCalls()).toBe(7); // the probe only
    expect(held.length).toBe(1);
    held.shift()!();
    expect(await probe).toMatchObject({ status: "EMPLOYED" });
    expect(connectors.states().employment).toBe("closed");
    expect(await metric(registry, "gateway_upstream_breaker_state", { source: "employment" })).toBe(0);
    mode = "ok";
    expect(await connectors.loaders().employment.load(idNumber(22))).not.toBeNull();
    await connectors.close();
  });

  it("a failed probe opens the breaker again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    mode = "down";
    const halfOpenAfterMs = 60_000;
    const { connectors } = connectorsFor("employment", up.url, { maxAttempts: 1, breaker: { threshold: 2, halfOpenAfterMs } });
    await settle(connectors.loaders().employment.load(idNumber(1)));
    await settle(connectors.loaders().employment.load(idNumber(2)));
    expect(connectors.states().employment).toBe("open");
    vi.setSystemTime(Date.now() + halfOpenAfterMs);
    const before = up.stats.requests;
    const r = await settle(connectors.loaders().employment.load(idNumber(3)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(up.stats.requests).toBe(before + 1); // the probe went out
    expect(connectors.states().employment).toBe("open");
    // open again, for a new delay: the next call is refused without a request
    mode = "hang";
    const again = await settle(connectors.loaders().employment.load(idNumber(4)));
    expect(again.ok === false && again.error.detail.reason).toBe("circuit breaker open");
    expect(up.stats.requests).toBe(before + 1);
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
    const { connectors } = connectorsFor("employment", up.url, { breaker: { threshold: 1 } }); // 30 s deadline: only the caller ends the first call
    const ac = new AbortController();
    const pending = settle(connectors.loaders({ signal: ac.signal }).employment.load(idNumber(1)));
    await until(() => up.stats.requests === 1); // the request is at the (hanging) upstream
    ac.abort();
    const r = await pending;
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_TIMEOUT");
    expect(r.ok === false && r.error.detail.reason).toBe("cancelled by caller");
    expect(connectors.states().employment).toBe("closed"); // a caller giving up is not the source's fault

    const other = settle(connectors.loaders().employment.load(idNumber(2)));
    await until(() => up.stats.requests === 2);
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
