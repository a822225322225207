/**
 * assessEligibility's input: validation (every problem, each with a stable reason and the argument
 * path) and the HouseholdFacts a caseworker's typed-in facts make. Nothing here touches the database;
 * the facts' source is "caseworker" throughout. Pure.
 */
import type { InputProblem } from "../../errors.js";
import type { HouseholdFacts, MemberFacts } from "../../domain/facts.js";
import { DISABILITY_CATEGORIES, DISABILITY_GRADES, SERIOUS_DISEASES, isSeriousDisease } from "../../domain/codes.js";
import type { DisabilityCategory } from "../../domain/records.js";
import type { HouseholdFactsFields, MemberFactsFields } from "./inputs.js";

const MAX_TEXT = 100;

const refOf = (m: MemberFactsFields, i: number): string => m.ref ?? `m${i + 1}`;

export function validateFactsInput(input: HouseholdFactsFields, asOf: Date): InputProblem[] {
  const problems: InputProblem[] = [];
  const p = (field: string, reason: InputProblem["reason"], message: string) => problems.push({ field, reason, message });
  const money = (field: string, v: number | undefined | null) => {
    if (v != null && v < 0) p(field, "NEGATIVE_AMOUNT", `${field} must not be negative`);
  };
  if (input.streetCode.trim() === "") p("input.streetCode", "REQUIRED", "input.streetCode must not be empty");
  if (input.members.length === 0) p("input.members", "REQUIRED", "a household needs at least one member");
  const heads = input.members.filter((m) => m.relation === "HEAD").length;
  if (input.members.length > 0 && heads !== 1) p("input.members", "HOUSEHOLD_HEAD", `a household needs exactly one HEAD, got ${heads}`);
  const refs = new Set<string>();
  input.members.forEach((m, i) => {
    const f = `input.members.${i}`;
    const ref = refOf(m, i);
    if (ref.trim() === "") p(`${f}.ref`, "REQUIRED", `${f}.ref must not be empty`);
    else if (ref.length > MAX_TEXT) p(`${f}.ref`, "TOO_LONG", `${f}.ref is longer than ${MAX_TEXT} characters`);
    else if (refs.has(ref)) p(`${f}.ref`, "INVALID_FORMAT", `${f}.ref "${ref}" is used twice`);
    refs.add(ref);
    if (m.birthDate.getTime() > asOf.getTime()) p(`${f}.birthDate`, "DATE_IN_FUTURE", `${f}.birthDate is after asOf`);
    if (m.disabilityGrade != null && !DISABILITY_GRADES.includes(m.disabilityGrade))
      p(`${f}.disabilityGrade`, "INVALID_FORMAT", `${f}.disabilityGrade must be 1–4`);
    if (m.seriousDisease != null) {
      if (m.seriousDisease.trim() === "") p(`${f}.seriousDisease`, "REQUIRED", `${f}.seriousDisease must not be empty (omit it for none)`);
      else if (m.seriousDisease.length > MAX_TEXT) p(`${f}.seriousDisease`, "TOO_LONG", `${f}.seriousDisease is longer than ${MAX_TEXT} characters`);
      else if (!isSeriousDisease(m.seriousDisease))
        p(`${f}.seriousDisease`, "UNKNOWN_CODE", `${f}.seriousDisease "${m.seriousDisease}" is not on the serious/special disease list (${SERIOUS_DISEASES.join(", ")})`);
    }
    if (m.disabilityCategory != null) {
      if (!(DISABILITY_CATEGORIES as readonly string[]).includes(m.disabilityCategory))
        p(`${f}.disabilityCategory`, "UNKNOWN_CODE", `${f}.disabilityCategory "${m.disabilityCategory}" is not a disability category (${DISABILITY_CATEGORIES.join(", ")})`);
      if (m.disabilityGrade == null) p(`${f}.disabilityGrade`, "REQUIRED", `${f}.disabilityGrade is required with a disability category`);
    }
    if (m.insuranceTier != null && m.insuranceTier !== 1 && m.insuranceTier !== 2) p(`${f}.insuranceTier`, "UNKNOWN_CODE", `${f}.insuranceTier must be 1 or 2`);
    money(`${f}.medicalAidPaidFen`, m.medicalAidPaidFen);
    if ((m.medicalAidPaidFen ?? 0) > (m.medicalOutOfPocketFen ?? 0))
      p(`${f}.medicalAidPaidFen`, "RANGE", `${f}.medicalAidPaidFen exceeds the out-of-pocket spending it was paid towards`);
    money(`${f}.medicalOutOfPocketFen`, m.medicalOutOfPocketFen);
    money(`${f}.educationExpenseFen`, m.educationExpenseFen);
    if ((m.educationExpenseFen ?? 0) > 0 && m.studentStage == null)
      p(`${f}.studentStage`, "REQUIRED", `${f}.studentStage is required with an education expense`);
  });
  const known = (field: string, ref: string | undefined | null) => {
    if (ref != null && !refs.has(ref)) p(field, "INVALID_ID", `${field} "${ref}" is not the ref of a member`);
  };
  input.incomes?.forEach((inc, i) => {
    const f = `input.incomes.${i}`;
    money(`${f}.monthlyFen`, inc.monthlyFen);
    known(`${f}.memberRef`, inc.memberRef);
    if (inc.validFrom && inc.validTo && inc.validTo.getTime() < inc.validFrom.getTime()) p(`${f}.validTo`, "DATE_RANGE", `${f}.validTo is before validFrom`);
  });
  input.assets?.forEach((a, i) => money(`input.assets.${i}.valueFen`, a.valueFen));
  const c = input.currentCase;
  if (c) {
    money("input.currentCase.monthlyFen", c.monthlyFen);
    known("input.currentCase.memberRef", c.memberRef);
    if (c.startDate.getTime() > asOf.getTime()) p("input.currentCase.startDate", "DATE_IN_FUTURE", "input.currentCase.startDate is after asOf");
    if (c.endDate && c.endDate.getTime() < c.startDate.getTime()) p("input.currentCase.endDate", "DATE_RANGE", "input.currentCase.endDate is before startDate");
  }
  return problems;
}

