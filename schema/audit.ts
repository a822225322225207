import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "./scalars.js";
import { PageInfo } from "./registry.js";

export enum Disclosure {
  READ = "read",
  MASKED = "masked",
  DENIED = "denied",
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
  @Field(() => String, { nullable: true, description: "Records whose stated purpose contains this text (case-insensitive)." }) purpose?: string;
  @Field(() => DateTimeScalar, { nullable: true, description: "From this instant (inclusive)." }) from?: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: "Before this instant (exclusive)." }) to?: Date;
}
