/**
 * The class table (src/policy/classes.ts) next to the field policy: it names only fields the policy has,
 * every field the policy masks as an identifier (ID number, name, phone, address) has a class, and a derived
 * value discloses exactly the classes of the records the audience may read (per the policy table).
 */
import { expect, test } from "vitest";
import { BASIS_CLASSES, DERIVED_FIELDS, FIELD_CLASSES, TYPE_CLASSES, classesOf, disclosedClasses } from "../../src/policy/classes.js";
import { POLICY } from "../../src/policy/rules.js";
import { AUDIENCES } from "../../src/policy/audiences.js";

const exists = (c: string) => {
  const [t, f] = c.split(".");
  return POLICY[t]?.[f] !== undefined;
};

test("the class table names only coordinates and types of the policy", () => {
  for (const c of [...Object.keys(FIELD_CLASSES), ...DERIVED_FIELDS, ...Object.keys(BASIS_CLASSES)]) expect(exists(c), c).toBe(true);
  for (const t of Object.keys(TYPE_CLASSES)) expect(POLICY[t], t).toBeDefined();
});

test("every field masked as an identifier somewhere has a class (so a masked disclosure is findable too)", () => {
  const masked: string[] = [];
  for (const [type, fields] of Object.entries(POLICY))
    for (const [field, rule] of Object.entries(fields))
      if (Object.values(rule).some((a) => typeof a === "object" && ["idNumber", "name", "phone", "address", "amountBand"].includes(a.mask))) masked.push(`${type}.${field}`);
  expect(masked.length).toBeGreaterThan(3);
  for (const c of masked) expect(classesOf(c, "civil_affairs").length, c).toBeGreaterThan(0);
});

test("a derived value discloses the classes of exactly the records the audience may read", () => {
  for (const audience of AUDIENCES) {
    const expected = new Set<string>();
    for (const [basis, classes] of Object.entries(BASIS_CLASSES)) {
      const [t, f] = basis.split(".");
      if (POLICY[t][f][audience] === "read") classes.forEach((c) => expected.add(c));
    }
    expect(new Set(classesOf("RuleInput.value", audience)), audience).toEqual(expected);
  }
  // education may not read medical records: a rule input never counts as a diagnosis for it; civil affairs' does
  expect(classesOf("RuleInput.value", "education")).not.toContain("DIAGNOSIS");
  expect(classesOf("RuleInput.value", "civil_affairs")).toContain("DIAGNOSIS");
});

test("denied fields and pseudonyms disclose no class; read and masked ones do", () => {
  expect(disclosedClasses({ "Person.idNumber": "denied" }, "charity")).toEqual([]);
  expect(disclosedClasses({ "Household.id": "masked" }, "charity")).toEqual([]);
  expect(disclosedClasses({ "Person.idNumber": "masked", "Household.phone": "read" }, "health")).toEqual(["ID_NUMBER", "CONTACT"]);
});

test("a plan's frozen disclosure object: the answer is remembered per audience, and equals the unfrozen object's", () => {
  // the oracle: the same coordinates as a plain (unfrozen, never remembered) object, and classesOf per coordinate
  const plain = { "Person.idNumber": "read", "RuleInput.value": "read", "Household.phone": "denied" };
  const frozen = Object.freeze({ ...plain });
  for (const audience of ["civil_affairs", "education", "charity", "civil_affairs", "education"] as const) {
    const expected = [...new Set([...classesOf("Person.idNumber", audience), ...classesOf("RuleInput.value", audience)])];
    const got = disclosedClasses(frozen, audience);
    expect(got, audience).toEqual(disclosedClasses(plain, audience));
    expect([...got].sort(), audience).toEqual(expected.sort());
    got.push("MUTATED" as never); // a caller's copy: what is remembered is not changed by it
  }
  expect(disclosedClasses(frozen, "civil_affairs")).toContain("DIAGNOSIS");
  expect(disclosedClasses(frozen, "education")).not.toContain("DIAGNOSIS");
  expect(disclosedClasses(frozen, "education")).not.toContain("MUTATED");
});
