/**
 * The facts the computed fields work on (eligibility, aid chain, alerts), and the shapes they return.
 * Pure types: the domain functions in src/domain/ take these plus policy parameters plus an evaluation
 * date, and never read a clock or do I/O. Resolvers gather the facts (src/features/facts/gather.ts) from the
 * registry and the request's department loaders; `assessEligibility` builds them from a caseworker's input.
 *
 * Dates are UTC-midnight `Date`s (as the registry and the unified department model use them);
 * money is integer fen.
 */
import type {
  DisabilityRecord,
  EducationRecord,
  EmploymentRecord,
  HousingRecord,
  MedicalInsuranceRecord,
  SourceName,
} from "./records.js";

// ---------------------------------------------------------------------------------------------------
// Sources

/** Where a fact came from: the registry, a department system, or a caseworker's typed-in input. */
/** "charity": a delivery a partner charity recorded through the gateway (a claim marked delivered). */
export type FactSource = "registry" | "caseworker" | "charity" | SourceName;

export type UpstreamCode = "UPSTREAM_TIMEOUT" | "UPSTREAM_UNAVAILABLE" | "UPSTREAM_BAD_RESPONSE";

/**
 * Why a department fact is not usable: the system failed (an UpstreamCode), or it answered with a record
 * that speaks for a period outside the evaluation's (STALE_RECORD: a 2022 settlement year evaluated in
 * 2026, last year's school term, a status not confirmed within its window — src/domain/freshness.ts).
 */
export type FactCode = UpstreamCode | "STALE_RECORD";

/** A department record the evaluation did not use because it is stale: whose, for which period, and the window it missed. */
export interface StaleRecord {
  source: SourceName;
  /** the member the record is about; null = the household (housing) */
  personId: string | null;
  /** when the upstream last updated the record */
  asOf: Date;
  /** the period the record speaks for, as text ("settlement year 2022", "term 2025-SPRING", "confirmed 2024-03-01") */
  period: string;
  /** the policy parameter that sets the window */
  parameter: string;
  /** one line: why it is stale */
  reason: string;
}

/**
 * A department record as the request obtained it: `ok` with the record (null = the system has no
 * record for this key — a fact too), or `failed` with the upstream error code. A rule that needs a
 * failed fact must not decide confidently: the evaluation is then `complete: false`.
 */
export type Fetched<T> =
  | {
      ok: true;
      value: T | null;
      /** set when a caseworker typed the fact in (assessEligibility): when; the fact's source is then "caseworker" */
      typedIn?: Date;
    }
  | { ok: false; source: SourceName; code: FactCode; stale?: StaleRecord };

// ---------------------------------------------------------------------------------------------------
// Facts

export type Tier = "DIBAO" | "TEKUN" | "DIBAO_MARGINAL" | "RIGID_EXPENDITURE" | "MONITORED" | "OTHER";
export type EligibilityTier = Tier | "NOT_ELIGIBLE";
export type TierClass = "DIBAO_A" | "DIBAO_B" | "TEKUN_CENTRALISED" | "TEKUN_DISPERSED";
export type CaseStatus = "APPLIED" | "ACTIVE" | "GRADUAL_EXIT" | "SUSPENDED" | "TERMINATED" | "REJECTED";
export type Relation = "HEAD" | "SPOUSE" | "CHILD" | "PARENT" | "GRANDCHILD" | "GRANDPARENT" | "SIBLING" | "CHILD_IN_LAW" | "OTHER";
export type WorkAbility = "FULL" | "PARTIAL" | "NONE";
export type SelfCare = "FULL" | "PARTIAL" | "NONE";
export type IncomeSource = "WAGES" | "BUSINESS" | "PROPERTY" | "PENSION" | "TRANSFER" | "AGRICULTURE" | "OTHER";
export type AssetKind = "DEPOSIT" | "SECURITIES" | "VEHICLE" | "HOUSE" | "BUSINESS" | "OTHER";
export type AidProgram =
  | "DIBAO_PAYMENT"
  | "TEKUN_SUPPORT"
  | "TEKUN_CARE_SUBSIDY"
  | "TEMPORARY_AID_EMERGENCY"
  | "TEMPORARY_AID_EXPENDITURE"
  | "ONE_TIME_SUBSIDY"
  | "FUNERAL_AID";

