/**
 * assessEligibility's input as plain data: the facts a caseworker types in (./caseworker-facts.ts validates
 * them and makes HouseholdFacts). The GraphQL input types (schema/eligibility.ts) implement these.
 */
import type { AssetKind, CaseStatus, HukouType, IncomeSource, Relation, SelfCare, Sex, Tier, TierClass, WorkAbility } from "../../db/generated/enums.js";
import type { EmploymentStatus, SchoolStage } from "../../domain/records.js";
import type { HousingCondition } from "../../domain/facts.js";

export interface MemberFactsFields {
  ref?: string;
  sex: Sex;
  birthDate: Date;
  relation: Relation;
  workAbility: WorkAbility;
  selfCare: SelfCare;
  disabilityGrade?: number;
  disabilityCategory?: string;
  seriousDisease?: string;
  medicalAidPaidFen?: number;
  insuranceTier?: number;
  studentStage?: SchoolStage;
  employmentStatus?: EmploymentStatus;
  medicalOutOfPocketFen?: number;
  educationExpenseFen?: number;
  noSupporterOutsideHousehold?: boolean;
}

export interface IncomeFactFields {
  source: IncomeSource;
  monthlyFen: number;
  memberRef?: string;
  validFrom?: Date;
  validTo?: Date;
}

export interface AssetFactFields {
  kind: AssetKind;
  valueFen: number;
}

export interface CaseFactFields {
  tier: Tier;
  tierClass?: TierClass;
  status: CaseStatus;
  startDate: Date;
  endDate?: Date;
  monthlyFen?: number;
  memberRef?: string;
}

export interface HouseholdFactsFields {
  hukou: HukouType;
  streetCode: string;
  members: MemberFactsFields[];
  incomes?: IncomeFactFields[];
  assets?: AssetFactFields[];
  currentCase?: CaseFactFields;
  housingCondition?: HousingCondition;
}
