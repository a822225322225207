import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar, DateTimeScalar, FenScalar } from "./scalars.js";
import { MonitoringRun } from "./monitoring.js";
import { PageInfo } from "./registry.js";
import { SENSITIVE_CLASSES } from "../src/policy/classes.js";

/** The sensitive classes of src/policy/classes.ts as a GraphQL enum. */
export const SensitiveClass = Object.fromEntries(SENSITIVE_CLASSES.map((c) => [c, c])) as { [K in (typeof SENSITIVE_CLASSES)[number]]: K };
registerEnumType(SensitiveClass, {
  name: "SensitiveClass",
  description: "A kind of personal data a field discloses (src/policy/classes.ts): an access record lists those its operation disclosed, read or masked.",
});

export enum Disclosure {
  READ = "READ",
  MASKED = "MASKED",
  DENIED = "DENIED",
}
registerEnumType(Disclosure, { name: "Disclosure", description: "How a field was disclosed: as it is, masked, or not at all (denied)." });

export enum AccessOutcome {
  OK = "OK",
  PARTIAL = "PARTIAL",
  ERROR = "ERROR",
  REFUSED = "REFUSED",
}
registerEnumType(AccessOutcome, {
  name: "AccessOutcome",
  description: "OK: data, no error; PARTIAL: data with errors; ERROR: no data; REFUSED: the operation was not run.",
});

@ObjectType({ description: "A field coordinate of the schema and how one operation disclosed it." })
export class FieldDisclosure {
  @Field(() => String, { description: 'Type.field, e.g. "Person.idNumber".' }) coordinate!: string;
  @Field(() => Disclosure) disclosure!: Disclosure;
}

@ObjectType({ description: "One changed value of a mutation. Codes are in clear; other values are keyed digests (hmac:…)." })
export class AuditChange {
  @Field(() => String) path!: string;
  @Field(() => String, { nullable: true }) before!: string | null;
  @Field(() => String, { nullable: true }) after!: string | null;
}

@ObjectType({ description: "One operation's access record in the tamper-evident access log." })
export class AccessRecord {
  @Field(() => ID, { description: "Position in the hash chain (1, 2, …)." }) seq!: string;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => String) requestId!: string;
  @Field(() => String) subject!: string;
  @Field(() => String) audience!: string;
  @Field(() => String, { description: 'The token\'s jurisdiction, e.g. "districts:500103".' }) jurisdiction!: string;
  @Field(() => String, { nullable: true }) purpose!: string | null;
  @Field(() => String, { nullable: true }) charityId!: string | null;
  @Field(() => String) operationType!: string;
  @Field(() => String, { nullable: true }) operationName!: string | null;
  @Field(() => String, { description: "SHA-256 of the operation's document." }) documentHash!: string;
  @Field(() => String, { description: "Keyed digest (HMAC-SHA-256) of the variables: no raw personal data in the log." }) variablesHash!: string;
  @Field(() => [FieldDisclosure]) fields!: FieldDisclosure[];
  @Field(() => [SensitiveClass], {
    nullable: true,
    description: "The sensitive classes the operation disclosed (read or masked), derived from its fields; null only for records written before classes were recorded.",
  })
  classes!: string[] | null;
  @Field(() => [ID], { description: "Households whose data the response carried (real ids, also for charities)." }) householdIds!: string[];
  @Field(() => [ID]) personIds!: string[];
  @Field(() => AccessOutcome) outcome!: AccessOutcome;
  @Field(() => [String]) errorCodes!: string[];
  @Field(() => [AuditChange], { nullable: true, description: "Mutations: what changed." }) changes!: AuditChange[] | null;
  @Field(() => String) prevHash!: string;
  @Field(() => String) hash!: string;
}

@ObjectType()
export class AccessRecordEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AccessRecord) node!: AccessRecord;
}

@ObjectType()
export class AccessRecordConnection {
  @Field(() => [AccessRecordEdge]) edges!: AccessRecordEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: "Records matching the filter (all pages)." }) totalCount!: number;
}

