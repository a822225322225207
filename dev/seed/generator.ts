/**
 * The synthetic population generator: pure, deterministic (same options -> identical output) and
 * streaming (one household at a time; memory does not grow with the population size).
 *
 * Default set (no `persons`): Yuzhong district 500103 as in DOMAIN.md §6 / seed 001: 11 streets
 * plus the welfare home, with exactly the table's dibao / TEKUN / registered special-hardship
 * persons per street (10,875 / 340 / 803 = 12,018), plus households of the other tiers and
 * outcomes that the table does not count (marginal, rigid expenditure, return-to-poverty
 * monitoring, applicants, suspended, rejected, left, deceased).
 *
 * With `persons: N`: Yuzhong as above, then generated streets in the other Chongqing districts with
 * the same mix per street (each street takes the profile of one Yuzhong street, scaled), until about
 * N persons.
 *
 * HOW "ASSISTED PERSONS" ARE COUNTED (the per-street table): a member is assisted when a case that
 * covers them has tier DIBAO, TEKUN or OTHER (registered special hardship, 特殊困难家庭建档) and status
 * ACTIVE or GRADUAL_EXIT (a household in its 6-month gradual-exit period still receives dibao).
 * A case covers a member when its personIndex is that member (single-person inclusion, a registered
 * individual) or when its personIndex is null (the household's case covers every member, as dibao
 * is granted to the household and civil affairs counts every member of it). A member's own case
 * wins over the household's. `assistedTier()` implements this and `facts.assisted` is set from it.
 * So everybody in a dibao household is a dibao recipient; non-assisted persons are the members of
 * marginal, rigid-expenditure, monitored, applicant, suspended, rejected, left and closed
 * households, and the other members of households where only one person is included (single-person
 * inclusion 单人户, a registered individual).
 */
import type { AidProgram, HukouType, Relation, SelfCare, Sex, TierClass, WorkAbility } from "../../src/db/generated/enums.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import { isWorkingAge } from "../../src/domain/age.js";
import type {
  DisabilityCategory,
  EmploymentStatus,
  IsoDate,
  PersonFacts,
  SchoolStage,
  SynthAid,
  SynthAsset,
  SynthCase,
  SynthHousehold,
  SynthIncome,
  SynthPerson,
  SynthStreet,
} from "./model.js";
import { CITY_SCHOOLS, YUZHONG_SCHOOLS, givenName, ordinal, phoneNumber, surname } from "./names.js";
import {
  CORE_DISTRICTS,
  DISTRICTS,
  PolicyTable,
  STREET_NAME_POOL,
  YUZHONG_CODE,
  YUZHONG_STREETS,
  policyParameters,
  type StreetRow,
} from "./reference.js";
import { Rng, hashString } from "./rng.js";

export { policyParameters, PolicyTable, PARAM, YUZHONG_STREETS, YUZHONG_CODE, CITY_CODE } from "./reference.js";

export interface GenerateOptions {
  seed: number;
  /** approximate number of persons; absent = the default Yuzhong set */
  persons?: number;
  /** the "today" of the data set: ages, case dates, review dates and the 12 months of payments */
  asOf: IsoDate;
}

// ---------------------------------------------------------------------------------------------
// Dates (ISO strings, UTC calendar arithmetic)

