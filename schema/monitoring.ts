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
