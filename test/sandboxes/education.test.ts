import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSandbox, deriveEducationData, type EducationData, schoolCodeOf, termOf } from "../../dev/sandboxes/education.js";
import { AS_OF, SEED, listen, population, post } from "./helpers.js";

let data: EducationData;
let app: FastifyInstance;
let url: string;
const search = (idNumbers: unknown) => post(`${url}/api/v1/students/search`, { idNumbers });

beforeAll(async () => {
  data = deriveEducationData(population(1500), { seed: SEED, asOf: AS_OF });
  app = buildSandbox(data);
  url = await listen(app);
});
afterAll(() => app?.close());

describe("education sandbox", () => {
  it("finds students by ID number and lists the rest as notFound", async () => {
    const known = [...data.students.keys()].slice(0, 5);
    const res = await search([...known, "500103000000000000"]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.idNumber).sort()).toEqual([...known].sort());
    expect(res.body.notFound).toEqual(["500103000000000000"]);
    const r = res.body.results[0];
    expect(r).toMatchObject({ term: expect.stringMatching(/^\d{4}-(SPRING|AUTUMN)$/), schoolCode: expect.stringMatching(/^\d{10}$/) });
    expect(r.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
  });

  it("accepts 200 ID numbers and refuses 201, none, or a non-array", async () => {
    const ids = Array.from({ length: 201 }, (_, i) => `ID${i}`);
    const ok = await search(ids.slice(0, 200));
    expect(ok.status).toBe(200);
    expect(ok.body.notFound).toHaveLength(200);
    for (const bad of [ids, [], "500103201005060012", [1, 2]]) {
      const res = await search(bad);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe("string");
    }
    expect((await post(`${url}/api/v1/students/search`, { ids: ["x"] })).status).toBe(400);
  });

  it("aid amounts are yuan decimal strings with two places, per the record's term", async () => {
    const all = [...data.students.values()];
    const withAid = all.filter((s) => s.aid.length > 0);
    expect(withAid.length).toBeGreaterThan(10);
    for (const s of withAid) for (const a of s.aid) {
      expect(a.amountYuan).toMatch(/^\d+\.\d{2}$/);
      expect(a.term).toBe(s.term);
    }
    expect(all.some((s) => s.aid.some((a) => a.amountYuan.endsWith(".50")))).toBe(true);
  });

  it("derives records from facts.school", () => {
    const hh = population(1500);
    let students = 0;
    for (const h of hh) for (const p of h.members) {
      if (!p.facts.school) continue;
      students++;
      const r = data.students.get(p.idNumber);
      if (!r) {
        expect(data.untidy.unknownPersons).toContain(p.idNumber);
        continue;
      }
      expect(r.stage).toBe(p.facts.school.stage);
      expect(r.schoolName).toBe(p.facts.school.schoolName);
      expect(r.hardship).toBe(p.facts.school.hardship);
      expect(r.schoolCode).toBe(schoolCodeOf(h.districtCode, p.facts.school.schoolName));
      // annual necessary education spending, decimal yuan from the generator's fen (issue 5: rigid expenditure)
      expect(r.necessaryExpenseYuan).toMatch(/^\d+\.\d{2}$/);
      expect(Math.round(Number(r.necessaryExpenseYuan) * 100)).toBe(p.facts.educationExpenseFen);
      expect(p.facts.educationExpenseFen).toBeGreaterThan(0);
      if (!data.untidy.stale.includes(p.idNumber)) expect(r.term).toBe(termOf(AS_OF));
    }
    expect(data.students.size + data.untidy.unknownPersons.length).toBe(students);
  });

  it("terms: September–January autumn, February–August spring", () => {
    expect(termOf("2026-11-22")).toBe("2026-AUTUMN");
    expect(termOf("2027-01-15")).toBe("2026-AUTUMN");
    expect(termOf("2026-03-01")).toBe("2026-SPRING");
    expect(termOf("2026-08-31")).toBe("2026-SPRING");
  });
});