export interface MemberFacts {
  /** registry person id (or a caseworker-local reference such as "m1" in a trial calculation) */
  personId: string;
  idNumber: string | null;
  sex: "MALE" | "FEMALE";
  birthDate: Date;
  relation: Relation;
  workAbility: WorkAbility;
  selfCare: SelfCare;
  education: Fetched<EducationRecord>;
  employment: Fetched<EmploymentRecord>;
  medicalInsurance: Fetched<MedicalInsuranceRecord>;
  disability: Fetched<DisabilityRecord>;
  /**
   * A caseworker's finding that this person has no legally obliged supporter outside the household able
   * to support them (part of "三无"). Registry facts leave it unset: there the finding is the TEKUN
   * determination itself (a TEKUN case covering the person). Optional, for compatibility.
   */
  noSupporterOutsideHousehold?: boolean;
}

export interface IncomeFact {
  personId: string | null;
  source: IncomeSource;
  monthlyFen: number;
  validFrom: Date;
  validTo: Date | null;
}

export interface AssetFact {
  kind: AssetKind;
  valueFen: number;
}

/** A civil-affairs case from the registry (what was granted or applied for). personId set = 单人户. */
export interface CaseFact {
  id: string;
  personId: string | null;
  tier: Tier;
  tierClass: TierClass | null;
  status: CaseStatus;
  startDate: Date;
  endDate: Date | null;
  nextReviewDate: Date | null;
  monthlyFen: number | null;
}

/** A civil-affairs payment from the registry. */
export interface AidRecordFact {
  id: string;
  personId: string | null;
  caseId: string | null;
  program: AidProgram;
  amountFen: number;
  periodStart: Date;
  periodEnd: Date;
  paidAt: Date | null;
  /** the paying district when another district paid (aid_record.district_code); absent/null = the household's district */
  districtCode?: string | null;
}

export interface HouseholdFacts {
  /** registry id, null for a trial calculation */
  householdId: string | null;
  registryNo: string | null;
  districtCode: string;
  /** 9-digit street code (policy parameters are looked up street → district → city) */
  streetCode: string;
  hukou: "URBAN" | "RURAL";
  status: "ACTIVE" | "MONITORED" | "CLOSED";
  /** where the registry facts (members, incomes, assets, cases) come from, and as of when */
  registry: { source: "registry" | "caseworker"; asOf: Date };
  members: MemberFacts[];
  incomes: IncomeFact[];
  assets: AssetFact[];
  cases: CaseFact[];
  aidRecords: AidRecordFact[];
  housing: Fetched<HousingRecord>;
  /**
   * Help partner charities delivered to the household (claims recorded as DELIVERED, src/features/charity/claims.ts):
   * the aid chain's charity links (DOMAIN.md §2 charities). Optional, for compatibility: absent = none known.
   */
  charityDeliveries?: CharityDeliveryFact[];
  /**
   * Temporary-aid (临时救助) applications and their decisions (the registry's temporary_aid_application): a refusal
   * keeps the household in the monitoring database (003 §5). Optional, for compatibility: absent = none known.
   */
  temporaryAidApplications?: TemporaryAidApplicationFact[];
  /**
   * What the household's housing conditions are, where a caseworker established it (assessEligibility
   * `housingCondition`): OWNS_HOME, RENTING, NO_HOME. The registry records homes only as assets when
   * declared, so a household without a HOUSE asset has unknown housing conditions — its housing security is
   * UNVERIFIED, never a gap. Optional: absent = not established.
   */
  housingCondition?: HousingCondition | null;
}

export type HousingCondition = "OWNS_HOME" | "RENTING" | "NO_HOME";

