import { registerEnumType } from "type-graphql";
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
} from "../src/db/generated/enums.js";

export {
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
};

registerEnumType(HukouType, { name: "HukouType", description: "Household registration (户籍): urban or rural." });
registerEnumType(HouseholdStatus, { name: "HouseholdStatus" });
registerEnumType(Sex, { name: "Sex" });
registerEnumType(Relation, { name: "Relation", description: "Relation to the head of household." });
registerEnumType(WorkAbility, { name: "WorkAbility" });
registerEnumType(SelfCare, { name: "SelfCare", description: "Self-care ability (生活自理能力)." });
registerEnumType(IncomeSource, { name: "IncomeSource" });
registerEnumType(AssetKind, { name: "AssetKind" });
registerEnumType(Tier, { name: "Tier", description: "Assistance tier (分层分类), DOMAIN.md §1." });
registerEnumType(TierClass, { name: "TierClass", description: "Dibao class A/B; TEKUN centralised/dispersed support." });
registerEnumType(CaseStatus, { name: "CaseStatus" });
registerEnumType(AidProgram, { name: "AidProgram" });
registerEnumType(ParameterUnit, { name: "ParameterUnit" });