@InputType({ description: "All given conditions must hold." })
export class AccessLogFilter {
  @Field(() => String, { nullable: true, description: "The token subject." }) subject?: string;
  @Field(() => String, { nullable: true }) audience?: string;
  @Field(() => ID, { nullable: true, description: "Records that disclosed this household (directly or through a member)." }) household?: string;
  @Field(() => ID, { nullable: true }) person?: string;
  @Field(() => String, { nullable: true, description: 'Records that disclosed this field coordinate (read or masked), e.g. "Person.idNumber".' }) field?: string;
  @Field(() => SensitiveClass, { nullable: true, description: "Records that disclosed this sensitive class (read or masked), e.g. ID_NUMBER." }) class?: string;
  @Field(() => String, { nullable: true, description: "Records whose stated purpose contains this text (case-insensitive)." }) purpose?: string;
  @Field(() => DateTimeScalar, { nullable: true, description: "From this instant (inclusive)." }) from?: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: "Before this instant (exclusive)." }) to?: Date;
}

export enum FindingKind {
  DUPLICATE_PAYMENT = "DUPLICATE_PAYMENT",
  PAID_AFTER_CASE_END = "PAID_AFTER_CASE_END",
  PAID_AFTER_DEATH = "PAID_AFTER_DEATH",
  ABOVE_THRESHOLD_NO_GRACE = "ABOVE_THRESHOLD_NO_GRACE",
  PAST_RECERTIFICATION = "PAST_RECERTIFICATION",
  RECEIVED_WITHOUT_ENTITLEMENT = "RECEIVED_WITHOUT_ENTITLEMENT",
}
registerEnumType(FindingKind, {
  name: "FindingKind",
  description:
    "DUPLICATE_PAYMENT: same purpose, beneficiary and period from two sources or districts; PAID_AFTER_CASE_END; PAID_AFTER_DEATH; " +
    "ABOVE_THRESHOLD_NO_GRACE: dibao paid with income per capita in [standard, 1.5 × standard) after the gradual-exit grace period ended; PAST_RECERTIFICATION: paid after the re-certification date passed; " +
    "RECEIVED_WITHOUT_ENTITLEMENT: a benefit with no entitlement at all (dibao paid with income per capita at or above 1.5 × the standard; a rental subsidy to a home owner, where the housing system's records are given).",
});

@ObjectType()
export class FindingEvidence {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@ObjectType({ description: "A payment the audit rules flag, with its evidence (DOMAIN.md §4)." })
export class AuditFinding {
  @Field(() => ID, { description: "Stable for the same facts." }) id!: string;
  @Field(() => FindingKind) kind!: FindingKind;
  @Field(() => ID) householdId!: string;
  @Field(() => ID, { nullable: true }) personId!: string | null;
  @Field(() => String) districtCode!: string;
  @Field(() => String) streetCode!: string;
  @Field(() => DateScalar) periodStart!: Date;
  @Field(() => DateScalar) periodEnd!: Date;
  @Field(() => FenScalar, { description: "What the flagged payments amount to." }) amountFen!: number;
  @Field(() => [ID], { description: "The aid records (payments) the finding rests on." }) paymentIds!: string[];
  @Field(() => ID, { nullable: true }) caseId!: string | null;
  @Field(() => String) reason!: string;
  @Field(() => [FindingEvidence]) evidence!: FindingEvidence[];
}

@ObjectType()
export class AuditFindingEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AuditFinding) node!: AuditFinding;
}

@ObjectType()
export class AuditFindingConnection {
  @Field(() => [AuditFindingEdge]) edges!: AuditFindingEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
  @Field(() => MonitoringRun, { nullable: true, description: "The monitoring run these findings come from; null: computed now (no run has finished yet)." }) run!: MonitoringRun | null;
}

@InputType()
export class AuditFindingFilter {
  @Field(() => String, { nullable: true, description: "District code, e.g. 500103." }) district?: string;
  @Field(() => String, { nullable: true }) street?: string;
  @Field(() => FindingKind, { nullable: true }) kind?: FindingKind;
  @Field(() => DateScalar, { nullable: true, description: "Findings whose period ends on or after this day." }) from?: Date;
  @Field(() => DateScalar, { nullable: true, description: "Findings whose period starts on or before this day." }) to?: Date;
}