/** One temporary-aid application: EMERGENCY 急难型 or EXPENDITURE 支出型 (DOMAIN.md §2 civil affairs). */
export interface TemporaryAidApplicationFact {
  id: string;
  /** the member the hardship concerns; null = the household */
  personId: string | null;
  kind: "EMERGENCY" | "EXPENDITURE";
  appliedOn: Date;
  status: "APPLIED" | "GRANTED" | "REFUSED";
  /** null while APPLIED */
  decidedOn: Date | null;
  /** granted amount (fen), only when GRANTED */
  amountFen: number | null;
}

/** One delivered charity claim. `units` are items, or fen when `unit` is FEN. */
export interface CharityDeliveryFact {
  claimId: string;
  charityId: string;
  charityName: string;
  resourceId: string;
  /** the need's category (src/domain/needs.ts NeedCategory): SCHOOL_COSTS, ASSISTIVE_DEVICES, ... */
  category: string;
  /** the resource's title, e.g. "助学金（高中）" */
  benefit: string;
  unit: "ITEMS" | "FEN";
  units: number;
  /** the member the need concerned; null = the household */
  personId: string | null;
  deliveredAt: Date;
}

// ---------------------------------------------------------------------------------------------------
// Policy parameters

/** One parameter version in force, as the registry's policy_parameter table holds it. */
export interface ParameterValue {
  key: string;
  value: number;
  unit: "FEN_PER_MONTH" | "FEN_PER_YEAR" | "FEN_PER_PERSON" | "RATIO" | "MONTHS" | "YEARS" | "PERSONS";
  regionCode: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
  source: string;
}

/**
 * The parameters in force for one region on one date, by key (see dev/seed/reference.ts PARAM for
 * the keys). A rule that needs a missing key fails loudly: a parameter is never defaulted in code.
 */
export type ParameterSet = ReadonlyMap<string, ParameterValue>;

// ---------------------------------------------------------------------------------------------------
// Entitlements: what a tier (and a member's situation) gives, by department. The aid chain's gaps are
// entitlements with no matching link.

/** Who provides or is responsible; "charity" only ever provides (an aid-chain link), it is never pushed an alert. */
export type Department = "civil_affairs" | "education" | "employment" | "housing" | "medical_insurance" | "disability" | "charity";

export type EntitlementKind =
  // civil affairs 民政
  | "DIBAO_PAYMENT"
  | "DIBAO_CLASSIFIED_SUPPLEMENT" // raised classified standard for priority members (000 二(一), 001 (1))
  | "TEKUN_SUPPORT"
  | "TEKUN_CARE_SUBSIDY"
  | "ONE_TIME_SUBSIDY"
  // medical insurance 医保 (003 §9)
  | "MEDICAL_PREMIUM_SUBSIDY"
  | "MEDICAL_OUT_OF_POCKET_AID"
  // education 教委 (002 #8–10, 003 §10)
  | "EDUCATION_FEE_WAIVER"
  | "EDUCATION_NATIONAL_GRANT"
  | "EDUCATION_FREE_TEXTBOOKS"
  | "EDUCATION_LIVING_SUBSIDY"
  | "EDUCATION_STUDENT_LOAN"
  // employment 人力社保 (000 二(七), 001 (7), 002 #13–14, 003 §12)
  | "EMPLOYMENT_ASSISTANCE" // zero-employment household: job referral, ≥ 3 trainings, public-welfare post
  | "DIBAO_EMPLOYMENT_SUBSIDY"
  // housing 住建 (001 (6), 002 #11–12, 003 §11)
  | "HOUSING_SECURITY" // public rental housing or rental subsidy
  | "RENT_SUBSIDY_EQUAL_TO_RENT" // Yuzhong dibao A-class tenants
  | "DILAPIDATED_HOUSE_RENOVATION"
  // disabled persons' federation 残联 (002 #10, #23, 003 §16)
  | "DISABILITY_LIVING_SUBSIDY"
  | "DISABILITY_NURSING_SUBSIDY"
  | "CHILD_REHABILITATION";

