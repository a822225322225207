/**
 * Small hand-built facts for the aid-chain and alert tables: one household, members with department
 * records given per test, and an EligibilityResult carrying just the entitlements / figures a case needs.
 */
import type { DisabilityRecord, EducationRecord, EmploymentRecord, HousingBenefit, MedicalInsuranceRecord } from "../../src/domain/records.js";
import type { AidRecordFact, CaseFact, EligibilityResult, Entitlement, Fetched, HouseholdFacts, MemberFacts, ParameterValue } from "../../src/domain/facts.js";

export const d = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
export const ASOF = d("2026-11-01");
export const HH = "hh-1";

export const none = <T>(): Fetched<T> => ({ ok: true, value: null });
export const ok = <T>(value: T): Fetched<T> => ({ ok: true, value });
export const failed = <T>(source: "education" | "employment" | "medicalInsurance" | "disability" | "housing"): Fetched<T> => ({ ok: false, source, code: "UPSTREAM_UNAVAILABLE" });

export function member(personId: string, over: Partial<MemberFacts> = {}): MemberFacts {
  return {
    personId,
    idNumber: `5001031980010100${personId.slice(-2).padStart(2, "0")}`,
    sex: "MALE",
    birthDate: d("1980-01-01"),
    relation: "HEAD",
    workAbility: "FULL",
    selfCare: "FULL",
    education: none(),
    employment: none(),
    medicalInsurance: none(),
    disability: none(),
    ...over,
  };
}

export function facts(over: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    householdId: HH,
    registryNo: "500103001-000001",
    districtCode: "500103",
    streetCode: "500103001",
    hukou: "URBAN",
    status: "ACTIVE",
    registry: { source: "registry", asOf: d("2026-10-01") },
    members: [member("p1")],
    incomes: [],
    assets: [],
    cases: [],
    aidRecords: [],
    housing: none(),
    ...over,
  };
}

let seq = 0;
export function aid(program: AidRecordFact["program"], start: string, end: string, over: Partial<AidRecordFact> = {}): AidRecordFact {
  return { id: `aid-${++seq}`, personId: null, caseId: null, program, amountFen: 10_000, periodStart: d(start), periodEnd: d(end), paidAt: d(start), ...over };
}

export function kase(over: Partial<CaseFact> = {}): CaseFact {
  return { id: "case-1", personId: null, tier: "DIBAO", tierClass: "DIBAO_B", status: "ACTIVE", startDate: d("2024-01-01"), endDate: null, nextReviewDate: d("2027-01-01"), monthlyFen: 50_000, ...over };
}

export function education(over: Partial<EducationRecord> = {}): EducationRecord {
  return { source: "education", asOf: d("2026-10-01"), stale: false, stage: "SENIOR", schoolName: "s", schoolCode: "c", hardshipStudent: false, term: "2026-AUTUMN", aid: [], necessaryExpenseFen: 0, ...over };
}

export function employment(over: Partial<EmploymentRecord> = {}): EmploymentRecord {
  return { source: "employment", asOf: d("2026-10-01"), stale: false, status: "EMPLOYED", registeredUnemployedSince: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null, ...over };
}

export function medical(over: Partial<MedicalInsuranceRecord> = {}): MedicalInsuranceRecord {
  return {
    source: "medicalInsurance",
    asOf: d("2026-10-01"),
    stale: false,
    tier: 1,
    premiumSubsidyRatio: 0.9,
    premiumSubsidyFen: 34_200,
    inPolicyExpenseFen: 0,
    outOfPocketFen: 0,
    medicalAidPaidFen: 0,
    seriousDisease: null,
    chronicDisease: null,
    year: 2026,
    ...over,
  };
}

export function disability(over: Partial<DisabilityRecord> = {}): DisabilityRecord {
  return {
    source: "disability",
    asOf: d("2026-10-15"),
    stale: false,
    certificateNo: "50010319800101000141",
    category: "PHYSICAL",
    grade: 1,
    severe: true,
    livingSubsidyFen: 0,
    nursingSubsidyFen: 0,
    rehabilitation: [],
    certificateStatus: "VALID",
    ...over,
  };
}

export function benefit(over: Partial<HousingBenefit> = {}): HousingBenefit {
  return { type: "RENTAL_SUBSIDY", status: "ACTIVE", monthlyRentFen: 60_000, monthlySubsidyFen: 60_000, grantFen: null, startDate: d("2025-01-01"), endDate: null, ...over };
}

export function housing(benefits: HousingBenefit[]) {
  return ok({ source: "housing" as const, asOf: d("2026-09-01"), stale: false, registryNo: "500103001-000001", benefits });
}

export function entitlement(kind: Entitlement["kind"], department: Entitlement["department"], personId: string | null, over: Partial<Entitlement> = {}): Entitlement {
  return { kind, department, personId, amountFen: null, monthly: false, ratio: null, rule: `ENT_${kind}`, reference: "DOMAIN §2", ...over };
}

export function param(key: string, value: number): ParameterValue {
  return { key, value, unit: "RATIO", regionCode: "500000", effectiveFrom: d("2016-01-01"), effectiveTo: null, source: "test" };
}

export function eligibility(over: Partial<EligibilityResult> = {}): EligibilityResult {
  return {
    asOf: ASOF,
    tier: "DIBAO",
    persons: [],
    incomePerCapitaFen: 0,
    standardFen: 0,
    marginalLimitFen: 0,
    gradualExitEnds: null,
    nextRecertification: null,
    overdue: false,
    entitlements: [],
    reasons: [],
    parametersUsed: [],
    complete: true,
    missingSources: [],
    ...over,
  };
}
