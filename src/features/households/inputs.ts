/**
 * The registry mutations' input as plain data: what validation (./validate.ts) and the household service read.
 * The GraphQL input types (schema/inputs.ts) implement these; nothing here knows GraphQL.
 */
import type { AssetKind, HouseholdStatus, HukouType, IncomeSource, Relation, SelfCare, Sex, WorkAbility } from "../../db/generated/enums.js";

export interface PersonFields {
  idNumber: string;
  name: string;
  sex?: Sex;
  birthDate?: Date;
  relation: Relation;
  workAbility: WorkAbility;
  selfCare: SelfCare;
}

export interface IncomeFields {
  source: IncomeSource;
  monthlyFen: number;
  earnerIdNumber?: string;
  validFrom: Date;
  validTo?: Date;
}

export interface AssetFields {
  kind: AssetKind;
  valueFen: number;
  description?: string;
}

export interface RegisterHouseholdFields {
  registryNo?: string;
  districtCode: string;
  streetCode: string;
  address: string;
  hukou: HukouType;
  phone?: string;
  contactConsent?: boolean;
  members: PersonFields[];
  incomes?: IncomeFields[];
  assets?: AssetFields[];
}

export interface UpdateHouseholdFields {
  streetCode?: string;
  address?: string;
  hukou?: HukouType;
  status?: HouseholdStatus;
  phone?: string;
  contactConsent?: boolean;
  incomes?: IncomeFields[];
  assets?: AssetFields[];
}
