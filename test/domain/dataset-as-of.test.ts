/**
 * Issue 13 point 11: the default data set is the same set of households and persons whatever its as-of
 * date (the generator's "today"), and it reproduces DOMAIN.md §6 exactly on any day. Expected per-street
 * figures are DOMAIN.md §6 typed in here (the published 001 attachment), not read from the generator.
 */
import { expect, test } from "vitest";
import { ageOn, assistedTier, generatePopulation } from "../../dev/seed/generator.js";
import type { SynthHousehold } from "../../dev/seed/model.js";

const SEED = 20190101;

/** DOMAIN.md §6: street → [dibao, TEKUN, registered special hardship] persons. */
const DOMAIN_6: Record<string, [number, number, number]> = {
  七星岗: [1508, 51, 99], 解放碑: [1276, 41, 135], 南纪门: [1320, 46, 37], 上清寺: [686, 13, 109], 朝天门: [1143, 27, 65], 化龙桥: [579, 15, 33],
  大溪沟: [713, 13, 80], 两路口: [1273, 20, 76], 菜园坝: [1157, 23, 57], 石油路: [411, 4, 88], 大坪: [801, 23, 24], 福利院: [8, 64, 0],
};
const STREET_CODES: Record<string, string> = {
  "500103001": "七星岗", "500103002": "解放碑", "500103003": "南纪门", "500103004": "上清寺", "500103005": "朝天门", "500103006": "化龙桥",
  "500103007": "大溪沟", "500103008": "两路口", "500103009": "菜园坝", "500103010": "石油路", "500103011": "大坪", "500103400": "福利院",
};

function summary(asOf: string) {
  const households: SynthHousehold[] = [...generatePopulation({ seed: SEED, asOf })];
  const perStreet = new Map<string, [number, number, number]>();
  for (const h of households) {
    const row = perStreet.get(STREET_CODES[h.streetCode]) ?? [0, 0, 0];
    h.members.forEach((_, i) => {
      const t = assistedTier(h, i);
      if (t === "DIBAO") row[0]++;
      if (t === "TEKUN") row[1]++;
      if (t === "OTHER") row[2]++;
    });
    perStreet.set(STREET_CODES[h.streetCode], row);
  }
  return {
    households: households.length,
    persons: households.reduce((s, h) => s + h.members.length, 0),
    // the shape of the set: registry number and household size, in order
    shape: households.map((h) => `${h.registryNo}/${h.members.length}`),
    perStreet: Object.fromEntries(perStreet),
    ages: households.flatMap((h) => h.members.map((m) => ageOn(m.birthDate, asOf))),
  };
}

test.each([
  ["2026-11-22", "2027-11-22"],
  ["2025-03-01", "2026-03-01"],
])("generated as of %s and as of %s (a year apart): the same households and persons, DOMAIN §6 exactly", (a, b) => {
  const x = summary(a);
  const y = summary(b);
  expect(y.households).toBe(x.households);
  expect(y.persons).toBe(x.persons);
  expect(y.shape).toEqual(x.shape);
  expect(x.perStreet).toEqual(DOMAIN_6);
  expect(y.perStreet).toEqual(DOMAIN_6);
  const sum = Object.values(DOMAIN_6).reduce((s, [d, t, r]) => s + d + t + r, 0);
  expect(sum).toBe(12_018);
  // the people are the same age relative to the as-of date: ages are drawn against it, not fixed birth years
  expect(y.ages).toEqual(x.ages);
}, 120_000);
