/**
 * Department-only persons (issue 16 §2, 003 §2 and §6): persons whom education, employment, medical
 * insurance or the disabled persons' federation know as hardship cases — hardship students, large necessary
 * education spending, registered unemployed, serious disease, large out-of-pocket medical spending, severe
 * disability — but who belong to NO registry household. The registry (civil affairs) never holds them; the
 * department sandboxes do (dev/sandboxes/index.ts feeds them to the four derivers), so monitoring can find
 * them as leads "possibly eligible, not covered" (src/features/monitoring/leads.ts).
 *
 * How many: DEPARTMENT_ONLY_RATE (2 %) of the registry persons, placed on the data set's streets (the planned
 * streets the seed writes, `planStreets(persons)`; not the welfare homes) in proportion to each street's planned
 * registry size — so a small data set that fills only its first street still has them on every street. Why 2 %: the registry holds the
 * low-income population (in the default set 8–9 % of Yuzhong's ~630,000 residents); the persons a department
 * already flags as a hardship case while civil affairs does not know them are a small addition to it — 003 §6
 * expects the comparison to surface some, not to double the caseload. 2 % gives a few hundred in the default
 * set (tens per street, every reason on every street) and about 30 in the 1,500-person test set, where every
 * reason still occurs (the first six persons take the six reasons in turn).
 *
 * Deterministic and independent of the registry's draws: person `i` draws only from its own stream
 * (seed, "department-only", i), and the generation runs after the registry population, so every registry
 * row and every department record of a registry person is what it was without them. ID numbers: the
 * registry takes sequence numbers from the bottom of each (region, birth day, sex) slot's 500
 * (dev/seed/population/state.ts); department-only persons take them from the top, so the two never meet
 * unless one slot held 250 registry persons (it holds a handful at 2,000,000 persons).
 */
import type { Sex } from "../../src/db/generated/enums.js";
import { isWorkingAge } from "../../src/domain/age.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import type { DisabilityCategory, IsoDate, PersonFacts, SchoolStage, SynthPerson } from "./model.js";
import { CITY_SCHOOLS, YUZHONG_SCHOOLS, givenName, ordinal, surname } from "./names.js";
import { addDays, addYears, daysToIso, isoToDays } from "./population/dates.js";
import { CATEGORY_DIGIT, DISABILITY_CATEGORIES, DISABILITY_WEIGHTS, SERIOUS_ADULT, SERIOUS_CHILD } from "./population/persons.js";
import { ID_REGIONS } from "./population/state.js";
import { planStreets } from "./population/street-plan.js";
import { DISTRICTS, YUZHONG_CODE } from "./reference.js";
import { Rng, hashString } from "./rng.js";

/** Share of the registry persons added as department-only persons. */
export const DEPARTMENT_ONLY_RATE = 0.02;

/** The departments that can know a department-only person (housing knows registry households only). */
export type DepartmentOnlySource = "education" | "employment" | "medicalInsurance" | "disability";

/** The hardship a department-only person was made for (the lead reason it is meant to raise). */
export type DepartmentOnlyKind = "HARDSHIP_STUDENT" | "LARGE_EDUCATION_SPENDING" | "REGISTERED_UNEMPLOYED" | "SERIOUS_DISEASE" | "LARGE_MEDICAL_SPENDING" | "SEVERE_DISABILITY";

export const DEPARTMENT_ONLY_KINDS: readonly DepartmentOnlyKind[] = [
  "HARDSHIP_STUDENT",
  "LARGE_EDUCATION_SPENDING",
  "REGISTERED_UNEMPLOYED",
  "SERIOUS_DISEASE",
  "LARGE_MEDICAL_SPENDING",
  "SEVERE_DISABILITY",
];
const KIND_WEIGHTS = [25, 8, 30, 15, 7, 15];

export interface SynthDepartmentOnlyPerson {
  person: SynthPerson;
  /** where the person lives (the departments' records carry it as `residence`) */
  districtCode: string;
  streetCode: string;
  kind: DepartmentOnlyKind;
  /** the departments holding a record of the person (one or more), in SOURCES order */
  knownTo: DepartmentOnlySource[];
}

export function departmentOnlyCount(registryPersons: number): number {
  return Math.round(registryPersons * DEPARTMENT_ONLY_RATE);
}

const EDUCATION_COST: Record<SchoolStage, readonly [number, number]> = {
  PRESCHOOL: [3000, 8000],
  PRIMARY: [500, 2000],
  JUNIOR: [800, 2500],
  SENIOR: [3000, 6000],
  VOCATIONAL: [2000, 5000],
  HIGHER: [8000, 15000],
};
const CHRONIC = ["HYPERTENSION", "DIABETES", "COPD", "CORONARY_HEART_DISEASE"] as const;
const ID_DAY0 = isoToDays("1900-01-01");
const ORDER: readonly DepartmentOnlySource[] = ["education", "employment", "medicalInsurance", "disability"];

