/**
 * Gradual exit (低保渐退, DOMAIN.md §1; 002 #3, 004 一): "家庭收入发生变化，家庭月人均收入超过但低于低保标准
 * 1.5倍的给予6个月渐退期" — when the income of a dibao household changes so that its income per capita is
 * at or above the standard but below 1.5 × the standard, dibao continues for GRADUAL_EXIT_MONTHS counted
 * from the income change (004 一: "对低保对象实现就业后" — typically the day a member started work, which
 * the registry records as the new income's validFrom). After that the household leaves dibao, or is a
 * marginal household when still below 1.5 × the standard (003 §20, one application across tiers).
 *
 * The one implementation of "is this day in the grace period": eligibility (src/domain/eligibility.ts)
 * and the audit findings (src/domain/audit-findings.ts, ABOVE_THRESHOLD_NO_GRACE) both call `graceOn`, so
 * the two can never disagree about a month. Pure.
 *
 * Choices where the documents are silent (stated in the reasons):
 * - The income change is the first day from which the household's income has stayed at or above the
 *   standard × members without a break up to the day asked (found by walking back through the days on
 *   which an income record starts or ends), compared with the standard in force on the day asked. When
 *   the records show no such change (the income was above the standard before the dibao case began),
 *   the case start is taken: a grant made above the standard gets its grace from the grant, no more.
 * - The grace period is the change day + GRADUAL_EXIT_MONTHS (month arithmetic clamped to the month's
 *   last day), inclusive — the end date the registry records for a GRADUAL_EXIT case.
 * - At or above 1.5 × the standard there is no grace at all (002 #3 gives it only below 1.5 ×).
 */
import { addDays, addMonths } from "./calendar.js";

export interface GraceIncome {
  monthlyFen: number;
  validFrom: Date;
  validTo: Date | null;
}

export interface GraceFacts {
  incomes: readonly GraceIncome[];
  /** the members the income is divided by */
  members: number;
  /** the dibao standard (fen per person per month) in force on the day asked */
  standardFen: number;
  /** MARGINAL_MULTIPLIER */
  multiplier: number;
  /** GRADUAL_EXIT_MONTHS */
  months: number;
  /** the household's dibao case: its start (the household was on dibao from then) */
  caseStart: Date;
}

export type GraceState =
  /** income per capita below the standard: ordinary dibao, no grace needed */
  | { state: "BELOW_STANDARD"; totalFen: number }
  /** income per capita at or above 1.5 × the standard: no grace */
  | { state: "ABOVE_MARGINAL"; totalFen: number }
  /** in [standard, 1.5 × standard) since `rose`: grace until `ends` inclusive */
  | { state: "IN_GRACE"; totalFen: number; rose: Date; ends: Date; roseFrom: "INCOME_CHANGE" | "CASE_START" }
  /** in [standard, 1.5 × standard) since `rose`, and the grace ended on `ends` */
  | { state: "GRACE_ENDED"; totalFen: number; rose: Date; ends: Date; roseFrom: "INCOME_CHANGE" | "CASE_START" };

const t = (d: Date) => d.getTime();

/** Household income per month on a day: the incomes valid that day. */
export function incomeOnDay(incomes: readonly GraceIncome[], on: Date): number {
  let s = 0;
  for (const i of incomes) if (t(i.validFrom) <= t(on) && (i.validTo === null || t(i.validTo) >= t(on))) s += i.monthlyFen;
  return s;
}

/** Where the household stands on `on` with respect to the gradual-exit grace period. */
export function graceOn(f: GraceFacts, on: Date): GraceState {
  const threshold = f.standardFen * f.members;
  const totalFen = incomeOnDay(f.incomes, on);
  if (totalFen < threshold) return { state: "BELOW_STANDARD", totalFen };
  if (totalFen >= f.multiplier * threshold) return { state: "ABOVE_MARGINAL", totalFen };
  // the days on which the household income can change, latest first
  const changes = [...new Set(f.incomes.flatMap((i) => [t(i.validFrom), ...(i.validTo ? [t(addDays(i.validTo, 1))] : [])]))]
    .filter((x) => x <= t(on))
    .sort((a, b) => b - a);
  let rose: Date | null = null;
  for (const c of changes) {
    if (incomeOnDay(f.incomes, addDays(new Date(c), -1)) < threshold) {
      rose = new Date(c);
      break;
    }
  }
  const roseFrom = rose !== null && t(rose) > t(f.caseStart) ? "INCOME_CHANGE" : "CASE_START";
  const from = roseFrom === "INCOME_CHANGE" ? rose! : f.caseStart;
  const ends = addMonths(from, f.months);
  return t(on) <= t(ends) ? { state: "IN_GRACE", totalFen, rose: from, ends, roseFrom } : { state: "GRACE_ENDED", totalFen, rose: from, ends, roseFrom };
}
