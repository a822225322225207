import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildSandbox, deriveEmploymentData, type EmploymentData } from "../../dev/sandboxes/employment.js";
import { addMonths } from "../../dev/sandboxes/kit/population.js";
import { AS_OF, SEED, listen, population, put, request } from "./helpers.js";

let data: EmploymentData;
let app: FastifyInstance;
let url: string;
const get = (id: string) => request(`${url}/api/persons/${encodeURIComponent(id)}/employment`);

beforeAll(async () => {
  data = deriveEmploymentData(population(3000), { seed: SEED, asOf: AS_OF });
  app = buildSandbox(data);
  url = await listen(app);
});
afterAll(() => app?.close());

describe("employment sandbox", () => {
  it("answers a known person's record and 404 for an unknown one", async () => {
    const [id, rec] = [...data.persons.entries()][0];
    const res = await get(id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(rec);
    const miss = await get("500103000000000000");
    expect(miss.status).toBe(404);
    expect(miss.body).toEqual({ error: "not found" });
  });

  it("rate limits with 429 and Retry-After in whole seconds, and recovers", async () => {
    // The token bucket refills by performance.now(): only `performance` is faked (timers and sockets stay real),
    // so no token comes back while the test runs, however slow the machine, and the time passes by stepping it.
    const id = [...data.persons.keys()][1];
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const cfg = await put(`${url}/__sandbox/faults`, { rateLimitPerSecond: 2, burst: 3 });
      expect(cfg.body).toMatchObject({ rateLimitPerSecond: 2, burst: 3 });
      for (let i = 0; i < 3; i++) expect((await get(id)).status).toBe(200);
      const limited = await get(id);
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ error: "rate limited" });
      // an empty bucket at 2 tokens/s: one token is back after 0.5 s, said in whole seconds (at least 1)
      expect(limited.headers.get("retry-after")).toBe("1");
      // /health and admin routes are not rate limited
      expect((await request(`${url}/health`)).status).toBe(200);
      vi.advanceTimersByTime(499); // 0.998 of a token
      expect((await get(id)).status).toBe(429);
      vi.advanceTimersByTime(2); // 1.002 tokens (the 429 above took none): one request, then limited again
      expect((await get(id)).status).toBe(200);
      expect((await get(id)).status).toBe(429);
    } finally {
      vi.useRealTimers();
    }
    await put(`${url}/__sandbox/faults`, { rateLimitPerSecond: 500, burst: 100 });
    const burst = await Promise.all(Array.from({ length: 50 }, () => get(id)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect((await put(`${url}/__sandbox/faults`, { burst: 0 })).status).toBe(400);
    expect((await put(`${url}/__sandbox/faults`, { rateLimitPerSecond: 0 })).status).toBe(400);
  });

  it("records follow facts.employment; the dibao employment subsidy lasts at most a year", () => {
    const hh = population(3000);
    let withSubsidy = 0;
    for (const h of hh) h.members.forEach((p) => {
      const r = data.persons.get(p.idNumber);
      if (!p.facts.employment) {
        expect(r).toBeUndefined();
        return;
      }
      if (!r) return;
      expect(r.status).toBe(p.facts.employment.status);
      expect(r.publicWelfarePost).toBe(p.facts.employment.publicWelfarePost);
      expect(r.unemploymentRegisteredOn === null).toBe(r.status !== "UNEMPLOYED_REGISTERED");
      expect(r.trainings).toHaveLength(p.facts.employment.trainings);
      for (const t of r.trainings) expect(t.completedOn <= r.lastUpdated).toBe(true);
      const s = r.dibaoEmploymentSubsidy;
      if (s) {
        withSubsidy++;
        expect(["EMPLOYED", "FLEXIBLE"]).toContain(r.status);
        expect(h.cases.some((c) => c.tier === "DIBAO")).toBe(true);
        expect(s.monthlyFen).toBeGreaterThan(0);
        expect(s.from <= s.to).toBe(true);
        expect(s.to < addMonths(s.from, 12)).toBe(true);
      }
    });
    expect(withSubsidy).toBeGreaterThan(0);
  });
});
