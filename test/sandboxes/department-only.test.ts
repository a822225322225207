/**
 * Department-only persons (dev/seed/department-only.ts): persons the departments know as hardship cases who
 * are in no registry household. Checked against the registry population itself: disjoint ID numbers, 2 % of its
 * persons, on its streets; and the sandboxes' records of registry persons are exactly what they are without them.
 */
import { describe, expect, it } from "vitest";
import { DEPARTMENT_ONLY_KINDS, generateDepartmentOnly } from "../../dev/seed/department-only.js";
import { streets } from "../../dev/seed/generator.js";
import { deriveAllSandboxData } from "../../dev/sandboxes/index.js";
import { isValidIdNumber } from "../../src/domain/idnumber.js";
import { AS_OF, SEED, population } from "./helpers.js";

const PERSONS = 5000;
const opts = { seed: SEED, asOf: AS_OF };

describe("department-only persons", () => {
  const hh = population(PERSONS);
  const registry = new Set(hh.flatMap((h) => h.members.map((p) => p.idNumber)));
  const registryCount = hh.reduce((n, h) => n + h.members.length, 0);

  it("2 % of the registry persons, deterministic, valid unique ID numbers none of which the registry holds, every reason, several streets", () => {
    const a = [...generateDepartmentOnly({ ...opts, persons: PERSONS }, registryCount)];
    expect(a.length).toBe(Math.round(registryCount / 50));
    expect([...generateDepartmentOnly({ ...opts, persons: PERSONS }, registryCount)]).toEqual(a);
    const other = [...generateDepartmentOnly({ ...opts, seed: SEED + 1, persons: PERSONS }, registryCount)];
    expect(other.map((d) => d.person.idNumber)).not.toEqual(a.map((d) => d.person.idNumber));

    const ids = a.map((d) => d.person.idNumber);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => registry.has(id))).toEqual([]);
    expect(ids.every((id) => isValidIdNumber(id, AS_OF))).toBe(true);
    expect(new Set(a.map((d) => d.kind))).toEqual(new Set(DEPARTMENT_ONLY_KINDS));

    // on the data set's streets (the street table the seed writes), never a welfare home, more than one of them
    const planned = new Map(streets({ persons: PERSONS }).map((s) => [s.code, s]));
    for (const d of a) {
      const s = planned.get(d.streetCode);
      expect(s).toBeDefined();
      expect(s!.districtCode).toBe(d.districtCode);
      expect(d.streetCode.endsWith("400")).toBe(false);
    }
    expect(new Set(a.map((d) => d.streetCode)).size).toBeGreaterThan(5);
    expect(a.some((d) => d.knownTo.length > 1)).toBe(true);
  });

  it("the sandboxes hold them in exactly the departments that know them, with their street; every registry person's record is unchanged", () => {
    const without = deriveAllSandboxData(hh, opts);
    const withThem = deriveAllSandboxData(hh, { ...opts, departmentOnly: { persons: PERSONS } });
    expect(without.departmentOnly).toEqual([]);
    const only = withThem.departmentOnly;
    expect(only.length).toBe(Math.round(registryCount / 50));
    expect(withThem.housing).toEqual(without.housing);

    const maps = {
      education: [without.education.students, withThem.education.students],
      employment: [without.employment.persons, withThem.employment.persons],
      medicalInsurance: [without.medicalInsurance.insured, withThem.medicalInsurance.insured],
      disability: [without.disability.certificates, withThem.disability.certificates],
    } as const;
    const untidy = { education: [without.education.untidy, withThem.education.untidy], employment: [without.employment.untidy, withThem.employment.untidy], medicalInsurance: [without.medicalInsurance.untidy, withThem.medicalInsurance.untidy], disability: [without.disability.untidy, withThem.disability.untidy] } as const;
    for (const [source, [before, after]] of Object.entries(maps) as [keyof typeof maps, readonly [Map<string, any>, Map<string, any>]][]) {
      for (const [key, record] of before) expect(after.get(key)).toEqual(record);
      expect(untidy[source][1]).toEqual(untidy[source][0]);
      const added = [...after.keys()].filter((k) => !before.has(k)).sort();
      expect(added).toEqual(only.filter((d) => d.knownTo.includes(source)).map((d) => d.person.idNumber).sort());
    }
    // registry persons: the household's street
    const street = new Map(hh.flatMap((h) => h.members.map((p) => [p.idNumber, h] as const)));
    for (const r of without.education.students.values()) expect(r.residence).toEqual({ districtCode: street.get(r.idNumber)!.districtCode, streetCode: street.get(r.idNumber)!.streetCode });
    for (const r of without.medicalInsurance.insured.values()) expect(r.residence).toEqual({ district_code: street.get(r.id_no)!.districtCode, street_code: street.get(r.id_no)!.streetCode });

    // each department-only person: the department record shows the hardship they were made for, at their street
    for (const d of only) {
      const id = d.person.idNumber;
      const place = { districtCode: d.districtCode, streetCode: d.streetCode };
      const edu = withThem.education.students.get(id);
      const emp = withThem.employment.persons.get(id);
      const med = withThem.medicalInsurance.insured.get(id);
      const dis = withThem.disability.certificates.get(id);
      for (const r of [edu, emp, dis]) if (r) expect(r.residence).toEqual(place);
      if (med) expect(med.residence).toEqual({ district_code: d.districtCode, street_code: d.streetCode });
      switch (d.kind) {
        case "HARDSHIP_STUDENT":
          expect(edu?.hardship).toBe(true);
          break;
        case "LARGE_EDUCATION_SPENDING":
          expect(Number(edu?.necessaryExpenseYuan)).toBeGreaterThanOrEqual(10_000);
          break;
        case "REGISTERED_UNEMPLOYED":
          expect(emp?.status).toBe("UNEMPLOYED_REGISTERED");
          break;
        case "SERIOUS_DISEASE":
          expect(med?.special_disease_code).toMatch(/^M0\d$/);
          break;
        case "LARGE_MEDICAL_SPENDING":
          expect(med?.out_of_pocket_fen).toBeGreaterThanOrEqual(5_000_000);
          break;
        case "SEVERE_DISABILITY":
          expect(["1", "2"]).toContain(dis?.grade);
          break;
      }
    }
  });
});
