import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSandbox, deriveHousingData, type HousingData } from "../../dev/sandboxes/housing.js";
import { personTier } from "../../dev/sandboxes/kit/population.js";
import { AS_OF, SEED, listen, population, post, request } from "./helpers.js";

let data: HousingData;
let app: FastifyInstance;
let url: string;
const page = (reg: string, q: string) => request(`${url}/housing/v1/households/${encodeURIComponent(reg)}/benefits${q}`);

async function allPages(reg: string, pageSize?: number): Promise<unknown[]> {
  const items: unknown[] = [];
  let p = 1;
  let total = 1;
  do {
    const res = await page(reg, `?page=${p}${pageSize ? `&pageSize=${pageSize}` : ""}`);
    expect(res.status).toBe(200);
    expect(res.body.page).toBe(p);
    expect(res.body.registryNo).toBe(reg);
    total = res.body.totalPages;
    items.push(...res.body.items);
    p++;
  } while (p <= total);
  return items;
}

beforeAll(async () => {
  data = deriveHousingData(population(5000), { seed: SEED, asOf: AS_OF });
  app = buildSandbox(data);
  url = await listen(app);
});
afterAll(() => app?.close());

describe("housing sandbox", () => {
  it("pages with default pageSize 2 and 404s unknown households", async () => {
    const [reg, rec] = [...data.households.entries()][0];
    const res = await page(reg, "");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ registryNo: reg, page: 1, pageSize: 2, totalPages: Math.max(1, Math.ceil(rec.items.length / 2)) });
    expect(res.body.items).toEqual(rec.items.slice(0, 2));
    const miss = await page("500103001-000000", "");
    expect(miss.status).toBe(404);
    expect(miss.body).toEqual({ error: "not found" });
  });

  it("every benefit appears exactly once across the pages", async () => {
    await post(`${url}/__sandbox/fixtures`, {
      records: [{
        registryNo: "500103009-900001",
        items: Array.from({ length: 7 }, (_, i) => ({
          benefitType: i % 2 ? "RENTAL_SUBSIDY" : "PUBLIC_RENTAL", state: "ENDED", monthlyRentFen: 40000 + i, monthlySubsidyFen: 20000, grantFen: null,
          startDate: `201${i}-01-01`, endDate: `201${i}-12-31`, modified: "2026-05-12T08:00:00Z",
        })),
      }],
    });
    const multi = [...data.households.values()].filter((h) => h.items.length >= 2).slice(0, 15);
    expect(multi.length).toBeGreaterThan(0);
    const cases: [string, unknown[]][] = [["500103009-900001", (await page("500103009-900001", "?pageSize=50")).body.items], ...multi.map((h) => [h.registryNo, h.items] as [string, unknown[]])];
    for (const [reg, expected] of cases) {
      for (const size of [undefined, 1, 3, 50]) {
        const items = await allPages(reg, size);
        expect(items).toEqual(expected);
        expect(new Set(items.map((x) => JSON.stringify(x))).size).toBe(items.length);
      }
    }
    const beyond = await page("500103009-900001", "?page=9&pageSize=2");
    expect(beyond.status).toBe(200);
    expect(beyond.body.items).toEqual([]);
    expect(beyond.body.totalPages).toBe(4);
  });

  it("refuses pageSize outside 1–50 and bad pages", async () => {
    const reg = [...data.households.keys()][0];
    for (const q of ["?pageSize=0", "?pageSize=51", "?pageSize=abc", "?page=0", "?page=-1", "?page=1.5"]) {
      const res = await page(reg, q);
      expect(res.status, q).toBe(400);
    }
    expect((await page(reg, "?pageSize=50")).status).toBe(200);
  });

  it("benefits follow the rules: A-class subsidy = rent, renovation only for rural households", () => {
    const hh = population(5000);
    const byReg = new Map(hh.map((h) => [h.registryNo, h]));
    const seen = new Set<string>();
    let aClass = 0;
    for (const rec of data.households.values()) {
      const h = byReg.get(rec.registryNo)!;
      expect(rec.items.length).toBeGreaterThan(0);
      for (const b of rec.items) {
        seen.add(b.benefitType);
        if (b.benefitType === "DILAPIDATED_RENOVATION") {
          expect(h.hukou).toBe("RURAL");
          expect(b.grantFen).toBeGreaterThan(0);
        } else {
          expect(h.hukou).toBe("URBAN");
          expect(b.grantFen).toBeNull();
        }
        if (b.startDate > b.modified.slice(0, 10)) throw new Error(`modified before start: ${rec.registryNo}`);
      }
      const tiers = h.members.map((_, i) => personTier(h, i, AS_OF));
      if (!data.untidy.stale.includes(rec.registryNo) && tiers.some((t) => t.tierClass === "DIBAO_A") && !tiers.some((t) => t.tier === "TEKUN")) {
        for (const b of rec.items) {
          if (b.benefitType === "PUBLIC_RENTAL" || b.benefitType === "RENTAL_SUBSIDY") {
            if (b.benefitType === "PUBLIC_RENTAL") aClass++;
            expect(b.monthlySubsidyFen).toBe(b.monthlyRentFen);
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(["DILAPIDATED_RENOVATION", "PUBLIC_RENTAL", "RENTAL_SUBSIDY"]);
    expect(aClass).toBeGreaterThan(0);
  });
});