export interface Entitlement {
  kind: EntitlementKind;
  department: Department;
  /** the beneficiary; null = the household */
  personId: string | null;
  /** a computed amount where the rule gives one (fen; per month when `monthly`) */
  amountFen: number | null;
  monthly: boolean;
  /** a computed ratio where the rule gives one (premium subsidy 0.9, out-of-pocket aid 0.7, ...) */
  ratio: number | null;
  /** the rule that gives it (rule id, e.g. "ENT_MEDICAL_PREMIUM"), and the DOMAIN.md section / seed reference */
  rule: string;
  reference: string;
  /**
   * ESTABLISHED: the facts establish it (a gap when not received). UNVERIFIED: the tier gives it but a
   * deciding fact is not recorded (housing conditions, the insurance tier): a thing to check, listed in
   * `missing`, never a gap. Absent = ESTABLISHED (for compatibility).
   */
  status?: EntitlementStatus;
  /** UNVERIFIED: what must be checked to establish it */
  missing?: string[];
  /** set when the evaluation is not complete (a source failed or a record is stale): the entitlement is not final */
  provisional?: boolean;
}

export type EntitlementStatus = "ESTABLISHED" | "UNVERIFIED";

// ---------------------------------------------------------------------------------------------------
// Eligibility

export type RuleOutcome = "PASS" | "FAIL" | "NOT_APPLICABLE" | "UNKNOWN";

/** One input a rule used, with where it came from and as of when. */
export interface RuleInput {
  name: string;
  /** the value rendered as text (amounts in fen, dates ISO, ratios as decimals) */
  value: string;
  source: FactSource | "policy";
  /** when the source says the value was last updated (for a policy parameter: its effectiveFrom) */
  asOf: Date | null;
  /**
   * The schema coordinate ("Type.field") whose readers may see this value (e.g. "Person.medicalInsurance",
   * "Household.incomes"); absent = anyone who may read the reasons. The resolver layer withholds the value
   * from other audiences.
   */
  basis?: string;
}

export interface RuleEvaluation {
  /** stable id, e.g. "DIBAO_INCOME", "MARGINAL_INCOME", "TEKUN_SANWU", "GRADUAL_EXIT" */
  rule: string;
  /** DOMAIN.md section and seed document, e.g. "DOMAIN §1; 003 §1" */
  reference: string;
  outcome: RuleOutcome;
  /** a one-line human explanation of the outcome with the numbers */
  explanation: string;
  personId: string | null;
  inputs: RuleInput[];
}

export interface PersonEligibility {
  personId: string;
  tier: EligibilityTier;
  /** why this person differs from the household tier (single-person inclusion, TEKUN member, ...) */
  reason: string;
}

export interface EligibilityResult {
  asOf: Date;
  tier: EligibilityTier;
  /** only persons whose tier differs from the household's */
  persons: PersonEligibility[];
  incomePerCapitaFen: number;
  /** the standard the income was compared with (the dibao standard for the household's hukou) */
  standardFen: number;
  /** the multiplier × standard used for the marginal test */
  marginalLimitFen: number;
  /** set when the household is in its gradual-exit grace period: the day it ends (inclusive) */
  gradualExitEnds: Date | null;
  nextRecertification: Date | null;
  /** the registry's review date passed without a review: `nextRecertification` is that date, in the past (002 #4) */
  overdue: boolean;
  entitlements: Entitlement[];
  reasons: RuleEvaluation[];
  parametersUsed: ParameterValue[];
  /** false when a source a rule needed failed; then `missingSources` names them and the tier is not final */
  complete: boolean;
  missingSources: FactSource[];
  /** the computed class where the tier has one (dibao A/B from the members; TEKUN support form from the registry case) */
  tierClass?: TierClass | null;
  /**
   * Every department source that failed for any member or the household (whether or not a rule needed
   * it): `sources[].answered` is false for these. Set by src/domain/freshness.ts; absent = none known.
   */
  failedSources?: SourceName[];
  /** department records outside the evaluation's period, not used (rules needing them are UNKNOWN) */
  staleRecords?: StaleRecord[];
}
