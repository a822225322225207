import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "./scalars.js";
import { DataSource } from "./departments.js";
import { PageInfo } from "./registry.js";

export enum MonitoringRunMode { FULL = "FULL", INCREMENTAL = "INCREMENTAL" }
export enum MonitoringRunStatus { RUNNING = "RUNNING", SUCCEEDED = "SUCCEEDED", PARTIAL = "PARTIAL", FAILED = "FAILED" }
registerEnumType(MonitoringRunMode, { name: "MonitoringRunMode", description: "FULL: every registry household; INCREMENTAL: those touched by registry or department changes since the previous run." });
registerEnumType(MonitoringRunStatus, { name: "MonitoringRunStatus", description: "PARTIAL: a shard failed (its households keep their previous results; nothing was resolved for them)." });

@ObjectType({ description: "A count per kind." })
export class KindCount {
  @Field(() => String) kind!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: "One monitoring run (issue 16): every registry household (or the changed ones) evaluated on the job engine, the results stored." })
export class MonitoringRun {
  @Field(() => ID) id!: string;
  @Field(() => MonitoringRunMode) mode!: MonitoringRunMode;
  @Field(() => MonitoringRunStatus) status!: MonitoringRunStatus;
  @Field(() => DateTimeScalar, { description: "The evaluation instant of every household in the run." }) asOf!: Date;
  @Field(() => DateTimeScalar) startedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Int) households!: number;
  @Field(() => Int) shardsTotal!: number;
  @Field(() => Int) shardsDone!: number;
  @Field(() => Int) shardsFailed!: number;
  @Field(() => Int, { description: "Shards that needed more than one attempt (a worker died, a source failed for a while)." }) shardsRetried!: number;
  @Field(() => [KindCount], { description: "Current alerts by kind after the run (the registry keepers' view)." }) alertCounts!: KindCount[];
  @Field(() => [KindCount], { description: "Current audit findings by kind after the run." }) findingCounts!: KindCount[];
  @Field(() => [DataSource], { description: "Department systems that failed for some household during the run." }) failedSources!: DataSource[];
  @Field(() => [DataSource], { description: "Department systems with records outside the evaluation's period for some household." }) staleSources!: DataSource[];
}

@ObjectType()
export class MonitoringRunConnection {
  @Field(() => [MonitoringRun]) nodes!: MonitoringRun[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: "A fact a lead rests on: a department record's field (or the registry's coverage), with its source and as-of time." })
export class LeadEvidence {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) value!: string | null;
  @Field(() => String) source!: string;
  @Field(() => DateTimeScalar, { nullable: true }) asOf!: Date | null;
}

@ObjectType({
  description:
    "A person a department knows as a hardship case who is not covered (003 §2, §6; class (b) possibly eligible, not covered): not in any registry household, or in one without an assistance case in force. Found by every monitoring run over the department mirror.",
})
export class Lead {
  @Field(() => ID) id!: string;
  @Field(() => DataSource, { description: "The department system that knows the person." }) source!: DataSource;
  @Field(() => String, { description: "HARDSHIP_STUDENT, LARGE_EDUCATION_SPENDING, REGISTERED_UNEMPLOYED, SERIOUS_DISEASE, LARGE_MEDICAL_SPENDING or SEVERE_DISABILITY." }) reason!: string;
  @Field(() => String, { description: "NOT_IN_REGISTRY or NO_CASE." }) coverage!: string;
  @Field(() => String, { description: "Whom to contact: the person's ID number." }) idNumber!: string;
  @Field(() => ID, { nullable: true, description: "The registry household, when the person is in one (without a case)." }) householdId!: string | null;
  @Field(() => String, { nullable: true }) districtCode!: string | null;
  @Field(() => String, { nullable: true, description: "The responsible street: the household's, or the department record's (address or school); null: not known." }) streetCode!: string | null;
  @Field(() => [LeadEvidence]) evidence!: LeadEvidence[];
  @Field(() => DateTimeScalar, { description: "When a run last found it: for a listed (current) lead, the end of the latest finished run." }) lastSeen!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) dismissedAt!: Date | null;
  @Field(() => String, { nullable: true }) dismissReason!: string | null;
}

@ObjectType()
export class LeadConnection {
  @Field(() => [Lead]) nodes!: Lead[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => MonitoringRun, { nullable: true, description: "The run that found these leads; null: no run has finished yet." }) run!: MonitoringRun | null;
}
