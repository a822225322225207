/**
 * The synthetic population: one deterministic description of every household, from which the
 * civil-affairs registry (this gateway's database) and every department sandbox are seeded, so the
 * same ID numbers appear everywhere. Pure data; no I/O.
 *
 * Money is integer fen. Dates are ISO strings (YYYY-MM-DD) so the model is trivially serialisable.
 */
import type {
  AidProgram,
  AssetKind,
  CaseStatus,
  HouseholdStatus,
  HukouType,
  IncomeSource,
  Relation,
  SelfCare,
  Sex,
  Tier,
  TierClass,
  WorkAbility,
} from "../../src/db/generated/enums.js";

export type IsoDate = string;

export type DisabilityCategory = "VISUAL" | "HEARING" | "SPEECH" | "PHYSICAL" | "INTELLECTUAL" | "MENTAL" | "MULTIPLE";
export type SchoolStage = "PRESCHOOL" | "PRIMARY" | "JUNIOR" | "SENIOR" | "VOCATIONAL" | "HIGHER";
export type EmploymentStatus = "EMPLOYED" | "FLEXIBLE" | "UNEMPLOYED_REGISTERED" | "UNEMPLOYED_UNREGISTERED" | "RETIRED" | "NOT_IN_LABOUR_FORCE";

/** Facts about a person that department systems hold (not the civil-affairs registry). */
export interface PersonFacts {
  /** counted in the district table as assisted (dibao / TEKUN / registered special hardship) */
  assisted: boolean;
  disability: { category: DisabilityCategory; grade: 1 | 2 | 3 | 4; certificateNo: string } | null;
  /** serious / special disease (大病, 特殊病) code, e.g. "THALASSEMIA", "CML", "PNEUMOCONIOSIS", "CHILD_LEUKAEMIA", "UREMIA", "CANCER" */
  seriousIllness: string | null;
  /** chronic disease code, e.g. "HYPERTENSION", "DIABETES", "COPD" */
  chronicIllness: string | null;
  /** annual in-policy medical expenses and the out-of-pocket part, fen */
  medicalExpenseFen: number;
  outOfPocketFen: number;
  school: { stage: SchoolStage; schoolName: string; hardship: boolean } | null;
  employment: { status: EmploymentStatus; unemployedSince: IsoDate | null; publicWelfarePost: boolean; trainings: number } | null;
  /** annual necessary education spending (fees, lodging, materials), fen; 0 or absent when not a student */
  educationExpenseFen?: number;
  /** an orphan (孤儿): TEKUN while a minor; "orphans aged 18+" keep housing entitlements (002 #11) */
  orphan?: boolean;
  /** date of death, for members of households closed after a death (funeral aid) */
  deceasedOn?: IsoDate | null;
}

export interface SynthPerson {
  id: string; // uuid, deterministic from the seed
  idNumber: string; // 18 characters, MOD 11-2 check character
  name: string;
  sex: Sex;
  birthDate: IsoDate;
  relation: Relation;
  workAbility: WorkAbility;
  selfCare: SelfCare;
  facts: PersonFacts;
}

export interface SynthIncome {
  id: string;
  personIndex: number | null; // index into members, or null for household-level income
  source: IncomeSource;
  monthlyFen: number;
  validFrom: IsoDate;
  validTo: IsoDate | null;
}

export interface SynthAsset {
  id: string;
  kind: AssetKind;
  valueFen: bigint;
  description: string | null;
}

export interface SynthCase {
  id: string;
  personIndex: number | null; // set for single-person inclusion (单人户)
  tier: Tier;
  tierClass: TierClass | null;
  status: CaseStatus;
  startDate: IsoDate;
  endDate: IsoDate | null;
  nextReviewDate: IsoDate | null;
  monthlyFen: number | null;
  note: string | null;
}

export interface SynthAid {
  id: string;
  personIndex: number | null;
  caseIndex: number | null;
  program: AidProgram;
  amountFen: number;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  paidAt: string | null; // ISO timestamp
  idempotencyKey: string;
  /** the paying district when another district paid (a cross-district duplicate); absent = the household's */
  districtCode?: string | null;
}

export interface SynthHousehold {
  id: string;
  registryNo: string;
  districtCode: string;
  streetCode: string;
  address: string;
  hukou: HukouType;
  status: HouseholdStatus;
  phone: string | null;
  contactConsent: boolean;
  members: SynthPerson[];
  incomes: SynthIncome[];
  assets: SynthAsset[];
  cases: SynthCase[];
  aid: SynthAid[];
  /** temporary-aid applications (dev/seed/temporary-aid.ts attaches them; absent = none) */
  temporaryAid?: SynthTemporaryAid[];
  /**
   * Set only on the one-person stand-in the sandboxes derive a department-only person's records from
   * (dev/seed/department-only.ts): the departments that know the person. Never a registry household.
   */
  departmentOnly?: readonly ("education" | "employment" | "medicalInsurance" | "disability")[];
}

/** A temporary-aid application 临时救助 and its decision (dev/seed/temporary-aid.ts). */
export interface SynthTemporaryAid {
  id: string;
  personId: string | null;
  kind: "EMERGENCY" | "EXPENDITURE";
  appliedOn: IsoDate;
  status: "APPLIED" | "GRANTED" | "REFUSED";
  decidedOn: IsoDate | null;
  amountFen: number | null;
  reason: string | null;
}

export interface SynthStreet {
  code: string;
  districtCode: string;
  name: string;
}

export interface SynthPolicyParameter {
  regionCode: string;
  key: string;
  value: string; // decimal as string
  unit: "FEN_PER_MONTH" | "FEN_PER_YEAR" | "FEN_PER_PERSON" | "RATIO" | "MONTHS" | "YEARS" | "PERSONS";
  effectiveFrom: IsoDate;
  effectiveTo: IsoDate | null;
  source: string;
}
