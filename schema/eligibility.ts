import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar, DateTimeScalar, FenScalar } from "./scalars.js";
import { AssetKind, CaseStatus, HukouType, IncomeSource, Relation, SelfCare, Sex, Tier, TierClass, WorkAbility } from "./enums.js";
import { EmploymentStatus, SchoolStage } from "./departments.js";
import { PolicyParameter } from "./registry.js";
import type { AssetFactFields, CaseFactFields, HouseholdFactsFields, IncomeFactFields, MemberFactsFields } from "../src/features/eligibility/inputs.js";

export enum EligibilityTier {
  TEKUN = "TEKUN",
  DIBAO = "DIBAO",
  DIBAO_MARGINAL = "DIBAO_MARGINAL",
  RIGID_EXPENDITURE = "RIGID_EXPENDITURE",
  MONITORED = "MONITORED",
  OTHER = "OTHER",
  NOT_ELIGIBLE = "NOT_ELIGIBLE",
  WITHHELD = "WITHHELD",
}
export enum RuleOutcome { PASS = "PASS", FAIL = "FAIL", NOT_APPLICABLE = "NOT_APPLICABLE", UNKNOWN = "UNKNOWN", WITHHELD = "WITHHELD" }
export enum FactSource {
  registry = "registry",
  caseworker = "caseworker",
  policy = "policy",
  charity = "charity",
  education = "education",
  employment = "employment",
  housing = "housing",
  medicalInsurance = "medicalInsurance",
  disability = "disability",
}
export enum ResponsibleDepartment {
  civil_affairs = "civil_affairs",
  education = "education",
  employment = "employment",
  housing = "housing",
  medical_insurance = "medical_insurance",
  disability = "disability",
  charity = "charity",
}
export enum EntitlementKind {
  DIBAO_PAYMENT = "DIBAO_PAYMENT",
  DIBAO_CLASSIFIED_SUPPLEMENT = "DIBAO_CLASSIFIED_SUPPLEMENT",
  TEKUN_SUPPORT = "TEKUN_SUPPORT",
  TEKUN_CARE_SUBSIDY = "TEKUN_CARE_SUBSIDY",
  ONE_TIME_SUBSIDY = "ONE_TIME_SUBSIDY",
  MEDICAL_PREMIUM_SUBSIDY = "MEDICAL_PREMIUM_SUBSIDY",
  MEDICAL_OUT_OF_POCKET_AID = "MEDICAL_OUT_OF_POCKET_AID",
  EDUCATION_FEE_WAIVER = "EDUCATION_FEE_WAIVER",
  EDUCATION_NATIONAL_GRANT = "EDUCATION_NATIONAL_GRANT",
  EDUCATION_FREE_TEXTBOOKS = "EDUCATION_FREE_TEXTBOOKS",
  EDUCATION_LIVING_SUBSIDY = "EDUCATION_LIVING_SUBSIDY",
  EDUCATION_STUDENT_LOAN = "EDUCATION_STUDENT_LOAN",
  EMPLOYMENT_ASSISTANCE = "EMPLOYMENT_ASSISTANCE",
  DIBAO_EMPLOYMENT_SUBSIDY = "DIBAO_EMPLOYMENT_SUBSIDY",
  HOUSING_SECURITY = "HOUSING_SECURITY",
  RENT_SUBSIDY_EQUAL_TO_RENT = "RENT_SUBSIDY_EQUAL_TO_RENT",
  DILAPIDATED_HOUSE_RENOVATION = "DILAPIDATED_HOUSE_RENOVATION",
  DISABILITY_LIVING_SUBSIDY = "DISABILITY_LIVING_SUBSIDY",
  DISABILITY_NURSING_SUBSIDY = "DISABILITY_NURSING_SUBSIDY",
  CHILD_REHABILITATION = "CHILD_REHABILITATION",
}

export enum EntitlementStatus { ESTABLISHED = "ESTABLISHED", UNVERIFIED = "UNVERIFIED" }
export enum HousingCondition { OWNS_HOME = "OWNS_HOME", RENTING = "RENTING", NO_HOME = "NO_HOME" }

