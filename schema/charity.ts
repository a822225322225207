import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar, DateTimeScalar } from "./scalars.js";
import { Tier } from "./enums.js";
import { PageInfo } from "./registry.js";
import {
  CharityStatus,
  ClaimStatus,
  NeedCategory,
  NeedOrigin,
  NeedStatus,
  ResourceStatus,
  ResourceUnit,
  Urgency,
} from "../src/db/generated/enums.js";
import type { RecordNeedFields, RegisterCharityFields, ResourceFields, UpdateResourceFields } from "../src/features/charity/inputs.js";

export { CharityStatus, ClaimStatus, NeedCategory, NeedOrigin, NeedStatus, ResourceStatus, ResourceUnit, Urgency };

registerEnumType(CharityStatus, { name: "CharityStatus", description: "SUSPENDED (by civil affairs): reads nothing new, claims nothing." });
registerEnumType(NeedCategory, { name: "NeedCategory", description: "What kind of help a need asks for, and a resource offers." });
registerEnumType(Urgency, { name: "Urgency" });
registerEnumType(NeedOrigin, { name: "NeedOrigin", description: "DERIVED from the household's situation or aid-chain gaps; MANUAL: recorded by a street office." });
registerEnumType(NeedStatus, { name: "NeedStatus" });
registerEnumType(ResourceUnit, { name: "ResourceUnit", description: "ITEMS (a quantity) or FEN (a budget)." });
registerEnumType(ResourceStatus, { name: "ResourceStatus" });
registerEnumType(ClaimStatus, { name: "ClaimStatus" });

@ObjectType({ description: "A partner charity (DOMAIN.md §2)." })
export class Charity {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) registrationNo!: string;
  @Field(() => [String], { description: "District codes served." }) districts!: string[];
  @Field(() => CharityStatus, { description: "SUSPENDED: by civil affairs (the date and reason are kept in the registry)." }) status!: CharityStatus;
}

@ObjectType({ description: "Help a charity offers: a quantity of items or a budget in fen, where, for whom and when." })
export class Resource {
  @Field(() => ID) id!: string;
  @Field(() => NeedCategory) category!: NeedCategory;
  @Field(() => String) title!: string;
  @Field(() => ResourceUnit) unit!: ResourceUnit;
  @Field(() => Int, { description: "Items, or fen for a budget." }) quantity!: number;
  @Field(() => Int, { description: "What is not yet claimed (items or fen)." }) remaining!: number;
  @Field(() => [String], { description: "District codes; empty = every district the charity serves." }) districts!: string[];
  @Field(() => [String], { description: "Street codes; empty = every street of those districts." }) streets!: string[];
  @Field(() => [Tier], { description: "Tiers served; empty = any." }) tiers!: Tier[];
  @Field(() => Int, { nullable: true }) minAge!: number | null;
  @Field(() => Int, { nullable: true }) maxAge!: number | null;
  @Field(() => Boolean) disabilityRequired!: boolean;
  @Field(() => Boolean, { description: "A shared fund: any active charity may claim against it." }) shared!: boolean;
  @Field(() => DateScalar) validFrom!: Date;
  @Field(() => DateScalar, { nullable: true }) validTo!: Date | null;
  @Field(() => ResourceStatus) status!: ResourceStatus;
  @Field(() => DateTimeScalar) createdAt!: Date;
  charityId!: string;
}

@ObjectType({ description: "A household's need: what would help, how urgent, where — never who." })
export class Need {
  @Field(() => ID, { description: "For a charity: its own reference for this need (nd_…)." }) id!: string;
  @Field(() => ID, { nullable: true, description: "The household: its id, or for a charity its pseudonymous reference (hh_…)." })
  householdRef!: string;
  @Field(() => NeedCategory) category!: NeedCategory;
  @Field(() => Urgency) urgency!: Urgency;
  @Field(() => NeedOrigin) origin!: NeedOrigin;
  @Field(() => NeedStatus) status!: NeedStatus;
  @Field(() => String) districtCode!: string;
  @Field(() => String) streetCode!: string;
  @Field(() => Tier, { nullable: true, description: "The household's tier when the need was found." }) tier!: Tier | null;
  @Field(() => String, { nullable: true, description: "The person's age band (0-5, 6-14, 15-17, 18-59, 60-69, 70+); null for the household." })
  ageBand!: string | null;
  @Field(() => Boolean, { description: "The person is severely disabled (grade 1–2)." }) disability!: boolean;
  @Field(() => DateScalar) since!: Date;
  @Field(() => String, { nullable: true, description: "Why, without identities (the rules that found it, or the office's category)." })
  reason!: string;
  @Field(() => String, { nullable: true, description: "The rule(s) that derived it, or MANUAL." }) rule!: string;
  @Field(() => String, { nullable: true, description: "The street office's note (officials only)." }) note!: string | null;
  @Field(() => String, { nullable: true }) recordedBy!: string | null;
  householdId!: string;
  personId!: string | null;
}

