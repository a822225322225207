/**
 * The unified model: what every department connector maps its wire format into. The GraphQL types
 * (schema/departments.ts) mirror these. Money is integer fen; dates are UTC-midnight Date objects;
 * `asOf` is when the upstream says the record was last updated (not when we fetched it).
 */
export type SourceName = "education" | "employment" | "housing" | "medicalInsurance" | "disability";

export const SOURCES: readonly SourceName[] = ["education", "employment", "housing", "medicalInsurance", "disability"];
/** The systems asked per person (by ID number); housing is asked per household (by registry number). */
export const PERSON_SOURCES = ["education", "employment", "medicalInsurance", "disability"] as const satisfies readonly SourceName[];

export interface Sourced {
  source: SourceName;
  asOf: Date;
  /** upstream record older than the staleness threshold (STALE_AFTER_DAYS, default 365) */
  stale: boolean;
  /** where the gateway read it: its mirror of the system (MIRROR) or the system itself (LIVE); absent = LIVE */
  servedFrom?: "MIRROR" | "LIVE";
  /**
   * Where the person lives, when the department's record says (WIRE.md `residence`): used for leads only (the
   * responsible street of a person the registry does not know); not a GraphQL field.
   */
  districtCode?: string;
  streetCode?: string;
}

export type SchoolStage = "PRESCHOOL" | "PRIMARY" | "JUNIOR" | "SENIOR" | "VOCATIONAL" | "HIGHER";
export type EducationAidItem = "FEE_WAIVER" | "NATIONAL_GRANT" | "FREE_TEXTBOOKS" | "NUTRITION_LUNCH" | "STUDENT_LOAN" | "LIVING_SUBSIDY";

export interface EducationAid {
  item: EducationAidItem;
  term: string; // e.g. "2026-AUTUMN"
  amountFen: number;
}

export interface EducationRecord extends Sourced {
  stage: SchoolStage;
  schoolName: string;
  schoolCode: string;
  hardshipStudent: boolean;
  term: string;
  aid: EducationAid[];
  /** annual necessary education spending (fees, lodging, materials), fen — for the rigid-expenditure test */
  necessaryExpenseFen: number;
}

export type EmploymentStatus = "EMPLOYED" | "FLEXIBLE" | "UNEMPLOYED_REGISTERED" | "UNEMPLOYED_UNREGISTERED" | "RETIRED" | "NOT_IN_LABOUR_FORCE";

export interface EmploymentRecord extends Sourced {
  status: EmploymentStatus;
  registeredUnemployedSince: Date | null;
  publicWelfarePost: boolean;
  trainings: { course: string; completedOn: Date }[];
  dibaoEmploymentSubsidy: { monthlyFen: number; from: Date; to: Date } | null;
}

export type HousingBenefitType = "PUBLIC_RENTAL" | "RENTAL_SUBSIDY" | "DILAPIDATED_RENOVATION";

export interface HousingBenefit {
  type: HousingBenefitType;
  status: "ACTIVE" | "ENDED" | "APPLIED";
  monthlyRentFen: number | null;
  monthlySubsidyFen: number | null;
  /** one-off amount, e.g. a renovation grant */
  grantFen: number | null;
  startDate: Date;
  endDate: Date | null;
}

export interface HousingRecord extends Sourced {
  registryNo: string;
  benefits: HousingBenefit[];
}

export interface MedicalInsuranceRecord extends Sourced {
  tier: 1 | 2;
  /** share of the tier-1 personal premium paid by assistance, 0..1 */
  premiumSubsidyRatio: number;
  premiumSubsidyFen: number;
  inPolicyExpenseFen: number;
  outOfPocketFen: number;
  medicalAidPaidFen: number;
  seriousDisease: string | null; // unified code, e.g. "THALASSEMIA"
  chronicDisease: string | null; // unified code, e.g. "HYPERTENSION"
  year: number;
}

export type DisabilityCategory = "VISUAL" | "HEARING" | "SPEECH" | "PHYSICAL" | "INTELLECTUAL" | "MENTAL" | "MULTIPLE";

export interface DisabilityRecord extends Sourced {
  certificateNo: string;
  category: DisabilityCategory;
  grade: 1 | 2 | 3 | 4;
  /** grade 1–2 */
  severe: boolean;
  livingSubsidyFen: number; // monthly, 0 when not granted
  nursingSubsidyFen: number; // monthly, 0 when not granted
  rehabilitation: string[];
  certificateStatus: "VALID" | "EXPIRED";
}