function schoolName(rng: Rng, stage: SchoolStage, districtCode: string): string {
  const yz = districtCode === YUZHONG_CODE;
  const district = DISTRICTS.get(districtCode) ?? "重庆市";
  switch (stage) {
    case "PRESCHOOL":
      return yz ? rng.pick(YUZHONG_SCHOOLS.PRESCHOOL) : `${district}实验幼儿园`;
    case "PRIMARY":
      return yz ? rng.pick(YUZHONG_SCHOOLS.PRIMARY) : `${district}实验小学`;
    case "JUNIOR":
      return yz ? rng.pick(YUZHONG_SCHOOLS.JUNIOR) : `${district}第${ordinal(rng.int(1, 12))}中学校`;
    case "SENIOR":
      return yz ? rng.pick(YUZHONG_SCHOOLS.SENIOR) : `${district}第${ordinal(rng.int(1, 8))}中学校`;
    case "VOCATIONAL":
      return rng.pick(CITY_SCHOOLS.VOCATIONAL);
    default:
      return rng.pick(CITY_SCHOOLS.HIGHER);
  }
}

function stageFor(rng: Rng, age: number): SchoolStage {
  if (age <= 5) return "PRESCHOOL";
  if (age <= 11) return "PRIMARY";
  if (age <= 14) return "JUNIOR";
  if (age <= 17) return rng.chance(0.65) ? "SENIOR" : "VOCATIONAL";
  return age <= 19 && rng.chance(0.2) ? "VOCATIONAL" : "HIGHER";
}

function disabilityOf(rng: Rng, idNumber: string, age: number, grade: 1 | 2 | 3 | 4): NonNullable<PersonFacts["disability"]> {
  let category = rng.weighted(DISABILITY_CATEGORIES, DISABILITY_WEIGHTS);
  if (age < 6 && category === "MENTAL") category = "INTELLECTUAL";
  return { category: category as DisabilityCategory, grade, certificateNo: `${idNumber}${CATEGORY_DIGIT[category]}${grade}` };
}

/**
 * The department-only persons of the population generated with (seed, persons, asOf), which holds
 * `registryPersons` registry persons. Deterministic; person i depends only on (seed, i, asOf, the street plan).
 */
