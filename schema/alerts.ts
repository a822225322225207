import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "./scalars.js";
import { FactSource, ResponsibleDepartment } from "./eligibility.js";
import { PageInfo } from "./registry.js";
import { DataSource } from "./departments.js";
import { MonitoringRun } from "./monitoring.js";

export enum AlertKind {
  NEWLY_UNEMPLOYED = "NEWLY_UNEMPLOYED",
  NEW_SEVERE_DISABILITY = "NEW_SEVERE_DISABILITY",
  SERIOUS_DISEASE = "SERIOUS_DISEASE",
  HARDSHIP_STUDENT = "HARDSHIP_STUDENT",
  RIGID_EXPENDITURE_CROSSED = "RIGID_EXPENDITURE_CROSSED",
  INCOME_ABOVE_STANDARD = "INCOME_ABOVE_STANDARD",
  RECERTIFICATION_OVERDUE = "RECERTIFICATION_OVERDUE",
  POSSIBLY_ELIGIBLE_NOT_COVERED = "POSSIBLY_ELIGIBLE_NOT_COVERED",
  POSSIBLE_TEKUN = "POSSIBLE_TEKUN",
  VERIFY_EXIT = "VERIFY_EXIT",
  HOUSING_BENEFIT_HOME_OWNER = "HOUSING_BENEFIT_HOME_OWNER",
}
export enum AlertClass { IMPLEMENT = "IMPLEMENT", INFORM_AND_PUSH = "INFORM_AND_PUSH", VERIFY_EXIT = "VERIFY_EXIT", CASE_CONFERENCE = "CASE_CONFERENCE" }
export enum AlertSeverity { LOW = "LOW", MEDIUM = "MEDIUM", HIGH = "HIGH" }
export enum AlertStatus { OPEN = "OPEN", ACKNOWLEDGED = "ACKNOWLEDGED", PUSHED = "PUSHED", RESOLVED = "RESOLVED" }
export enum AlertActionKind { ACKNOWLEDGE = "ACKNOWLEDGE", PUSH = "PUSH", RESOLVE = "RESOLVE" }

registerEnumType(AlertKind, { name: "AlertKind", description: "What the cross-department comparison noticed (DOMAIN.md §3)." });
registerEnumType(AlertClass, {
  name: "AlertClass",
  description:
    "DOMAIN.md §3: IMPLEMENT (entitled, not implemented), INFORM_AND_PUSH (possibly eligible, not covered), VERIFY_EXIT (possibly no longer eligible), CASE_CONFERENCE (complex: several kinds at once, or a large expenditure).",
});
registerEnumType(AlertSeverity, { name: "AlertSeverity" });
registerEnumType(AlertStatus, { name: "AlertStatus", description: "From the stored actions: the latest action decides (RESOLVE is final)." });
registerEnumType(AlertActionKind, { name: "AlertActionKind" });

@ObjectType({ description: "A fact an alert rests on, with its source and as-of time." })
export class AlertEvidence {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
  @Field(() => FactSource) source!: FactSource;
  @Field(() => DateTimeScalar, { nullable: true }) asOf!: Date | null;
}

@ObjectType({ description: "Something done about an alert, by whom (the token's subject and audience)." })
export class AlertActionEntry {
  @Field(() => AlertActionKind) action!: AlertActionKind;
  @Field(() => ResponsibleDepartment, { nullable: true, description: "PUSH: the department it was pushed to." }) department!: ResponsibleDepartment | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => String) actorSubject!: string;
  @Field(() => String) actorAudience!: string;
  @Field(() => DateTimeScalar) at!: Date;
}

