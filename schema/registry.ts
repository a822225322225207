import { Field, ID, Int, ObjectType } from "type-graphql";
import { DateScalar, DateTimeScalar, FenScalar } from "./scalars.js";
import {
  AidProgram,
  AssetKind,
  CaseStatus,
  HouseholdStatus,
  HukouType,
  IncomeSource,
  ParameterUnit,
  Relation,
  SelfCare,
  Sex,
  Tier,
  TierClass,
  WorkAbility,
} from "./enums.js";

@ObjectType({ description: "A street (街道) or the welfare home, within a district." })
export class Street {
  @Field(() => String) code!: string;
  @Field(() => String) districtCode!: string;
  @Field(() => String) name!: string;
}

@ObjectType({ description: "A registered member of a household (civil-affairs registry)." })
export class Person {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: "18-character resident ID number." }) idNumber!: string;
  @Field(() => String) name!: string;
  @Field(() => Sex) sex!: Sex;
  @Field(() => DateScalar) birthDate!: Date;
  @Field(() => Relation) relation!: Relation;
  @Field(() => WorkAbility) workAbility!: WorkAbility;
  @Field(() => SelfCare) selfCare!: SelfCare;
  householdId!: string;
}

@ObjectType({ description: "A monthly income of the household, by source." })
export class Income {
  @Field(() => ID, { nullable: true }) id!: string;
  @Field(() => IncomeSource) source!: IncomeSource;
  @Field(() => FenScalar) monthlyFen!: number;
  @Field(() => DateScalar) validFrom!: Date;
  @Field(() => DateScalar, { nullable: true }) validTo!: Date | null;
  personId!: string | null;
}

@ObjectType()
export class Asset {
  @Field(() => ID) id!: string;
  @Field(() => AssetKind) kind!: AssetKind;
  @Field(() => FenScalar) valueFen!: bigint | number;
  @Field(() => String, { nullable: true }) description!: string | null;
}

@ObjectType({ description: "A tier granted or applied for; person is set for single-person inclusion (单人户)." })
export class AssistanceCase {
  @Field(() => ID, { nullable: true }) id!: string;
  @Field(() => Tier) tier!: Tier;
  @Field(() => TierClass, { nullable: true }) tierClass!: TierClass | null;
  @Field(() => CaseStatus) status!: CaseStatus;
  @Field(() => DateScalar, { nullable: true }) startDate!: Date;
  @Field(() => DateScalar, { nullable: true }) endDate!: Date | null;
  @Field(() => DateScalar, { nullable: true }) nextReviewDate!: Date | null;
  @Field(() => FenScalar, { nullable: true }) monthlyFen!: number | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  personId!: string | null;
}

@ObjectType({ description: "A civil-affairs payment (dibao, TEKUN support, temporary aid, one-time subsidy, ...)." })
export class AidRecord {
  @Field(() => ID) id!: string;
  @Field(() => AidProgram) program!: AidProgram;
  @Field(() => FenScalar) amountFen!: number;
  @Field(() => DateScalar) periodStart!: Date;
  @Field(() => DateScalar) periodEnd!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) paidAt!: Date | null;
  @Field(() => String) idempotencyKey!: string;
  personId!: string | null;
}

@ObjectType({ description: "A household on the civil-affairs registry." })
export class Household {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) registryNo!: string;
  @Field(() => String) districtCode!: string;
  @Field(() => String) streetCode!: string;
  @Field(() => String, { nullable: true }) address!: string;
  @Field(() => HukouType, { nullable: true }) hukou!: HukouType;
  @Field(() => HouseholdStatus, { nullable: true }) status!: HouseholdStatus;
  phone!: string | null;
  @Field(() => Boolean, {
    description:
      "The household said at registration it is willing to be contacted by partner charities. It discloses nothing by itself: a charity sees contact details only where a street office recorded consent for that charity.",
  })
  contactConsent!: boolean;
  @Field(() => Int, { nullable: true, description: "Optimistic-concurrency version; pass it back to updateHousehold." }) version!: number;
  @Field(() => DateTimeScalar, { nullable: true }) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) updatedAt!: Date;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType()
export class HouseholdEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Household) node!: Household;
}

@ObjectType()
export class HouseholdConnection {
  @Field(() => [HouseholdEdge]) edges!: HouseholdEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: "Households matching the filter (all pages)." }) totalCount!: number;
}

@ObjectType({ description: "A policy parameter in force for a region on a date (the most specific region wins)." })
export class PolicyParameter {
  @Field(() => String) key!: string;
  @Field(() => String, { description: "Decimal value as a string (exact)." }) value!: string;
  @Field(() => ParameterUnit) unit!: ParameterUnit;
  @Field(() => String) regionCode!: string;
  @Field(() => DateScalar) effectiveFrom!: Date;
  @Field(() => DateScalar, { nullable: true }) effectiveTo!: Date | null;
  @Field(() => String) source!: string;
}
