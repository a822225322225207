/** One person: name, ID number, birth date, work ability, self-care, and the facts department systems hold. */
import type { HukouType, SelfCare, WorkAbility } from "../../../src/db/generated/enums.js";
import { isWorkingAge } from "../../../src/domain/age.js";
import type { DisabilityCategory, EmploymentStatus, IsoDate, PersonFacts, SchoolStage, SynthPerson } from "../model.js";
import { CITY_SCHOOLS, YUZHONG_SCHOOLS, givenName, ordinal } from "../names.js";
import { addDays, addYears } from "./dates.js";
import { StreetPlan } from "./street-plan.js";
import { Gen, ID_REGIONS } from "./state.js";
import { MemberPlan, Profile } from "./composition.js";

export const DISABILITY_CATEGORIES: readonly DisabilityCategory[] = ["VISUAL", "HEARING", "SPEECH", "PHYSICAL", "INTELLECTUAL", "MENTAL", "MULTIPLE"];
export const DISABILITY_WEIGHTS = [12, 12, 3, 35, 15, 15, 8];
export const CATEGORY_DIGIT: Record<DisabilityCategory, number> = { VISUAL: 1, HEARING: 2, SPEECH: 3, PHYSICAL: 4, INTELLECTUAL: 5, MENTAL: 6, MULTIPLE: 7 };
export const SERIOUS_ADULT: readonly (readonly [string, number])[] = [["CANCER", 45], ["UREMIA", 20], ["PNEUMOCONIOSIS", 8], ["CML", 6], ["THALASSEMIA", 4], ["HEMOPHILIA", 2], ["SEVERE_MENTAL_ILLNESS", 15]];
export const SERIOUS_CHILD: readonly (readonly [string, number])[] = [["CHILD_LEUKAEMIA", 50], ["THALASSEMIA", 25], ["CONGENITAL_HEART_DISEASE", 25]];
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

export interface HouseholdCtx {
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

export function makePerson(g: Gen, ctx: HouseholdCtx, plan: MemberPlan): SynthPerson {
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

export function employmentFacts(g: Gen, profile: Profile, status: EmploymentStatus): NonNullable<PersonFacts["employment"]> {
  const rng = g.rng;
  const unemployed = status === "UNEMPLOYED_REGISTERED" || status === "UNEMPLOYED_UNREGISTERED";
  return {
    status,
    unemployedSince: unemployed ? addDays(g.asOf, -rng.int(30, 1800)) : null,
    publicWelfarePost: status === "EMPLOYED" && rng.chance(profile === "normal" ? 0.05 : 0.5),
    trainings: status === "UNEMPLOYED_REGISTERED" ? rng.weighted([0, 1, 2, 3, 4], [25, 25, 20, 20, 10]) : rng.chance(0.15) ? 1 : 0,
  };
}