export function* generateDepartmentOnly(opts: { seed: number; asOf: IsoDate; persons?: number }, registryPersons: number): Generator<SynthDepartmentOnlyPerson, void, undefined> {
  const count = departmentOnlyCount(registryPersons);
  const places = planStreets(opts.persons)
    .filter((s) => !s.welfareHome)
    .map((s) => ({ code: s.code, districtCode: s.districtCode, weight: s.dibao + s.tekun + s.registered }));
  if (count === 0 || places.length === 0) return;
  const cumulative: number[] = [];
  let acc = 0;
  for (const s of places) cumulative.push((acc += s.weight));
  const total = acc;
  /** per (region, birth day, sex): how many sequence numbers department-only persons took (from the top) */
  const taken = new Map<string, number>();
  const idNumber = (region: string, birthDate: IsoDate, sex: Sex): string => {
    for (let day = isoToDays(birthDate) - ID_DAY0; ; day--) {
      const slot = `${region}|${day}|${sex}`;
      const k = taken.get(slot) ?? 0;
      if (k < 250) {
        taken.set(slot, k + 1);
        const base = (hashString(region) + day * 37) % 500; // the registry's slot base (state.ts)
        const v = (base + (499 - k) * 7) % 500;
        return makeIdNumber(region, daysToIso(day + ID_DAY0), v * 2 + (sex === "MALE" ? 1 : 0));
      }
    }
  };

  for (let i = 0; i < count; i++) {
    const rng = new Rng(hashString(`${opts.seed >>> 0}|department-only|${i}`));
    const target = rng.next() * total;
    let lo = 0;
    let hi = places.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    const street = places[lo];
    const kind = i < DEPARTMENT_ONLY_KINDS.length ? DEPARTMENT_ONLY_KINDS[i] : rng.weighted(DEPARTMENT_ONLY_KINDS, KIND_WEIGHTS);
    const sex: Sex = rng.chance(0.5) ? "MALE" : "FEMALE";
    const age =
      kind === "HARDSHIP_STUDENT" ? rng.int(6, 22)
      : kind === "LARGE_EDUCATION_SPENDING" ? rng.int(18, 22)
      : kind === "REGISTERED_UNEMPLOYED" ? rng.int(20, sex === "MALE" ? 58 : 48)
      : kind === "SERIOUS_DISEASE" ? (rng.chance(0.2) ? rng.int(2, 17) : rng.int(30, 78))
      : kind === "LARGE_MEDICAL_SPENDING" ? rng.int(40, 80)
      : rng.int(5, 80);
    const birthDate = addDays(addYears(opts.asOf, -age), -rng.int(1, 364));
    const id = idNumber(rng.chance(0.8) ? street.districtCode : rng.pick(ID_REGIONS), birthDate, sex);
    const knownTo = new Set<DepartmentOnlySource>();
    const facts: PersonFacts = {
      assisted: false,
      disability: null,
      seriousIllness: null,
      chronicIllness: null,
      medicalExpenseFen: 0,
      outOfPocketFen: 0,
      school: null,
      employment: null,
      educationExpenseFen: 0,
    };
    const seriousIllness = () => {
      facts.seriousIllness = rng.weightedPairs(age < 18 ? SERIOUS_CHILD : SERIOUS_ADULT);
      facts.medicalExpenseFen = rng.int(30_000, 200_000) * 100;
      facts.outOfPocketFen = Math.round(facts.medicalExpenseFen * rng.real(0.2, 0.4));
      knownTo.add("medicalInsurance");
    };
    switch (kind) {
      case "HARDSHIP_STUDENT": {
        const stage = stageFor(rng, age);
        facts.school = { stage, schoolName: schoolName(rng, stage, street.districtCode), hardship: true };
        facts.educationExpenseFen = rng.int(EDUCATION_COST[stage][0], EDUCATION_COST[stage][1]) * 100;
        knownTo.add("education");
        break;
      }
      case "LARGE_EDUCATION_SPENDING": {
        const stage: SchoolStage = rng.chance(0.8) ? "HIGHER" : "VOCATIONAL";
        facts.school = { stage, schoolName: schoolName(rng, stage, street.districtCode), hardship: rng.chance(0.3) };
        facts.educationExpenseFen = rng.int(10_000, 18_000) * 100;
        knownTo.add("education");
        break;
      }
      case "REGISTERED_UNEMPLOYED":
        facts.employment = {
          status: "UNEMPLOYED_REGISTERED",
          unemployedSince: addDays(opts.asOf, -rng.int(30, 900)),
          publicWelfarePost: false,
          trainings: rng.weighted([0, 1, 2, 3], [30, 30, 25, 15]),
        };
        knownTo.add("employment");
        break;
      case "SERIOUS_DISEASE":
        seriousIllness();
        break;
      case "LARGE_MEDICAL_SPENDING":
        facts.chronicIllness = rng.pick(CHRONIC);
        facts.medicalExpenseFen = rng.int(150_000, 300_000) * 100;
        facts.outOfPocketFen = rng.int(50_000, 90_000) * 100;
        knownTo.add("medicalInsurance");
        break;
      case "SEVERE_DISABILITY":
        facts.disability = disabilityOf(rng, id, age, rng.chance(0.4) ? 1 : 2);
        knownTo.add("disability");
        break;
    }
    // known to a second department: a serious disease (medical insurance), or a disability certificate of any grade
    const second = rng.next();
    if (second < 0.15 && facts.medicalExpenseFen === 0 && facts.disability === null) seriousIllness();
    else if (second < 0.3 && facts.disability === null) facts.disability = disabilityOf(rng, id, age, rng.weighted([1, 2, 3, 4] as const, [15, 25, 30, 30]));
    if (facts.disability) knownTo.add("disability");
    // an adult of working age with a disability not severe enough to stop work may be registered unemployed as well
    if (facts.employment === null && facts.school === null && facts.disability && facts.disability.grade >= 3 && isWorkingAge(sex, age) && rng.chance(0.5)) {
      facts.employment = { status: "UNEMPLOYED_REGISTERED", unemployedSince: addDays(opts.asOf, -rng.int(30, 900)), publicWelfarePost: false, trainings: rng.int(0, 2) };
      knownTo.add("employment");
    }

    const severe = facts.disability !== null && facts.disability.grade <= 2;
    const person: SynthPerson = {
      id: rng.uuid(),
      idNumber: id,
      name: surname(rng) + givenName(rng, sex, Number(birthDate.slice(0, 4))),
      sex,
      birthDate,
      relation: "HEAD",
      workAbility: age < 16 || severe ? "NONE" : facts.seriousIllness || facts.disability ? "PARTIAL" : "FULL",
      selfCare: facts.disability?.grade === 1 ? "PARTIAL" : "FULL",
      facts,
    };
    yield { person, districtCode: street.districtCode, streetCode: street.code, kind, knownTo: ORDER.filter((s) => knownTo.has(s)) };
  }
}
