/**
 * What the entitlement rules share (./*.ts, one file per department; ../entitlements.ts runs them): the
 * evaluation's context, the references cited, and how a rule gives an entitlement or records its decision.
 */
import type { CaseFact, Department, EligibilityTier, EntitlementKind, IncomeFact, MemberFacts, PersonEligibility, RuleInput, TierClass } from "../facts.js";
import type { Reading } from "../observed.js";

export interface EntitlementContext {
  tier: EligibilityTier;
  tierClass: TierClass | null;
  persons: PersonEligibility[];
  standard: number;
  standardKey: string;
  total: number;
  incomes: IncomeFact[];
  /** the dibao case in its gradual-exit grace period, if any */
  gradualExit: CaseFact | null;
}

export const YUZHONG = "500103";

export const REF = {
  DIBAO: "DOMAIN §2 civil affairs (dibao payments); 000 二(一)",
  SUPPLEMENT: "DOMAIN §1 priority groups; 000 二(一), 001 (1)",
  TEKUN: "DOMAIN §1 TEKUN care, §2 civil affairs; 000, 001 (2)",
  ONE_TIME: "DOMAIN §2 one-time subsidies; 004",
  MEDICAL: "DOMAIN §2 medical insurance; 003 §9",
  EDUCATION: "DOMAIN §2 education; 002 #8–10, 003 §10",
  EMPLOYMENT: "DOMAIN §2 employment (zero-employment households); 000 二(七), 001 (7), 002 #13–14, 003 §12",
  EMPLOYMENT_SUBSIDY: "DOMAIN §2 employment (dibao employment subsidy); 000 二(七), 002 #13",
  HOUSING: "DOMAIN §2 housing; 001 (6), 002 #11–12, 003 §11",
  DISABILITY: "DOMAIN §2 disabled persons' federation; 002 #10, #23, 003 §16",
} as const;

/** An entitlement's amount or ratio where the rule gives one; `unverified`: what is missing to establish it (status UNVERIFIED). */
export type Amount = { amountFen?: number | null; monthly?: boolean; ratio?: number | null; unverified?: string[] };
export type Give = (kind: EntitlementKind, department: Department, personId: string | null, rule: string, reference: string, amount?: Amount) => void;
/** records an entitlement rule for a member and gives the entitlement when it passes */
export type Decide = (
  rule: string,
  reference: string,
  personId: string | null,
  readings: Reading<unknown>[],
  inputs: RuleInput[],
  test: () => { pass: boolean; explanation: string },
  onPass: () => void,
) => void;

/** One member as the member rules see them: the member, their tier (their own where it differs), age and id. */
export interface MemberCase {
  m: MemberFacts;
  t: EligibilityTier;
  age: number;
  id: string;
}

export type Rules = { give: Give; decide: Decide };
