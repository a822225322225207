import { Field, InputType } from "type-graphql";
import { DateScalar, FenScalar } from "./scalars.js";
import { AssetKind, HouseholdStatus, HukouType, IncomeSource, Relation, SelfCare, Sex, Tier, WorkAbility } from "./enums.js";
import type { AssetFields, IncomeFields, PersonFields, RegisterHouseholdFields, UpdateHouseholdFields } from "../src/features/households/inputs.js";

@InputType()
export class HouseholdFilter {
  @Field(() => String, { nullable: true, description: "District code, e.g. 500103." }) district?: string;
  @Field(() => String, { nullable: true, description: "Street code." }) street?: string;
  @Field(() => Tier, { nullable: true, description: "Households with an active case of this tier." }) tier?: Tier;
  @Field(() => HouseholdStatus, { nullable: true }) status?: HouseholdStatus;
}

@InputType()
export class PersonInput implements PersonFields {
  @Field(() => String) idNumber!: string;
  @Field(() => String) name!: string;
  @Field(() => Sex, { nullable: true, description: "Defaults to the sex encoded in the ID number; must agree with it." })
  sex?: Sex;
  @Field(() => DateScalar, { nullable: true, description: "Defaults to the birth date encoded in the ID number; must agree with it." })
  birthDate?: Date;
  @Field(() => Relation) relation!: Relation;
  @Field(() => WorkAbility) workAbility!: WorkAbility;
  @Field(() => SelfCare) selfCare!: SelfCare;
}

@InputType()
export class IncomeInput implements IncomeFields {
  @Field(() => IncomeSource) source!: IncomeSource;
  @Field(() => FenScalar) monthlyFen!: number;
  @Field(() => String, { nullable: true, description: "ID number of the member who earns it, if any." })
  earnerIdNumber?: string;
  @Field(() => DateScalar) validFrom!: Date;
  @Field(() => DateScalar, { nullable: true }) validTo?: Date;
}

@InputType()
export class AssetInput implements AssetFields {
  @Field(() => AssetKind) kind!: AssetKind;
  @Field(() => FenScalar) valueFen!: number;
  @Field(() => String, { nullable: true }) description?: string;
}

@InputType()
export class RegisterHouseholdInput implements RegisterHouseholdFields {
  @Field(() => String, { nullable: true, description: "Registry number; generated when omitted." }) registryNo?: string;
  @Field(() => String) districtCode!: string;
  @Field(() => String) streetCode!: string;
  @Field(() => String) address!: string;
  @Field(() => HukouType) hukou!: HukouType;
  @Field(() => String, { nullable: true }) phone?: string;
  @Field(() => Boolean, { nullable: true }) contactConsent?: boolean;
  @Field(() => [PersonInput]) members!: PersonInput[];
  @Field(() => [IncomeInput], { nullable: true }) incomes?: IncomeInput[];
  @Field(() => [AssetInput], { nullable: true }) assets?: AssetInput[];
}

@InputType({ description: "Fields to change; omitted fields stay. incomes/assets, when given, replace the whole list." })
export class UpdateHouseholdInput implements UpdateHouseholdFields {
  @Field(() => String, { nullable: true }) streetCode?: string;
  @Field(() => String, { nullable: true }) address?: string;
  @Field(() => HukouType, { nullable: true }) hukou?: HukouType;
  @Field(() => HouseholdStatus, { nullable: true }) status?: HouseholdStatus;
  @Field(() => String, { nullable: true }) phone?: string;
  @Field(() => Boolean, { nullable: true }) contactConsent?: boolean;
  @Field(() => [IncomeInput], { nullable: true }) incomes?: IncomeInput[];
  @Field(() => [AssetInput], { nullable: true }) assets?: AssetInput[];
}
