import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar, DateTimeScalar, FenScalar } from "./scalars.js";

export enum DataSource {
  education = "education",
  employment = "employment",
  housing = "housing",
  medicalInsurance = "medicalInsurance",
  disability = "disability",
}
export enum SchoolStage { PRESCHOOL = "PRESCHOOL", PRIMARY = "PRIMARY", JUNIOR = "JUNIOR", SENIOR = "SENIOR", VOCATIONAL = "VOCATIONAL", HIGHER = "HIGHER" }
export enum EducationAidItem {
  FEE_WAIVER = "FEE_WAIVER",
  NATIONAL_GRANT = "NATIONAL_GRANT",
  FREE_TEXTBOOKS = "FREE_TEXTBOOKS",
  NUTRITION_LUNCH = "NUTRITION_LUNCH",
  STUDENT_LOAN = "STUDENT_LOAN",
  LIVING_SUBSIDY = "LIVING_SUBSIDY",
}
export enum EmploymentStatus {
  EMPLOYED = "EMPLOYED",
  FLEXIBLE = "FLEXIBLE",
  UNEMPLOYED_REGISTERED = "UNEMPLOYED_REGISTERED",
  UNEMPLOYED_UNREGISTERED = "UNEMPLOYED_UNREGISTERED",
  RETIRED = "RETIRED",
  NOT_IN_LABOUR_FORCE = "NOT_IN_LABOUR_FORCE",
}
export enum HousingBenefitType { PUBLIC_RENTAL = "PUBLIC_RENTAL", RENTAL_SUBSIDY = "RENTAL_SUBSIDY", DILAPIDATED_RENOVATION = "DILAPIDATED_RENOVATION" }
export enum BenefitStatus { ACTIVE = "ACTIVE", ENDED = "ENDED", APPLIED = "APPLIED" }
export enum DisabilityCategory { VISUAL = "VISUAL", HEARING = "HEARING", SPEECH = "SPEECH", PHYSICAL = "PHYSICAL", INTELLECTUAL = "INTELLECTUAL", MENTAL = "MENTAL", MULTIPLE = "MULTIPLE" }
export enum CertificateStatus { VALID = "VALID", EXPIRED = "EXPIRED" }

export enum ServedFrom {
  MIRROR = "MIRROR",
  LIVE = "LIVE",
}

registerEnumType(DataSource, { name: "DataSource", description: "The department system a record comes from." });
registerEnumType(ServedFrom, {
  name: "ServedFrom",
  description: "Where the gateway read a department record: its mirror of the system (synced, within the source's freshness) or the system itself.",
  valuesConfig: {
    MIRROR: { description: "The gateway's mirror, synced from the system's bulk exchange within the source's configured freshness (<SOURCE>_MAX_AGE)." },
    LIVE: { description: "Asked of the system during this request." },
  },
});
registerEnumType(SchoolStage, { name: "SchoolStage" });
registerEnumType(EducationAidItem, { name: "EducationAidItem" });
registerEnumType(EmploymentStatus, { name: "EmploymentStatus" });
registerEnumType(HousingBenefitType, { name: "HousingBenefitType" });
registerEnumType(BenefitStatus, { name: "BenefitStatus" });
registerEnumType(DisabilityCategory, { name: "DisabilityCategory" });
registerEnumType(CertificateStatus, { name: "CertificateStatus" });

@ObjectType({ description: "An education aid item for a term." })
export class EducationAid {
  @Field(() => EducationAidItem) item!: EducationAidItem;
  @Field(() => String) term!: string;
  @Field(() => FenScalar) amountFen!: number;
}

@ObjectType({ description: "Enrolment and student aid, from the education commission's system (教委)." })
export class Education {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => DateTimeScalar, { description: "When the source last updated the record." }) asOf!: Date;
  @Field(() => Boolean, { description: "The source's record is older than the staleness threshold." }) stale!: boolean;
  @Field(() => ServedFrom, { description: "MIRROR: read from the gateway's mirror of the system; LIVE: asked of the system in this request." }) servedFrom!: ServedFrom;
  @Field(() => SchoolStage) stage!: SchoolStage;
  @Field(() => String) schoolName!: string;
  @Field(() => String) schoolCode!: string;
  @Field(() => Boolean, { description: "Registered as a hardship student (家庭经济困难学生)." }) hardshipStudent!: boolean;
  @Field(() => String) term!: string;
  @Field(() => [EducationAid]) aid!: EducationAid[];
  @Field(() => FenScalar, { description: "Annual necessary education spending (fees, lodging, materials), used by the rigid-expenditure test." })
  necessaryExpenseFen!: number;
}

@ObjectType()
export class Training {
  @Field(() => String) course!: string;
  @Field(() => DateScalar) completedOn!: Date;
}

