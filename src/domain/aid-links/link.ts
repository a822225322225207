/**
 * An aid-chain link (src/domain/aid-chain.ts): one piece of assistance a household or a member got, from
 * the registry's own payments or a department system, normalised — its purpose, beneficiary, period,
 * amount or benefit, status and source. One file per source in this folder makes them.
 */
import type { Department, FactSource, MemberFacts } from "../facts.js";
import type { Period } from "../periods.js";


/** The normalised benefit purpose: what the money or service is for. Duplicates are judged per purpose. */
export type AidPurpose =
  | "BASIC_LIVING" // dibao payment, TEKUN basic support
  | "NURSING_CARE" // TEKUN care subsidy (civil affairs) and the federation's nursing subsidy: not both (WIRE.md)
  | "ONE_TIME_LIVING" // one-time living subsidies (004)
  | "EMERGENCY" // emergency-type temporary aid (急难型): may recur, never a duplicate by itself
  | "MEDICAL_EXPENSE" // expenditure-type temporary aid and medical-insurance medical aid: complementary
  | "FUNERAL"
  | "MEDICAL_PREMIUM"
  | "EDUCATION_FEES" // fee waiver
  | "EDUCATION_LIVING" // national grant, living subsidy, nutrition lunch
  | "EDUCATION_TEXTBOOKS"
  | "EDUCATION_LOAN"
  | "EMPLOYMENT_SUBSIDY" // the dibao employment subsidy
  | "EMPLOYMENT_POST" // a public-welfare post
  | "EMPLOYMENT_TRAINING"
  | "HOUSING" // public rental housing or rental subsidy
  | "HOUSE_RENOVATION"
  | "DISABILITY_LIVING"
  | "REHABILITATION"
  | "CHARITY_HELP"; // a partner charity's delivery (DOMAIN §2 charities): on top of public aid, never a duplicate

/**
 * How two links of one purpose combine: EXCLUSIVE — one payer only, any overlap from a second source or
 * district is a duplicate; COMPLEMENTARY — several payers may share an expense, a duplicate only when one
 * of them already covered the whole of it (medical aid equal to the whole out-of-pocket amount, so the
 * temporary aid paid the same expenses again); REPEATABLE — never a duplicate (trainings, emergencies,
 * rehabilitation items).
 */
export const PURPOSE_COMBINATION: Readonly<Record<AidPurpose, "EXCLUSIVE" | "COMPLEMENTARY" | "REPEATABLE">> = {
  BASIC_LIVING: "EXCLUSIVE",
  NURSING_CARE: "EXCLUSIVE",
  ONE_TIME_LIVING: "EXCLUSIVE",
  EMERGENCY: "REPEATABLE",
  MEDICAL_EXPENSE: "COMPLEMENTARY",
  FUNERAL: "EXCLUSIVE",
  MEDICAL_PREMIUM: "EXCLUSIVE",
  EDUCATION_FEES: "EXCLUSIVE",
  EDUCATION_LIVING: "REPEATABLE", // grant + living subsidy + lunch legitimately combine
  EDUCATION_TEXTBOOKS: "EXCLUSIVE",
  EDUCATION_LOAN: "REPEATABLE",
  EMPLOYMENT_SUBSIDY: "EXCLUSIVE",
  EMPLOYMENT_POST: "REPEATABLE",
  EMPLOYMENT_TRAINING: "REPEATABLE",
  HOUSING: "EXCLUSIVE",
  HOUSE_RENOVATION: "EXCLUSIVE",
  DISABILITY_LIVING: "EXCLUSIVE",
  REHABILITATION: "REPEATABLE",
  CHARITY_HELP: "REPEATABLE",
};

export type LinkStatus = "PAID" | "PENDING" | "ACTIVE" | "ENDED" | "APPLIED" | "COMPLETED";

/** How a link's period was obtained (see src/domain/periods.ts). */
export type PeriodBasis = "RECORD" | "TERM" | "SETTLEMENT_YEAR" | "STANDING" | "DAY" | "OPEN_ENDED";

export interface AidLink {
  /** stable within the household: `<source>:<source record id>:<program>[:<detail>]` */
  id: string;
  department: Department;
  /** the program as the source names it: a registry AidProgram, or e.g. DISABILITY_NURSING_SUBSIDY, EDUCATION_FEE_WAIVER */
  program: string;
  purpose: AidPurpose;
  /** the beneficiary; null = the household */
  personId: string | null;
  period: Period;
  periodBasis: PeriodBasis;
  /** money paid or granted (fen; per month when `monthly`), null for a benefit in kind */
  amountFen: number | null;
  monthly: boolean;
  /** a benefit in kind or a detail: a course, a rehabilitation item, "public-welfare post" */
  benefit: string | null;
  /** the expense the payment is towards where the source says (out-of-pocket amount, monthly rent) */
  basisFen: number | null;
  /** a share where the source gives one (premium subsidy ratio) */
  ratio: number | null;
  status: LinkStatus;
  source: FactSource;
  /** the record's key in its source: registry aid-record id, ID number, registry number */
  sourceRecordId: string;
  /** the paying district (the household's district unless the registry record names another) */
  districtCode: string;
  /** when the source says the record was last updated (registry payments: when paid) */
  asOf: Date;
  /** the record is outside the evaluation's period (src/domain/freshness.ts): shown, but no gap is judged on it */
  stale?: boolean;
}

export const base = (
  l: Omit<AidLink, "monthly" | "benefit" | "basisFen" | "ratio" | "amountFen"> & Partial<Pick<AidLink, "monthly" | "benefit" | "basisFen" | "ratio" | "amountFen">>,
): AidLink => ({ monthly: false, benefit: null, basisFen: null, ratio: null, amountFen: null, ...l });

/** What every link of one member carries: the member's key in the department systems, the beneficiary and the paying district. */
export function memberLinkBase(m: MemberFacts, districtCode: string): { key: string; common: { personId: string; districtCode: string } } {
  return { key: m.idNumber ?? m.personId, common: { personId: m.personId, districtCode } };
}
