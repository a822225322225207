/** The derive functions: deterministic, covering what they should, untidy on purpose. */
import { describe, expect, it } from "vitest";
import { buildSandbox as buildDisability } from "../../dev/sandboxes/disability.js";
import { deriveEducationData } from "../../dev/sandboxes/education.js";
import { deriveEmploymentData } from "../../dev/sandboxes/employment.js";
import { deriveHousingData } from "../../dev/sandboxes/housing.js";
import { buildSandbox as buildMedical, deriveMedicalInsuranceData } from "../../dev/sandboxes/medical-insurance.js";
import { deriveDisabilityData } from "../../dev/sandboxes/disability.js";
import { addDays, aidToPerson, personTier } from "../../dev/sandboxes/kit/population.js";
import { deriveAllSandboxData } from "../../dev/sandboxes/index.js";
import { AS_OF, SEED, listen, population, request } from "./helpers.js";

const opts = { seed: SEED, asOf: AS_OF };

describe("derive functions", () => {
  it("same seed and population: equal data; another seed: other untidiness", () => {
    const hh = population(1500);
    const a = deriveAllSandboxData(hh, opts);
    const b = deriveAllSandboxData(population(1500), opts);
    expect(b).toEqual(a);
    // each derive function alone gives what the one pass gives
    expect(deriveEducationData(hh, opts)).toEqual(a.education);
    expect(deriveEmploymentData(hh, opts)).toEqual(a.employment);
    expect(deriveHousingData(hh, opts)).toEqual(a.housing);
    expect(deriveMedicalInsuranceData(hh, opts)).toEqual(a.medicalInsurance);
    expect(deriveDisabilityData(hh, opts)).toEqual(a.disability);
    // a record depends on its key, not on the order of the population
    expect(deriveAllSandboxData([...hh].reverse(), opts).education.students.get(hh[0].members[0].idNumber)).toEqual(
      a.education.students.get(hh[0].members[0].idNumber),
    );
    const c = deriveAllSandboxData(hh, { ...opts, seed: SEED + 1 });
    expect(c.medicalInsurance.untidy.unknownPersons).not.toEqual(a.medicalInsurance.untidy.unknownPersons);
  });

  it("5,000 persons: every education aid item and stage occurs", () => {
    const d = deriveEducationData(population(5000), opts);
    const items = new Set<string>();
    const stages = new Set<string>();
    for (const s of d.students.values()) {
      stages.add(s.stage);
      for (const a of s.aid) items.add(a.item);
    }
    expect([...items].sort()).toEqual(["FEE_WAIVER", "FREE_TEXTBOOKS", "LIVING_SUBSIDY", "NATIONAL_GRANT", "NUTRITION_LUNCH", "STUDENT_LOAN"]);
    expect(stages.size).toBe(6);
  });

  it("≈1 % unknown and ≈3 % stale records per system; stale ones are years old, the others recent", () => {
    const d = deriveAllSandboxData(population(5000), opts);
    const asOfMs = Date.parse(`${AS_OF}T00:00:00Z`);
    const ageDays = (iso: string) => (asOfMs - Date.parse(iso)) / 86_400_000;
    const compact = (s: string) => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}+08:00`;
    const sets: [string, Map<string, unknown>, (r: any) => string[], { unknownPersons: string[]; stale: string[] }][] = [
      ["education", d.education.students, (r) => [r.updatedAt], d.education.untidy],
      ["employment", d.employment.persons, (r) => [r.lastUpdated], d.employment.untidy],
      ["housing", d.housing.households, (r) => r.items.map((b: any) => b.modified), d.housing.untidy],
      ["medicalInsurance", d.medicalInsurance.insured, (r) => [compact(r.updated_time)], d.medicalInsurance.untidy],
      ["disability", d.disability.certificates, (r) => [r.lastModified], d.disability.untidy],
    ];
    for (const [name, records, times, untidy] of sets) {
      const n = records.size + untidy.unknownPersons.length;
      const unknown = untidy.unknownPersons.length / n;
      const stale = untidy.stale.length / records.size;
      expect(unknown, name).toBeGreaterThan(name === "housing" ? 0 : 0.003);
      expect(unknown, name).toBeLessThan(0.03);
      expect(stale, name).toBeGreaterThan(0.01);
      expect(stale, name).toBeLessThan(0.06);
      const staleSet = new Set(untidy.stale);
      for (const key of untidy.unknownPersons) expect(records.has(key), name).toBe(false);
      for (const [key, r] of records) {
        for (const t of times(r)) {
          if (staleSet.has(key)) expect(ageDays(t), `${name} ${key}`).toBeGreaterThan(700);
          else expect(ageDays(t), `${name} ${key}`).toBeLessThan(200);
        }
      }
    }
  });

  it("nursing-subsidy duplicates exist, are TEKUN care-subsidy recipients, and /__sandbox/untidy lists them", async () => {
    const hh = population(5000);
    const d = deriveDisabilityData(hh, opts);
    expect(d.untidy.duplicates.length).toBeGreaterThan(0);
    const byId = new Map(hh.flatMap((h) => h.members.map((p, i) => [p.idNumber, { h, i }] as const)));
    for (const id of d.untidy.duplicates) {
      const { h, i } = byId.get(id)!;
      expect(personTier(h, i, AS_OF).tier).toBe("TEKUN");
      expect(h.members[i].facts.disability!.grade).toBeLessThanOrEqual(2);
      expect(aidToPerson(h, i, "TEKUN_CARE_SUBSIDY", addDays(AS_OF, -365), AS_OF).length).toBeGreaterThan(0);
      expect(d.certificates.get(id)!.nursingSubsidy).toBeGreaterThan(0);
    }
    const app = buildDisability(d);
    try {
      const url = await listen(app);
      const u = await request(`${url}/__sandbox/untidy`);
      expect(u.body.duplicates).toEqual(d.untidy.duplicates);
      const res = await request(`${url}/cdpf/api/certificates?ids=${d.untidy.duplicates.slice(0, 50).join(",")}`);
      expect(res.body.every((r: any) => r.nursingSubsidy > 0)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it("medical-aid duplicates: seriously ill dibao persons with temporary expenditure aid, aid = whole out-of-pocket", async () => {
    const hh = population(5000);
    const d = deriveMedicalInsuranceData(hh, opts);
    expect(d.untidy.duplicates.length).toBeGreaterThan(0);
    const byId = new Map(hh.flatMap((h) => h.members.map((p, i) => [p.idNumber, { h, i }] as const)));
    for (const id of d.untidy.duplicates) {
      const { h, i } = byId.get(id)!;
      const r = d.insured.get(id)!;
      expect(personTier(h, i, AS_OF).tier).toBe("DIBAO");
      expect(h.members[i].facts.seriousIllness).not.toBeNull();
      expect(aidToPerson(h, i, "TEMPORARY_AID_EXPENDITURE", addDays(AS_OF, -365), AS_OF).length).toBeGreaterThan(0);
      expect(r.medical_aid_paid_fen).toBe(r.out_of_pocket_fen);
    }
    const app = buildMedical(d);
    try {
      const url = await listen(app);
      expect((await request(`${url}/__sandbox/untidy`)).body.duplicates).toEqual(d.untidy.duplicates);
    } finally {
      await app.close();
    }
  });

  it("no duplicates where a system has none to make", () => {
    const d = deriveAllSandboxData(population(1500), opts);
    expect(d.education.untidy.duplicates).toEqual([]);
    expect(d.employment.untidy.duplicates).toEqual([]);
    expect(d.housing.untidy.duplicates).toEqual([]);
  });
});
