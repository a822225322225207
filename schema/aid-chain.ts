import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar, DateTimeScalar, FenScalar } from "./scalars.js";
import { DataSource } from "./departments.js";
import { EntitlementKind, FactSource, ResponsibleDepartment } from "./eligibility.js";

export enum AidPurpose {
  BASIC_LIVING = "BASIC_LIVING",
  NURSING_CARE = "NURSING_CARE",
  ONE_TIME_LIVING = "ONE_TIME_LIVING",
  EMERGENCY = "EMERGENCY",
  MEDICAL_EXPENSE = "MEDICAL_EXPENSE",
  FUNERAL = "FUNERAL",
  MEDICAL_PREMIUM = "MEDICAL_PREMIUM",
  EDUCATION_FEES = "EDUCATION_FEES",
  EDUCATION_LIVING = "EDUCATION_LIVING",
  EDUCATION_TEXTBOOKS = "EDUCATION_TEXTBOOKS",
  EDUCATION_LOAN = "EDUCATION_LOAN",
  EMPLOYMENT_SUBSIDY = "EMPLOYMENT_SUBSIDY",
  EMPLOYMENT_POST = "EMPLOYMENT_POST",
  EMPLOYMENT_TRAINING = "EMPLOYMENT_TRAINING",
  HOUSING = "HOUSING",
  HOUSE_RENOVATION = "HOUSE_RENOVATION",
  DISABILITY_LIVING = "DISABILITY_LIVING",
  REHABILITATION = "REHABILITATION",
  CHARITY_HELP = "CHARITY_HELP",
}
export enum AidLinkStatus { PAID = "PAID", PENDING = "PENDING", ACTIVE = "ACTIVE", ENDED = "ENDED", APPLIED = "APPLIED", COMPLETED = "COMPLETED" }
export enum PeriodBasis { RECORD = "RECORD", TERM = "TERM", SETTLEMENT_YEAR = "SETTLEMENT_YEAR", STANDING = "STANDING", DAY = "DAY", OPEN_ENDED = "OPEN_ENDED" }
export enum DuplicateKind { CROSS_SOURCE = "CROSS_SOURCE", CROSS_DISTRICT = "CROSS_DISTRICT" }

registerEnumType(AidPurpose, { name: "AidPurpose", description: "The normalised benefit purpose; duplicates are judged per purpose." });
registerEnumType(AidLinkStatus, { name: "AidLinkStatus" });
registerEnumType(PeriodBasis, {
  name: "PeriodBasis",
  description:
    "How a link's period was obtained: RECORD (the source's own dates), TERM (a school term: autumn 1 Sep–31 Jan, spring 1 Feb–31 Aug), SETTLEMENT_YEAR (the calendar year; medical aid reaches back a year from the record's date), STANDING (a benefit without dates: the year up to the record's date), DAY, OPEN_ENDED (no end date: up to the evaluation date).",
});
registerEnumType(DuplicateKind, { name: "DuplicateKind", description: "CROSS_SOURCE: two department systems pay the same; CROSS_DISTRICT: two districts pay the same." });

@ObjectType({ description: "An entitlement the facts do not establish (a deciding fact is not recorded): a thing to check, not a gap." })
export class AidUnverifiedEntitlement {
  @Field(() => ID, { description: "Entitlement kind and beneficiary (`<kind>:household` for the household's: housing security, the only kind the rules leave unverified with every source answering)." }) key!: string;
  @Field(() => EntitlementKind) kind!: EntitlementKind;
  @Field(() => ResponsibleDepartment) department!: ResponsibleDepartment;
  @Field(() => [String], { description: "What must be checked to establish it." }) missing!: string[];
  @Field(() => String) rule!: string;
  @Field(() => String) reference!: string;
}

@ObjectType({ description: "A department record outside the evaluation's period: not used (rules needing it are UNKNOWN)." })
export class StaleRecord {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => ID, { nullable: true, description: "The member; null = the household (housing)." }) personId!: string | null;
  @Field(() => DateTimeScalar, { description: "When the source last updated it." }) asOf!: Date;
  @Field(() => String, { description: "The period it speaks for (settlement year, term, last confirmation)." }) period!: string;
  @Field(() => String, { description: "The policy parameter that sets the window." }) parameter!: string;
  @Field(() => String) reason!: string;
}

