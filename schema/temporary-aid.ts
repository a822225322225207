/** Temporary assistance 临时救助 (DOMAIN.md §2 civil affairs): an application and its decision, and the input recording one. */
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { TemporaryAidKind, TemporaryAidStatus } from "../src/db/generated/enums.js";
import type { TemporaryAidApplicationFields } from "../src/features/temporary-aid/inputs.js";
import { DateScalar, DateTimeScalar, FenScalar } from "./scalars.js";

export { TemporaryAidKind, TemporaryAidStatus };

registerEnumType(TemporaryAidKind, {
  name: "TemporaryAidKind",
  description: "Temporary aid 临时救助: EMERGENCY 急难型 (a sudden emergency) or EXPENDITURE 支出型 (necessary spending beyond the household's means).",
});
registerEnumType(TemporaryAidStatus, { name: "TemporaryAidStatus", description: "APPLIED (no decision yet), GRANTED or REFUSED." });

@ObjectType({
  description:
    "A temporary-aid application and its decision. A REFUSED application keeps the household in the monitoring database for MONITORING_RETENTION_YEARS from the decision (003 §5).",
})
export class TemporaryAidApplication {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: "The member the hardship concerns; null = the household." }) personId!: string | null;
  @Field(() => TemporaryAidKind) kind!: TemporaryAidKind;
  @Field(() => DateScalar) appliedOn!: Date;
  @Field(() => TemporaryAidStatus) status!: TemporaryAidStatus;
  @Field(() => DateScalar, { nullable: true, description: "The decision's day; null while APPLIED." }) decidedOn!: Date | null;
  @Field(() => FenScalar, { nullable: true, description: "The amount granted; null unless GRANTED." }) amountFen!: number | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => DateTimeScalar) recordedAt!: Date;
}

@InputType({ description: "A temporary-aid application with its decision so far." })
export class TemporaryAidApplicationInput implements TemporaryAidApplicationFields {
  @Field(() => ID) householdId!: string;
  @Field(() => ID, { nullable: true, description: "A member of the household the hardship concerns; omitted = the household." }) personId?: string | null;
  @Field(() => TemporaryAidKind) kind!: TemporaryAidKind;
  @Field(() => DateScalar, { description: "Not in the future." }) appliedOn!: Date;
  @Field(() => TemporaryAidStatus) status!: TemporaryAidStatus;
  @Field(() => DateScalar, { nullable: true, description: "Required when GRANTED or REFUSED (on or after appliedOn, not in the future); absent while APPLIED." })
  decidedOn?: Date | null;
  @Field(() => FenScalar, { nullable: true, description: "The amount granted: required when GRANTED, absent otherwise." }) amountFen?: number | null;
  @Field(() => String, { nullable: true, description: "A short reason (at most 200 characters)." }) reason?: string | null;
}
