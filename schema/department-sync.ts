import { Field, Float, Int, ObjectType } from "type-graphql";
import { DataSource } from "./departments.js";
import { DateTimeScalar } from "./scalars.js";

@ObjectType({ description: "A department record the mirror sync found malformed: reported, never stored (the latest per key)." })
export class MalformedDepartmentRecord {
  @Field(() => String, { description: "The record key as the system keys it (ID number or household registry number)." }) key!: string;
  @Field(() => String) reason!: string;
  @Field(() => DateTimeScalar) seenAt!: Date;
}

@ObjectType({ description: "Where the gateway's mirror of one department system stands (issue 15)." })
export class DepartmentSyncStatus {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => Boolean, { description: "Reads of this source are served from the mirror (last successful sync within maxAgeSeconds)." }) fresh!: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) lastSuccessAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) lastAttemptAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "When the last full load completed." }) fullSyncAt!: Date | null;
  @Field(() => Float, { nullable: true, description: "Seconds since the last successful sync; null when never synced." }) lagSeconds!: number | null;
  @Field(() => Int, { description: "Records in the mirror." }) records!: number;
  @Field(() => Int, { description: "Malformed records seen (reported and skipped), since the mirror was created." }) malformed!: number;
  @Field(() => String, { nullable: true, description: "The last sync's error, null after a success." }) lastError!: string | null;
  @Field(() => Boolean) fullLoadInProgress!: boolean;
  @Field(() => Float) maxAgeSeconds!: number;
  @Field(() => Float) intervalSeconds!: number;
  @Field(() => [MalformedDepartmentRecord], { description: "The latest malformed-record reports (at most 20)." })
  malformedRecords!: MalformedDepartmentRecord[];
}