/** The facts of a valid input, as of `now` (when they were typed in), for a street of `districtCode`. */
export function caseworkerFacts(input: HouseholdFactsFields, districtCode: string, asOf: Date, now: Date): HouseholdFacts {
  const typedIn = now;
  const typed = <T>(value: T | null) => ({ ok: true as const, value, typedIn });
  const sourced = <S extends string>(source: S) => ({ source, asOf: now, stale: false });
  const members: MemberFacts[] = input.members.map((m, i) => ({
    personId: refOf(m, i),
    idNumber: null,
    sex: m.sex,
    birthDate: m.birthDate,
    relation: m.relation,
    workAbility: m.workAbility,
    selfCare: m.selfCare,
    education: typed(
      m.studentStage == null
        ? null
        : { ...sourced("education" as const), stage: m.studentStage, schoolName: "", schoolCode: "", hardshipStudent: false, term: "", aid: [], necessaryExpenseFen: m.educationExpenseFen ?? 0 },
    ),
    employment: typed(
      m.employmentStatus == null ? null : { ...sourced("employment" as const), status: m.employmentStatus, registeredUnemployedSince: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null },
    ),
    medicalInsurance: typed(
      m.medicalOutOfPocketFen == null && m.seriousDisease == null && m.insuranceTier == null && m.medicalAidPaidFen == null
        ? null
        : {
            ...sourced("medicalInsurance" as const),
            tier: (m.insuranceTier === 2 ? 2 : 1) as 1 | 2,
            premiumSubsidyRatio: 0,
            premiumSubsidyFen: 0,
            inPolicyExpenseFen: m.medicalOutOfPocketFen ?? 0,
            outOfPocketFen: m.medicalOutOfPocketFen ?? 0,
            medicalAidPaidFen: m.medicalAidPaidFen ?? 0,
            seriousDisease: m.seriousDisease ?? null,
            chronicDisease: null,
            year: asOf.getUTCFullYear(),
          },
    ),
    disability: typed(
      m.disabilityGrade == null
        ? null
        : {
            ...sourced("disability" as const),
            certificateNo: "",
            category: (m.disabilityCategory ?? "MULTIPLE") as DisabilityCategory,
            grade: m.disabilityGrade as 1 | 2 | 3 | 4,
            severe: m.disabilityGrade <= 2,
            livingSubsidyFen: 0,
            nursingSubsidyFen: 0,
            rehabilitation: [],
            certificateStatus: "VALID" as const,
          },
    ),
    ...(m.noSupporterOutsideHousehold != null ? { noSupporterOutsideHousehold: m.noSupporterOutsideHousehold } : {}),
  }));
  const c = input.currentCase;
  return {
    householdId: null,
    registryNo: null,
    districtCode,
    streetCode: input.streetCode,
    hukou: input.hukou,
    status: "ACTIVE",
    registry: { source: "caseworker", asOf: now },
    members,
    incomes: (input.incomes ?? []).map((i) => ({
      personId: i.memberRef ?? null,
      source: i.source,
      monthlyFen: i.monthlyFen,
      validFrom: i.validFrom ?? asOf,
      validTo: i.validTo ?? null,
    })),
    assets: (input.assets ?? []).map((a) => ({ kind: a.kind, valueFen: a.valueFen })),
    cases: c
      ? [{ id: "current", personId: c.memberRef ?? null, tier: c.tier, tierClass: c.tierClass ?? null, status: c.status, startDate: c.startDate, endDate: c.endDate ?? null, nextReviewDate: null, monthlyFen: c.monthlyFen ?? null }]
      : [],
    aidRecords: [],
    housing: typed(null),
    housingCondition: input.housingCondition ?? null,
  };
}