@ObjectType({ description: "One piece of assistance, normalised across the registry and the department systems (DOMAIN.md §2–§3)." })
export class AidLink {
  @Field(() => ID, { description: "Opaque (ln_…), stable across requests: a keyed hash of the household and the link's source, source record and program; embeds no identifier." }) id!: string;
  @Field(() => ResponsibleDepartment) department!: ResponsibleDepartment;
  @Field(() => String, { description: "The program as the source names it (a registry AidProgram, EDUCATION_FEE_WAIVER, DISABILITY_NURSING_SUBSIDY, ...)." }) program!: string;
  @Field(() => AidPurpose) purpose!: AidPurpose;
  @Field(() => ID, { nullable: true, description: "The beneficiary; null = the household." }) personId!: string | null;
  @Field(() => DateScalar) periodStart!: Date;
  @Field(() => DateScalar, { description: "Inclusive." }) periodEnd!: Date;
  @Field(() => PeriodBasis) periodBasis!: PeriodBasis;
  @Field(() => FenScalar, { nullable: true, description: "Money paid or granted (per month when monthly); null for a benefit in kind." }) amountFen!: number | null;
  @Field(() => Boolean) monthly!: boolean;
  @Field(() => String, { nullable: true, description: "A benefit in kind or detail: course, rehabilitation item, term." }) benefit!: string | null;
  @Field(() => FenScalar, { nullable: true, description: "The expense paid towards (out-of-pocket amount, monthly rent)." }) basisFen!: number | null;
  @Field(() => Float, { nullable: true }) ratio!: number | null;
  @Field(() => AidLinkStatus) status!: AidLinkStatus;
  @Field(() => FactSource) source!: FactSource;
  @Field(() => String, { description: "The record's key in its source (registry aid-record id, ID number, certificate number, registry number)." }) sourceRecordId!: string;
  @Field(() => String, { description: "The paying district." }) districtCode!: string;
  @Field(() => DateTimeScalar, { description: "When the source last updated the record (registry payments: when paid)." }) asOf!: Date;
  @Field(() => Boolean, { description: "The record is outside the evaluation's period (stale): shown, but no gap is judged on it." }) stale!: boolean;
}

@ObjectType({ description: "An entitlement with no matching link (救助遗漏), naming the responsible department." })
export class AidGap {
  @Field(() => ID, { description: "Opaque (gp_…), stable across requests: a keyed hash of the household, entitlement kind and beneficiary." }) key!: string;
  @Field(() => EntitlementKind) kind!: EntitlementKind;
  @Field(() => ID, { nullable: true }) personId!: string | null;
  @Field(() => ResponsibleDepartment) department!: ResponsibleDepartment;
  @Field(() => Boolean, { description: "A link exists but gives less than the entitlement (ratio or amount)." }) shortfall!: boolean;
  @Field(() => String) reason!: string;
  @Field(() => String, { description: "The entitlement's rule and reference." }) rule!: string;
  @Field(() => String) reference!: string;
  @Field(() => FenScalar, { nullable: true }) entitledAmountFen!: number | null;
  @Field(() => Float, { nullable: true }) entitledRatio!: number | null;
  @Field(() => [FactSource], { description: "Where the chain looked." }) sources!: FactSource[];
  @Field(() => [AidLink], { description: "The links that fall short." }) links!: AidLink[];
}

@ObjectType({ description: "The same benefit purpose for the same beneficiary over overlapping days from two sources or two districts (重复救助)." })
export class AidDuplicate {
  @Field(() => ID, { description: "Opaque (dp_…), stable across requests: a keyed hash of the household, purpose, beneficiary and payers." }) key!: string;
  @Field(() => DuplicateKind) kind!: DuplicateKind;
  @Field(() => AidPurpose) purpose!: AidPurpose;
  @Field(() => ID, { nullable: true }) personId!: string | null;
  @Field(() => [String], { description: "The two payers, source@district." }) payers!: string[];
  @Field(() => DateScalar) overlapStart!: Date;
  @Field(() => DateScalar) overlapEnd!: Date;
  @Field(() => String) reason!: string;
  @Field(() => [AidLink]) links!: AidLink[];
}

@ObjectType({ description: "An entitlement not checked because a department system failed: unknown, not missing." })
export class AidIncompleteCheck {
  @Field(() => EntitlementKind) kind!: EntitlementKind;
  @Field(() => ID, { nullable: true }) personId!: string | null;
  @Field(() => ResponsibleDepartment) department!: ResponsibleDepartment;
  @Field(() => DataSource) source!: DataSource;
  @Field(() => String) code!: string;
}

@ObjectType({ description: "One member's chain (一人一条救助链)." })
export class PersonAidChain {
  @Field(() => ID) personId!: string;
  @Field(() => [AidLink]) links!: AidLink[];
  @Field(() => [AidGap]) gaps!: AidGap[];
  @Field(() => [AidDuplicate]) duplicates!: AidDuplicate[];
}

@ObjectType({
  description:
    "The household's aid chain (一户一条救助链, DOMAIN.md §3): every link, the gaps and the duplicates. Only what this audience may read: links, gaps and duplicates whose evidence comes from a source it cannot read are left out.",
})
export class AidChain {
  @Field(() => DateScalar) asOf!: Date;
  @Field(() => Boolean, { description: "false when a department system failed or a record is stale; that department then has no gaps for it (see incomplete)." }) complete!: boolean;
  @Field(() => [DataSource]) failedSources!: DataSource[];
  @Field(() => [AidLink]) links!: AidLink[];
  @Field(() => [AidLink], { description: "Links whose beneficiary is the household as a whole." }) householdLinks!: AidLink[];
  @Field(() => [PersonAidChain]) persons!: PersonAidChain[];
  @Field(() => [AidGap]) gaps!: AidGap[];
  @Field(() => [AidDuplicate]) duplicates!: AidDuplicate[];
  @Field(() => [AidIncompleteCheck], { description: "Entitlements not checked: a source failed, or its record is stale (code STALE_RECORD)." }) incomplete!: AidIncompleteCheck[];
  @Field(() => [AidUnverifiedEntitlement], { description: "Entitlements the facts do not establish: things to check, not gaps." }) unverified!: AidUnverifiedEntitlement[];
  @Field(() => [StaleRecord], { description: "Department records outside the evaluation's period (their links are marked stale)." }) staleRecords!: StaleRecord[];
}