const DAY_MS = 86_400_000;

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}
export function isoToDays(iso: IsoDate): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}
export function daysToIso(days: number): IsoDate {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}
export function addDays(iso: IsoDate, n: number): IsoDate {
  return daysToIso(isoToDays(iso) + n);
}
export function addMonths(iso: IsoDate, n: number): IsoDate {
  const total = Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1 + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${pad2(m)}-${pad2(Math.min(Number(iso.slice(8, 10)), dim))}`;
}
export function addYears(iso: IsoDate, n: number): IsoDate {
  return addMonths(iso, 12 * n);
}
/** Whole years from birth to `on`. */
export function ageOn(birth: IsoDate, on: IsoDate): number {
  let a = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  if (on.slice(5) < birth.slice(5)) a--;
  return a;
}
function monthStart(iso: IsoDate): IsoDate {
  return iso.slice(0, 8) + "01";
}
function monthEnd(iso: IsoDate): IsoDate {
  return addDays(addMonths(monthStart(iso), 1), -1);
}
function maxIso(a: IsoDate, b: IsoDate): IsoDate {
  return a > b ? a : b;
}
function minIso(a: IsoDate, b: IsoDate): IsoDate {
  return a < b ? a : b;
}

// ---------------------------------------------------------------------------------------------
// Counting rule (see the header)

export type AssistedTier = "DIBAO" | "TEKUN" | "OTHER";

/** The tier under which member `personIndex` counts as assisted, or null. See the header comment. */
export function assistedTier(h: Pick<SynthHousehold, "cases">, personIndex: number): AssistedTier | null {
  let household: AssistedTier | null = null;
  for (const c of h.cases) {
    if (c.status !== "ACTIVE" && c.status !== "GRADUAL_EXIT") continue;
    if (c.tier !== "DIBAO" && c.tier !== "TEKUN" && c.tier !== "OTHER") continue;
    if (c.personIndex === personIndex) return c.tier;
    if (c.personIndex === null && household === null) household = c.tier;
  }
  return household;
}

/** Working age (劳动年龄): the domain's rule (src/domain/age.ts). */
export { isWorkingAge };

/** Priority groups inside dibao (000 二(一), 001 (1)): disabled, seriously ill, aged 70+, pre-school children, students. */
export function isPriorityMember(p: SynthPerson, asOf: IsoDate): boolean {
  const age = ageOn(p.birthDate, asOf);
  return (
    p.facts.disability !== null ||
    p.facts.seriousIllness !== null ||
    age >= 70 ||
    age < 6 ||
    (p.facts.school !== null && p.facts.school.stage !== "PRESCHOOL")
  );
}

// ---------------------------------------------------------------------------------------------
// Street plan

interface StreetPlan {
  code: string;
  districtCode: string;
  districtName: string;
  name: string;
  dibao: number;
  tekun: number;
  registered: number;
  welfareHome: boolean;
  ruralShare: number;
  roads: readonly string[];
  yuzhong: boolean;
}

type ExtraKind =
  | "MARGINAL"
  | "RIGID"
  | "MONITORED_TIER"
  | "REJECTED_INCOME"
  | "REJECTED_ASSETS"
  | "LEFT"
  | "ORPHAN18_LEFT"
  | "DECEASED"
  | "APPLIED"
  | "SUSPENDED";

/** Households of the non-counted kinds per counted dibao person of the street. */
const EXTRA_RATIOS: readonly (readonly [ExtraKind, number])[] = [
  ["MARGINAL", 0.06],
  ["RIGID", 0.02],
  ["MONITORED_TIER", 0.008],
  ["REJECTED_INCOME", 0.012],
  ["REJECTED_ASSETS", 0.005],
  ["LEFT", 0.015],
  ["ORPHAN18_LEFT", 0.002],
  ["DECEASED", 0.003],
  ["APPLIED", 0.006],
  ["SUSPENDED", 0.004],
];

/** Calibrated: persons per counted person in an ordinary street (counted + other members + extra households). */
const PERSONS_PER_COUNTED = 1.41;
/** Calibrated: persons in a welfare home (72 counted, no extras). */
const WELFARE_HOME_PERSONS = 72;

function rowToPlan(row: StreetRow, districtCode: string, ruralShare: number, yuzhong: boolean): StreetPlan {
  return {
    code: row.code,
    districtCode,
    districtName: DISTRICTS.get(districtCode) ?? districtCode,
    name: row.name,
    dibao: row.dibao,
    tekun: row.tekun,
    registered: row.registered,
    welfareHome: row.welfareHome,
    ruralShare,
    roads: row.roads,
    yuzhong,
  };
}

function ruralShareOf(district: string): number {
  return district === YUZHONG_CODE ? 0.03 : CORE_DISTRICTS.has(district) ? 0.1 : 0.4;
}

function expectedPersons(row: Pick<StreetRow, "dibao" | "tekun" | "registered" | "welfareHome">): number {
  const counted = row.dibao + row.tekun + row.registered;
  return row.welfareHome ? counted : counted * PERSONS_PER_COUNTED;
}

const ORDINARY_YZ = YUZHONG_STREETS.filter((s) => !s.welfareHome);
const YZ_WELFARE = YUZHONG_STREETS.find((s) => s.welfareHome)!;
const EXPECTED_YUZHONG = YUZHONG_STREETS.reduce((s, r) => s + expectedPersons(r), 0);

/** The streets, in generation order, for the given population size. Deterministic, independent of the seed. */
function planStreets(persons: number | undefined): StreetPlan[] {
  const plans = YUZHONG_STREETS.map((r) => rowToPlan(r, YUZHONG_CODE, ruralShareOf(YUZHONG_CODE), true));
  if (persons === undefined || persons <= EXPECTED_YUZHONG * 1.02) return plans;
  const others = [...DISTRICTS.keys()].filter((d) => d !== YUZHONG_CODE);
  const remaining = persons - EXPECTED_YUZHONG;
  const avgStreet = ORDINARY_YZ.reduce((s, r) => s + expectedPersons(r), 0) / ORDINARY_YZ.length;
  const k = Math.min(others.length, Math.max(1, Math.round(remaining / (avgStreet * 6))));
  const streetPersons = Math.max(avgStreet / 4, remaining - k * WELFARE_HOME_PERSONS);
  const nStreets = Math.max(1, Math.round(streetPersons / avgStreet));
  let expected = 0;
  for (let s = 0; s < nStreets; s++) expected += expectedPersons(ORDINARY_YZ[s % ORDINARY_YZ.length]);
  const factor = (streetPersons / expected) * 1.01; // a little over; the generator stops at N
  let s = 0;
  for (let j = 0; j < k; j++) {
    const district = others[j];
    const count = Math.floor(nStreets / k) + (j < nStreets % k ? 1 : 0);
    const offset = hashString(district) % STREET_NAME_POOL.length;
    const rural = ruralShareOf(district);
    for (let i = 0; i < count; i++, s++) {
      const profile = ORDINARY_YZ[s % ORDINARY_YZ.length];
      const base = STREET_NAME_POOL[(offset + i) % STREET_NAME_POOL.length];
      const round = Math.floor(i / STREET_NAME_POOL.length);
      const name = base + (round > 0 ? String(round + 1) : "") + "街道";
      plans.push({
        code: district + String(i + 1).padStart(3, "0"),
        districtCode: district,
        districtName: DISTRICTS.get(district)!,
        name,
        dibao: Math.round(profile.dibao * factor),
        tekun: Math.round(profile.tekun * factor),
        registered: Math.round(profile.registered * factor),
        welfareHome: false,
        ruralShare: rural,
        roads: [base + "路", base + "大道", base + "街", base + "一支路", base + "二支路"],
        yuzhong: false,
      });
    }
    plans.push({
      code: district + "400",
      districtCode: district,
      districtName: DISTRICTS.get(district)!,
      name: "福利院",
      dibao: YZ_WELFARE.dibao,
      tekun: YZ_WELFARE.tekun,
      registered: 0,
      welfareHome: true,
      ruralShare: 0,
      roads: [DISTRICTS.get(district)! + "社会福利院"],
      yuzhong: false,
    });
  }
  return plans;
}

/** The streets (and welfare homes) the population for these options uses. */
export function streets(opts: { persons?: number } = {}): SynthStreet[] {
  return planStreets(opts.persons).map((p) => ({ code: p.code, districtCode: p.districtCode, name: p.name }));
}

// ---------------------------------------------------------------------------------------------
// Generator state

type Kind =
  | "DIBAO"
  | "DIBAO_GRADUAL"
  | "DIBAO_INCLUSION"
  | "DIBAO_ORPHAN18"
  | "TEKUN"
  | "REGISTERED"
  | "REGISTERED_INDIVIDUAL"
  | ExtraKind;

/** Birth regions for ID numbers (first registration), other than the household's district. */
const ID_REGIONS = [...DISTRICTS.keys()];
const ID_DAY0 = isoToDays("1900-01-01");
const ID_DAYS = 200 * 366;

class Gen {
  /**
   * The draws of the household being built: a stream of its own per household (seed, street, sequence
   * number), so what one household draws — and how many draws depend on the as-of date (payment months,
   * ages, school stages) — never moves another household.
   */
  rng: Rng;
  /**
   * The draws that decide the households themselves (kind and size, street by street): independent of
   * the as-of date, so the default set has the same households and persons on any day (DOMAIN.md §6).
   */
  readonly unitRng: Rng;
  readonly seed: number;
  readonly policy = new PolicyTable();
  readonly asOf: IsoDate;
  /** the payment months: the latest 12 whose pay day (the 10th) is before asOf */
  readonly months: IsoDate[];
  /** per region: per (birth day, sex) the number of sequence numbers used so far */
  private readonly idCounters = new Map<string, Uint16Array>();

  constructor(seed: number, asOf: IsoDate) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`asOf must be YYYY-MM-DD: ${asOf}`);
    this.rng = new Rng(seed);
    this.unitRng = new Rng(seed);
    this.seed = seed;
    this.asOf = asOf;
    let m = monthStart(asOf);
    if (addDays(m, 9) >= asOf) m = addMonths(m, -1);
    const months: IsoDate[] = [];
    for (let i = 11; i >= 0; i--) months.push(addMonths(m, -i));
    this.months = months;
  }

  /** Starts the draws of household `seq` of a street (see `rng`). */
  startHousehold(streetCode: string, seq: number): void {
    this.rng = new Rng(hashString(`${this.seed}:${streetCode}:${seq}`));
  }

  param(key: string, date: IsoDate, region: string): number {
    return this.policy.value(key, date, region);
  }

  /** A unique ID number: the sequence is drawn from a per (region, birth day, sex) counter. */
  idNumber(region: string, birthDate: IsoDate, sex: Sex): string {
    let counters = this.idCounters.get(region);
    if (!counters) this.idCounters.set(region, (counters = new Uint16Array(ID_DAYS * 2)));
    let day = isoToDays(birthDate) - ID_DAY0;
    for (;;) {
      const slot = day * 2 + (sex === "MALE" ? 1 : 0);
      const used = counters[slot];
      if (used < 500) {
        counters[slot] = used + 1;
        const base = (hashString(region) + day * 37) % 500;
        const v = (base + used * 7) % 500; // 7 is coprime to 500: 500 distinct values
        const seq = v * 2 + (sex === "MALE" ? 1 : 0);
        return makeIdNumber(region, daysToIso(day + ID_DAY0), seq);
      }
      day -= 1; // all 500 sequence numbers of that day taken (never in practice): the day before
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Household composition

interface MemberPlan {
  relation: Relation;
  age: number;
  sex: Sex;
  surname: string;
  /** force a disability: severe (grade 1-2) or any */
  disability?: "severe" | "any";
  seriousIllness?: boolean;
  /** no disability / serious illness (someone who must be able to work) */
  healthy?: boolean;
  orphan?: boolean;
  student?: boolean;
}

function other(sex: Sex): Sex {
  return sex === "MALE" ? "FEMALE" : "MALE";
}

type Profile = "poor" | "low" | "normal";

function childAgeFor(rng: Rng, parentAges: number[], minAge = 0): number {
  const youngest = Math.min(...parentAges);
  const hi = youngest - 20;
  const lo = Math.max(minAge, youngest - 40);
  return hi < lo ? Math.max(0, hi) : rng.int(lo, hi);
}

/** Relations and ages of a household of `size` (1-6). */
function compose(g: Gen, size: number, needWorker: boolean): MemberPlan[] {
  const rng = g.rng;
  for (let attempt = 0; ; attempt++) {
    const plans = composeOnce(rng, size, needWorker && attempt < 20);
    if (!needWorker || plans.some((p) => p.age >= 20 && p.age <= 50) || attempt >= 20) return plans;
  }
}

function composeOnce(rng: Rng, size: number, young: boolean): MemberPlan[] {
  const fam = surname(rng);
  const headSex: Sex = rng.chance(0.55) ? "MALE" : "FEMALE";
  const head = (age: number, sex: Sex = headSex): MemberPlan => ({ relation: "HEAD", age, sex, surname: fam });
  const spouseOf = (h: MemberPlan): MemberPlan => ({
    relation: "SPOUSE",
    age: Math.max(20, h.age + rng.int(-5, 5)),
    sex: other(h.sex),
    surname: surname(rng),
  });
  const childSurname = (h: MemberPlan, s: MemberPlan | null): string =>
    h.sex === "MALE" ? h.surname : s ? s.surname : rng.chance(0.7) ? h.surname : surname(rng);
  const child = (parents: MemberPlan[], sn: string, minAge = 0): MemberPlan => ({
    relation: "CHILD",
    age: childAgeFor(rng, parents.map((p) => p.age), minAge),
    sex: rng.chance(0.5) ? "MALE" : "FEMALE",
    surname: sn,
  });
  const parentOf = (h: MemberPlan): MemberPlan => {
    const sex: Sex = rng.chance(0.4) ? "MALE" : "FEMALE";
    return { relation: "PARENT", age: Math.min(98, h.age + rng.int(20, 34)), sex, surname: sex === "MALE" ? h.surname : surname(rng) };
  };

  switch (size) {
    case 1: {
      const age = young ? rng.int(22, 50) : rng.weightedPairs<number>([[rng.int(18, 39), 15], [rng.int(40, 59), 35], [rng.int(60, 90), 50]]);
      return [head(age, age >= 60 ? (rng.chance(0.6) ? "FEMALE" : "MALE") : headSex)];
    }
    case 2: {
      const t = young ? rng.pick(["couple", "singleParent", "withParent"]) : rng.weightedPairs<string>([
        ["couple", 30], ["singleParent", 25], ["elderWithAdultChild", 15], ["withParent", 15], ["grandparent", 8], ["siblings", 7],
      ]);
      if (t === "couple") {
        const h = head(young ? rng.int(25, 50) : rng.int(25, 85));
        return [h, spouseOf(h)];
      }
      if (t === "singleParent") {
        const h = head(rng.int(26, 55), rng.chance(0.7) ? "FEMALE" : "MALE");
        return [h, child([h], childSurname(h, null))];
      }
      if (t === "elderWithAdultChild") {
        const h = head(rng.int(58, 85));
        return [h, child([h], childSurname(h, null), 18)];
      }
      if (t === "withParent") {
        const h = head(young ? rng.int(28, 50) : rng.int(28, 62));
        return [h, parentOf(h)];
      }
      if (t === "grandparent") {
        const h = head(rng.int(56, 80));
        return [h, { relation: "GRANDCHILD", age: rng.int(Math.max(0, h.age - 70), Math.min(17, h.age - 42)), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: h.sex === "MALE" ? h.surname : surname(rng) }];
      }
      const h = head(rng.int(40, 80));
      return [h, { relation: "SIBLING", age: Math.max(18, h.age + rng.int(-8, 8)), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: h.surname }];
    }
    case 3: {
      const t = young ? rng.pick(["couple+child", "couple+parent"]) : rng.weightedPairs<string>([
        ["couple+child", 55], ["singleParent+2", 15], ["couple+parent", 15], ["grandparents+grandchild", 10], ["head+child+grandchild", 5],
      ]);
      if (t === "couple+child") {
        const h = head(rng.int(26, 58));
        const s = spouseOf(h);
        return [h, s, child([h, s], childSurname(h, s))];
      }
      if (t === "singleParent+2") {
        const h = head(rng.int(28, 55), rng.chance(0.7) ? "FEMALE" : "MALE");
        const sn = childSurname(h, null);
        return [h, child([h], sn), child([h], sn)];
      }
      if (t === "couple+parent") {
        const h = head(rng.int(30, 60));
        return [h, spouseOf(h), parentOf(h)];
      }
      if (t === "grandparents+grandchild") {
        const h = head(rng.int(56, 78));
        const s = spouseOf(h);
        const gAge = rng.int(Math.max(0, Math.min(h.age, s.age) - 70), Math.min(17, Math.min(h.age, s.age) - 42));
        return [h, s, { relation: "GRANDCHILD", age: gAge, sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: childSurname(h, s) }];
      }
      const h = head(rng.int(60, 80));
      const c = child([h], childSurname(h, null), 22);
      return [h, c, { relation: "GRANDCHILD", age: childAgeFor(rng, [c.age]), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: c.sex === "MALE" ? c.surname : surname(rng) }];
    }
    default: {
      // 4-6: a couple with children, then parents or a married child with grandchildren
      const t = rng.weightedPairs<string>([["nuclear", 55], ["threeGen", 30], ["extended", 15]]);
      if (t === "extended" && !young && size >= 4) {
        const h = head(rng.int(50, 72));
        const s = spouseOf(h);
        const sn = childSurname(h, s);
        const c = child([h, s], sn, 22);
        const inLaw: MemberPlan = { relation: "CHILD_IN_LAW", age: Math.max(20, c.age + rng.int(-3, 3)), sex: other(c.sex), surname: surname(rng) };
        const out = [h, s, c, inLaw];
        const gcSurname = c.sex === "MALE" ? c.surname : inLaw.surname;
        while (out.length < size) {
          out.push({ relation: "GRANDCHILD", age: childAgeFor(rng, [c.age, inLaw.age]), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: gcSurname });
        }
        return out;
      }
      const nParents = t === "threeGen" ? Math.min(2, size - 3) : size >= 6 ? 1 : 0;
      const h = head(rng.int(30, 55));
      const s = spouseOf(h);
      const sn = childSurname(h, s);
      const out: MemberPlan[] = [h, s];
      const nChildren = size - 2 - nParents;
      for (let i = 0; i < nChildren; i++) out.push(child([h, s], sn));
      if (nParents >= 1) {
        const p1 = parentOf(h);
        out.push(p1);
        if (nParents === 2) out.push({ relation: "PARENT", age: Math.max(h.age + 20, Math.min(98, p1.age + rng.int(-4, 4))), sex: other(p1.sex), surname: p1.sex === "MALE" ? surname(rng) : h.surname });
      }
      return out;
    }
  }
}

const SIZE_DIST: readonly (readonly [number, number])[] = [[1, 20], [2, 30], [3, 28], [4, 14], [5, 5], [6, 3]];
const SIZE_DIST_NON_POOR: readonly (readonly [number, number])[] = [[1, 10], [2, 28], [3, 34], [4, 18], [5, 6], [6, 4]];

// ---------------------------------------------------------------------------------------------
// Persons

const DISABILITY_CATEGORIES: readonly DisabilityCategory[] = ["VISUAL", "HEARING", "SPEECH", "PHYSICAL", "INTELLECTUAL", "MENTAL", "MULTIPLE"];
const DISABILITY_WEIGHTS = [12, 12, 3, 35, 15, 15, 8];
const CATEGORY_DIGIT: Record<DisabilityCategory, number> = { VISUAL: 1, HEARING: 2, SPEECH: 3, PHYSICAL: 4, INTELLECTUAL: 5, MENTAL: 6, MULTIPLE: 7 };
const SERIOUS_ADULT: readonly (readonly [string, number])[] = [["CANCER", 45], ["UREMIA", 20], ["PNEUMOCONIOSIS", 8], ["CML", 6], ["THALASSEMIA", 4], ["HEMOPHILIA", 2], ["SEVERE_MENTAL_ILLNESS", 15]];
const SERIOUS_CHILD: readonly (readonly [string, number])[] = [["CHILD_LEUKAEMIA", 50], ["THALASSEMIA", 25], ["CONGENITAL_HEART_DISEASE", 25]];
const CHRONIC: readonly (readonly [string, number])[] = [["HYPERTENSION", 35], ["DIABETES", 25], ["COPD", 12], ["CORONARY_HEART_DISEASE", 12], ["RHEUMATOID_ARTHRITIS", 8], ["CHRONIC_HEPATITIS_B", 8]];

const PROFILE_RATES: Record<Profile, { disability: number; serious: number; chronic: number }> = {
  poor: { disability: 0.16, serious: 0.07, chronic: 1 },
  low: { disability: 0.08, serious: 0.05, chronic: 0.8 },
  normal: { disability: 0.04, serious: 0.02, chronic: 0.6 },
};

const EMPLOYMENT_FULL: Record<Profile, readonly (readonly [EmploymentStatus, number])[]> = {
  poor: [["EMPLOYED", 8], ["FLEXIBLE", 30], ["UNEMPLOYED_REGISTERED", 40], ["UNEMPLOYED_UNREGISTERED", 17], ["NOT_IN_LABOUR_FORCE", 5]],
  low: [["EMPLOYED", 35], ["FLEXIBLE", 35], ["UNEMPLOYED_REGISTERED", 20], ["UNEMPLOYED_UNREGISTERED", 10]],
  normal: [["EMPLOYED", 55], ["FLEXIBLE", 30], ["UNEMPLOYED_REGISTERED", 10], ["UNEMPLOYED_UNREGISTERED", 5]],
};

interface HouseholdCtx {
  street: StreetPlan;
  hukou: HukouType;
  profile: Profile;
}

function birthDateFor(g: Gen, age: number): IsoDate {
  return addDays(addYears(g.asOf, -age), -g.rng.int(1, 364));
}

function idRegion(g: Gen, street: StreetPlan): string {
  return g.rng.chance(0.8) ? street.districtCode : g.rng.pick(ID_REGIONS);
}

function school(g: Gen, ctx: HouseholdCtx, age: number, severeIntellectual: boolean): { stage: SchoolStage; name: string } | null {
  const rng = g.rng;
  let stage: SchoolStage | null = null;
  if (age >= 3 && age <= 5) stage = rng.chance(0.85) ? "PRESCHOOL" : null;
  else if (age >= 6 && age <= 11) stage = "PRIMARY";
  else if (age >= 12 && age <= 14) stage = "JUNIOR";
  else if (age >= 15 && age <= 17) stage = rng.weightedPairs<SchoolStage | null>([["SENIOR", 60], ["VOCATIONAL", 30], [null, 10]]);
  else if (age >= 18 && age <= 22) stage = rng.weightedPairs<SchoolStage | null>([["HIGHER", ctx.profile === "normal" ? 45 : 30], ["VOCATIONAL", age <= 19 ? 8 : 0], [null, 60]]);
  if (stage === null) return null;
  const yz = ctx.street.yuzhong;
  const base = ctx.street.name.replace(/街道$/, "");
  let name: string;
  switch (stage) {
    case "PRESCHOOL":
      name = yz ? rng.pick(YUZHONG_SCHOOLS.PRESCHOOL) : `${ctx.street.districtName}${base}幼儿园`;
      break;
    case "PRIMARY":
      name = yz ? rng.pick(YUZHONG_SCHOOLS.PRIMARY) : `${ctx.street.districtName}${base}小学`;
      break;
    case "JUNIOR":
      name = yz ? rng.pick(YUZHONG_SCHOOLS.JUNIOR) : `${ctx.street.districtName}第${ordinal(rng.int(1, 12))}中学校`;
      break;
    case "SENIOR":
      name = yz ? rng.pick(YUZHONG_SCHOOLS.SENIOR) : `${ctx.street.districtName}第${ordinal(rng.int(1, 8))}中学校`;
      break;
    case "VOCATIONAL":
      name = rng.pick(CITY_SCHOOLS.VOCATIONAL);
      break;
    default:
      name = rng.pick(CITY_SCHOOLS.HIGHER);
  }
  // severely intellectually disabled children of compulsory-school age are taught at home (送教上门, 001 (5))
  if (severeIntellectual && (stage === "PRIMARY" || stage === "JUNIOR")) name += "（送教上门）";
  return { stage, name };
}

const EDUCATION_COST: Record<SchoolStage, readonly [number, number]> = {
  PRESCHOOL: [3000, 8000],
  PRIMARY: [500, 2000],
  JUNIOR: [800, 2500],
  SENIOR: [3000, 6000],
  VOCATIONAL: [2000, 5000],
  HIGHER: [8000, 15000],
};

function makePerson(g: Gen, ctx: HouseholdCtx, plan: MemberPlan): SynthPerson {
  const rng = g.rng;
  const age = plan.age;
  const birthDate = birthDateFor(g, age);
  const idNumber = g.idNumber(idRegion(g, ctx.street), birthDate, plan.sex);
  const rates = PROFILE_RATES[ctx.profile];

  // health
  let disability: PersonFacts["disability"] = null;
  const ageFactor = age < 18 ? 0.5 : age >= 60 ? 1.6 : 1;
  if (plan.disability || (!plan.healthy && rng.chance(rates.disability * ageFactor))) {
    const grade = (plan.disability === "severe" ? rng.int(1, 2) : rng.weighted([1, 2, 3, 4], [20, 30, 25, 25])) as 1 | 2 | 3 | 4;
    let category = rng.weighted(DISABILITY_CATEGORIES, DISABILITY_WEIGHTS);
    if (age < 6 && category === "MENTAL") category = "INTELLECTUAL";
    disability = { category, grade, certificateNo: `${idNumber}${CATEGORY_DIGIT[category]}${grade}` };
  }
  let seriousIllness: string | null = null;
  if (plan.seriousIllness || (!plan.healthy && rng.chance(rates.serious * (age >= 45 ? 1.5 : 0.6)))) {
    seriousIllness = rng.weightedPairs(age < 18 ? SERIOUS_CHILD : SERIOUS_ADULT);
  }
  let chronicIllness: string | null = null;
  const chronicRate = (age < 40 ? 0.05 : age < 60 ? 0.25 : 0.5) * rates.chronic;
  if (!plan.healthy && rng.chance(chronicRate)) chronicIllness = rng.weightedPairs(CHRONIC);

  let medicalExpenseFen = 0;
  let outOfPocketFen = 0;
  if (seriousIllness) {
    medicalExpenseFen = rng.int(30_000, 200_000) * 100;
    outOfPocketFen = Math.round(medicalExpenseFen * rng.real(0.2, 0.4));
  } else if (chronicIllness || disability) {
    medicalExpenseFen = rng.int(1_000, 8_000) * 100;
    outOfPocketFen = Math.round(medicalExpenseFen * rng.real(0.3, 0.5));
  } else if (rng.chance(0.6)) {
    medicalExpenseFen = rng.int(50, 1_500) * 100;
    outOfPocketFen = Math.round(medicalExpenseFen * rng.real(0.3, 0.6));
  }

  // work ability and self-care
  const severe = disability !== null && disability.grade <= 2;
  let workAbility: WorkAbility;
  if (age < 16 || age >= 70) workAbility = "NONE";
  else if (severe) workAbility = "NONE";
  else if (seriousIllness) workAbility = rng.chance(0.6) ? "NONE" : "PARTIAL";
  else if (age >= 60) workAbility = rng.chance(0.7) ? "PARTIAL" : "NONE";
  else if (disability) workAbility = "PARTIAL";
  else if (chronicIllness) workAbility = rng.chance(0.8) ? "FULL" : "PARTIAL";
  else workAbility = "FULL";
  if (plan.healthy && age >= 16 && age < 60) workAbility = "FULL";

  let selfCare: SelfCare = "FULL";
  if (disability?.grade === 1) selfCare = rng.chance(0.5) ? "NONE" : "PARTIAL";
  else if (disability?.grade === 2) selfCare = rng.chance(0.5) ? "PARTIAL" : "FULL";
  else if (seriousIllness && rng.chance(0.3)) selfCare = "PARTIAL";
  if (age >= 85) selfCare = rng.weightedPairs<SelfCare>([["FULL", 45], ["PARTIAL", 40], ["NONE", 15]]);
  else if (age >= 75 && selfCare === "FULL" && rng.chance(0.15)) selfCare = "PARTIAL";

  // school
  const severeIntellectual = severe && (disability!.category === "INTELLECTUAL" || disability!.category === "MULTIPLE");
  const sch = plan.student === false ? null : school(g, ctx, age, severeIntellectual);
  const studentStage = sch?.stage ?? null;
  const hardship = ctx.profile === "poor" || (ctx.profile === "low" && rng.chance(0.6)) || rng.chance(0.1);
  const educationExpenseFen = studentStage ? rng.int(EDUCATION_COST[studentStage][0], EDUCATION_COST[studentStage][1]) * 100 : 0;

  // employment (adults not in school)
  let employment: PersonFacts["employment"] = null;
  if (age >= 16 && !sch) {
    let status: EmploymentStatus;
    if (!isWorkingAge(plan.sex, age)) status = ctx.hukou === "URBAN" && rng.chance(ctx.profile === "poor" ? 0.45 : 0.75) ? "RETIRED" : "NOT_IN_LABOUR_FORCE";
    else if (workAbility === "NONE") status = "NOT_IN_LABOUR_FORCE";
    else if (workAbility === "PARTIAL") status = rng.weightedPairs<EmploymentStatus>([["FLEXIBLE", 25], ["UNEMPLOYED_REGISTERED", 25], ["NOT_IN_LABOUR_FORCE", 50]]);
    else status = rng.weightedPairs(EMPLOYMENT_FULL[ctx.profile]);
    employment = employmentFacts(g, ctx.profile, status);
  }

  const facts: PersonFacts = {
    assisted: false,
    disability,
    seriousIllness,
    chronicIllness,
    medicalExpenseFen,
    outOfPocketFen,
    school: sch ? { stage: sch.stage, schoolName: sch.name, hardship } : null,
    employment,
    educationExpenseFen,
  };
  if (plan.orphan) facts.orphan = true;
  return {
    id: rng.uuid(),
    idNumber,
    name: plan.surname + givenName(rng, plan.sex, Number(birthDate.slice(0, 4))),
    sex: plan.sex,
    birthDate,
    relation: plan.relation,
    workAbility,
    selfCare,
    facts,
  };
}

function employmentFacts(g: Gen, profile: Profile, status: EmploymentStatus): NonNullable<PersonFacts["employment"]> {
  const rng = g.rng;
  const unemployed = status === "UNEMPLOYED_REGISTERED" || status === "UNEMPLOYED_UNREGISTERED";
  return {
    status,
    unemployedSince: unemployed ? addDays(g.asOf, -rng.int(30, 1800)) : null,
    publicWelfarePost: status === "EMPLOYED" && rng.chance(profile === "normal" ? 0.05 : 0.5),
    trainings: status === "UNEMPLOYED_REGISTERED" ? rng.weighted([0, 1, 2, 3, 4], [25, 25, 20, 20, 10]) : rng.chance(0.15) ? 1 : 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Money helpers

function isEarner(p: SynthPerson): boolean {
  const s = p.facts.employment?.status;
  return s === "EMPLOYED" || s === "FLEXIBLE";
}

/** Incomes totalling `total` fen per month, spread over earners, pensioners and household transfers. */
function allocateIncome(g: Gen, ctx: HouseholdCtx, members: SynthPerson[], total: number, exclude: number | null = null): SynthIncome[] {
  const rng = g.rng;
  const earners: number[] = [];
  const retirees: number[] = [];
  members.forEach((p, i) => {
    if (i === exclude) return;
    if (isEarner(p)) earners.push(i);
    else if (p.facts.employment?.status === "RETIRED") retirees.push(i);
  });
  if (total <= 0) {
    for (const i of earners) members[i].facts.employment = employmentFacts(g, ctx.profile, "UNEMPLOYED_UNREGISTERED");
    return [];
  }
  type Slot = { personIndex: number | null; source: SynthIncome["source"]; weight: number };
  const slots: Slot[] = [];
  for (const i of earners) {
    const source = ctx.hukou === "RURAL" && rng.chance(0.4) ? "AGRICULTURE" : members[i].facts.employment!.status === "FLEXIBLE" && rng.chance(0.2) ? "BUSINESS" : "WAGES";
    slots.push({ personIndex: i, source, weight: rng.real(2, 4) });
  }
  for (const i of retirees) slots.push({ personIndex: i, source: "PENSION", weight: rng.real(0.8, 1.6) });
  if (slots.length === 0 || rng.chance(0.2)) {
    slots.push({ personIndex: null, source: ctx.hukou === "RURAL" ? rng.pick(["AGRICULTURE", "TRANSFER"] as const) : rng.weighted(["TRANSFER", "PROPERTY", "OTHER"] as const, [70, 20, 10]), weight: rng.real(0.5, 1.5) });
  }
  const sum = slots.reduce((s, x) => s + x.weight, 0);
  let left = total;
  const out: SynthIncome[] = [];
  slots.forEach((slot, k) => {
    const amount = k === slots.length - 1 ? left : Math.floor((total * slot.weight) / sum);
    left -= amount;
    if (amount <= 0) return;
    out.push({
      id: rng.uuid(),
      personIndex: slot.personIndex,
      source: slot.source,
      monthlyFen: amount,
      validFrom: monthStart(addMonths(g.asOf, -rng.int(14, 120))),
      validTo: null,
    });
  });
  return out;
}

function sumIncome(incomes: SynthIncome[], on: IsoDate, personIndex?: number): number {
  let s = 0;
  for (const inc of incomes) {
    if (inc.validFrom > on || (inc.validTo !== null && inc.validTo < on)) continue;
    if (personIndex !== undefined && inc.personIndex !== personIndex) continue;
    s += inc.monthlyFen;
  }
  return s;
}

function deposits(g: Gen, ctx: HouseholdCtx, size: number, perCapitaShareOfLimit: [number, number], chance = 0.8): SynthAsset[] {
  const rng = g.rng;
  if (!rng.chance(chance)) return [];
  const limit = g.param("ASSET_LIMIT_DEPOSIT_PER_CAPITA", g.asOf, ctx.street.districtCode);
  const value = Math.round(limit * size * rng.real(perCapitaShareOfLimit[0], perCapitaShareOfLimit[1]) / 100) * 100;
  return [{ id: rng.uuid(), kind: "DEPOSIT", valueFen: BigInt(value), description: rng.pick(["银行活期存款", "银行定期存款", "储蓄存款", "微信/支付宝余额及存款"]) }];
}

function house(g: Gen, ctx: HouseholdCtx, chance: number): SynthAsset[] {
  const rng = g.rng;
  if (!rng.chance(chance)) return [];
  if (ctx.hukou === "RURAL") {
    const area = rng.int(60, 160);
    return [{ id: rng.uuid(), kind: "HOUSE", valueFen: BigInt(area * rng.int(800, 1500) * 100), description: `农村宅基地自建房 ${area}㎡` }];
  }
  const area = rng.int(30, 90);
  const kind = rng.pick(["房改房", "商品房", "公租房（承租，不计产权）", "老旧住房"]);
  const value = kind.startsWith("公租房") ? 0 : area * rng.int(9_000, 18_000) * 100;
  return [{ id: rng.uuid(), kind: "HOUSE", valueFen: BigInt(value), description: `${kind} ${area}㎡` }];
}

// ---------------------------------------------------------------------------------------------
// Aid records

function paidAtOf(month: IsoDate): string {
  return `${month.slice(0, 8)}10T01:30:00.000Z`;
}

interface MonthlyPlan {
  program: AidProgram;
  caseIndex: number;
  personIndex: number | null;
  from: IsoDate; // first paid month (YYYY-MM-01)
  until: IsoDate | null; // last paid month (YYYY-MM-01), inclusive
  amount: (month: IsoDate) => number;
}

function monthlyAid(g: Gen, registryNo: string, plan: MonthlyPlan, out: SynthAid[]): void {
  for (const m of g.months) {
    if (m < plan.from || (plan.until !== null && m > plan.until)) continue;
    const amount = plan.amount(m);
    if (amount <= 0) continue;
    out.push({
      id: g.rng.uuid(),
      personIndex: plan.personIndex,
      caseIndex: plan.caseIndex,
      program: plan.program,
      amountFen: amount,
      periodStart: m,
      periodEnd: monthEnd(m),
      paidAt: paidAtOf(m),
      idempotencyKey: `${registryNo}:${plan.program}:${m.slice(0, 7)}`,
    });
  }
}

const ONE_TIME_MONTH = "2022-09-01";

/** 004: the 2022 one-time living subsidy, per person covered by a dibao or TEKUN case in force in September 2022. */
function oneTimeSubsidy(g: Gen, h: Draft2, caseIndex: number, out: SynthAid[]): void {
  const c = h.cases[caseIndex];
  if (g.asOf <= "2022-10-01") return;
  if (c.startDate > "2022-08-31" || (c.endDate !== null && c.endDate < "2022-09-30")) return;
  if (c.status !== "ACTIVE" && c.status !== "GRADUAL_EXIT" && c.status !== "TERMINATED" && c.status !== "SUSPENDED") return;
  const key = c.tier === "TEKUN" ? "ONE_TIME_SUBSIDY_TEKUN" : h.hukou === "URBAN" ? "ONE_TIME_SUBSIDY_URBAN_DIBAO" : "ONE_TIME_SUBSIDY_RURAL_DIBAO";
  const amount = g.param(key, ONE_TIME_MONTH, h.districtCode);
  const covered = c.personIndex !== null ? [c.personIndex] : h.members.map((_, i) => i);
  for (const i of covered) {
    if (h.members[i].birthDate > ONE_TIME_MONTH) continue;
    out.push({
      id: g.rng.uuid(),
      personIndex: i,
      caseIndex,
      program: "ONE_TIME_SUBSIDY",
      amountFen: amount,
      periodStart: ONE_TIME_MONTH,
      periodEnd: "2022-09-30",
      paidAt: "2022-09-20T02:00:00.000Z",
      idempotencyKey: `${h.registryNo}:ONE_TIME_SUBSIDY:2022-09:${i}`,
    });
  }
}

function temporaryAid(g: Gen, h: Draft2, program: "TEMPORARY_AID_EMERGENCY" | "TEMPORARY_AID_EXPENDITURE", caseIndex: number | null, out: SynthAid[]): void {
  const rng = g.rng;
  const m = rng.pick(g.months);
  // small amounts first (小金额先行); large expenditure-type grants go through a case conference (一事一议)
  const amount = program === "TEMPORARY_AID_EMERGENCY" ? rng.int(5, 30) * 10_000 : rng.weighted([rng.int(20, 100), rng.int(100, 200)], [80, 20]) * 10_000;
  let paidDay = `${m.slice(0, 8)}${pad2(rng.int(1, 27))}`;
  if (paidDay >= g.asOf) paidDay = addDays(g.asOf, -1);
  out.push({
    id: rng.uuid(),
    personIndex: null,
    caseIndex,
    program,
    amountFen: amount,
    periodStart: m,
    periodEnd: monthEnd(m),
    paidAt: `${paidDay}T03:00:00.000Z`,
    idempotencyKey: `${h.registryNo}:${program}:${m.slice(0, 7)}`,
  });
}

/** The district that pays a cross-district duplicate: Bishan, or Yuzhong for a Bishan household. */
const OTHER_PAYING_DISTRICT = (district: string): string => (district === "500120" ? "500103" : "500120");
export const CROSS_DISTRICT_RATE = 1 / 40;

/**
 * Aid paid twice by two districts (the aid chain's CROSS_DISTRICT duplicate, DOMAIN §3–§4): for about
 * 1 in 40 TEKUN persons, another district also paid the latest month's TEKUN_SUPPORT (a person who moved
 * and was not taken off the old district's roll). Chosen by a hash of (seed, registry number), so the
 * generator's random stream — and so every other record — is unchanged.
 */
function crossDistrictPayment(g: Gen, registryNo: string, district: string, aid: SynthAid[]): void {
  if ((hashString(`${g.seed}|cross-district|${registryNo}`) >>> 0) / 4294967296 >= CROSS_DISTRICT_RATE) return;
  const last = aid.filter((a) => a.program === "TEKUN_SUPPORT").at(-1);
  if (!last) return;
  const paying = OTHER_PAYING_DISTRICT(district);
  aid.push({
    ...last,
    id: new Rng(hashString(`${g.seed}|cross-district-id|${registryNo}`)).uuid(),
    idempotencyKey: `${last.idempotencyKey}:${paying}`,
    districtCode: paying,
  });
}

// ---------------------------------------------------------------------------------------------
// Cases

/**
 * A few TEKUN payments not stopped at the beneficiary's death (one more month paid): what the audit's
 * PAID_AFTER_DEATH finding looks for. Decided by hash, like crossDistrictPayment, so nothing else moves.
 */
const AFTER_DEATH_RATE = 0.3;
function paymentAfterDeath(g: Gen, registryNo: string, deceasedOn: IsoDate, aid: SynthAid[]): void {
  if ((hashString(`${g.seed}|after-death|${registryNo}`) >>> 0) / 4294967296 >= AFTER_DEATH_RATE) return;
  const last = aid.filter((a) => a.program === "TEKUN_SUPPORT").at(-1);
  const month = monthStart(addMonths(deceasedOn, 1));
  if (!last || addDays(month, 14) >= g.asOf) return;
  aid.push({
    ...last,
    id: new Rng(hashString(`${g.seed}|after-death-id|${registryNo}`)).uuid(),
    periodStart: month,
    periodEnd: monthEnd(month),
    paidAt: `${month.slice(0, 8)}10T03:00:00.000Z`,
    idempotencyKey: `${registryNo}:TEKUN_SUPPORT:${month.slice(0, 7)}:after-death`,
  });
}

function nextReview(g: Gen, start: IsoDate, months: number): IsoDate {
  let k = 1;
  while (addMonths(start, k * months) <= g.asOf) k++;
  if (k > 1 && g.rng.chance(0.03)) k--; // a few overdue re-certifications
  return addMonths(start, k * months);
}

interface Draft2 {
  registryNo: string;
  districtCode: string;
  hukou: HukouType;
  members: SynthPerson[];
  incomes: SynthIncome[];
  cases: SynthCase[];
}

function yuan(fen: number): string {
  return (fen / 100).toFixed(fen % 100 === 0 ? 0 : 2);
}

/** Dibao for the covered members: (standard − per-capita income) × covered persons + classified supplements. */
function dibaoAmount(g: Gen, ctx: HouseholdCtx, covered: SynthPerson[], incomeTotal: number, month: IsoDate): { gap: number; supplement: number; priority: number } {
  const key = ctx.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL";
  const standard = g.param(key, month, ctx.street.districtCode);
  const ratio = g.param("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO", month, ctx.street.districtCode);
  let priority = 0;
  for (const p of covered) if (isPriorityMember(p, g.asOf)) priority++;
  return { gap: Math.max(0, standard * covered.length - incomeTotal), supplement: priority * Math.round(standard * ratio), priority };
}

function standardOf(g: Gen, ctx: HouseholdCtx): number {
  return g.param(ctx.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", g.asOf, ctx.street.districtCode);
}

/** DIBAO_A (低保A类, used by housing, 001 (6)): households where nobody covered of working age can work fully; else B. */
function dibaoClass(g: Gen, covered: SynthPerson[]): TierClass {
  const able = covered.some((p) => p.workAbility === "FULL" && isWorkingAge(p.sex, ageOn(p.birthDate, g.asOf)) && !p.facts.school);
  return able ? "DIBAO_B" : "DIBAO_A";
}

/** 002 #4: every 6 months when covered members of working age can work (unstable income), else yearly. */
function dibaoReviewMonths(g: Gen, ctx: HouseholdCtx, covered: SynthPerson[]): number {
  const unstable = covered.some((p) => p.workAbility !== "NONE" && isWorkingAge(p.sex, ageOn(p.birthDate, g.asOf)) && !p.facts.school);
  return g.param(unstable ? "REVIEW_MONTHS_UNSTABLE" : "REVIEW_MONTHS_STABLE", g.asOf, ctx.street.districtCode);
}

function tekunMonthly(g: Gen, ctx: HouseholdCtx, p: SynthPerson, month: IsoDate): { basic: number; care: number } {
  const region = ctx.street.districtCode;
  const standard = g.param(ctx.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", month, region);
  const basic = Math.round((standard * g.param("TEKUN_BASIC_LIVING_RATIO", month, region)) / 100) * 100;
  const care = g.param(`TEKUN_CARE_SUBSIDY_${p.selfCare}`, month, region);
  return { basic, care };
}

// ---------------------------------------------------------------------------------------------
// The household builder

interface Built {
  household: SynthHousehold;
}

function pickSize(g: Gen, dist: readonly (readonly [number, number])[], min: number, max: number): number {
  const s = g.unitRng.weightedPairs(dist);
  return Math.max(min, Math.min(max, s));
}

function addressOf(g: Gen, street: StreetPlan, centralised: boolean): string {
  const rng = g.rng;
  const prefix = `重庆市${street.districtName}`;
  if (street.welfareHome || centralised) {
    return `${prefix}${street.welfareHome ? "社会福利院" : rng.pick(["社会福利院", "区养老服务中心", "区敬老院"])}${rng.int(1, 6)}号楼${rng.int(1, 6)}${pad2(rng.int(1, 30))}室`;
  }
  // Registered addresses name the street (街道/镇/乡), so an address masked "to the street" keeps it.
  const streetPart = /(街道|镇|乡)$/.test(street.name) ? street.name : `${street.name}街道`;
  return `${prefix}${streetPart}${rng.pick(street.roads)}${rng.int(1, 300)}号${rng.int(1, 30)}-${rng.int(1, 8)}`;
}

function buildHousehold(g: Gen, street: StreetPlan, kind: Kind, size: number, seq: number): Built {
  const rng = g.rng;
  const asOf = g.asOf;
  const registryNo = `${street.code}-${String(seq).padStart(6, "0")}`;
  const profile: Profile =
    kind === "DIBAO" || kind === "DIBAO_GRADUAL" || kind === "DIBAO_ORPHAN18" || kind === "TEKUN" || kind === "DECEASED" || kind === "APPLIED" || kind === "SUSPENDED"
      ? "poor"
      : kind === "REJECTED_INCOME" || kind === "LEFT" || kind === "ORPHAN18_LEFT"
        ? "normal"
        : "low";
  let hukou: HukouType = street.welfareHome ? "URBAN" : rng.chance(street.ruralShare) ? "RURAL" : "URBAN";
  if (kind === "MONITORED_TIER") hukou = rng.chance(0.85) ? "RURAL" : "URBAN";
  const ctx: HouseholdCtx = { street, hukou, profile };
  const district = street.districtCode;

  // --- members
  let plans: MemberPlan[];
  let tekunVariant: "orphan" | "elderly" | "disabled" | null = null;
  let singleDisabled = false;
  let deceasedOn: IsoDate | null = null;
  switch (kind) {
    case "TEKUN":
    case "DECEASED": {
      tekunVariant = kind === "DECEASED" ? "elderly" : rng.weightedPairs<"orphan" | "elderly" | "disabled">(street.welfareHome ? [["orphan", 45], ["elderly", 35], ["disabled", 20]] : [["orphan", 15], ["elderly", 55], ["disabled", 30]]);
      const age = tekunVariant === "orphan" ? rng.weightedPairs<number>([[rng.int(0, 5), 20], [rng.int(6, 17), 80]]) : tekunVariant === "elderly" ? rng.int(kind === "DECEASED" ? 72 : 60, 95) : rng.int(18, 59);
      const sex: Sex = rng.chance(tekunVariant === "elderly" ? 0.45 : 0.55) ? "MALE" : "FEMALE";
      plans = [{ relation: "HEAD", age, sex, surname: surname(rng), orphan: tekunVariant === "orphan", disability: tekunVariant === "disabled" ? (rng.chance(0.7) ? "severe" : "any") : undefined }];
      if (kind === "DECEASED") deceasedOn = addDays(asOf, -rng.int(20, 330));
      break;
    }
    case "DIBAO_ORPHAN18":
    case "ORPHAN18_LEFT": {
      const age = kind === "ORPHAN18_LEFT" ? rng.int(18, 19) : rng.int(18, 22);
      plans = [{ relation: "HEAD", age, sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: surname(rng), orphan: true, healthy: true }];
      break;
    }
    case "DIBAO": {
      if (street.welfareHome) {
        plans = [{ relation: "HEAD", age: rng.int(45, 90), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: surname(rng), disability: rng.chance(0.5) ? "any" : undefined }];
      } else if (size === 1 && rng.chance(0.2)) {
        // an unemployed adult with a severe disability applying as a one-person household (002 #3, 003 §8)
        singleDisabled = true;
        plans = [{ relation: "HEAD", age: rng.int(20, 55), sex: rng.chance(0.55) ? "MALE" : "FEMALE", surname: surname(rng), disability: "severe" }];
      } else {
        plans = compose(g, size, false);
        // the reason for hardship: at least one disabled, seriously ill, elderly or unemployed member
        if (rng.chance(0.25)) rng.pick(plans).disability = "any";
        else if (rng.chance(0.1)) rng.pick(plans).seriousIllness = true;
      }
      break;
    }
    case "DIBAO_GRADUAL":
    case "LEFT": {
      plans = compose(g, size, true);
      const worker = plans.find((p) => p.age >= 20 && p.age <= 50);
      if (worker) worker.healthy = true;
      break;
    }
    case "DIBAO_INCLUSION":
    case "REGISTERED_INDIVIDUAL": {
      plans = compose(g, size, false);
      break;
    }
    case "RIGID": {
      plans = compose(g, size, false);
      rng.pick(plans).seriousIllness = true;
      break;
    }
    default:
      plans = compose(g, size, kind === "REJECTED_INCOME");
  }

  const members = plans.map((p) => makePerson(g, ctx, p));
  if (deceasedOn) members[0].facts.deceasedOn = deceasedOn;
  if (tekunVariant) {
    // TEKUN: no ability to work, no income, no supporter (三无)
    members[0].workAbility = "NONE";
    if (members[0].facts.employment) members[0].facts.employment = employmentFacts(g, "poor", "NOT_IN_LABOUR_FORCE");
    if (tekunVariant === "elderly" && rng.chance(0.35)) members[0].selfCare = rng.chance(0.5) ? "NONE" : "PARTIAL";
  }
  if (singleDisabled) {
    members[0].facts.employment = employmentFacts(g, "poor", "UNEMPLOYED_REGISTERED");
  }

  const h: Draft2 = { registryNo, districtCode: district, hukou, members, incomes: [], cases: [] };
  const cases = h.cases;
  const aid: SynthAid[] = [];
  const assets: SynthAsset[] = [];
  let status: SynthHousehold["status"] = "ACTIVE";
  const standard = standardOf(g, ctx);
  const n = members.length;
  const incomeFor = (lo: number, hi: number) => Math.round(standard * n * rng.real(lo, hi));
  let centralised = street.welfareHome;

  const addDibaoCase = (covered: number[] | null, statusOf: SynthCase["status"], start: IsoDate, incomes: SynthIncome[], noteExtra: string) => {
    const coveredPersons = covered ? covered.map((i) => members[i]) : members;
    const incomeTotal = covered ? covered.reduce((s, i) => s + sumIncome(incomes, asOf, i), 0) : sumIncome(incomes, asOf);
    const a = dibaoAmount(g, ctx, coveredPersons, incomeTotal, asOf);
    const tierClass = dibaoClass(g, coveredPersons);
    const reviewMonths = dibaoReviewMonths(g, ctx, coveredPersons);
    const monthly = a.gap + a.supplement;
    const note = statusOf === "APPLIED" ? noteExtra : `${noteExtra}补差${yuan(a.gap)}元（标准${yuan(standard)}元×${coveredPersons.length}人−收入${yuan(incomeTotal)}元）${a.priority ? `+分类施保${yuan(a.supplement)}元（重点对象${a.priority}人）` : ""}；${reviewMonths === 6 ? "有劳动能力成员，每半年核查" : "每年核查"}（002 #4）`;
    cases.push({
      id: rng.uuid(),
      personIndex: null,
      tier: "DIBAO",
      tierClass,
      status: statusOf,
      startDate: start,
      endDate: null,
      nextReviewDate: statusOf === "ACTIVE" ? nextReview(g, start, reviewMonths) : null,
      monthlyFen: statusOf === "APPLIED" || statusOf === "REJECTED" ? null : monthly,
      note,
    });
    const ci = cases.length - 1;
    return { ci, incomeTotal, coveredPersons };
  };

  const payDibao = (ci: number, coveredPersons: SynthPerson[], incomeTotal: number, personIndex: number | null, until: IsoDate | null) => {
    const c = cases[ci];
    monthlyAid(g, registryNo, {
      program: "DIBAO_PAYMENT",
      caseIndex: ci,
      personIndex,
      from: monthStart(addMonths(c.startDate, 1)),
      until,
      amount: (m) => {
        const a = dibaoAmount(g, ctx, coveredPersons, incomeTotal, m);
        return a.gap + a.supplement;
      },
    }, aid);
    oneTimeSubsidy(g, h, ci, aid);
  };

  switch (kind) {
    case "DIBAO": {
      h.incomes = allocateIncome(g, ctx, members, street.welfareHome || singleDisabled ? 0 : rng.chance(0.3) ? 0 : incomeFor(0.05, 0.9));
      const start = addMonths(asOf, -rng.int(2, 120));
      // some found work while on dibao, within the last year, and stay below the standard: their dibao is reduced by
      // the new earnings, made up by the dibao employment subsidy for up to a year (002 #13)
      // (drawn from a side stream of the household's own, so the household's other draws stay as they were)
      const side = new Rng(hashString(`${g.seed}:${registryNo}:job`));
      const job = h.incomes.find((i) => i.personIndex !== null && (i.source === "WAGES" || i.source === "BUSINESS"));
      if (job && side.chance(0.1)) {
        const began = monthStart(addMonths(asOf, -side.int(1, 11)));
        if (began > start) job.validFrom = began;
      }
      const noteExtra = singleDisabled ? "重度残疾人单独立户纳入低保（002 #3、003 §8）；" : street.welfareHome ? "福利院院民；" : "";
      const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "ACTIVE", start, h.incomes, noteExtra);
      payDibao(ci, coveredPersons, incomeTotal, null, null);
      if (rng.chance(0.05)) temporaryAid(g, h, rng.chance(0.5) ? "TEMPORARY_AID_EMERGENCY" : "TEMPORARY_AID_EXPENDITURE", ci, aid);
      assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, street.welfareHome ? 0 : 0.35));
      break;
    }
    case "DIBAO_GRADUAL": {
      // a member found work; income per capita is now between 1x and 1.5x the standard: 6 months' grace
      const workerIndex = members.findIndex((p) => p.workAbility === "FULL" && isWorkingAge(p.sex, ageOn(p.birthDate, asOf)) && !p.facts.school);
      const wi = workerIndex >= 0 ? workerIndex : 0;
      if (members[wi].workAbility !== "FULL") members[wi].workAbility = "FULL";
      h.incomes = allocateIncome(g, ctx, members, incomeFor(0.2, 0.8), wi);
      const before = sumIncome(h.incomes, asOf);
      const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
      const target = Math.round(standard * n * rng.real(1.05, multiplier - 0.05));
      const rose = addDays(asOf, -rng.int(5, 170));
      const wage = Math.max(100, target - before);
      members[wi].facts.employment = { status: "EMPLOYED", unemployedSince: null, publicWelfarePost: rng.chance(0.3), trainings: rng.int(1, 4) };
      const start = addMonths(asOf, -rng.int(13, 96));
      const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "GRADUAL_EXIT", start, h.incomes, "");
      h.incomes.push({ id: rng.uuid(), personIndex: wi, source: "WAGES", monthlyFen: wage, validFrom: rose, validTo: null });
      const months = g.param("GRADUAL_EXIT_MONTHS", asOf, district);
      const end = addMonths(rose, months);
      const c = cases[ci];
      c.endDate = end;
      c.nextReviewDate = end;
      const pci = Math.round((before + wage) / n);
      c.note = `低保渐退：${members[wi].name}于${rose}就业，家庭月人均收入${yuan(pci)}元，超过低保标准${yuan(standard)}元、低于${multiplier}倍，给予${months}个月渐退期至${end}，渐退期内按原标准发放（002 #3、004 一）；${c.note}`;
      payDibao(ci, coveredPersons, incomeTotal, null, null);
      assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, 0.35));
      break;
    }
    case "DIBAO_INCLUSION": {
      // marginal household; a severely disabled or seriously ill member on dibao alone (单人户, 002 #3, 003 §8, 004 一)
      const idx = rng.int(0, n - 1);
      const reason = rng.chance(0.6) ? "severe" : "ill";
      const p = members[idx];
      if (reason === "severe" && (!p.facts.disability || p.facts.disability.grade > 2)) {
        const category = rng.weighted(DISABILITY_CATEGORIES, DISABILITY_WEIGHTS);
        const grade = rng.int(1, 2) as 1 | 2;
        p.facts.disability = { category, grade, certificateNo: `${p.idNumber}${CATEGORY_DIGIT[category]}${grade}` };
      } else if (reason === "ill" && !p.facts.seriousIllness) {
        const age = ageOn(p.birthDate, asOf);
        p.facts.seriousIllness = rng.weightedPairs(age < 18 ? SERIOUS_CHILD : SERIOUS_ADULT);
        p.facts.medicalExpenseFen = rng.int(30_000, 200_000) * 100;
        p.facts.outOfPocketFen = Math.round(p.facts.medicalExpenseFen * rng.real(0.2, 0.4));
      }
      p.workAbility = "NONE";
      if (p.facts.employment) p.facts.employment = employmentFacts(g, "low", "NOT_IN_LABOUR_FORCE");
      const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
      // the household as a whole in [1.02, 1.5) × the standard; the included member's own income (a transfer:
      // disability pension, support payments) below the standard, so the 补差 is positive; and the other members,
      // a household of their own, still marginal on their own income (< 1.47 × the standard per capita)
      // (the own income from a side stream of the household's own, one draw for the rest as before: the household's
      // other draws stay as they were)
      const side = new Rng(hashString(`${g.seed}:${registryNo}:own`));
      const own = Math.round(standard * side.real(0.62, 0.92));
      const restLo = Math.max(1.02 * standard * n - own, 1.02 * standard * (n - 1));
      const restHi = (multiplier - 0.03) * standard * (n - 1);
      const rest = Math.round(restLo + (restHi - restLo) * rng.next());
      h.incomes = allocateIncome(g, ctx, members, rest, idx);
      h.incomes.push({ id: side.uuid(), personIndex: idx, source: "TRANSFER", monthlyFen: own, validFrom: monthStart(addMonths(asOf, -side.int(14, 120))), validTo: null });
      const start = addMonths(asOf, -rng.int(2, 60));
      cases.push({ id: rng.uuid(), personIndex: null, tier: "DIBAO_MARGINAL", tierClass: null, status: "ACTIVE", startDate: start, endDate: null, nextReviewDate: null, monthlyFen: null, note: "低保边缘家庭（003 §1）" });
      const { ci, incomeTotal, coveredPersons } = addDibaoCase([idx], "ACTIVE", addMonths(start, rng.int(0, 6)), h.incomes, `单人户纳入低保：${reason === "severe" ? "重度残疾" : "重病"}成员参照单人户（002 #3、003 §8、004 一）；`);
      cases[ci].personIndex = idx;
      if (cases[ci].startDate > addMonths(asOf, -1)) cases[ci].startDate = addMonths(asOf, -1);
      payDibao(ci, coveredPersons, incomeTotal, idx, null);
      assets.push(...deposits(g, ctx, n, [0, 0.4]), ...house(g, ctx, 0.45));
      break;
    }
    case "DIBAO_ORPHAN18": {
      // an orphan who aged out of TEKUN at 18 (002 #3) and is now on dibao
      const p = members[0];
      const b18 = addYears(p.birthDate, 18);
      const tekunStart = maxIso(addYears(p.birthDate, rng.int(3, 15)), "2010-01-01");
      h.incomes = allocateIncome(g, ctx, members, rng.chance(0.5) ? 0 : incomeFor(0.05, 0.5));
      cases.push({ id: rng.uuid(), personIndex: null, tier: "TEKUN", tierClass: "TEKUN_DISPERSED", status: "TERMINATED", startDate: minIso(tekunStart, addDays(b18, -30)), endDate: b18, nextReviewDate: null, monthlyFen: null, note: "孤儿，年满18周岁终止特困供养（002 #3）" });
      const tekunCi = cases.length - 1;
      monthlyAid(g, registryNo, {
        program: "TEKUN_SUPPORT", caseIndex: tekunCi, personIndex: 0, from: monthStart(addMonths(cases[tekunCi].startDate, 1)), until: monthStart(b18),
        amount: (m) => tekunMonthly(g, ctx, p, m).basic,
      }, aid);
      oneTimeSubsidy(g, h, tekunCi, aid);
      const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "ACTIVE", b18, h.incomes, "年满18周岁孤儿（原特困供养）；");
      payDibao(ci, coveredPersons, incomeTotal, null, null);
      assets.push(...deposits(g, ctx, 1, [0, 0.2], 0.5));
      break;
    }
    case "TEKUN":
    case "DECEASED": {
      const p = members[0];
      if (!street.welfareHome) {
        const pCentral = p.selfCare === "NONE" ? 0.8 : p.selfCare === "PARTIAL" ? 0.4 : tekunVariant === "orphan" ? 0.05 : 0.08;
        centralised = rng.chance(pCentral);
      }
      const age = ageOn(p.birthDate, asOf);
      const earliest = maxIso(addDays(p.birthDate, 30), "2008-01-01");
      let start = addMonths(asOf, -rng.int(2, 150));
      if (start < earliest) start = earliest;
      if (start > addMonths(asOf, -1)) start = addMonths(asOf, -1);
      if (deceasedOn && start >= addMonths(deceasedOn, -2)) start = maxIso(earliest, addMonths(deceasedOn, -rng.int(3, 100)));
      const minorLimit = g.param("TEKUN_MINOR_AGE_LIMIT", asOf, district);
      const minorEnd = tekunVariant === "orphan" && age < minorLimit ? addYears(p.birthDate, minorLimit) : null;
      const m = tekunMonthly(g, ctx, p, asOf);
      const ended = kind === "DECEASED";
      const careText = p.selfCare === "FULL" ? "生活自理" : p.selfCare === "PARTIAL" ? "部分失能" : "完全失能";
      cases.push({
        id: rng.uuid(),
        personIndex: null,
        tier: "TEKUN",
        tierClass: centralised ? "TEKUN_CENTRALISED" : "TEKUN_DISPERSED",
        status: ended ? "TERMINATED" : "ACTIVE",
        startDate: start,
        endDate: ended ? deceasedOn : minorEnd,
        nextReviewDate: ended ? null : nextReview(g, start, g.param("REVIEW_MONTHS_STABLE", asOf, district)),
        monthlyFen: m.basic + m.care,
        note: ended
          ? "供养对象身故，终止特困供养，办理丧葬救助"
          : `${centralised ? "集中供养" : "分散供养"}；${careText}，照料护理补贴${yuan(m.care)}元；基本生活${yuan(m.basic)}元${tekunVariant === "orphan" ? `；孤儿，供养至年满${minorLimit}周岁（002 #3）` : ""}；每年核查（002 #4）`,
      });
      const until = ended ? monthStart(deceasedOn!) : null;
      const from = monthStart(addMonths(start, 1));
      monthlyAid(g, registryNo, { program: "TEKUN_SUPPORT", caseIndex: 0, personIndex: 0, from, until, amount: (mm) => tekunMonthly(g, ctx, p, mm).basic }, aid);
      monthlyAid(g, registryNo, { program: "TEKUN_CARE_SUBSIDY", caseIndex: 0, personIndex: 0, from, until, amount: (mm) => tekunMonthly(g, ctx, p, mm).care }, aid);
      crossDistrictPayment(g, registryNo, district, aid);
      oneTimeSubsidy(g, h, 0, aid);
      if (ended) {
        paymentAfterDeath(g, registryNo, deceasedOn!, aid);
        status = "CLOSED";
        const fm = monthStart(addMonths(deceasedOn!, 1));
        if (addDays(fm, 14) < asOf) {
          aid.push({ id: rng.uuid(), personIndex: 0, caseIndex: 0, program: "FUNERAL_AID", amountFen: rng.int(10, 30) * 10_000, periodStart: fm, periodEnd: monthEnd(fm), paidAt: `${fm.slice(0, 8)}15T03:00:00.000Z`, idempotencyKey: `${registryNo}:FUNERAL_AID:${fm.slice(0, 7)}` });
        }
      } else if (!centralised && rng.chance(0.04)) {
        temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
      }
      if (!centralised) assets.push(...deposits(g, ctx, 1, [0, 0.15], 0.4));
      break;
    }
    case "REGISTERED":
    case "REGISTERED_INDIVIDUAL": {
      h.incomes = allocateIncome(g, ctx, members, incomeFor(0.9, 2.5));
      const start = maxIso(addMonths(asOf, -rng.int(1, 90)), "2019-04-12");
      const idx = kind === "REGISTERED_INDIVIDUAL" ? rng.int(0, n - 1) : null;
      cases.push({
        id: rng.uuid(),
        personIndex: idx,
        tier: "OTHER",
        tierClass: null,
        status: "ACTIVE",
        startDate: start < asOf ? start : addMonths(asOf, -1),
        endDate: null,
        nextReviewDate: null,
        monthlyFen: null,
        note: idx === null ? "城市特殊困难家庭建档（001）" : `城市特殊困难人员建档（001）：${members[idx].name}`,
      });
      if (rng.chance(0.04)) temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
      assets.push(...deposits(g, ctx, n, [0, 0.5]), ...house(g, ctx, 0.5));
      break;
    }
    case "MARGINAL": {
      const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
      h.incomes = allocateIncome(g, ctx, members, incomeFor(1.02, multiplier - 0.03));
      cases.push({ id: rng.uuid(), personIndex: null, tier: "DIBAO_MARGINAL", tierClass: null, status: "ACTIVE", startDate: addMonths(asOf, -rng.int(1, 48)), endDate: null, nextReviewDate: null, monthlyFen: null, note: "低保边缘家庭：人均收入低于低保标准1.5倍（003 §1）" });
      if (rng.chance(0.08)) temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
      if (rng.chance(0.05)) assets.push({ id: rng.uuid(), kind: "BUSINESS", valueFen: BigInt(rng.int(5_000, 40_000) * 100), description: rng.pick(["个体工商户（小吃店）", "个体工商户（修理铺）", "个体工商户（杂货店）"]) });
      assets.push(...deposits(g, ctx, n, [0, 0.5]), ...house(g, ctx, 0.5));
      break;
    }
    case "RIGID": {
      const disposable = g.param(hukou === "URBAN" ? "PER_CAPITA_DISPOSABLE_INCOME_URBAN" : "PER_CAPITA_DISPOSABLE_INCOME_RURAL", asOf, district) / 12;
      const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
      const hi = Math.max(multiplier + 0.05, Math.min(4, (disposable * 0.9) / standard));
      h.incomes = allocateIncome(g, ctx, members, incomeFor(multiplier, hi));
      const total = sumIncome(h.incomes, asOf);
      const ratio = g.param("RIGID_EXPENDITURE_RATIO", asOf, district);
      const ill = members.find((p) => p.facts.seriousIllness) ?? members[0];
      const education = members.reduce((s, p) => s + (p.facts.educationExpenseFen ?? 0), 0);
      const needed = Math.ceil(total * 12 * ratio * rng.real(1.05, 1.8)) - education;
      if (ill.facts.outOfPocketFen < needed) {
        ill.facts.outOfPocketFen = Math.round(needed / 100) * 100 + 100;
        ill.facts.medicalExpenseFen = Math.max(ill.facts.medicalExpenseFen, Math.round(ill.facts.outOfPocketFen / rng.real(0.3, 0.5)));
      }
      // The rigid test counts what the family bears after medical aid (issue 13 point 7), and medical aid pays at
      // least MEDICAL_OOP_AID_RATIO_MARGINAL of a rigid-expenditure household's out-of-pocket spending (003 §9; the
      // medical-insurance sandbox pays exactly that share): the ill member's gross spending is raised so that what is
      // left after aid still crosses the ratio. Drawn from a side stream of the household's own, after the draws
      // above, so every other record (and every other household) stays as it was.
      const aidShare = g.param("MEDICAL_OOP_AID_RATIO_MARGINAL", asOf, district);
      const gross = Math.round(needed / (1 - aidShare) / 100) * 100 + 100;
      if (ill.facts.outOfPocketFen < gross) {
        const side = new Rng(hashString(`${g.seed}:${registryNo}:rigid`));
        ill.facts.outOfPocketFen = gross;
        ill.facts.medicalExpenseFen = Math.max(ill.facts.medicalExpenseFen, Math.round(gross / side.real(0.3, 0.5)));
      }
      const spend = members.reduce((s, p) => s + p.facts.outOfPocketFen + (p.facts.educationExpenseFen ?? 0), 0);
      cases.push({
        id: rng.uuid(), personIndex: null, tier: "RIGID_EXPENDITURE", tierClass: null, status: "ACTIVE", startDate: addMonths(asOf, -rng.int(1, 24)), endDate: null, nextReviewDate: null, monthlyFen: null,
        note: `刚性支出困难家庭：医疗、教育必需支出${yuan(spend)}元/年，占家庭年收入${Math.round((spend / Math.max(1, total * 12)) * 100)}%（003 §1）`,
      });
      if (rng.chance(0.4)) temporaryAid(g, h, "TEMPORARY_AID_EXPENDITURE", 0, aid);
      assets.push(...deposits(g, ctx, n, [0, 0.6]), ...house(g, ctx, 0.55));
      break;
    }
    case "MONITORED_TIER": {
      h.incomes = allocateIncome(g, ctx, members, incomeFor(0.9, 2.0));
      cases.push({ id: rng.uuid(), personIndex: null, tier: "MONITORED", tierClass: null, status: "ACTIVE", startDate: addMonths(asOf, -rng.int(1, 36)), endDate: null, nextReviewDate: null, monthlyFen: null, note: "防止返贫监测对象：农业农村部门监测推送（003 §1、§18）" });
      if (rng.chance(0.1)) temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
      assets.push(...deposits(g, ctx, n, [0, 0.4]), ...house(g, ctx, 0.8));
      break;
    }
    case "REJECTED_INCOME":
    case "REJECTED_ASSETS": {
      status = "MONITORED";
      const byAssets = kind === "REJECTED_ASSETS";
      h.incomes = allocateIncome(g, ctx, members, byAssets ? incomeFor(0.4, 0.95) : incomeFor(1.6, 3.0));
      const applied = addDays(asOf, -rng.int(40, 700));
      const decided = addDays(applied, rng.int(15, 35));
      const pci = Math.round(sumIncome(h.incomes, asOf) / n);
      if (byAssets) {
        const limit = g.param("ASSET_LIMIT_DEPOSIT_PER_CAPITA", asOf, district);
        const value = Math.round((limit * n * rng.real(1.3, 4)) / 100) * 100;
        assets.push({ id: rng.uuid(), kind: "DEPOSIT", valueFen: BigInt(value), description: "银行定期存款" });
        if (rng.chance(0.4)) assets.push({ id: rng.uuid(), kind: "VEHICLE", valueFen: BigInt(rng.int(30_000, 150_000) * 100), description: "小型轿车（非营运）" });
        if (rng.chance(0.2)) assets.push({ id: rng.uuid(), kind: "SECURITIES", valueFen: BigInt(rng.int(20_000, 200_000) * 100), description: "股票、基金" });
      } else {
        assets.push(...deposits(g, ctx, n, [0.2, 0.9]));
      }
      assets.push(...house(g, ctx, 0.6));
      cases.push({
        id: rng.uuid(), personIndex: null, tier: "DIBAO", tierClass: null, status: "REJECTED", startDate: applied, endDate: decided, nextReviewDate: null, monthlyFen: null,
        note: byAssets ? "不予批准：家庭人均存款超过规定标准；纳入低收入人口监测两年（003 §5）" : `不予批准：家庭月人均收入${yuan(pci)}元，超过低保标准；纳入低收入人口监测两年（003 §5）`,
      });
      break;
    }
    case "LEFT": {
      status = "MONITORED";
      h.incomes = allocateIncome(g, ctx, members, incomeFor(1.2, 2.5));
      const end = addDays(asOf, -rng.int(20, 700));
      const start = addMonths(end, -rng.int(18, 96));
      const covered = members;
      cases.push({ id: rng.uuid(), personIndex: null, tier: "DIBAO", tierClass: dibaoClass(g, covered), status: "TERMINATED", startDate: start, endDate: end, nextReviewDate: null, monthlyFen: null, note: "渐退期满，家庭收入超过低保标准，退出低保；纳入监测两年（003 §5）" });
      const pastIncome = Math.round(standard * n * rng.real(0.3, 0.8));
      cases[0].monthlyFen = dibaoAmount(g, ctx, covered, pastIncome, asOf).gap;
      payDibao(0, covered, pastIncome, null, monthStart(end));
      assets.push(...deposits(g, ctx, n, [0.1, 0.6]), ...house(g, ctx, 0.5));
      break;
    }
    case "ORPHAN18_LEFT": {
      status = "MONITORED";
      const p = members[0];
      const b18 = addYears(p.birthDate, 18);
      const studying = p.facts.school !== null;
      if (!studying) p.facts.employment = employmentFacts(g, "normal", rng.chance(0.7) ? "EMPLOYED" : "FLEXIBLE");
      h.incomes = allocateIncome(g, ctx, members, studying ? incomeFor(0.3, 0.9) : incomeFor(1.6, 3));
      const start = maxIso(addYears(p.birthDate, rng.int(3, 15)), "2010-01-01");
      cases.push({ id: rng.uuid(), personIndex: null, tier: "TEKUN", tierClass: "TEKUN_DISPERSED", status: "TERMINATED", startDate: minIso(start, addDays(b18, -30)), endDate: b18, nextReviewDate: null, monthlyFen: null, note: `孤儿，年满18周岁终止特困供养（002 #3）${studying ? "，在读" : "，已就业"}；年满18周岁孤儿享受住房保障（002 #11）` });
      monthlyAid(g, registryNo, { program: "TEKUN_SUPPORT", caseIndex: 0, personIndex: 0, from: monthStart(addMonths(cases[0].startDate, 1)), until: monthStart(b18), amount: (m) => tekunMonthly(g, ctx, p, m).basic }, aid);
      oneTimeSubsidy(g, h, 0, aid);
      break;
    }
    case "APPLIED": {
      h.incomes = allocateIncome(g, ctx, members, rng.chance(0.3) ? 0 : incomeFor(0.05, 0.9));
      const applied = addDays(asOf, -rng.int(2, 40));
      addDibaoCase(null, "APPLIED", applied, h.incomes, "低保申请，入户调查、信息核对中（003 §20：一次申请、分类审核认定）");
      assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, 0.35));
      break;
    }
    case "SUSPENDED": {
      h.incomes = allocateIncome(g, ctx, members, rng.chance(0.3) ? 0 : incomeFor(0.05, 0.9));
      const start = addMonths(asOf, -rng.int(14, 80));
      const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "SUSPENDED", start, h.incomes, "未按期配合定期核查，暂停发放（002 #4）；");
      const due = addDays(asOf, -rng.int(10, 70));
      cases[ci].nextReviewDate = due;
      payDibao(ci, coveredPersons, incomeTotal, null, addMonths(monthStart(due), -1));
      assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, 0.35));
      break;
    }
  }

  // counting: see the header
  members.forEach((p, i) => {
    p.facts.assisted = assistedTier(h, i) !== null;
  });

  const hasPhone = rng.chance(tekunVariant === "orphan" || centralised ? 0.2 : 0.6);
  const household: SynthHousehold = {
    id: rng.uuid(),
    registryNo,
    districtCode: district,
    streetCode: street.code,
    address: addressOf(g, street, centralised),
    hukou,
    status,
    phone: hasPhone ? phoneNumber(rng) : null,
    contactConsent: hasPhone && rng.chance(0.45),
    members,
    incomes: h.incomes,
    assets,
    cases,
    aid,
  };
  return { household };
}

