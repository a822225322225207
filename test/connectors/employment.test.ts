import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorsFor, gate, idNumber, metric, settle, startUpstream, type TestUpstream } from "./helpers.js";

const NOW = new Date("2026-11-15T00:00:00Z");

function person(id: string, over: Record<string, unknown> = {}) {
  return {
    idNumber: id,
    status: "UNEMPLOYED_REGISTERED",
    unemploymentRegisteredOn: "2025-03-01",
    publicWelfarePost: false,
    trainings: [{ course: "家政服务", completedOn: "2025-06-30" }],
    dibaoEmploymentSubsidy: { monthlyFen: 35000, from: "2026-01-01", to: "2026-12-31" },
    lastUpdated: "2026-10-01",
    ...over,
  };
}

type Behaviour = (id: string, n: number) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

describe("employment connector", () => {
  let up: TestUpstream;
  const records = new Map<string, unknown>();
  const seen = new Map<string, number[]>(); // id → arrival times
  const answered = new Map<string, number[]>(); // id → times answers were sent
  let behaviour: Behaviour = () => undefined;
  let hold: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.get("/api/persons/:id/employment", async (req, reply) => {
        const id = (req.params as { id: string }).id;
        const times = seen.get(id) ?? [];
        times.push(Date.now());
        seen.set(id, times);
        const special = behaviour(id, times.length);
        if (hold) await hold();
        const done = () => answered.set(id, [...(answered.get(id) ?? []), Date.now()]);
        if (special) {
          done();
          return reply
            .code(special.status)
            .headers(special.headers ?? {})
            .send(special.body ?? { error: "x" });
        }
        done();
        if (!records.has(id)) return reply.code(404).send({ error: "not found" });
        return records.get(id);
      });
    });
  });
  afterAll(() => up.close());

  const reset = () => {
    up.resetStats();
    seen.clear();
    answered.clear();
    behaviour = () => undefined;
    hold = null;
  };

  it("maps every field; 404 is null; the stale flag follows lastUpdated", async () => {
    reset();
    records.set(idNumber(1), person(idNumber(1)));
    records.set(idNumber(2), person(idNumber(2), { status: "EMPLOYED", unemploymentRegisteredOn: null, publicWelfarePost: true, trainings: [], dibaoEmploymentSubsidy: null, lastUpdated: "2025-11-14" }));
    const { connectors } = connectorsFor("employment", up.url, {}, { clock: () => NOW });
    const l = connectors.loaders().employment;
    const [a, b, c] = await Promise.all([l.load(idNumber(1)), l.load(idNumber(2)), l.load(idNumber(3))]);
    expect(a).toEqual({
      source: "employment",
      servedFrom: "LIVE",
      asOf: new Date("2026-10-01T00:00:00Z"),
      stale: false,
      status: "UNEMPLOYED_REGISTERED",
      registeredUnemployedSince: new Date("2025-03-01T00:00:00Z"),
      publicWelfarePost: false,
      trainings: [{ course: "家政服务", completedOn: new Date("2025-06-30T00:00:00Z") }],
      dibaoEmploymentSubsidy: { monthlyFen: 35000, from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-12-31T00:00:00Z") },
    });
    expect(b).toMatchObject({ status: "EMPLOYED", registeredUnemployedSince: null, publicWelfarePost: true, trainings: [], dibaoEmploymentSubsidy: null, stale: true });
    expect(c).toBeNull();
    expect(up.stats.requests).toBe(3); // one GET per key
    await connectors.close();
  });

  it("never has more than maxConcurrency requests in flight, and the peak metric agrees", async () => {
    reset();
    const keys = Array.from({ length: 60 }, (_, i) => idNumber(200 + i));
    // the upstream answers nothing until 8 requests wait at once (or all 60 came): were the limit not kept,
    // more than 8 would be seen in flight; were fewer than 8 sent at once, the gate would hold them until the
    // test's timeout
    hold = gate(8, keys.length);
    const { connectors, registry } = connectorsFor("employment", up.url);
    for (const k of keys) records.set(k, person(k));
    const l = connectors.loaders().employment;
    const values = await Promise.all(keys.map((k) => l.load(k)));
    expect(values.every((v) => v !== null)).toBe(true);
    expect(up.stats.requests).toBe(60);
    expect(up.stats.maxInFlight).toBe(8);
    expect(await metric(registry, "gateway_upstream_in_flight_peak", { source: "employment" })).toBe(8);
    expect(await metric(registry, "gateway_upstream_in_flight", { source: "employment" })).toBe(0);
    await connectors.close();
  });

  it("retries with backoff through a 30 %-error upstream and counts the retries", async () => {
    reset();
    const keys = Array.from({ length: 40 }, (_, i) => idNumber(300 + i));
    for (const k of keys) records.set(k, person(k));
    const failing = new Set(keys.filter((_, i) => i % 10 < 3)); // 30 % of the keys fail their first request
    behaviour = (id, n) => (failing.has(id) && n === 1 ? { status: 500, body: { error: "boom" } } : undefined);
    const { connectors, registry } = connectorsFor("employment", up.url);
    const l = connectors.loaders().employment;
    const values = await Promise.all(keys.map((k) => l.load(k)));
    expect(values.every((v) => v?.status === "UNEMPLOYED_REGISTERED")).toBe(true);
    expect(up.stats.requests).toBe(52);
    expect(await metric(registry, "gateway_upstream_retries_total", { source: "employment" })).toBe(12);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "error" })).toBe(12);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "ok" })).toBe(40);
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "employment", code: "UPSTREAM_UNAVAILABLE" })).toBe(0);
    await connectors.close();
  });

  it("gives up as UPSTREAM_UNAVAILABLE when every attempt fails", async () => {
    reset();
    behaviour = () => ({ status: 502, body: { error: "bad gateway" } });
    const { connectors, registry } = connectorsFor("employment", up.url, { maxAttempts: 3 });
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(up.stats.requests).toBe(3);
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "employment", code: "UPSTREAM_UNAVAILABLE" })).toBe(1);
    await connectors.close();
  });

  it("honours Retry-After in seconds: the second attempt comes at least 1 s after the 429", async () => {
    reset();
    const id = idNumber(1);
    behaviour = (_id, n) => (n === 1 ? { status: 429, headers: { "retry-after": "1" }, body: { error: "rate limited" } } : undefined);
    const { connectors, registry } = connectorsFor("employment", up.url);
    const v = await connectors.loaders().employment.load(id);
    expect(v).not.toBeNull();
    const [first, second] = seen.get(id)!;
    expect(second).toBeDefined();
    expect(second - answered.get(id)![0]).toBeGreaterThanOrEqual(998); // timers have 1 ms granularity
    expect(second - first).toBeGreaterThanOrEqual(1000);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "rate_limited" })).toBe(1);
    await connectors.close();
  });

  it("honours Retry-After as an HTTP-date", async () => {
    reset();
    const id = idNumber(1);
    let until = 0;
    behaviour = (_id, n) => {
      if (n !== 1) return undefined;
      until = Math.ceil((Date.now() + 1000) / 1000) * 1000; // next whole second but one: HTTP-dates have 1 s resolution
      return { status: 503, headers: { "retry-after": new Date(until).toUTCString() }, body: { error: "unavailable" } };
    };
    const { connectors } = connectorsFor("employment", up.url);
    expect(await connectors.loaders().employment.load(id)).not.toBeNull();
    expect(seen.get(id)![1]).toBeGreaterThanOrEqual(until - 2);
    await connectors.close();
  });

  it("fails fast as UPSTREAM_UNAVAILABLE when Retry-After does not fit in the deadline", async () => {
    reset();
    // Retry-After one hour, deadline 20 s: had the connector waited (for the hour, or until the deadline), the
    // deadline would have ended the call as UPSTREAM_TIMEOUT; failing fast is UPSTREAM_UNAVAILABLE, one request
    behaviour = () => ({ status: 429, headers: { "retry-after": "3600" }, body: { error: "rate limited" } });
    const { connectors, registry } = connectorsFor("employment", up.url, { timeoutMs: 20_000 });
    const r = await settle(connectors.loaders().employment.load(idNumber(1)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(up.stats.requests).toBe(1);
    expect(await metric(registry, "gateway_upstream_retries_total", { source: "employment" })).toBe(0);
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "employment", code: "UPSTREAM_TIMEOUT" })).toBe(0);
    await connectors.close();
  });

  it("answers for another person are a bad response; wrong types too", async () => {
    reset();
    records.set(idNumber(5), person(idNumber(6)));
    records.set(idNumber(7), person(idNumber(7), { publicWelfarePost: "no", trainings: null }));
    records.set(idNumber(8), { ...person(idNumber(8)), idNumber: 12345 });
    const { connectors } = connectorsFor("employment", up.url);
    const l = connectors.loaders().employment;
    const r = await Promise.all([5, 7, 8].map((i) => settle(l.load(idNumber(i)))));
    for (const x of r) expect(x.ok === false && x.error.code).toBe("UPSTREAM_BAD_RESPONSE");
    expect(up.stats.requests).toBe(3);
    await connectors.close();
  });
});