@ObjectType({ description: "One part of a match's score, explained." })
export class ScorePart {
  @Field(() => String, { description: "CATEGORY, DISTRICT, CONSTRAINTS, URGENCY or CAPACITY." }) part!: string;
  @Field(() => Int) points!: number;
  @Field(() => Int) max!: number;
  @Field(() => String) explanation!: string;
}

@ObjectType({ description: "A need and a resource that fit, with the score (0–105) and its parts." })
export class NeedMatch {
  @Field(() => Need) need!: Need;
  @Field(() => Resource) resource!: Resource;
  @Field(() => Int) score!: number;
  @Field(() => [ScorePart]) parts!: ScorePart[];
}

@ObjectType({ description: "A charity taking on a need against a resource." })
export class Claim {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: "Items, or fen, as the resource's unit says." }) units!: number;
  @Field(() => ClaimStatus) status!: ClaimStatus;
  @Field(() => String) idempotencyKey!: string;
  @Field(() => DateTimeScalar) claimedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) cancelledAt!: Date | null;
  needId!: string;
  resourceId!: string;
  charityId!: string;
}

@ObjectType({ description: "A household's consent to disclose its contact details to one charity." })
export class ContactConsent {
  @Field(() => ID) id!: string;
  @Field(() => String) recordedBy!: string;
  @Field(() => DateTimeScalar) recordedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
  @Field(() => String, { nullable: true }) revokedBy!: string | null;
  charityId!: string;
}

@ObjectType()
export class NeedEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Need) node!: Need;
}

@ObjectType()
export class NeedConnection {
  @Field(() => [NeedEdge]) edges!: NeedEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

// ---------------------------------------------------------------------------------------------------
// Inputs

@InputType()
export class NeedFilter {
  @Field(() => String, { nullable: true, description: "Street code." }) street?: string;
  @Field(() => NeedCategory, { nullable: true }) category?: NeedCategory;
  @Field(() => Urgency, { nullable: true, description: "This urgency or higher." }) urgency?: Urgency;
  @Field(() => NeedStatus, { nullable: true, description: "Default OPEN." }) status?: NeedStatus;
}

@InputType()
export class RegisterCharityInput implements RegisterCharityFields {
  @Field(() => String, { description: "The id its tokens carry (letters, digits, _ . : -; at most 64)." }) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: "Unified social credit code (18 characters)." }) registrationNo!: string;
  @Field(() => [String]) districts!: string[];
}

@InputType()
export class ResourceInput implements ResourceFields {
  @Field(() => NeedCategory) category!: NeedCategory;
  @Field(() => String) title!: string;
  @Field(() => ResourceUnit) unit!: ResourceUnit;
  @Field(() => Int) quantity!: number;
  @Field(() => [String], { nullable: true }) districts?: string[];
  @Field(() => [String], { nullable: true }) streets?: string[];
  @Field(() => [Tier], { nullable: true }) tiers?: Tier[];
  @Field(() => Int, { nullable: true }) minAge?: number;
  @Field(() => Int, { nullable: true }) maxAge?: number;
  @Field(() => Boolean, { nullable: true }) disabilityRequired?: boolean;
  @Field(() => Boolean, { nullable: true }) shared?: boolean;
  @Field(() => DateScalar) validFrom!: Date;
  @Field(() => DateScalar, { nullable: true }) validTo?: Date;
}

@InputType({ description: "Fields to change; omitted fields stay. quantity changes remaining by the same amount (never below what is claimed)." })
export class UpdateResourceInput implements UpdateResourceFields {
  @Field(() => String, { nullable: true }) title?: string;
  @Field(() => Int, { nullable: true }) quantity?: number;
  @Field(() => [String], { nullable: true }) districts?: string[];
  @Field(() => [String], { nullable: true }) streets?: string[];
  @Field(() => [Tier], { nullable: true }) tiers?: Tier[];
  @Field(() => Int, { nullable: true }) minAge?: number;
  @Field(() => Int, { nullable: true }) maxAge?: number;
  @Field(() => Boolean, { nullable: true }) disabilityRequired?: boolean;
  @Field(() => DateScalar, { nullable: true }) validTo?: Date;
}

@InputType()
export class RecordNeedInput implements RecordNeedFields {
  @Field(() => ID) householdId!: string;
  @Field(() => ID, { nullable: true, description: "The member it concerns, if one." }) personId?: string;
  @Field(() => NeedCategory) category!: NeedCategory;
  @Field(() => Urgency) urgency!: Urgency;
  @Field(() => DateScalar, { nullable: true, description: "Default today." }) since?: Date;
  @Field(() => String, { nullable: true, description: "Officials only; never shown to charities." }) note?: string;
}
