/**
 * The state one eligibility evaluation shares across its rules (src/domain/eligibility.ts,
 * src/domain/entitlements.ts, src/domain/recertification.ts): the reasons recorded, the sources that
 * failed, the parameters read, the evaluation day — and the small fact helpers the rules share. Pure.
 */
import { ageOn } from "./age.js";
import { dayOf } from "./calendar.js";
import type { CaseFact, EligibilityTier, FactSource, HouseholdFacts, IncomeFact, MemberFacts, RuleEvaluation, RuleInput, RuleOutcome } from "./facts.js";
import { type ParameterReader, type Reading, registryInput, UNSHOWN_INPUT } from "./observed.js";

/** Strongest first: a household or person with several tiers is reported under the first. */
export const TIER_ORDER: readonly EligibilityTier[] = ["TEKUN", "DIBAO", "DIBAO_MARGINAL", "RIGID_EXPENDITURE", "OTHER", "MONITORED", "NOT_ELIGIBLE"];

export const stronger = (a: EligibilityTier, b: EligibilityTier): boolean => TIER_ORDER.indexOf(a) < TIER_ORDER.indexOf(b);

export const REF = {
  DIBAO: "DOMAIN §1 (DIBAO); 003 §1, 001 §1",
  ASSETS: "DOMAIN §1 (assets within local rules); 003 §1",
  MARGINAL: "DOMAIN §1 (DIBAO_MARGINAL); 002 #3, 003 §1, 004 一",
  TEKUN: "DOMAIN §1 (TEKUN, 三无; minors until 18); 002 #3",
  RIGID: "DOMAIN §1 (RIGID_EXPENDITURE); 003 §1",
  MONITORED: "DOMAIN §1 (MONITORED); 003 §1, §18",
  OTHER: "DOMAIN §1 (OTHER); 001 (特殊困难家庭建档)",
  INCLUSION: "DOMAIN §1 single-person inclusion (单人户); 002 #3, 003 §8, 004 §1",
  GRADUAL_EXIT: "DOMAIN §1 gradual exit (低保渐退); 002 #3, 004 §1",
  RECERT: "DOMAIN §1 re-certification (定期核查); 002 #4",
  CLASS: "DOMAIN §1 dibao A-class (低保A类); 001 (6)",
  RETENTION: "DOMAIN §1 (monitoring database); 003 §5",
} as const;

// ---------------------------------------------------------------------------------------------------
// Shared evaluation state

/**
 * What one evaluation accumulates: the reasons, the sources that failed, the parameters read. `explain: false` records
 * no reasons (nothing else changes: no rule reads a reason) — for callers that read none (a monitoring run).
 */
export class Evaluation {
  readonly reasons: RuleEvaluation[] = [];
  readonly missing = new Set<FactSource>();
  readonly day: Date;

  /** `P`: the freshness check's reader (src/domain/freshness.ts), so the parameters read are recorded once */
  constructor(
    readonly facts: HouseholdFacts,
    readonly P: ParameterReader,
    asOf: Date,
    readonly explain = true,
  ) {
    this.day = dayOf(asOf);
  }

  /** Records a reason (built only when the evaluation explains itself). */
  note(reason: () => RuleEvaluation): void {
    if (this.explain) this.reasons.push(reason());
  }

  /** A registry fact as a rule input (without explanation: the one placeholder, as no reason is built to show it). */
  reg(name: string, value: string | number, basis?: string): RuleInput {
    return this.explain ? registryInput(this.facts, name, value, basis) : UNSHOWN_INPUT;
  }

  /** Records a rule; any unknown reading makes it UNKNOWN (and names the failed source) before `decide` runs. */
  rule(
    rule: string,
    reference: string,
    personId: string | null,
    readings: Reading<unknown>[],
    inputs: RuleInput[],
    decide: () => { outcome: RuleOutcome; explanation: string },
  ): RuleOutcome {
    const unknown = readings.filter((r): r is Extract<Reading<unknown>, { known: false }> => !r.known);
    if (!this.explain) {
      for (const u of unknown) this.missing.add(u.source);
      return unknown.length > 0 ? "UNKNOWN" : decide().outcome;
    }
    const all = [...inputs, ...readings.map((r) => r.input)];
    if (unknown.length > 0) {
      for (const u of unknown) this.missing.add(u.source);
      const names = [...new Set(unknown.map((u) => u.source))].join(", ");
      this.reasons.push({ rule, reference, outcome: "UNKNOWN", explanation: `not decidable: the ${names} system did not answer`, personId, inputs: all });
      return "UNKNOWN";
    }
    const { outcome, explanation } = decide();
    this.reasons.push({ rule, reference, outcome, explanation, personId, inputs: all });
    return outcome;
  }

  age(m: MemberFacts): number {
    return ageOn(m.birthDate, this.day);
  }
}

export function incomeValidOn(i: IncomeFact, day: Date): boolean {
  return i.validFrom.getTime() <= day.getTime() && (i.validTo === null || i.validTo.getTime() >= day.getTime());
}

export function caseInForce(c: CaseFact, day: Date): boolean {
  return (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT") && c.startDate.getTime() <= day.getTime() && (c.endDate === null || c.endDate.getTime() >= day.getTime());
}

export const covers = (c: CaseFact, personId: string): boolean => c.personId === null || c.personId === personId;
export const fen = (x: number): string => `${Math.round(x)}`;

/** Own income of a member on the day: incomes attributed to them; a one-person household's household income too. */
export function ownIncome(ev: Evaluation, m: MemberFacts, incomes: IncomeFact[]): number {
  const alone = ev.facts.members.length === 1;
  return incomes.filter((i) => i.personId === m.personId || (alone && i.personId === null)).reduce((s, i) => s + i.monthlyFen, 0);
}