registerEnumType(EntitlementStatus, {
  name: "EntitlementStatus",
  description: "ESTABLISHED: the facts establish it (a gap when not received). UNVERIFIED: the tier gives it but a deciding fact is not recorded (see missing): a thing to check, never a gap.",
});
registerEnumType(HousingCondition, { name: "HousingCondition", description: "A caseworker's finding on the household's home: it owns one, rents, or has none of its own." });
registerEnumType(EligibilityTier, {
  name: "EligibilityTier",
  description:
    "A computed tier (DOMAIN.md §1), or NOT_ELIGIBLE. WITHHELD: the tier is a decision over all of a household's records and this audience may not read some of them (it acts on the recorded AssistanceCase.tier).",
});
registerEnumType(RuleOutcome, {
  name: "RuleOutcome",
  description: "UNKNOWN: a source the rule needs did not answer. WITHHELD: the rule needs a fact this audience may not read; its outcome, explanation and inputs are withheld as a whole.",
});
registerEnumType(FactSource, { name: "FactSource", description: "Where a fact came from: the registry, a caseworker's input, a policy parameter, or a department system." });
registerEnumType(ResponsibleDepartment, {
  name: "ResponsibleDepartment",
  description: "The department responsible for an entitlement or providing a piece of aid (DOMAIN.md §2); charity: a partner charity's delivery (an aid-chain link only).",
});
registerEnumType(EntitlementKind, { name: "EntitlementKind", description: "What a tier (and a member's situation) gives, by department (DOMAIN.md §2)." });

@ObjectType({ description: "One input a rule used, with its source and as-of time." })
export class RuleInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: "The value as text; null when withheld from this audience." }) value!: string | null;
  @Field(() => FactSource) source!: FactSource;
  @Field(() => DateTimeScalar, { nullable: true, description: "When the source last updated it (a parameter: its effective date)." }) asOf!: Date | null;
  @Field(() => Boolean, { description: "The value comes from a record this audience may not read, so it is withheld." }) withheld!: boolean;
}

@ObjectType({ description: "One rule evaluated: outcome, explanation, inputs." })
export class RuleEvaluation {
  @Field(() => String, { description: "Stable rule id, e.g. DIBAO_INCOME, TEKUN_SANWU, GRADUAL_EXIT, ENT_MEDICAL_PREMIUM." }) rule!: string;
  @Field(() => String, { description: "DOMAIN.md section and seed document." }) reference!: string;
  @Field(() => RuleOutcome) outcome!: RuleOutcome;
  @Field(() => String, { nullable: true, description: "Null when it would reveal a withheld input." }) explanation!: string | null;
  @Field(() => ID, { nullable: true, description: "The member the rule was evaluated for (null: the household)." }) personId!: string | null;
  @Field(() => Boolean, { description: "Some input (and so the explanation) is withheld from this audience." }) withheld!: boolean;
  @Field(() => [RuleInput]) inputs!: RuleInput[];
}

@ObjectType({ description: "What the tier gives a member (or the household), from which department." })
export class Entitlement {
  @Field(() => EntitlementKind) kind!: EntitlementKind;
  @Field(() => ResponsibleDepartment) department!: ResponsibleDepartment;
  @Field(() => ID, { nullable: true, description: "The beneficiary; null = the household." }) personId!: string | null;
  @Field(() => FenScalar, { nullable: true, description: "Computed amount where the rule gives one (per month when monthly); null when none or withheld." }) amountFen!: number | null;
  @Field(() => Boolean) monthly!: boolean;
  @Field(() => Float, { nullable: true, description: "Computed ratio where the rule gives one (premium subsidy 0.9, out-of-pocket aid 0.7, ...)." }) ratio!: number | null;
  @Field(() => String) rule!: string;
  @Field(() => String) reference!: string;
  @Field(() => Boolean, { description: "The amount derives from a record this audience may not read, so it is withheld." }) withheld!: boolean;
  @Field(() => EntitlementStatus, { description: "UNVERIFIED: a deciding fact is not recorded (see missing) — a thing to check, never a gap." }) status!: EntitlementStatus;
  @Field(() => [String], { description: "UNVERIFIED: what must be checked to establish it." }) missing!: string[];
  @Field(() => Boolean, { description: "The evaluation is not complete (a source failed or a record is stale): not final." }) provisional!: boolean;
}

