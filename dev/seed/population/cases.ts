/** Case amounts, classes and review dates. */
import type { HukouType, TierClass } from "../../../src/db/generated/enums.js";
import { isWorkingAge } from "../../../src/domain/age.js";
import type { IsoDate, SynthAid, SynthCase, SynthIncome, SynthPerson } from "../model.js";
import { Rng, hashString } from "../rng.js";
import { addDays, addMonths, ageOn, monthEnd, monthStart } from "./dates.js";
import { isPriorityMember } from "./counting.js";
import { Gen } from "./state.js";
import { HouseholdCtx } from "./persons.js";

/**
 * A few TEKUN payments not stopped at the beneficiary's death (one more month paid): what the audit's
 * PAID_AFTER_DEATH finding looks for. Decided by hash, like crossDistrictPayment, so nothing else moves.
 */
const AFTER_DEATH_RATE = 0.3;
export function paymentAfterDeath(g: Gen, registryNo: string, deceasedOn: IsoDate, aid: SynthAid[]): void {
  if ((hashString(`${g.seed}|after-death|${registryNo}`) >>> 0) / 4294967296 >= AFTER_DEATH_RATE) return;
  const last = aid.filter((a) => a.program === "TEKUN_SUPPORT").at(-1);
  const month = monthStart(addMonths(deceasedOn, 1));
  if (!last || addDays(month, 14) >= g.asOf) return;
  aid.push({
    ...last,
    id: new Rng(hashString(`${g.seed}|after-death-id|${registryNo}`)).uuid(),
    periodStart: month,
    periodEnd: monthEnd(month),
    paidAt: `${month.slice(0, 8)}10T03:00:00.000Z`,
    idempotencyKey: `${registryNo}:TEKUN_SUPPORT:${month.slice(0, 7)}:after-death`,
  });
}

export function nextReview(g: Gen, start: IsoDate, months: number): IsoDate {
  let k = 1;
  while (addMonths(start, k * months) <= g.asOf) k++;
  if (k > 1 && g.rng.chance(0.03)) k--; // a few overdue re-certifications
  return addMonths(start, k * months);
}

export interface Draft2 {
  registryNo: string;
  districtCode: string;
  hukou: HukouType;
  members: SynthPerson[];
  incomes: SynthIncome[];
  cases: SynthCase[];
}

export function yuan(fen: number): string {
  return (fen / 100).toFixed(fen % 100 === 0 ? 0 : 2);
}

/** Dibao for the covered members: (standard − per-capita income) × covered persons + classified supplements. */
export function dibaoAmount(g: Gen, ctx: HouseholdCtx, covered: SynthPerson[], incomeTotal: number, month: IsoDate): { gap: number; supplement: number; priority: number } {
  const key = ctx.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL";
  const standard = g.param(key, month, ctx.street.districtCode);
  const ratio = g.param("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO", month, ctx.street.districtCode);
  let priority = 0;
  for (const p of covered) if (isPriorityMember(p, g.asOf)) priority++;
  return { gap: Math.max(0, standard * covered.length - incomeTotal), supplement: priority * Math.round(standard * ratio), priority };
}

export function standardOf(g: Gen, ctx: HouseholdCtx): number {
  return g.param(ctx.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", g.asOf, ctx.street.districtCode);
}

/** DIBAO_A (低保A类, used by housing, 001 (6)): households where nobody covered of working age can work fully; else B. */
export function dibaoClass(g: Gen, covered: SynthPerson[]): TierClass {
  const able = covered.some((p) => p.workAbility === "FULL" && isWorkingAge(p.sex, ageOn(p.birthDate, g.asOf)) && !p.facts.school);
  return able ? "DIBAO_B" : "DIBAO_A";
}

/** 002 #4: every 6 months when covered members of working age can work (unstable income), else yearly. */
export function dibaoReviewMonths(g: Gen, ctx: HouseholdCtx, covered: SynthPerson[]): number {
  const unstable = covered.some((p) => p.workAbility !== "NONE" && isWorkingAge(p.sex, ageOn(p.birthDate, g.asOf)) && !p.facts.school);
  return g.param(unstable ? "REVIEW_MONTHS_UNSTABLE" : "REVIEW_MONTHS_STABLE", g.asOf, ctx.street.districtCode);
}

export function tekunMonthly(g: Gen, ctx: HouseholdCtx, p: SynthPerson, month: IsoDate): { basic: number; care: number } {
  const region = ctx.street.districtCode;
  const standard = g.param(ctx.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", month, region);
  const basic = Math.round((standard * g.param("TEKUN_BASIC_LIVING_RATIO", month, region)) / 100) * 100;
  const care = g.param(`TEKUN_CARE_SUBSIDY_${p.selfCare}`, month, region);
  return { basic, care };
}