@ObjectType({ description: "An early warning from cross-department comparison (DOMAIN.md §3), with its handling." })
export class Alert {
  @Field(() => ID, { description: "Opaque (al_…), stable: the same facts give the same key on every request (the household and a keyed hash of the rule key); embeds no identifier. The alert mutations take this key." }) key!: string;
  @Field(() => AlertKind) kind!: AlertKind;
  @Field(() => AlertClass, { name: "class" }) alertClass!: AlertClass;
  @Field(() => AlertSeverity) severity!: AlertSeverity;
  @Field(() => ResponsibleDepartment, { description: "The department responsible for acting." }) department!: ResponsibleDepartment;
  @Field(() => ID) householdId!: string;
  @Field(() => ID, { nullable: true }) personId!: string | null;
  @Field(() => String) message!: string;
  @Field(() => String, { description: "DOMAIN.md section and seed document." }) reference!: string;
  @Field(() => [AlertEvidence]) evidence!: AlertEvidence[];
  @Field(() => AlertStatus) status!: AlertStatus;
  @Field(() => ResponsibleDepartment, { nullable: true, description: "The department of the latest push, if any." }) pushedTo!: ResponsibleDepartment | null;
  @Field(() => [AlertActionEntry], { description: "Every action, oldest first." }) history!: AlertActionEntry[];
  @Field(() => DateTimeScalar, { nullable: true, description: "Stored alerts (Query.alerts after a monitoring run): the run that first saw it (its evaluation instant)." }) firstSeen!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "Stored alerts: the latest run that saw it." }) lastSeen!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "Stored alerts: when a later run no longer saw the condition (only with filter.includeCleared)." }) clearedAt!: Date | null;
}

@InputType({ description: "Alerts to list; every field narrows. Households outside the token's jurisdiction never appear." })
export class AlertFilter {
  @Field(() => String, { nullable: true, description: "District code (6 digits)." }) district?: string;
  @Field(() => String, { nullable: true, description: "Street code (9 digits)." }) street?: string;
  @Field(() => AlertKind, { nullable: true }) kind?: AlertKind;
  @Field(() => AlertClass, { nullable: true, name: "class" }) alertClass?: AlertClass;
  @Field(() => AlertSeverity, { nullable: true }) severity?: AlertSeverity;
  @Field(() => ResponsibleDepartment, { nullable: true, description: "The responsible department, or the department it was pushed to." }) department?: ResponsibleDepartment;
  @Field(() => AlertStatus, { nullable: true }) status?: AlertStatus;
  @Field(() => Boolean, { nullable: true, description: "Stored alerts: also those a later run no longer saw (clearedAt set)." }) includeCleared?: boolean;
}

@ObjectType({ description: "Whether a household's alert list is complete: every department system answered with current records." })
export class AlertCompleteness {
  @Field(() => Boolean, { description: "false: alerts resting on a failed or stale source may be missing." }) complete!: boolean;
  @Field(() => [DataSource]) failedSources!: DataSource[];
  @Field(() => [DataSource], { description: "Sources with a record outside the evaluation's period." }) staleSources!: DataSource[];
}

@ObjectType({
  description:
    "One page of the alert sweep: the alerts (after the filter) of the next `first` households in scope, in household-id order. A page may hold no alerts and still have a next page; follow pageInfo.endCursor until hasNextPage is false.",
})
export class AlertPage {
  @Field(() => [Alert]) alerts!: Alert[];
  @Field(() => Boolean, { description: "false when a department system failed, or a record was stale, for some household on this page: alerts resting on it may be missing." }) complete!: boolean;
  @Field(() => [DataSource], { description: "The department systems that failed for some household on this page." }) failedSources!: DataSource[];
  @Field(() => [ID], { description: "The households on this page whose alerts are not complete." }) incompleteHouseholds!: string[];
  @Field(() => Int, { description: "Households examined on this page." }) householdsScanned!: number;
  @Field(() => PageInfo, { description: "endCursor: the last household examined (live) or the last alert (stored)." }) pageInfo!: PageInfo;
  @Field(() => [DataSource], { description: "The department systems with records outside the evaluation's period for some household (stored: during the run)." }) staleSources!: DataSource[];
  @Field(() => MonitoringRun, { nullable: true, description: "The monitoring run this page comes from; null: computed live (no run has finished yet)." }) run!: MonitoringRun | null;
}