@ObjectType({ description: "A member whose tier differs from the household's." })
export class PersonEligibility {
  @Field(() => ID) personId!: string;
  @Field(() => EligibilityTier) tier!: EligibilityTier;
  @Field(() => String) reason!: string;
}

@ObjectType({ description: "A source the evaluation consulted and whether it answered." })
export class EligibilitySource {
  @Field(() => FactSource) source!: FactSource;
  @Field(() => Boolean, { description: "false: the source failed (for any member); rules that need it are UNKNOWN." }) answered!: boolean;
  @Field(() => Boolean, { description: "true: a record of this source is outside the evaluation's period (stale) and was not used; rules that need it are UNKNOWN." }) stale!: boolean;
}

@ObjectType({ description: "Explainable eligibility (DOMAIN.md §1–§3): tier, numbers, entitlements and every rule evaluated." })
export class Eligibility {
  @Field(() => DateScalar, { description: "The evaluation date." }) asOf!: Date;
  @Field(() => EligibilityTier, { description: "Provisional when complete is false: the best the known facts give." }) tier!: EligibilityTier;
  @Field(() => TierClass, { nullable: true }) tierClass!: TierClass | null;
  @Field(() => Boolean, { nullable: true, description: "false when a source a rule needed failed: then the tier is not final." }) complete!: boolean;
  @Field(() => [EligibilitySource], { nullable: true, description: "Every source consulted; the missing sources are those with answered = false." }) sources!: EligibilitySource[];
  @Field(() => [PersonEligibility], { nullable: true, description: "Members whose tier differs from the household's." }) persons!: PersonEligibility[];
  @Field(() => FenScalar, { nullable: true, description: "Monthly income per capita (all incomes valid on asOf / all registered members)." }) incomePerCapitaFen!: number;
  @Field(() => FenScalar, { nullable: true, description: "The dibao standard it was compared with (urban or rural by hukou)." }) standardFen!: number;
  @Field(() => FenScalar, { nullable: true, description: "The marginal limit: multiplier × standard." }) marginalLimitFen!: number;
  @Field(() => DateScalar, { nullable: true, description: "In gradual exit: the last day of the grace period (inclusive)." }) gradualExitEnds!: Date | null;
  @Field(() => DateScalar, { nullable: true, description: "The next re-certification due (002 #4); in the past when overdue." }) nextRecertification!: Date | null;
  @Field(() => Boolean, { description: "true: the registry's re-certification date passed without a review; nextRecertification is that date." }) overdue!: boolean;
  @Field(() => [Entitlement], { nullable: true }) entitlements!: Entitlement[];
  @Field(() => [RuleEvaluation], { nullable: true }) reasons!: RuleEvaluation[];
  @Field(() => [PolicyParameter], { nullable: true, description: "The parameter versions the evaluation read." }) parametersUsed!: PolicyParameter[];
}

// ---------------------------------------------------------------------------------------------------
// assessEligibility input: facts typed in by a caseworker (nothing is stored)

