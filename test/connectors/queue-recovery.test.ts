import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ATTEMPT_OUTCOMES, type Connectors } from "../../connectors/kit/index.js";
import type { Registry } from "prom-client";
import { connectorsFor, idNumber, metric, settle, sleep, startUpstream, type TestUpstream } from "./helpers.js";

/**
 * The concurrency queue in front of a department system (connectors/kit/limiter.ts), over real HTTP to a
 * purpose-built upstream that can hang. Regression (issue 11): cockatiel 3.2.1's bulkhead kept queued
 * entries whose deadline had passed; the slot that later dequeued one stopped waking the queue, so calls
 * queued behind stale entries waited out their whole deadline although the system was idle and well.
 */

function person(id: string) {
  return { idNumber: id, status: "EMPLOYED", unemploymentRegisteredOn: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null, lastUpdated: "2026-10-01" };
}

/** Waits until `cond` holds; no deadline of its own (the test's timeout bounds it: a slow machine only waits longer). */
async function until(cond: () => boolean, _what: string): Promise<void> {
  while (!cond()) await sleep(5);
}

async function outcomes(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const o of ATTEMPT_OUTCOMES) out[o] = await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: o });
  return out;
}

describe("bounded concurrency queue that recovers", () => {
  let up: TestUpstream;
  let hang = false;
  /** when set, requests wait here (answered normally once let go) */
  let held: (() => void)[] | null = null;
  // A deadline that a healthy call (here at most 10 round trips in a row, 2 at a time) meets on any machine
  // that runs the suite; nothing derived from a measured speed, which may change after the measurement.
  // Only the test whose point is deadlines passing while queued uses it (and waits it out once).
  const DEADLINE_MS = 5000;

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.get("/api/persons/:id/employment", async (req) => {
        if (hang) return new Promise(() => undefined);
        if (held) await new Promise<void>((r) => held!.push(r));
        return person((req.params as { id: string }).id);
      });
    });
  });
  afterAll(() => up.close());
  beforeEach(() => {
    hang = false;
    held = null;
    up.resetStats();
  });

  const loadMany = (c: Connectors, from: number, n: number, signal?: AbortSignal) =>
    Promise.all(Array.from({ length: n }, (_, i) => settle(c.loaders({ signal }).employment.load(idNumber(from + i)))));

  it("after calls that gave up while queued, later calls all succeed", async () => {
    const { connectors, registry } = connectorsFor("employment", up.url, { maxAttempts: 1, maxConcurrency: 2 }); // 30 s deadline
    await connectors.loaders().employment.load(idNumber(0)); // warm the pool
    up.resetStats();

    // 1. overload: 2 calls held in flight at the upstream; 6 wait in the queue, and their requests give up;
    //    then the 2 are let go, and the slots they free meet the queue the 6 left
    held = [];
    const running = loadMany(connectors, 100, 2);
    await until(() => held!.length === 2, "the two running requests to reach the upstream");
    const gaveUp = new AbortController();
    const queued = loadMany(connectors, 110, 6, gaveUp.signal);
    await until(() => connectors.runtimes.employment.policy.load().queued === 6, "the six to be queued");
    gaveUp.abort();
    expect((await queued).map((r) => (r.ok ? "ok" : r.error.code))).toEqual(Array(6).fill("UPSTREAM_TIMEOUT"));
    const release = held!;
    held = null;
    for (const r of release) r();
    expect((await running).map((r) => (r.ok ? r.value?.status : r.error.code))).toEqual(Array(2).fill("EMPLOYED"));
    await until(() => connectors.runtimes.employment.metrics.inFlightNow === 0, "the running requests to end");
    expect(up.stats.requests).toBe(2); // the queued calls never reached the system

    // 2. the system is well again: 20 calls at once, 2 at a time, must all be answered
    hang = false;
    const second = await loadMany(connectors, 200, 20);
    expect(second.filter((r) => !r.ok).map((r) => (r as { error: { describe(): string } }).error.describe()).slice(0, 3)).toEqual([]);
    expect(second.map((r) => r.ok && (r.value as { status: string } | null)?.status)).toEqual(Array(20).fill("EMPLOYED"));
    expect(up.stats.requests).toBe(2 + 20);

    // every attempt is counted: what the upstream saw, and what never reached it
    const o = await outcomes(registry);
    expect(o).toMatchObject({ ok: 1 + 2 + 20, timeout: 0, cancelled: 6, queue_timeout: 0, queue_full: 0, rejected: 0, error: 0 });
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "employment", code: "UPSTREAM_TIMEOUT" })).toBe(6);
    expect(await metric(registry, "gateway_upstream_queued", { source: "employment" })).toBe(0);
    expect(connectors.runtimes.employment.policy.load()).toMatchObject({ active: 0, queued: 0 });
    await connectors.close();
  });

  it("after calls whose deadline passed while queued, later calls all succeed", async () => {
    const { connectors, registry } = connectorsFor("employment", up.url, { timeoutMs: DEADLINE_MS, maxAttempts: 1, maxConcurrency: 2 });
    await connectors.loaders().employment.load(idNumber(0)); // warm the pool
    up.resetStats();

    // 1. overload: 2 calls hang in flight, 6 wait in the queue; every deadline passes (a queued call that gets a
    //    slot freed by an earlier deadline before its own passes goes out, and times out in flight)
    hang = true;
    const first = await loadMany(connectors, 100, 8);
    expect(first.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(Array(8).fill("UPSTREAM_TIMEOUT"));
    // the deadline answers the caller at once; the aborted requests end (and are counted) a moment later
    await until(() => connectors.runtimes.employment.metrics.inFlightNow === 0, "the aborted requests to end");
    const o1 = await outcomes(registry);
    // each call failed once: in flight (its request went out) or while still queued (it never did)
    expect(o1).toMatchObject({ ok: 1, cancelled: 0, queue_full: 0, rejected: 0, error: 0 });
    expect(o1.timeout + o1.queue_timeout).toBe(8);
    expect(o1.timeout).toBeGreaterThanOrEqual(2);
    expect(up.stats.requests).toBeLessThanOrEqual(o1.timeout); // an aborted request may never reach the upstream

    // 2. the system is well again: 20 calls at once, 2 at a time, must all be answered
    hang = false;
    const second = await loadMany(connectors, 200, 20);
    expect(second.filter((r) => !r.ok).map((r) => (r as { error: { describe(): string } }).error.describe()).slice(0, 3)).toEqual([]);
    expect(up.stats.requests).toBeGreaterThanOrEqual(20);
    expect(await outcomes(registry)).toEqual({ ...o1, ok: 1 + 20 });
    expect(connectors.states().employment).toBe("closed");
    await connectors.close();
  });

  it("a full queue refuses at once (UPSTREAM_UNAVAILABLE, queue full), without opening the breaker; a caller giving up empties it", async () => {
    const { connectors, registry } = connectorsFor("employment", up.url, {
      timeoutMs: 600_000, // never reached: the caller ends the calls
      maxAttempts: 3,
      maxConcurrency: 2,
      maxQueue: 3,
      breaker: { threshold: 2 },
    });
    hang = true;
    const ac = new AbortController();
    const calls = Array.from({ length: 10 }, (_, i) => settle(connectors.loaders({ signal: ac.signal }).employment.load(idNumber(300 + i))));
    // the 5 beyond 2 running + 3 queued are refused without waiting for anything
    const refused = await Promise.all(calls.slice(5));
    for (const r of refused) {
      expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
      expect(r.ok === false && r.error.detail.reason).toBe("queue full");
    }
    await until(() => up.stats.requests === 2, "the two running requests to reach the upstream");
    expect(connectors.runtimes.employment.policy.load()).toMatchObject({ active: 2, queued: 3 });
    expect(await metric(registry, "gateway_upstream_queued", { source: "employment" })).toBe(3);
    expect(connectors.states().employment).toBe("closed"); // the gateway being busy is not the system failing

    ac.abort();
    const ended = await Promise.all(calls.slice(0, 5));
    expect(ended.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(Array(5).fill("UPSTREAM_TIMEOUT"));
    await until(() => connectors.runtimes.employment.metrics.inFlightNow === 0, "the aborted requests to end");
    expect(connectors.runtimes.employment.policy.load()).toMatchObject({ active: 0, queued: 0 });
    expect(connectors.states().employment).toBe("closed");
    const o = await outcomes(registry);
    expect(o).toMatchObject({ queue_full: 5, cancelled: 2 + 3, timeout: 0, queue_timeout: 0, ok: 0, error: 0 });
    expect(await metric(registry, "gateway_upstream_retries_total", { source: "employment" })).toBe(0); // queue full is not retried

    hang = false;
    const after = await loadMany(connectors, 400, 5);
    expect(after.every((r) => r.ok)).toBe(true);
    expect(up.stats.requests).toBe(2 + 5);
    expect((await outcomes(registry)).ok).toBe(5);
    await connectors.close();
  });

  it("maxQueue is validated", () => {
    expect(() => connectorsFor("employment", up.url, { maxQueue: -1 })).toThrow(/maxQueue must be a whole number in 0\.\./);
  });
});