// ---------------------------------------------------------------------------------------------
// Street quotas and the stream

interface Quotas {
  dibao: number;
  tekun: number;
  registered: number;
  extras: Map<ExtraKind, number>;
}

function quotasOf(street: StreetPlan): Quotas {
  const extras = new Map<ExtraKind, number>();
  if (!street.welfareHome) for (const [k, r] of EXTRA_RATIOS) extras.set(k, Math.max(1, Math.round(street.dibao * r)));
  return { dibao: street.dibao, tekun: street.tekun, registered: street.registered, extras };
}

/** Picks the next household of the street (kind, size) and takes it off the quotas; null when done. */
function nextUnit(g: Gen, street: StreetPlan, q: Quotas): { kind: Kind; size: number } | null {
  const rng = g.unitRng;
  const items: string[] = [];
  const weights: number[] = [];
  if (q.dibao > 0) items.push("dibao"), weights.push(q.dibao / 2.4);
  if (q.tekun > 0) items.push("tekun"), weights.push(q.tekun);
  if (q.registered > 0) items.push("registered"), weights.push(q.registered / 2);
  for (const [k, v] of q.extras) if (v > 0) items.push(k), weights.push(v);
  if (items.length === 0) return null;
  const choice = rng.weighted(items, weights);
  if (choice === "tekun") {
    q.tekun--;
    return { kind: "TEKUN", size: 1 };
  }
  if (choice === "dibao") {
    if (street.welfareHome) {
      q.dibao--;
      return { kind: "DIBAO", size: 1 };
    }
    const variant = rng.weightedPairs<Kind>([["DIBAO", 895], ["DIBAO_GRADUAL", 40], ["DIBAO_INCLUSION", 60], ["DIBAO_ORPHAN18", 5]]);
    if (variant === "DIBAO_INCLUSION") {
      q.dibao--;
      return { kind: variant, size: pickSize(g, SIZE_DIST_NON_POOR, 2, 5) };
    }
    if (variant === "DIBAO_ORPHAN18") {
      q.dibao--;
      return { kind: variant, size: 1 };
    }
    const size = Math.min(q.dibao, pickSize(g, SIZE_DIST, variant === "DIBAO_GRADUAL" ? 2 : 1, 6));
    if (variant === "DIBAO_GRADUAL" && size < 2) {
      q.dibao -= size;
      return { kind: "DIBAO", size };
    }
    q.dibao -= size;
    return { kind: variant, size };
  }
  if (choice === "registered") {
    if (rng.chance(0.3)) {
      q.registered--;
      return { kind: "REGISTERED_INDIVIDUAL", size: pickSize(g, SIZE_DIST_NON_POOR, 2, 4) };
    }
    const size = Math.min(q.registered, pickSize(g, SIZE_DIST, 1, 4));
    q.registered -= size;
    return { kind: "REGISTERED", size };
  }
  const kind = choice as ExtraKind;
  q.extras.set(kind, q.extras.get(kind)! - 1);
  const single = kind === "ORPHAN18_LEFT" || kind === "DECEASED";
  return { kind, size: single ? 1 : pickSize(g, kind === "APPLIED" || kind === "SUSPENDED" ? SIZE_DIST : SIZE_DIST_NON_POOR, 1, 6) };
}

/**
 * Streams the population, one household at a time. Deterministic for (seed, persons, asOf).
 * asOf must be 2017-01-01 or later (the policy parameters start in 2016).
 */
export function* generatePopulation(opts: GenerateOptions): Generator<SynthHousehold, void, undefined> {
  const g = new Gen(opts.seed, opts.asOf);
  const plans = planStreets(opts.persons);
  let persons = 0;
  for (const street of plans) {
    const q = quotasOf(street);
    let seq = 0;
    for (;;) {
      const unit = nextUnit(g, street, q);
      if (!unit) break;
      g.startHousehold(street.code, ++seq);
      const { household } = buildHousehold(g, street, unit.kind, unit.size, seq);
      persons += household.members.length;
      yield household;
      if (opts.persons !== undefined && persons >= opts.persons) return;
    }
  }
}

/** Expected number of persons for progress reporting (exact counts depend on the seed). */
export function estimatePersons(opts: { persons?: number }): number {
  return opts.persons ?? Math.round(EXPECTED_YUZHONG);
}