@InputType({ description: "A household member as a caseworker describes them." })
export class MemberFactsInput implements MemberFactsFields {
  @Field(() => String, { nullable: true, description: "A local reference for incomes and the case (default m1, m2, ... in order)." }) ref?: string;
  @Field(() => Sex) sex!: Sex;
  @Field(() => DateScalar) birthDate!: Date;
  @Field(() => Relation) relation!: Relation;
  @Field(() => WorkAbility) workAbility!: WorkAbility;
  @Field(() => SelfCare) selfCare!: SelfCare;
  @Field(() => Int, { nullable: true, description: "Disability certificate grade 1–4 (1–2 = severe); omitted = none." }) disabilityGrade?: number;
  @Field(() => String, { nullable: true, description: "Disability category code (VISUAL, HEARING, SPEECH, PHYSICAL, INTELLECTUAL, MENTAL, MULTIPLE); with disabilityGrade; omitted = MULTIPLE." }) disabilityCategory?: string;
  @Field(() => String, {
    nullable: true,
    description: "Serious / special disease code on the code list (THALASSEMIA, CML, PNEUMOCONIOSIS, CHILD_LEUKAEMIA, CANCER, UREMIA, HEMOPHILIA, SEVERE_MENTAL_ILLNESS, CONGENITAL_HEART_DISEASE); another is BAD_USER_INPUT; omitted = none.",
  })
  seriousDisease?: string;
  @Field(() => FenScalar, { nullable: true, description: "Annual medical aid already paid towards the out-of-pocket spending (the rigid-expenditure test counts what is left)." }) medicalAidPaidFen?: number;
  @Field(() => Int, { nullable: true, description: "Residents' medical insurance tier 1 or 2 (003 §9: tier 2 subsidised at 100 % of the tier-1 premium); omitted = 1." }) insuranceTier?: number;
  @Field(() => SchoolStage, { nullable: true, description: "Current school stage; omitted = not a student." }) studentStage?: SchoolStage;
  @Field(() => EmploymentStatus, { nullable: true }) employmentStatus?: EmploymentStatus;
  @Field(() => FenScalar, { nullable: true, description: "Annual in-policy out-of-pocket medical spending." }) medicalOutOfPocketFen?: number;
  @Field(() => FenScalar, { nullable: true, description: "Annual necessary education spending." }) educationExpenseFen?: number;
  @Field(() => Boolean, { nullable: true, description: "Finding: nobody outside the household is obliged and able to support this person (三无)." })
  noSupporterOutsideHousehold?: boolean;
}

@InputType()
export class IncomeFactInput implements IncomeFactFields {
  @Field(() => IncomeSource) source!: IncomeSource;
  @Field(() => FenScalar) monthlyFen!: number;
  @Field(() => String, { nullable: true, description: "The earning member's ref; omitted = household income." }) memberRef?: string;
  @Field(() => DateScalar, { nullable: true, description: "Default: valid on asOf." }) validFrom?: Date;
  @Field(() => DateScalar, { nullable: true }) validTo?: Date;
}

@InputType()
export class AssetFactInput implements AssetFactFields {
  @Field(() => AssetKind) kind!: AssetKind;
  @Field(() => FenScalar) valueFen!: number;
}

@InputType({ description: "The household's current case, if any (e.g. a dibao case, for gradual exit and re-certification)." })
export class CaseFactInput implements CaseFactFields {
  @Field(() => Tier) tier!: Tier;
  @Field(() => TierClass, { nullable: true }) tierClass?: TierClass;
  @Field(() => CaseStatus) status!: CaseStatus;
  @Field(() => DateScalar) startDate!: Date;
  @Field(() => DateScalar, { nullable: true }) endDate?: Date;
  @Field(() => FenScalar, { nullable: true }) monthlyFen?: number;
  @Field(() => String, { nullable: true, description: "A member's ref for a one-person case (单人户)." }) memberRef?: string;
}

@InputType({ description: "Facts typed in by a caseworker for a trial calculation." })
export class HouseholdFactsInput implements HouseholdFactsFields {
  @Field(() => HukouType) hukou!: HukouType;
  @Field(() => String) streetCode!: string;
  @Field(() => [MemberFactsInput]) members!: MemberFactsInput[];
  @Field(() => [IncomeFactInput], { nullable: true }) incomes?: IncomeFactInput[];
  @Field(() => [AssetFactInput], { nullable: true }) assets?: AssetFactInput[];
  @Field(() => CaseFactInput, { nullable: true }) currentCase?: CaseFactInput;
  @Field(() => HousingCondition, { nullable: true, description: "The caseworker's finding on the household's home; omitted = not established (urban housing security is then UNVERIFIED)." })
  housingCondition?: HousingCondition;
}
