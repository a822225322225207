/**
 * The charity mutations' input as plain data: what validation (./validate.ts) and the charity services read.
 * The GraphQL input types (schema/charity.ts) implement these.
 */
import type { NeedCategory, ResourceUnit, Tier, Urgency } from "../../db/generated/enums.js";

export interface RegisterCharityFields {
  id: string;
  name: string;
  registrationNo: string;
  districts: string[];
}

export interface ResourceFields {
  category: NeedCategory;
  title: string;
  unit: ResourceUnit;
  quantity: number;
  districts?: string[];
  streets?: string[];
  tiers?: Tier[];
  minAge?: number;
  maxAge?: number;
  disabilityRequired?: boolean;
  shared?: boolean;
  validFrom: Date;
  validTo?: Date;
}

export interface UpdateResourceFields {
  title?: string;
  quantity?: number;
  districts?: string[];
  streets?: string[];
  tiers?: Tier[];
  minAge?: number;
  maxAge?: number;
  disabilityRequired?: boolean;
  validTo?: Date;
}

export interface RecordNeedFields {
  householdId: string;
  personId?: string;
  category: NeedCategory;
  urgency: Urgency;
  since?: Date;
  note?: string;
}