@ObjectType()
export class EmploymentSubsidy {
  @Field(() => FenScalar) monthlyFen!: number;
  @Field(() => DateScalar) from!: Date;
  @Field(() => DateScalar) to!: Date;
}

@ObjectType({ description: "Employment status and services, from human resources & social security (人力社保)." })
export class Employment {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => DateTimeScalar) asOf!: Date;
  @Field(() => Boolean) stale!: boolean;
  @Field(() => ServedFrom, { description: "MIRROR: read from the gateway's mirror of the system; LIVE: asked of the system in this request." }) servedFrom!: ServedFrom;
  @Field(() => EmploymentStatus) status!: EmploymentStatus;
  @Field(() => DateScalar, { nullable: true }) registeredUnemployedSince!: Date | null;
  @Field(() => Boolean, { description: "Holds a public-welfare post (公益性岗位)." }) publicWelfarePost!: boolean;
  @Field(() => [Training]) trainings!: Training[];
  @Field(() => EmploymentSubsidy, { nullable: true, description: "Dibao employment subsidy (monthly dibao reduction, up to a year)." })
  dibaoEmploymentSubsidy!: EmploymentSubsidy | null;
}

@ObjectType()
export class HousingBenefit {
  @Field(() => HousingBenefitType) type!: HousingBenefitType;
  @Field(() => BenefitStatus) status!: BenefitStatus;
  @Field(() => FenScalar, { nullable: true }) monthlyRentFen!: number | null;
  @Field(() => FenScalar, { nullable: true }) monthlySubsidyFen!: number | null;
  @Field(() => FenScalar, { nullable: true, description: "One-off grant, e.g. dilapidated-house renovation." }) grantFen!: number | null;
  @Field(() => DateScalar) startDate!: Date;
  @Field(() => DateScalar, { nullable: true }) endDate!: Date | null;
}

@ObjectType({ description: "Housing assistance for the household, from housing & urban-rural development (住建)." })
export class Housing {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => DateTimeScalar) asOf!: Date;
  @Field(() => Boolean) stale!: boolean;
  @Field(() => ServedFrom, { description: "MIRROR: read from the gateway's mirror of the system; LIVE: asked of the system in this request." }) servedFrom!: ServedFrom;
  @Field(() => [HousingBenefit]) benefits!: HousingBenefit[];
}

@ObjectType({ description: "Residents' basic medical insurance and medical aid, from the medical security bureau (医保)." })
export class MedicalInsurance {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => DateTimeScalar) asOf!: Date;
  @Field(() => Boolean) stale!: boolean;
  @Field(() => ServedFrom, { description: "MIRROR: read from the gateway's mirror of the system; LIVE: asked of the system in this request." }) servedFrom!: ServedFrom;
  @Field(() => Int, { description: "Insurance tier 1 or 2 (一档/二档)." }) tier!: number;
  @Field(() => Float, { description: "Share of the tier-1 personal premium paid by assistance, 0..1." }) premiumSubsidyRatio!: number;
  @Field(() => FenScalar) premiumSubsidyFen!: number;
  @Field(() => FenScalar) inPolicyExpenseFen!: number;
  @Field(() => FenScalar) outOfPocketFen!: number;
  @Field(() => FenScalar) medicalAidPaidFen!: number;
  @Field(() => String, { nullable: true, description: "Special/serious disease, e.g. THALASSEMIA." }) seriousDisease!: string | null;
  @Field(() => String, { nullable: true, description: "Chronic disease, e.g. HYPERTENSION." }) chronicDisease!: string | null;
  @Field(() => Int) year!: number;
}

@ObjectType({ description: "Disability certificate and subsidies, from the disabled persons' federation (残联)." })
export class Disability {
  @Field(() => DataSource) source!: DataSource;
  @Field(() => DateTimeScalar) asOf!: Date;
  @Field(() => Boolean) stale!: boolean;
  @Field(() => ServedFrom, { description: "MIRROR: read from the gateway's mirror of the system; LIVE: asked of the system in this request." }) servedFrom!: ServedFrom;
  @Field(() => String) certificateNo!: string;
  @Field(() => DisabilityCategory) category!: DisabilityCategory;
  @Field(() => Int, { description: "1–4; 1–2 are severe." }) grade!: number;
  @Field(() => Boolean) severe!: boolean;
  @Field(() => FenScalar, { description: "Monthly living subsidy (困难残疾人生活补贴), 0 when not granted." }) livingSubsidyFen!: number;
  @Field(() => FenScalar, { description: "Monthly nursing subsidy (重度残疾人护理补贴), 0 when not granted." }) nursingSubsidyFen!: number;
  @Field(() => [String]) rehabilitation!: string[];
  @Field(() => CertificateStatus) certificateStatus!: CertificateStatus;
}
